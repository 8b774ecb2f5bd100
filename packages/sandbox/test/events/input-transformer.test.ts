import { labelledEventInputTemplate } from "@phoenix/shared";
import { describe, expect, it } from "vitest";
import { targetInput } from "../../src/events/input-transformer.js";

// The ECS Task State Change example of the Amazon ECS developer guide ("Amazon ECS task state
// change events"), cut to the fields the input transformers read.
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
