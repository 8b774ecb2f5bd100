/**
 * Which stopped tasks are crashes. The rule (issue "ops-bot: CPU alarms and crashes become
 * GitHub issues"): a task stopped because an essential container exited non-zero, or was
 * OOM-killed, is a crash; scale-in and deployment replacements, user stops and Spot
 * interruptions are not; tasks that fail to start or fail health checks are their own kinds.
 *
 * Wording matched here follows the Amazon ECS Developer Guide ("Amazon ECS stopped task error
 * codes") and the DescribeTasks `Task`/`Container` reference.
 */
import type { EcsContainer, EcsTaskStateChange } from "../events/ecs-task-state-change.js";

export type NotACrashWhy =
  /** ServiceSchedulerInitiated: scale-in, or an old task replaced by a deployment. */
  | "scale-in-or-deployment"
  /** UserInitiated: StopTask from a person or a tool. */
  | "user-stop"
  /** SpotInterruption: Fargate Spot reclaimed the capacity. */
  | "spot-interruption"
  /** TerminationNotice: the task's capacity is being taken away. */
  | "termination-notice"
  /** The essential container exited with code 0: the process ended on purpose. */
  | "clean-exit"
  /** The event is not about a stopped task (lastStatus is not STOPPED). */
  | "not-stopped"
  /** A stop code this version does not know (or none, with no recognisable reason). */
  | "unrecognized-stop-code";

export type StoppedTaskClassification =
  | {
      readonly kind: "crash";
      readonly container: string;
      readonly exitCode: number;
      /** The container's reason, else the task's stoppedReason. */
      readonly reason: string | undefined;
    }
  | {
      readonly kind: "oom-killed";
      readonly container: string;
      /** 137 (SIGKILL) in practice; absent if ECS reported none. */
      readonly exitCode: number | undefined;
      readonly reason: string;
    }
  | {
      readonly kind: "failed-to-start";
      /** The container that reported why, when one did. */
      readonly container: string | undefined;
      readonly reason: string;
    }
  | {
      readonly kind: "failed-health-check";
      readonly check: "container" | "load-balancer";
      /** The container reported UNHEALTHY, when the event says which. */
      readonly container: string | undefined;
      readonly reason: string;
    }
  | {
      readonly kind: "not-a-crash";
      readonly why: NotACrashWhy;
      readonly stopCode: string | undefined;
      readonly reason: string | undefined;
    };

export type StoppedTaskKind = StoppedTaskClassification["kind"];

export interface ClassifyStoppedTaskOptions {
  /**
   * Names of the task definition's essential containers. The event does not say which
   * containers are essential; when this is given, only these are examined for the exit that
   * stopped the task, so a sidecar stopped along with it is not blamed.
   * @default - every container in the event
   */
  readonly essentialContainers?: readonly string[];
}

// "Task failed ELB health checks in (target-group arn:…)" and "Task failed container health checks".
const LOAD_BALANCER_HEALTH_CHECK = /\bTask failed ELB health checks\b/i;
const CONTAINER_HEALTH_CHECK = /\bTask failed container health checks\b/i;
// Container reason "OutOfMemoryError: Container killed due to memory usage".
const OUT_OF_MEMORY = /\bOutOfMemoryError\b|\bkilled due to memory usage\b/i;
// Older events may carry no stopCode; this stoppedReason then identifies the essential exit.
const ESSENTIAL_CONTAINER_EXITED = /^Essential container in task exited/i;

const NOT_A_CRASH: Readonly<Record<string, NotACrashWhy>> = {
  ServiceSchedulerInitiated: "scale-in-or-deployment",
  UserInitiated: "user-stop",
  SpotInterruption: "spot-interruption",
  TerminationNotice: "termination-notice",
};

/** Classifies a task state change event; a pure function of the event. */
export function classifyStoppedTask(
  event: Pick<EcsTaskStateChange, "detail">,
  options: ClassifyStoppedTaskOptions = {},
): StoppedTaskClassification {
  const { lastStatus, stoppedReason, containers } = event.detail;
  const stopCode = event.detail.stopCode;
  const notACrash = (why: NotACrashWhy): StoppedTaskClassification => ({
    kind: "not-a-crash",
    why,
    stopCode,
    reason: stoppedReason,
  });

  if (lastStatus !== "STOPPED") return notACrash("not-stopped");

  // Health-check kills come with the scheduler's stop code, so the reason is checked first.
  if (stoppedReason !== undefined) {
    const check = LOAD_BALANCER_HEALTH_CHECK.test(stoppedReason)
      ? "load-balancer"
      : CONTAINER_HEALTH_CHECK.test(stoppedReason)
        ? "container"
        : undefined;
    if (check) {
      const unhealthy = containers.find((container) => container.healthStatus === "UNHEALTHY");
      return { kind: "failed-health-check", check, container: unhealthy?.name, reason: stoppedReason };
    }
  }

  if (stopCode === "TaskFailedToStart") {
    const reporting = containers.find((container) => container.reason !== undefined);
    return {
      kind: "failed-to-start",
      container: reporting?.name,
      reason: stoppedReason ?? reporting?.reason ?? "Task failed to start",
    };
  }

  const why = stopCode === undefined ? undefined : NOT_A_CRASH[stopCode];
  if (why) return notACrash(why);

  const essentialExit =
    stopCode === "EssentialContainerExited" ||
    (stopCode === undefined && stoppedReason !== undefined && ESSENTIAL_CONTAINER_EXITED.test(stoppedReason));
  if (!essentialExit) return notACrash("unrecognized-stop-code");

  return classifyEssentialExit(candidates(containers, options.essentialContainers), stopCode, stoppedReason);
}

function candidates(containers: readonly EcsContainer[], essential: readonly string[] | undefined) {
  if (essential === undefined) return containers;
  const names = new Set(essential);
  return containers.filter((container) => names.has(container.name));
}

function classifyEssentialExit(
  containers: readonly EcsContainer[],
  stopCode: string | undefined,
  stoppedReason: string | undefined,
): StoppedTaskClassification {
  const oom = containers.find((container) => container.reason !== undefined && OUT_OF_MEMORY.test(container.reason));
  if (oom?.reason !== undefined) {
    return { kind: "oom-killed", container: oom.name, exitCode: oom.exitCode ?? undefined, reason: oom.reason };
  }

  const failed = containers.find((container) => typeof container.exitCode === "number" && container.exitCode !== 0);
  if (failed && typeof failed.exitCode === "number") {
    return { kind: "crash", container: failed.name, exitCode: failed.exitCode, reason: failed.reason ?? stoppedReason };
  }

  if (containers.some((container) => container.exitCode === 0)) {
    return { kind: "not-a-crash", why: "clean-exit", stopCode, reason: stoppedReason };
  }

  // No container reported an exit code: the process never ran (CannotStartContainerError, say).
  const reporting = containers.find((container) => container.reason !== undefined);
  return {
    kind: "failed-to-start",
    container: reporting?.name,
    reason: reporting?.reason ?? stoppedReason ?? "Essential container exited without an exit code",
  };
}
