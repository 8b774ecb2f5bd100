import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Deployment, DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { createDeploymentClients, type DeploymentClients } from "../../../src/adapters/aws/deployment-clients.js";
import { EcsDeployer } from "../../../src/adapters/aws/ecs-deployer.js";
import { DeliveryError } from "../../../src/ports/delivery-error.js";
import type { ServiceTarget } from "../../../src/ports/service-target.js";

// Deployments shaped as in the ECS API reference (DescribeServices → services[].deployments,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html), with the
// circuit breaker's reason text as ECS Deployment State Change events carry it.
const target: ServiceTarget = {
  region: "eu-west-1",
  cluster: "phoenix-staging",
  service: "phoenix-staging-web",
  container: "app",
};
const OLD_TD = "arn:aws:ecs:eu-west-1:111122223333:task-definition/phoenix-staging:7";
const NEW_TD = "arn:aws:ecs:eu-west-1:111122223333:task-definition/phoenix-staging:8";
const OURS = "ecs-svc/1234567890123456789";
const ROLLBACK = "ecs-svc/9876543210987654321";

function deployment(fields: Deployment): Deployment {
  return { desiredCount: 2, runningCount: 2, pendingCount: 0, failedTasks: 0, launchType: "FARGATE", ...fields };
}

/** An ECS double answering DescribeServices with these deployments. */
function deployerWith(deployments: Deployment[]): EcsDeployer {
  const ecs = {
    async send(command: DescribeServicesCommand) {
      expect(command.input).toMatchObject({ cluster: target.cluster, services: [target.service] });
      return {
        services: [{ serviceName: target.service, status: "ACTIVE", desiredCount: 2, runningCount: 2, deployments }],
        failures: [],
      };
    },
  } as unknown as ECSClient;
  const unused = () => {
    throw new Error("not used");
  };
  const clients: DeploymentClients = {
    ecs: () => ecs,
    applicationAutoScaling: unused,
    logs: unused,
    cloudWatch: unused,
    ssm: unused,
  };
  return new EcsDeployer({ clients });
}

describe("EcsDeployer.rollout (ECS double)", () => {
  it("reports a COMPLETED deployment as completed", async () => {
    const deployer = deployerWith([
      deployment({ id: OURS, status: "PRIMARY", taskDefinition: NEW_TD, rolloutState: "COMPLETED" }),
    ]);
    expect(await deployer.rollout(target, OURS)).toEqual({ state: "completed" });
  });

  it("reports an IN_PROGRESS deployment as in progress", async () => {
    const deployer = deployerWith([
      deployment({ id: OURS, status: "PRIMARY", taskDefinition: NEW_TD, rolloutState: "IN_PROGRESS", runningCount: 0 }),
      deployment({ id: ROLLBACK, status: "ACTIVE", taskDefinition: OLD_TD, rolloutState: "COMPLETED" }),
    ]);
    expect(await deployer.rollout(target, OURS)).toEqual({ state: "in-progress" });
  });

  it("reports a FAILED deployment as failed with ECS's reason", async () => {
    const reason = "ECS deployment circuit breaker: tasks failed to start.";
    const deployer = deployerWith([
      deployment({
        id: OURS,
        status: "PRIMARY",
        taskDefinition: NEW_TD,
        rolloutState: "FAILED",
        rolloutStateReason: reason,
      }),
    ]);
    expect(await deployer.rollout(target, OURS)).toEqual({ state: "failed", reason });
  });

  it("reports a circuit-breaker rollback as failed although the service runs again", async () => {
    // ECS marks ours FAILED and starts a new PRIMARY with the previous task definition.
    const reason = "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/9876543210987654321.";
    const deployer = deployerWith([
      deployment({ id: ROLLBACK, status: "PRIMARY", taskDefinition: OLD_TD, rolloutState: "COMPLETED" }),
      deployment({
        id: OURS,
        status: "ACTIVE",
        taskDefinition: NEW_TD,
        rolloutState: "FAILED",
        rolloutStateReason: reason,
      }),
    ]);
    expect(await deployer.rollout(target, OURS)).toEqual({ state: "failed", reason });
  });

  it("reports a deployment ECS no longer lists as failed, replaced by the current PRIMARY", async () => {
    const deployer = deployerWith([
      deployment({ id: ROLLBACK, status: "PRIMARY", taskDefinition: OLD_TD, rolloutState: "COMPLETED" }),
    ]);
    const state = await deployer.rollout(target, OURS);
    expect(state.state).toBe("failed");
    expect(state).toMatchObject({ reason: expect.stringContaining(`replaced by ${ROLLBACK} (${OLD_TD})`) });
  });

  it("reports a deployment superseded before it completed as failed", async () => {
    const deployer = deployerWith([
      deployment({ id: ROLLBACK, status: "PRIMARY", taskDefinition: OLD_TD, rolloutState: "IN_PROGRESS" }),
      deployment({ id: OURS, status: "ACTIVE", taskDefinition: NEW_TD, rolloutState: "IN_PROGRESS" }),
    ]);
    expect(await deployer.rollout(target, OURS)).toMatchObject({
      state: "failed",
      reason: expect.stringContaining(`replaced by ${ROLLBACK}`),
    });
  });

  it("keeps a deployment that completed before a later one started as completed", async () => {
    const deployer = deployerWith([
      deployment({ id: ROLLBACK, status: "PRIMARY", taskDefinition: OLD_TD, rolloutState: "IN_PROGRESS" }),
      deployment({ id: OURS, status: "ACTIVE", taskDefinition: NEW_TD, rolloutState: "COMPLETED" }),
    ]);
    expect(await deployer.rollout(target, OURS)).toEqual({ state: "completed" });
  });

  it("without a rolloutState, completes when the deployment is alone and at its desired count", async () => {
    const alone = deployerWith([deployment({ id: OURS, status: "PRIMARY", taskDefinition: NEW_TD })]);
    expect(await alone.rollout(target, OURS)).toEqual({ state: "completed" });
    const draining = deployerWith([
      deployment({ id: OURS, status: "PRIMARY", taskDefinition: NEW_TD, runningCount: 1 }),
      deployment({ id: ROLLBACK, status: "ACTIVE", taskDefinition: OLD_TD }),
    ]);
    expect(await draining.rollout(target, OURS)).toEqual({ state: "in-progress" });
  });
});

describe("EcsDeployer and AWS errors (local HTTP stub)", () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  it("keeps the SDK's retries on throttling, then reports ThrottlingException with AWS's message", async () => {
    let requests = 0;
    const server = createServer((request, response) => {
      requests += 1;
      request.resume();
      response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    close = () => server.close();
    const { port } = server.address() as AddressInfo;
    const clients = createDeploymentClients({
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });

    const error = await new EcsDeployer({ clients }).rollout(target, OURS).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: "ThrottlingException", message: "Rate exceeded" });
    expect(requests).toBe(3); // the SDK's default: three attempts
  });
});
