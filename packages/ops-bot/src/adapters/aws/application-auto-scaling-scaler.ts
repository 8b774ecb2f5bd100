import {
  type ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DeliveryError } from "../../ports/delivery-error.js";
import type { Scaler, ScalingBounds } from "../../ports/scaler.js";
import type { ServiceTarget } from "../../ports/service-target.js";
import { awsCall } from "./aws-call.js";
import type { DeploymentClients } from "./deployment-clients.js";

/** Error code when the service has no scalable target: the infrastructure has not registered it. */
export const SCALABLE_TARGET_NOT_FOUND = "ScalableTargetNotFound";

const SERVICE_NAMESPACE = "ecs";
const SCALABLE_DIMENSION = "ecs:service:DesiredCount";

export interface ApplicationAutoScalingScalerOptions {
  readonly clients: DeploymentClients;
}

/**
 * `Scaler` on Application Auto Scaling: reads and moves the min/max of the service's scalable
 * target, which the infrastructure registered with its scaling policies. The desired count is
 * left to Auto Scaling; this never calls UpdateService.
 */
export class ApplicationAutoScalingScaler implements Scaler {
  private readonly clients: DeploymentClients;

  constructor(options: ApplicationAutoScalingScalerOptions) {
    this.clients = options.clients;
  }

  async bounds(target: ServiceTarget): Promise<ScalingBounds> {
    const scalable = await this.scalableTarget(this.clients.applicationAutoScaling(target), target);
    return { min: scalable.MinCapacity ?? 0, max: scalable.MaxCapacity ?? 0 };
  }

  async setBounds(target: ServiceTarget, bounds: ScalingBounds): Promise<void> {
    const { min, max } = bounds;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
      throw new DeliveryError(
        `scaling bounds must be whole numbers with 0 ≤ min ≤ max, got min ${min} and max ${max}`,
        "ValidationException",
      );
    }
    const client = this.clients.applicationAutoScaling(target);
    // RegisterScalableTarget on a missing target would create one without the infrastructure's
    // policies: refuse instead.
    await this.scalableTarget(client, target);
    // Only the capacities: an existing target keeps its role and suspended state.
    await awsCall(() =>
      client.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: SERVICE_NAMESPACE,
          ScalableDimension: SCALABLE_DIMENSION,
          ResourceId: resourceIdOf(target),
          MinCapacity: min,
          MaxCapacity: max,
        }),
      ),
    );
  }

  private async scalableTarget(client: ApplicationAutoScalingClient, target: ServiceTarget) {
    const resourceId = resourceIdOf(target);
    const { ScalableTargets } = await awsCall(() =>
      client.send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: SERVICE_NAMESPACE,
          ScalableDimension: SCALABLE_DIMENSION,
          ResourceIds: [resourceId],
        }),
      ),
    );
    const scalable = ScalableTargets?.find((t) => t.ResourceId === resourceId);
    if (!scalable) {
      throw new DeliveryError(
        `service ${target.service} in cluster ${target.cluster} has no scalable target (${resourceId}, ${SCALABLE_DIMENSION}); the infrastructure registers it`,
        SCALABLE_TARGET_NOT_FOUND,
      );
    }
    return scalable;
  }
}

/** Application Auto Scaling's resource id of an ECS service. */
export function resourceIdOf(target: Pick<ServiceTarget, "cluster" | "service">): string {
  return `service/${target.cluster}/${target.service}`;
}
