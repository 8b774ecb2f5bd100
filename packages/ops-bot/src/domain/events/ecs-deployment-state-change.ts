/**
 * "ECS Deployment State Change" events (Amazon ECS Developer Guide, "Amazon ECS service
 * deployment state change events"): a rolling deployment started, completed or failed (the
 * last only with the deployment circuit breaker). They resume a deploy waiting on its rollout.
 */

import { EVENT_DETAIL_TYPES, EVENT_SOURCES } from "@phoenix/shared";
import { z } from "zod";
import { eventBridgeEventSchema } from "./eventbridge-envelope.js";
import { parseOrThrow } from "./parse-error.js";

export const ECS_DEPLOYMENT_EVENT_NAMES = [
  /** Sent for both a new deployment and a circuit-breaker rollback; `reason` tells them apart. */
  "SERVICE_DEPLOYMENT_IN_PROGRESS",
  /** The service reached a steady state after the deployment. */
  "SERVICE_DEPLOYMENT_COMPLETED",
  "SERVICE_DEPLOYMENT_FAILED",
] as const;
export type EcsDeploymentEventName = (typeof ECS_DEPLOYMENT_EVENT_NAMES)[number];

export const ecsDeploymentDetailSchema = z.looseObject({
  eventType: z.enum(["INFO", "ERROR"]),
  eventName: z.enum(ECS_DEPLOYMENT_EVENT_NAMES),
  /** The deployment's id, "ecs-svc/<digits>", as in DescribeServices `deployments[].id`. */
  deploymentId: z.string().min(1),
  updatedAt: z.string().min(1),
  /** Human-readable; for a rollback it names the deployment rolled back to. */
  reason: z.string().optional(),
});

export type EcsDeploymentDetail = z.output<typeof ecsDeploymentDetailSchema>;

export const ecsDeploymentStateChangeSchema = eventBridgeEventSchema(
  EVENT_SOURCES.ecs,
  EVENT_DETAIL_TYPES.ecsDeploymentStateChange,
  ecsDeploymentDetailSchema,
).extend({
  /** `resources[0]` is the service's ARN. */
  resources: z.tuple([z.string().min(1)], z.string()),
});

export type EcsDeploymentStateChange = z.output<typeof ecsDeploymentStateChangeSchema>;

/** Parses an "ECS Deployment State Change" event. Throws `EventParseError` naming the bad field. */
export function parseEcsDeploymentStateChange(event: unknown): EcsDeploymentStateChange {
  return parseOrThrow(ecsDeploymentStateChangeSchema, event, EVENT_DETAIL_TYPES.ecsDeploymentStateChange);
}

/** The ARN of the service whose deployment changed state. */
export function deploymentServiceArn(event: EcsDeploymentStateChange): string {
  return event.resources[0];
}
