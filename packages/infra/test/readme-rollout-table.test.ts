import { readFileSync } from "node:fs";
import { resourceNames } from "@phoenix/shared";
import { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import { describe, expect, it } from "vitest";
import {
  CDK_DEFAULT_ROLLOUT_SETTINGS,
  PhoenixService,
  type RolloutSettings,
  worstCaseRolloutSeconds,
} from "../src/service/phoenix-service.js";
import { rolloutSettingsFromTemplate } from "./support/rollout-settings.js";
import { testApp } from "./support/synth.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

/** Counting the full healthy threshold for new targets, as a pessimist (or the issue) would. */
function withThresholdCounted(settings: RolloutSettings, taskCount: number): number {
  return worstCaseRolloutSeconds(
    { ...settings, healthCheckIntervalSeconds: settings.healthyThresholdCount * settings.healthCheckIntervalSeconds },
    taskCount,
  );
}

function readmeRow(label: string): [number, number] {
  const row = readme.split("\n").find((line) => line.includes(label));
  const numbers = [...(row ?? "").matchAll(/(\d+) s\b/g)].map((match) => Number(match[1]));
  if (numbers.length !== 2) throw new Error(`README row "${label}" not found or not two durations: ${row}`);
  return [numbers[0] as number, numbers[1] as number];
}

describe("the README's rollout-speed table", () => {
  it("states the worst-case rollout computed from the synthesized template and CDK's defaults", () => {
    const { app, cleanup } = testApp();
    try {
      const stack = new Stack(app, "Rollout", { env: { account: "111122223333", region: "eu-west-1" } });
      new PhoenixService(stack, "Web", {
        vpc: new ec2.Vpc(stack, "Vpc", { maxAzs: 2 }),
        names: resourceNames({ app: "phoenix", environment: "staging" }),
        image: ecs.ContainerImage.fromRegistry("public.ecr.aws/docker/library/node:26-slim"),
        databaseUri: "mongodb://docdb.internal:27017/phoenix?tls=true",
      });
      const ours = rolloutSettingsFromTemplate(Template.fromStack(stack));

      expect(readmeRow("**worst-case rollout, 2 tasks**")).toEqual([
        worstCaseRolloutSeconds(ours, 2),
        worstCaseRolloutSeconds(CDK_DEFAULT_ROLLOUT_SETTINGS, 2),
      ]);
      expect(readmeRow("counting the full healthy threshold")).toEqual([
        withThresholdCounted(ours, 2),
        withThresholdCounted(CDK_DEFAULT_ROLLOUT_SETTINGS, 2),
      ]);
      expect(readmeRow("deregistration delay")).toEqual([ours.deregistrationDelaySeconds, 300]);
    } finally {
      cleanup();
    }
  });
});
