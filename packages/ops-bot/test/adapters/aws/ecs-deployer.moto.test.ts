import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandOutput,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import { createDeploymentClients } from "../../../src/adapters/aws/deployment-clients.js";
import { EcsDeployer, TASK_DEFINITION_READ_ONLY_FIELDS } from "../../../src/adapters/aws/ecs-deployer.js";
import { DeliveryError } from "../../../src/ports/delivery-error.js";
import type { ServiceTarget } from "../../../src/ports/service-target.js";

const fixture = JSON.parse(
  readFileSync(
    new URL("../../fixtures/aws-api/ecs-register-task-definition-fargate-webserver.json", import.meta.url),
    "utf8",
  ),
) as { input: RegisterTaskDefinitionCommandInput };

const CONTAINER = "sample-fargate-app";
const NEW_IMAGE = `111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix@sha256:${"c".repeat(64)}`;

function deployer() {
  const { endpoint, credentials } = motoClientConfig();
  return new EcsDeployer({ clients: createDeploymentClients({ endpoint, credentials }) });
}

/** A cluster and a service running the fixture's task definition, under names no other test uses. */
async function serviceInMoto(): Promise<{ target: ServiceTarget; taskDefinitionArn: string; ecs: ECSClient }> {
  const ecs = new ECSClient(motoClientConfig());
  const id = randomUUID().slice(0, 8);
  const cluster = `deployer-${id}`;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({ ...fixture.input, family: `phoenix-web-${id}` }),
  );
  const taskDefinitionArn = taskDefinition?.taskDefinitionArn as string;
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: "web",
      taskDefinition: taskDefinitionArn,
      desiredCount: 2,
      launchType: "FARGATE",
    }),
  );
  return { target: { region: "eu-west-1", cluster, service: "web", container: CONTAINER }, taskDefinitionArn, ecs };
}

/** A DescribeTaskDefinition answer without what ECS sets on registration. */
function registrable({ taskDefinition, tags }: DescribeTaskDefinitionCommandOutput): Record<string, unknown> {
  const fields = Object.entries(taskDefinition ?? {}).filter(
    ([field]) => !(TASK_DEFINITION_READ_ONLY_FIELDS as readonly string[]).includes(field),
  );
  return { ...Object.fromEntries(fields), tags };
}

describe("EcsDeployer (moto server)", () => {
  it("registers a revision identical to the running one but for the container's image, and points the service at it", async () => {
    const { target, taskDefinitionArn, ecs } = await serviceInMoto();

    const started = await deployer().deployImage(target, NEW_IMAGE);

    const describe = (arn: string) =>
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }));
    const before = await describe(taskDefinitionArn);
    const after = await describe(started.taskDefinitionArn);
    expect(after.taskDefinition?.revision).toBe((before.taskDefinition?.revision ?? 0) + 1);
    const expected = registrable(before);
    expected.containerDefinitions = before.taskDefinition?.containerDefinitions?.map((c) =>
      c.name === CONTAINER ? { ...c, image: NEW_IMAGE } : c,
    );
    expect(registrable(after)).toEqual(expected);
    // The fixture's extensions really were there to be copied.
    expect(after.taskDefinition).toMatchObject({
      taskRoleArn: fixture.input.taskRoleArn,
      ephemeralStorage: { sizeInGiB: 30 },
      runtimePlatform: { operatingSystemFamily: "LINUX" },
      volumes: [{ name: "scratch" }],
    });
    expect(after.tags).toEqual(fixture.input.tags);
    expect(after.taskDefinition?.containerDefinitions?.find((c) => c.name === "sidecar")?.image).toBe(
      "public.ecr.aws/docker/library/busybox:1.36",
    );

    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: ["web"] }));
    expect(services?.[0]?.taskDefinition).toBe(started.taskDefinitionArn);
    // moto keeps the service's one deployment (and its id) through UpdateService.
    expect(services?.[0]?.deployments?.find((d) => d.status === "PRIMARY")?.id).toBe(started.deploymentId);
    expect(started.deploymentId).toMatch(/^ecs-svc\//);
  });

  it("registers a revision without touching the service", async () => {
    const { target, taskDefinitionArn, ecs } = await serviceInMoto();
    const arn = await deployer().registerRevision(target, NEW_IMAGE);
    expect(arn).not.toBe(taskDefinitionArn);
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: ["web"] }));
    expect(services?.[0]?.taskDefinition).toBe(taskDefinitionArn);
  });

  it("rolls back by pointing the service at an earlier task definition", async () => {
    const { target, taskDefinitionArn, ecs } = await serviceInMoto();
    const ecsDeployer = deployer();
    await ecsDeployer.deployImage(target, NEW_IMAGE);

    const rolledBack = await ecsDeployer.deployTaskDefinition(target, taskDefinitionArn);

    expect(rolledBack.taskDefinitionArn).toBe(taskDefinitionArn);
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: ["web"] }));
    expect(services?.[0]?.taskDefinition).toBe(taskDefinitionArn);
  });

  it("reports the live revision: task definition, the container's image, desired and running counts", async () => {
    const { target, taskDefinitionArn } = await serviceInMoto();
    const ecsDeployer = deployer();
    expect(await ecsDeployer.live(target)).toEqual({
      taskDefinitionArn,
      image: "public.ecr.aws/docker/library/httpd:2.4",
      desiredCount: 2,
      // moto runs MOTO_ECS_SERVICE_RUNNING tasks (default 0).
      runningCount: expect.any(Number),
    });
    const { taskDefinitionArn: deployed } = await ecsDeployer.deployImage(target, NEW_IMAGE);
    expect(await ecsDeployer.live(target)).toMatchObject({ taskDefinitionArn: deployed, image: NEW_IMAGE });
  });

  it("refuses a container the task definition does not have, naming the ones it has, and registers nothing", async () => {
    const { target, taskDefinitionArn, ecs } = await serviceInMoto();
    const error = await deployer()
      .deployImage({ ...target, container: "app" }, NEW_IMAGE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).code).toBe("ContainerNotFound");
    expect((error as DeliveryError).message).toContain('no container named "app"');
    expect((error as DeliveryError).message).toContain("sample-fargate-app, sidecar");
    const family = taskDefinitionArn.split("/")[1]?.split(":")[0] as string;
    const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
    expect(latest.taskDefinition?.taskDefinitionArn).toBe(taskDefinitionArn);
  });

  it("turns a missing service into ServiceNotFoundException with AWS's message", async () => {
    const { target, taskDefinitionArn } = await serviceInMoto();
    const missing = { ...target, service: "no-such-service" };

    // UpdateService: AWS's own error and message.
    const update = await deployer()
      .deployTaskDefinition(missing, taskDefinitionArn)
      .catch((e: unknown) => e);
    expect(update).toBeInstanceOf(DeliveryError);
    expect(update).toMatchObject({ code: "ServiceNotFoundException", message: "Service not found." });

    // DescribeServices lists a missing service as a MISSING failure: named the same way.
    const live = await deployer()
      .live(missing)
      .catch((e: unknown) => e);
    expect(live).toBeInstanceOf(DeliveryError);
    expect((live as DeliveryError).code).toBe("ServiceNotFoundException");
    expect((live as DeliveryError).message).toContain("no-such-service");
    expect((live as DeliveryError).message).toContain("MISSING");
  });

  it("turns a missing cluster into ClusterNotFoundException with AWS's message", async () => {
    const { target } = await serviceInMoto();
    const error = await deployer()
      .deployImage({ ...target, cluster: `gone-${randomUUID().slice(0, 8)}` }, NEW_IMAGE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: "ClusterNotFoundException", message: "Cluster not found." });
  });
});
