/**
 * "ECS Task State Change" events (Amazon ECS Developer Guide, "Amazon ECS task state change
 * events"). The `detail` resembles the DescribeTasks `Task` object, with ISO timestamps.
 */

import { EVENT_DETAIL_TYPES, EVENT_SOURCES } from "@phoenix/shared";
import { z } from "zod";
import { eventBridgeEventSchema } from "./eventbridge-envelope.js";
import { parseOrThrow } from "./parse-error.js";

/** Task lifecycle states (`lastStatus`, `desiredStatus`), per "Amazon ECS task lifecycle". */
export const ECS_TASK_STATUSES = [
  "PROVISIONING",
  "PENDING",
  "ACTIVATING",
  "RUNNING",
  "DEACTIVATING",
  "STOPPING",
  "DEPROVISIONING",
  "STOPPED",
  "DELETED",
] as const;
export type EcsTaskStatus = (typeof ECS_TASK_STATUSES)[number];

/**
 * `stopCode` values the ECS API documents (TaskStopCode). The schema accepts any string so a
 * code AWS adds later does not make every stopped task unparseable; the classifier treats an
 * unknown code as "not a crash" and says so.
 */
export const ECS_TASK_STOP_CODES = [
  "TaskFailedToStart",
  "EssentialContainerExited",
  "UserInitiated",
  "ServiceSchedulerInitiated",
  "SpotInterruption",
  "TerminationNotice",
] as const;
export type EcsTaskStopCode = (typeof ECS_TASK_STOP_CODES)[number];

export const ecsContainerSchema = z.looseObject({
  name: z.string().min(1),
  containerArn: z.string().optional(),
  taskArn: z.string().optional(),
  /** Container states are PENDING, RUNNING and STOPPED; kept open as the guide does not fix the list. */
  lastStatus: z.string().min(1),
  /** Absent until the container has exited, and for containers that never started. */
  exitCode: z.number().int().nullish(),
  /** Why the container stopped, e.g. "OutOfMemoryError: Container killed due to memory usage". */
  reason: z.string().optional(),
  image: z.string().optional(),
  /** Returned when the image is hosted in Amazon ECR. */
  imageDigest: z.string().optional(),
  runtimeId: z.string().optional(),
  /** HEALTHY, UNHEALTHY or UNKNOWN when the container defines a health check. */
  healthStatus: z.string().optional(),
});

export type EcsContainer = z.output<typeof ecsContainerSchema>;

export const ecsTaskDetailSchema = z.looseObject({
  clusterArn: z.string().min(1),
  taskArn: z.string().min(1),
  taskDefinitionArn: z.string().min(1),
  /** "service:<service name>" for a service's tasks, "family:<family>" for RunTask. */
  group: z.string().optional(),
  startedBy: z.string().optional(),
  lastStatus: z.enum(ECS_TASK_STATUSES),
  desiredStatus: z.enum(ECS_TASK_STATUSES),
  /** Present once the task is stopping or stopped. See `ECS_TASK_STOP_CODES`. */
  stopCode: z.string().optional(),
  stoppedReason: z.string().optional(),
  containers: z.array(ecsContainerSchema),
  /**
   * Incremented on each state change of the task. Events can be delivered more than once, and
   * duplicates carry the same version (see `ledgerKeys.ecsTaskEvent`).
   */
  version: z.number().int().nonnegative(),
  launchType: z.string().optional(),
  createdAt: z.string().optional(),
  startedAt: z.string().optional(),
  stoppingAt: z.string().optional(),
  stoppedAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type EcsTaskDetail = z.output<typeof ecsTaskDetailSchema>;

export const ecsTaskStateChangeSchema = eventBridgeEventSchema(
  EVENT_SOURCES.ecs,
  EVENT_DETAIL_TYPES.ecsTaskStateChange,
  ecsTaskDetailSchema,
);

export type EcsTaskStateChange = z.output<typeof ecsTaskStateChangeSchema>;

/** Parses an "ECS Task State Change" event. Throws `EventParseError` naming the bad field. */
export function parseEcsTaskStateChange(event: unknown): EcsTaskStateChange {
  return parseOrThrow(ecsTaskStateChangeSchema, event, EVENT_DETAIL_TYPES.ecsTaskStateChange);
}

/** The service a task belongs to (from `group: "service:<name>"`), or `undefined` for a standalone task. */
export function serviceNameOf(detail: Pick<EcsTaskDetail, "group">): string | undefined {
  const prefix = "service:";
  return detail.group?.startsWith(prefix) ? detail.group.slice(prefix.length) : undefined;
}
