/**
 * The environment events the bot handles, shaped as AWS documents them, with this
 * environment's account, region and resources filled in:
 * - task stopped: Amazon ECS Developer Guide, "Amazon ECS task state change events",
 *   "Example Task state change event" (lastStatus and desiredStatus STOPPED);
 * - deployment: Amazon ECS Developer Guide, "Amazon ECS service deployment state change
 *   events", "Example service deployment completed event";
 * - alarm: Amazon CloudWatch User Guide, "Alarm events and EventBridge", "State change for a
 *   single-metric alarm".
 * Fields the rules never read are trimmed.
 */
import { resourceNames } from "@phoenix/shared";

export interface EnvironmentPlace {
  readonly app: string;
  readonly environment: string;
  readonly account: string;
  readonly region: string;
}

export type EventKind = "task stopped" | "deployment state change" | `alarm ${string}`;

export interface SampleEvent {
  readonly kind: EventKind;
  readonly event: Record<string, unknown>;
}

export function sampleEnvironmentEvents(place: EnvironmentPlace): SampleEvent[] {
  const names = resourceNames(place);
  const { account, region } = place;
  const ecs = `arn:aws:ecs:${region}:${account}`;
  const taskArn = `${ecs}:task/${names.cluster}/c13b4cb40f1f4fe4a2971f76ae5a47ad`;
  const envelope = (detailType: string, source: string, resources: string[], detail: Record<string, unknown>) => ({
    version: "0",
    id: "3317b2af-7005-947d-b652-f55e762e571a",
    "detail-type": detailType,
    source,
    account,
    time: "2020-01-23T17:57:58Z",
    region,
    resources,
    detail,
  });
  const taskStopped = envelope("ECS Task State Change", "aws.ecs", [taskArn], {
    clusterArn: `${ecs}:cluster/${names.cluster}`,
    taskArn,
    taskDefinitionArn: `${ecs}:task-definition/${names.service}:1`,
    group: `service:${names.service}`,
    launchType: "FARGATE",
    lastStatus: "STOPPED",
    desiredStatus: "STOPPED",
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
    containers: [{ name: "phoenix", lastStatus: "STOPPED", exitCode: 1, taskArn }],
  });
  const deploymentCompleted = envelope(
    "ECS Deployment State Change",
    "aws.ecs",
    [`${ecs}:service/${names.cluster}/${names.service}`],
    {
      eventType: "INFO",
      eventName: "SERVICE_DEPLOYMENT_COMPLETED",
      deploymentId: "ecs-svc/123",
      updatedAt: "2020-05-23T11:11:11Z",
      reason: "ECS deployment deploymentId completed.",
    },
  );
  const alarms = Object.entries(names.alarms).map(([kind, alarmName]) => ({
    kind: `alarm ${kind}` as EventKind,
    event: envelope(
      "CloudWatch Alarm State Change",
      "aws.cloudwatch",
      [`arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}`],
      {
        alarmName,
        state: { value: "ALARM", reason: "Threshold Crossed", timestamp: "2019-10-02T17:04:40.989+0000" },
        previousState: { value: "OK", reason: "Threshold Crossed", timestamp: "2019-10-01T13:56:40.987+0000" },
        configuration: { description: "", metrics: [] },
      },
    ),
  }));
  return [
    { kind: "task stopped", event: taskStopped },
    { kind: "deployment state change", event: deploymentCompleted },
    ...alarms,
  ];
}
