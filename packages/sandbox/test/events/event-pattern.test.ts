import { ecsTaskStoppedPattern, labelledEventInputTemplate } from "@phoenix/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesEventPattern, UnsupportedPatternError } from "../../src/events/event-pattern.js";
import { targetInput } from "../../src/events/input-transformer.js";

// The ECS Task State Change example of the Amazon ECS developer guide ("Amazon ECS task state
// change events"), cut to the fields the patterns read.
const taskStopped = {
  version: "0",
  id: "3317b2af-7005-947d-b652-f55e762e571a",
  "detail-type": "ECS Task State Change",
  source: "aws.ecs",
  account: "111122223333",
  time: "2020-01-23T17:57:58Z",
  region: "us-west-2",
  resources: ["arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad"],
  detail: {
    clusterArn: "arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster",
    lastStatus: "STOPPED",
    stopCode: "EssentialContainerExited",
    containers: [{ name: "app", exitCode: 1 }],
  },
};

describe("matchesEventPattern", () => {
  it("matches the shared stopped-task pattern for the event's own cluster, not for another", () => {
    expect(matchesEventPattern(ecsTaskStoppedPattern(taskStopped.detail.clusterArn), taskStopped)).toBe(true);
    expect(
      matchesEventPattern(ecsTaskStoppedPattern("arn:aws:ecs:us-west-2:111122223333:cluster/Other"), taskStopped),
    ).toBe(false);
    expect(
      matchesEventPattern(ecsTaskStoppedPattern(taskStopped.detail.clusterArn), {
        ...taskStopped,
        detail: { ...taskStopped.detail, lastStatus: "RUNNING" },
      }),
    ).toBe(false);
  });

  it("matches an array field when any element is listed (resources)", () => {
    expect(matchesEventPattern({ resources: ["x", taskStopped.resources[0]] }, taskStopped)).toBe(true);
    expect(matchesEventPattern({ resources: ["x"] }, taskStopped)).toBe(false);
  });

  it("applies prefix, suffix, anything-but, exists and equals-ignore-case filters", () => {
    const matches = (filter: unknown) => matchesEventPattern({ detail: { stopCode: [filter] } }, taskStopped);
    expect(matches({ prefix: "Essential" })).toBe(true);
    expect(matches({ suffix: "Exited" })).toBe(true);
    expect(matches({ "anything-but": ["TaskFailedToStart"] })).toBe(true);
    expect(matches({ "anything-but": "EssentialContainerExited" })).toBe(false);
    expect(matches({ "anything-but": { prefix: "Essential" } })).toBe(false);
    expect(matches({ "equals-ignore-case": "essentialcontainerexited" })).toBe(true);
    expect(matches({ wildcard: "Essential*Exited" })).toBe(true);
    expect(matches({ exists: true })).toBe(true);
    expect(matchesEventPattern({ detail: { stoppedReason: [{ exists: false }] } }, taskStopped)).toBe(true);
    expect(matchesEventPattern({ detail: { stoppedReason: [{ exists: true }] } }, taskStopped)).toBe(false);
  });

  it("refuses a content filter it does not evaluate rather than guessing", () => {
    expect(() => matchesEventPattern({ detail: { x: [{ numeric: [">", 0] }] } }, taskStopped)).toThrow(
      UnsupportedPatternError,
    );
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
});

describe("targetInput", () => {
  const rule = { name: "labelled", arn: "arn:aws:events:eu-west-1:123456789012:rule/ops/labelled" };

  it("wraps the whole event in the labels of labelledEventInputTemplate", () => {
    const labels = { environment: "production", repository: "phoenix-sandbox/phoenix" };
    const input = targetInput(
      { InputTransformer: { InputPathsMap: {}, InputTemplate: labelledEventInputTemplate(labels) } },
      taskStopped,
      rule,
    );
    expect(JSON.parse(input)).toEqual({ phoenixOps: labels, event: taskStopped });
  });

  it("substitutes mapped paths as JSON values outside quotes and as text inside them (the reconciler's template)", () => {
    const input = targetInput(
      {
        InputTransformer: {
          InputPathsMap: { id: "$.id", status: "$.detail.lastStatus", exit: "$.detail.containers" },
          InputTemplate: '{"id":<id>,"say":"task is <status>","containers":<exit>,"rule":"<aws.events.rule-name>"}',
        },
      },
      taskStopped,
      rule,
    );
    expect(JSON.parse(input)).toEqual({
      id: taskStopped.id,
      say: "task is STOPPED",
      containers: taskStopped.detail.containers,
      rule: "labelled",
    });
  });

  it("delivers the event itself without a transformer, a constant Input, or the part at InputPath", () => {
    expect(JSON.parse(targetInput({}, taskStopped, rule))).toEqual(taskStopped);
    expect(targetInput({ Input: '{"fixed":true}' }, taskStopped, rule)).toBe('{"fixed":true}');
    expect(JSON.parse(targetInput({ InputPath: "$.detail" }, taskStopped, rule))).toEqual(taskStopped.detail);
  });
});
