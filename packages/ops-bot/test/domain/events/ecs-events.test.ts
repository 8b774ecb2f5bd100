import { describe, expect, it } from "vitest";
import {
  deploymentServiceArn,
  parseEcsDeploymentStateChange,
} from "../../../src/domain/events/ecs-deployment-state-change.js";
import { parseEcsTaskStateChange, serviceNameOf } from "../../../src/domain/events/ecs-task-state-change.js";
import { loadFixture, parseErrorFrom, REMOVE, variantOf } from "../../support/aws-fixtures.js";

describe("ECS Task State Change", () => {
  it("reads the documented example's task, containers and version", () => {
    const event = parseEcsTaskStateChange(loadFixture("ecs-task-state-change-running").payload);
    expect(event.detail.taskArn).toBe(
      "arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad",
    );
    expect(event.detail.lastStatus).toBe("RUNNING");
    expect(event.detail.version).toBe(4);
    expect(event.detail.containers.map((container) => container.name)).toEqual(["FargateApp"]);
    // Fields this schema does not name are kept for whoever needs them.
    expect(event.detail.attachments).toBeDefined();
    expect(event.detail.containers[0]?.networkInterfaces).toBeDefined();
  });

  it("names the service of a service's task, and none for a standalone task", () => {
    expect(serviceNameOf(parseEcsTaskStateChange(loadFixture("ecs-task-state-change-oom-killed").payload).detail)).toBe(
      "sample-fargate",
    );
    expect(
      serviceNameOf(parseEcsTaskStateChange(loadFixture("ecs-task-state-change-running").payload).detail),
    ).toBeUndefined();
  });

  it("accepts a stop code ECS may add later", () => {
    const event = variantOf("ecs-task-state-change-essential-container-exited", ["detail", "stopCode"], "NewCode");
    expect(parseEcsTaskStateChange(event).detail.stopCode).toBe("NewCode");
  });

  it.each([
    ["a missing taskArn", ["detail", "taskArn"], REMOVE, "detail.taskArn", /is required/],
    ["lastStatus EXPLODED", ["detail", "lastStatus"], "EXPLODED", "detail.lastStatus", /"STOPPED"/],
    [
      "a container without a name",
      ["detail", "containers", 0, "name"],
      REMOVE,
      "detail.containers[0].name",
      /is required/,
    ],
    [
      "a textual exit code",
      ["detail", "containers", 0, "exitCode"],
      "1",
      "detail.containers[0].exitCode",
      /is invalid/,
    ],
    ["a textual version", ["detail", "version"], "6", "detail.version", /is invalid/],
    [
      "another event's detail-type",
      ["detail-type"],
      "ECS Container Instance State Change",
      "detail-type",
      /is invalid/,
    ],
    ["a missing event id", ["id"], REMOVE, "id", /is required/],
  ] as const)("rejects %s, naming the field", (_, path, value, expectedPath, problem) => {
    const event = variantOf("ecs-task-state-change-essential-container-exited", path, value);
    const error = parseErrorFrom(() => parseEcsTaskStateChange(event));
    expect(error.path).toBe(expectedPath);
    expect(error.message).toMatch(new RegExp(`^ECS Task State Change: ${expectedPath.replace(/[[\]]/g, "\\$&")} `));
    expect(error.message).toMatch(problem);
  });

  it("reports every problem, not only the first", () => {
    const event = variantOf("ecs-task-state-change-running", ["detail", "clusterArn"], REMOVE) as {
      detail: Record<string, unknown>;
    };
    delete event.detail.taskDefinitionArn;
    const error = parseErrorFrom(() => parseEcsTaskStateChange(event));
    expect(error.issues.map((issue) => issue.path)).toEqual(["detail.clusterArn", "detail.taskDefinitionArn"]);
    expect(error.message).toMatch(/\(and 1 more problem\)$/);
  });
});

describe("ECS Deployment State Change", () => {
  it.each([
    ["ecs-deployment-state-change-in-progress", "SERVICE_DEPLOYMENT_IN_PROGRESS", "INFO"],
    ["ecs-deployment-state-change-rollback-in-progress", "SERVICE_DEPLOYMENT_IN_PROGRESS", "INFO"],
    ["ecs-deployment-state-change-completed", "SERVICE_DEPLOYMENT_COMPLETED", "INFO"],
    ["ecs-deployment-state-change-failed", "SERVICE_DEPLOYMENT_FAILED", "ERROR"],
  ])("reads %s as %s (%s)", (name, eventName, eventType) => {
    const event = parseEcsDeploymentStateChange(loadFixture(name).payload);
    expect(event.detail.eventName).toBe(eventName);
    expect(event.detail.eventType).toBe(eventType);
    expect(event.detail.deploymentId).toBe("ecs-svc/123");
    expect(deploymentServiceArn(event)).toBe("arn:aws:ecs:us-west-2:111122223333:service/default/servicetest");
  });

  it.each([
    ["an unknown eventName", ["detail", "eventName"], "SERVICE_DEPLOYMENT_PAUSED", "detail.eventName"],
    ["eventType WARN", ["detail", "eventType"], "WARN", "detail.eventType"],
    ["a missing deploymentId", ["detail", "deploymentId"], REMOVE, "detail.deploymentId"],
    ["no service ARN in resources", ["resources"], [], "resources[0]"],
  ] as const)("rejects %s, naming the field", (_, path, value, expectedPath) => {
    const event = variantOf("ecs-deployment-state-change-failed", path, value);
    const error = parseErrorFrom(() => parseEcsDeploymentStateChange(event));
    expect(error.path).toBe(expectedPath);
    expect(error.message.startsWith(`ECS Deployment State Change: ${expectedPath} `)).toBe(true);
  });
});
