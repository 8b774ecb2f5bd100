import { EVENT_DETAIL_TYPES, RECONCILE_EVENT } from "@phoenix/shared";
import {
  CLOUDWATCH_ALARM_EVENT,
  parseAlarmStateChangeEvent,
  parseSnsAlarmMessage,
} from "../domain/events/cloudwatch-alarm.js";
import { EventParseError } from "../domain/events/parse-error.js";
import { ledgerKeys } from "../domain/ledger-keys.js";
import type { AlarmIssueHandler } from "../domain/notifications/alarm-issue-handler.js";
import { alarmFingerprint } from "../domain/notifications/fingerprints.js";
import type { OpsLogger } from "../ports/logger.js";
import type { SnsSignedNotification } from "./sns/string-to-sign.js";

/** Handles ECS Task State Change events (crash issues); wired in when present. */
export interface StoppedTaskEvents {
  handle(event: unknown): Promise<string>;
}

/** Handles the events that resume deploys (CodeBuild, ECS deployments, reconciler ticks). */
export interface DeployEvents {
  handle(event: Readonly<Record<string, unknown>>): Promise<string>;
}

export interface AwsInputRouterDeps {
  readonly alarms: AlarmIssueHandler;
  readonly stoppedTasks?: StoppedTaskEvents;
  readonly deploys?: DeployEvents;
  readonly logger: OpsLogger;
}

/**
 * Sends each verified AWS input to the handler it concerns. Whether it came by SNS over
 * HTTPS, by a Lambda invocation or from an EventBridge API destination does not matter here.
 * Returns the outcome, which the transports log.
 */
export class AwsInputRouter {
  constructor(private readonly deps: AwsInputRouterDeps) {}

  async onSnsNotification(
    notification: Pick<SnsSignedNotification, "MessageId" | "Message" | "TopicArn">,
  ): Promise<string> {
    let change: ReturnType<typeof parseSnsAlarmMessage>;
    try {
      change = parseSnsAlarmMessage(notification.Message);
    } catch (error) {
      if (!(error instanceof EventParseError)) throw error;
      this.deps.logger.warn(
        { messageId: notification.MessageId, problem: error.message },
        "sns: not a CloudWatch alarm message; ignored",
      );
      return "ignored:not-an-alarm";
    }
    return this.deps.alarms.handle({
      deliveryKey: ledgerKeys.snsMessage(notification.MessageId),
      fingerprint: alarmFingerprint(change.alarmArn),
      change,
    });
  }

  async onEvent(event: Readonly<Record<string, unknown>>): Promise<string> {
    const detailType = event["detail-type"];
    const id = typeof event.id === "string" ? event.id : undefined;
    try {
      switch (detailType) {
        case CLOUDWATCH_ALARM_EVENT.detailType: {
          const change = parseAlarmStateChangeEvent(event);
          if (!id) return "ignored:no-event-id";
          return await this.deps.alarms.handle({
            deliveryKey: ledgerKeys.eventBridgeEvent(id),
            fingerprint: alarmFingerprint(change.alarmArn),
            change,
          });
        }
        case EVENT_DETAIL_TYPES.ecsTaskStateChange:
          return this.deps.stoppedTasks ? await this.deps.stoppedTasks.handle(event) : "ignored:no-crash-handler";
        case EVENT_DETAIL_TYPES.ecsDeploymentStateChange:
        case EVENT_DETAIL_TYPES.codeBuildStateChange:
        case RECONCILE_EVENT["detail-type"]:
          return this.deps.deploys ? await this.deps.deploys.handle(event) : "ignored:no-deploy-handler";
        default:
          this.deps.logger.warn({ detailType: String(detailType), id }, "events: unknown detail-type; ignored");
          return "ignored:unknown-event";
      }
    } catch (error) {
      if (!(error instanceof EventParseError)) throw error;
      this.deps.logger.warn(
        { detailType: String(detailType), id, problem: error.message },
        "events: malformed event; ignored",
      );
      return "ignored:malformed";
    }
  }
}
