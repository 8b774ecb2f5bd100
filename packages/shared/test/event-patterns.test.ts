import { describe, expect, it } from "vitest";
import {
  cloudWatchAlarmStatePattern,
  codeBuildStatePattern,
  ecsDeploymentStatePattern,
  ecsTaskStoppedPattern,
} from "../src/index.js";

// A minimal EventBridge matcher for the pattern features used here (exact-value arrays,
// nested objects), to show each pattern admits the AWS guides' example events and no others.
function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) {
    const values = Array.isArray(event) ? event : [event];
    return values.some((value) => pattern.includes(value));
  }
  if (pattern && typeof pattern === "object") {
    if (!event || typeof event !== "object") return false;
    return Object.entries(pattern).every(([key, sub]) => matches(sub, (event as Record<string, unknown>)[key]));
  }
  return false;
}

const clusterArn = "arn:aws:ecs:us-west-2:111122223333:cluster/phoenix-staging";
const serviceArn = "arn:aws:ecs:us-west-2:111122223333:service/phoenix-staging/phoenix-staging-web";

// Trimmed from the "Amazon ECS task state change events" example in the Amazon ECS Developer Guide.
const taskStopped = {
  source: "aws.ecs",
  "detail-type": "ECS Task State Change",
  detail: { clusterArn, lastStatus: "STOPPED", stopCode: "EssentialContainerExited" },
};
// Trimmed from the "Amazon ECS service deployment state change events" example in the same guide.
const deploymentFailed = {
  source: "aws.ecs",
  "detail-type": "ECS Deployment State Change",
  resources: [serviceArn],
  detail: { eventName: "SERVICE_DEPLOYMENT_FAILED" },
};
// Trimmed from "State change for a single-metric alarm" in the Amazon CloudWatch User Guide ("Alarm events and EventBridge").
const alarmArn = "arn:aws:cloudwatch:us-west-2:111122223333:alarm:phoenix-staging-http-5xx";
const alarmRaised = {
  source: "aws.cloudwatch",
  "detail-type": "CloudWatch Alarm State Change",
  resources: [alarmArn],
  detail: { alarmName: "phoenix-staging-http-5xx", state: { value: "ALARM" } },
};
// Trimmed from the "Build notifications input format reference" in the AWS CodeBuild User Guide.
const buildSucceeded = {
  source: "aws.codebuild",
  "detail-type": "CodeBuild Build State Change",
  detail: { "project-name": "phoenix-staging-image-build", "build-status": "SUCCEEDED" },
};

describe("EventBridge patterns shared by the rules and the bot", () => {
  it("matches a stopped task of this cluster, not a running one or another cluster's", () => {
    const pattern = ecsTaskStoppedPattern(clusterArn);
    expect(matches(pattern, taskStopped)).toBe(true);
    expect(matches(pattern, { ...taskStopped, detail: { ...taskStopped.detail, lastStatus: "RUNNING" } })).toBe(false);
    expect(matches(pattern, { ...taskStopped, detail: { ...taskStopped.detail, clusterArn: `${clusterArn}-2` } })).toBe(
      false,
    );
  });

  it("matches deployment state changes of this service only", () => {
    expect(matches(ecsDeploymentStatePattern(serviceArn), deploymentFailed)).toBe(true);
    expect(matches(ecsDeploymentStatePattern(`${serviceArn}-other`), deploymentFailed)).toBe(false);
  });

  it("matches terminal builds of the image project, not in-progress ones", () => {
    const pattern = codeBuildStatePattern("phoenix-staging-image-build");
    expect(matches(pattern, buildSucceeded)).toBe(true);
    expect(
      matches(pattern, { ...buildSucceeded, detail: { ...buildSucceeded.detail, "build-status": "IN_PROGRESS" } }),
    ).toBe(false);
  });

  it("matches state changes of the named alarms only", () => {
    const pattern = cloudWatchAlarmStatePattern([`${alarmArn}-other`, alarmArn]);
    expect(matches(pattern, alarmRaised)).toBe(true);
    expect(matches(pattern, { ...alarmRaised, detail: { ...alarmRaised.detail, state: { value: "OK" } } })).toBe(true);
    expect(matches(cloudWatchAlarmStatePattern([`${alarmArn}-other`]), alarmRaised)).toBe(false);
  });
});
