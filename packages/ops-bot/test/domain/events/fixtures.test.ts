import { describe, expect, it } from "vitest";
import { parseAlarmStateChangeEvent, parseSnsAlarmMessage } from "../../../src/domain/events/cloudwatch-alarm.js";
import { parseCodeBuildBuildStateChange } from "../../../src/domain/events/codebuild-build-state-change.js";
import { parseEcsDeploymentStateChange } from "../../../src/domain/events/ecs-deployment-state-change.js";
import { parseEcsTaskStateChange } from "../../../src/domain/events/ecs-task-state-change.js";
import { parseSnsHttpMessage } from "../../../src/intake/sns/sns-envelope.js";
import { fixtureNames, loadFixture } from "../../support/aws-fixtures.js";

// Each fixture family and the parser that must accept it; a fixture no family claims fails.
const parsers: readonly (readonly [prefix: string, parse: (payload: unknown) => unknown])[] = [
  ["sns-http-", parseSnsHttpMessage],
  ["cloudwatch-alarm-sns-message", (payload) => parseSnsAlarmMessage(JSON.stringify(payload))],
  ["eventbridge-cloudwatch-alarm-state-change", parseAlarmStateChangeEvent],
  ["ecs-task-state-change-", parseEcsTaskStateChange],
  ["ecs-deployment-state-change-", parseEcsDeploymentStateChange],
  ["codebuild-build-state-change", parseCodeBuildBuildStateChange],
];

// Parsers that return the event itself (not a normalised view) must return it unchanged.
const returnsTheEvent = new Set<(payload: unknown) => unknown>([
  parseSnsHttpMessage,
  parseEcsTaskStateChange,
  parseEcsDeploymentStateChange,
  parseCodeBuildBuildStateChange,
]);

function parserFor(name: string) {
  const entry = parsers.find(([prefix]) => name.startsWith(prefix));
  if (!entry) throw new Error(`no parser claims the fixture ${name}`);
  return entry[1];
}

describe("AWS example fixtures", () => {
  const names = fixtureNames();

  it("are present for every event family", () => {
    for (const [prefix] of parsers) expect(names.some((name) => name.startsWith(prefix))).toBe(true);
  });

  it.each(names)("%s says where it came from", (name) => {
    const { source } = loadFixture(name);
    expect(source).toMatch(/https:\/\/docs\.aws\.amazon\.com\/|^variant of |aws\/aws-lambda-go/);
    if (source.startsWith("variant of ")) expect(source).toMatch(/: /);
  });

  it.each(names)("%s parses", (name) => {
    const { payload } = loadFixture(name);
    expect(() => parserFor(name)(payload)).not.toThrow();
  });

  it.each(names.filter((name) => returnsTheEvent.has(parserFor(name))))(
    "%s parses to exactly what was received, unknown fields included",
    (name) => {
      const { payload } = loadFixture(name);
      expect(parserFor(name)(payload)).toStrictEqual(payload);
    },
  );
});
