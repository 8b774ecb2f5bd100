/**
 * EventBridge patterns for the AWS events the ops bot acts on. The infrastructure's rules
 * match exactly these, and the bot's schemas parse what they let through.
 * Shapes follow the AWS guides: "Amazon ECS events" and "CodeBuild build notifications".
 */
export interface EventPattern {
  readonly source: readonly string[];
  readonly "detail-type": readonly string[];
  readonly resources?: readonly string[];
  readonly detail?: Readonly<Record<string, unknown>>;
}

export const EVENT_SOURCES = { ecs: "aws.ecs", codebuild: "aws.codebuild", cloudwatch: "aws.cloudwatch" } as const;

export const EVENT_DETAIL_TYPES = {
  ecsTaskStateChange: "ECS Task State Change",
  ecsDeploymentStateChange: "ECS Deployment State Change",
  codeBuildStateChange: "CodeBuild Build State Change",
  cloudWatchAlarmStateChange: "CloudWatch Alarm State Change",
} as const;

/** A task of the cluster reached STOPPED: crashes, failed starts and health-check kills. */
export function ecsTaskStoppedPattern(clusterArn: string): EventPattern {
  return {
    source: [EVENT_SOURCES.ecs],
    "detail-type": [EVENT_DETAIL_TYPES.ecsTaskStateChange],
    detail: { clusterArn: [clusterArn], lastStatus: ["STOPPED"] },
  };
}

/** Rollout progress of the service's deployments (completed, failed, rolled back). */
export function ecsDeploymentStatePattern(serviceArn: string): EventPattern {
  return {
    source: [EVENT_SOURCES.ecs],
    "detail-type": [EVENT_DETAIL_TYPES.ecsDeploymentStateChange],
    resources: [serviceArn],
  };
}

/**
 * Every state change (ALARM, OK, INSUFFICIENT_DATA) of the named alarms, by ARN: the event's
 * `resources` holds the alarm's ARN (CloudWatch User Guide, "Alarm events and EventBridge").
 */
export function cloudWatchAlarmStatePattern(alarmArns: readonly string[]): EventPattern {
  return {
    source: [EVENT_SOURCES.cloudwatch],
    "detail-type": [EVENT_DETAIL_TYPES.cloudWatchAlarmStateChange],
    resources: [...alarmArns],
  };
}

/** Terminal states of the image build, which resume a waiting deploy. */
export function codeBuildStatePattern(projectName: string): EventPattern {
  return {
    source: [EVENT_SOURCES.codebuild],
    "detail-type": [EVENT_DETAIL_TYPES.codeBuildStateChange],
    detail: { "project-name": [projectName], "build-status": ["SUCCEEDED", "FAILED", "STOPPED"] },
  };
}

/**
 * The event the scheduled reconciler sends the bot: it re-reads CodeBuild and ECS state for
 * every deployment still in progress (see DESIGN.md, "Long-running work and state").
 */
export const RECONCILE_EVENT = {
  source: "phoenix.ops-bot",
  "detail-type": "Reconcile in-progress deployments",
} as const;
