import { ecsTaskStoppedPattern } from "@phoenix/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesEventPattern, UnsupportedEventPatternError } from "../../src/template/index.js";
import { sampleEnvironmentEvents } from "../deployability/sample-events.js";

// The ECS Task State Change example of the Amazon ECS developer guide, as the deployability
// suite fills it in for an environment (see sample-events.ts for its source).
const taskStopped = sampleEnvironmentEvents({
  app: "phoenix",
  environment: "staging",
  account: "111122223333",
  region: "us-west-2",
}).find((sample) => sample.kind === "task stopped")?.event as {
  resources: string[];
  detail: { clusterArn: string; stopCode: string };
};

describe("matchesEventPattern", () => {
  it("matches the shared stopped-task pattern for the event's own cluster, not for another", () => {
    expect(matchesEventPattern(ecsTaskStoppedPattern(taskStopped.detail.clusterArn), taskStopped)).toBe(true);
    expect(
      matchesEventPattern(ecsTaskStoppedPattern("arn:aws:ecs:us-west-2:111122223333:cluster/other"), taskStopped),
    ).toBe(false);
    expect(
      matchesEventPattern(ecsTaskStoppedPattern(taskStopped.detail.clusterArn), {
        ...taskStopped,
        detail: { ...taskStopped.detail, lastStatus: "RUNNING" },
      }),
    ).toBe(false);
  });

  it("matches an array field when any element is listed (resources), and nested fields", () => {
    expect(matchesEventPattern({ resources: ["x", taskStopped.resources[0]] }, taskStopped)).toBe(true);
    expect(matchesEventPattern({ resources: ["x"] }, taskStopped)).toBe(false);
    expect(matchesEventPattern({ detail: { lastStatus: ["STOPPED"] }, source: ["aws.ecs"] }, taskStopped)).toBe(true);
    expect(matchesEventPattern({ detail: { absent: ["x"] } }, taskStopped)).toBe(false);
  });

  it("applies prefix, suffix, anything-but, exists, equals-ignore-case and wildcard filters", () => {
    const matches = (filter: unknown) => matchesEventPattern({ detail: { stopCode: [filter] } }, taskStopped);
    expect(matches({ prefix: "Essential" })).toBe(true);
    expect(matches({ suffix: "Exited" })).toBe(true);
    expect(matches({ "anything-but": ["TaskFailedToStart"] })).toBe(true);
    expect(matches({ "anything-but": "EssentialContainerExited" })).toBe(false);
    expect(matches({ "anything-but": { prefix: "Essential" } })).toBe(false);
    expect(matches({ "equals-ignore-case": "essentialcontainerexited" })).toBe(true);
    expect(matches({ wildcard: "Essential*Exited" })).toBe(true);
    expect(matches({ exists: true })).toBe(true);
    expect(matchesEventPattern({ detail: { startedBy: [{ exists: false }] } }, taskStopped)).toBe(true);
    expect(matchesEventPattern({ detail: { startedBy: [{ exists: true }] } }, taskStopped)).toBe(false);
    expect(matchesEventPattern({ missing: { nested: [{ exists: false }] } }, taskStopped)).toBe(true);
  });

  it("reads a field named like an Object.prototype member as absent unless the event has it", () => {
    expect(matchesEventPattern({ constructor: [{ exists: false }] }, taskStopped)).toBe(true);
    expect(matchesEventPattern({ ["__proto__"]: [{ exists: true }] }, taskStopped)).toBe(false);
  });

  it("refuses a content filter it does not evaluate rather than guessing", () => {
    expect(() => matchesEventPattern({ detail: { x: [{ numeric: [">", 0] }] } }, taskStopped)).toThrow(
      UnsupportedEventPatternError,
    );
    expect(() => matchesEventPattern({ source: "aws.ecs" }, taskStopped)).toThrow(UnsupportedEventPatternError);
  });

  it("matches any event against a pattern listing that event's own field values", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (source, detailType) => {
        const event = { source, "detail-type": detailType, detail: {} };
        expect(matchesEventPattern({ source: [source], "detail-type": [detailType] }, event)).toBe(true);
        expect(matchesEventPattern({ source: [`${source}x`] }, event)).toBe(false);
      }),
    );
  });

  it("matches a prefix filter exactly when the value starts with it", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (prefix, value) => {
        expect(matchesEventPattern({ f: [{ prefix }] }, { f: value })).toBe(value.startsWith(prefix));
      }),
    );
  });
});
