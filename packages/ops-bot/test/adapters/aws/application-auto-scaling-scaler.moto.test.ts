import { randomUUID } from "node:crypto";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import { ApplicationAutoScalingScaler } from "../../../src/adapters/aws/application-auto-scaling-scaler.js";
import { createDeploymentClients } from "../../../src/adapters/aws/deployment-clients.js";
import { DeliveryError } from "../../../src/ports/delivery-error.js";
import type { ServiceTarget } from "../../../src/ports/service-target.js";

const ROLE =
  "arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService";

function scaler() {
  const { endpoint, credentials } = motoClientConfig();
  return new ApplicationAutoScalingScaler({ clients: createDeploymentClients({ endpoint, credentials }) });
}

/** An ECS service with 3 tasks desired; moto refuses scalable targets of services it does not know. */
async function serviceInMoto(): Promise<{ target: ServiceTarget; ecs: ECSClient }> {
  const ecs = new ECSClient(motoClientConfig());
  const cluster = `scaler-${randomUUID().slice(0, 8)}`;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: cluster,
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "app", image: "public.ecr.aws/docker/library/httpd:2.4" }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: "web",
      taskDefinition: taskDefinition?.taskDefinitionArn,
      desiredCount: 3,
    }),
  );
  return { target: { region: "eu-west-1", cluster, service: "web", container: "app" }, ecs };
}

describe("ApplicationAutoScalingScaler (moto server)", () => {
  it("moves the scalable target's bounds and leaves the desired count, role and suspended state alone", async () => {
    const { target, ecs } = await serviceInMoto();
    const autoScaling = new ApplicationAutoScalingClient(motoClientConfig());
    const resourceId = `service/${target.cluster}/web`;
    // As the infrastructure registers it.
    await autoScaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ScalableDimension: "ecs:service:DesiredCount",
        ResourceId: resourceId,
        MinCapacity: 2,
        MaxCapacity: 4,
        RoleARN: ROLE,
        SuspendedState: { DynamicScalingInSuspended: true },
      }),
    );
    const ecsScaler = scaler();
    expect(await ecsScaler.bounds(target)).toEqual({ min: 2, max: 4 });

    await ecsScaler.setBounds(target, { min: 3, max: 6 });

    const { ScalableTargets } = await autoScaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [resourceId] }),
    );
    expect(ScalableTargets).toHaveLength(1);
    expect(ScalableTargets?.[0]).toMatchObject({
      MinCapacity: 3,
      MaxCapacity: 6,
      RoleARN: ROLE,
      SuspendedState: { DynamicScalingInSuspended: true },
    });
    expect(await ecsScaler.bounds(target)).toEqual({ min: 3, max: 6 });
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: ["web"] }));
    expect(services?.[0]?.desiredCount).toBe(3);
  });

  it("refuses a service without a scalable target and registers none", async () => {
    const { target } = await serviceInMoto();
    const ecsScaler = scaler();
    for (const attempt of [() => ecsScaler.bounds(target), () => ecsScaler.setBounds(target, { min: 1, max: 2 })]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ code: "ScalableTargetNotFound" });
      expect((error as DeliveryError).message).toContain("has no scalable target");
    }
    const { ScalableTargets } = await new ApplicationAutoScalingClient(motoClientConfig()).send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [`service/${target.cluster}/web`] }),
    );
    expect(ScalableTargets).toEqual([]);
  });

  it("refuses bounds with min above max before calling AWS", async () => {
    const { target } = await serviceInMoto();
    await expect(scaler().setBounds(target, { min: 5, max: 2 })).rejects.toMatchObject({
      name: "DeliveryError",
      code: "ValidationException",
    });
  });
});
