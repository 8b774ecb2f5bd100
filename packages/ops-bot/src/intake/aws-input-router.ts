import { EVENT_DETAIL_TYPES, RECONCILE_EVENT } from "@phoenix/shared";
import {
  CLOUDWATCH_ALARM_EVENT,
  parseAlarmStateChangeEvent,
  parseSnsAlarmMessage,
} from "../domain/events/cloudwatch-alarm.js";
import {
  describeLabels,
  type EventLabels,
  hasEnvironmentLabels,
  parseLabelledEvent,
} from "../domain/events/environment-labels.js";
import { EventParseError } from "../domain/events/parse-error.js";
import { ledgerKeys } from "../domain/ledger-keys.js";
import type { AlarmNotification } from "../domain/notifications/alarm-issue-handler.js";
import type { LabelledTaskEvent } from "../domain/notifications/crash-issue-handler.js";
import type { OpsLogger } from "../ports/logger.js";
import type { RepositoryRef } from "../ports/repository-gateway.js";
import type { SnsSignedNotification } from "./sns/string-to-sign.js";

/** Handles CloudWatch alarm state changes (alarm issues). */
export interface AlarmEvents {
  handle(notification: AlarmNotification): Promise<string>;
}

/** Handles ECS Task State Change events (crash issues); wired in when present. */
export interface StoppedTaskEvents {
  handle(task: LabelledTaskEvent): Promise<string>;
}

/**
 * Handles the events that resume deploys (CodeBuild, ECS deployments, reconciler ticks).
 * `labels` comes with an environment's event (ECS deployments), never with CodeBuild events or
 * reconciler ticks.
 */
export interface DeployEvents {
  handle(event: Readonly<Record<string, unknown>>, labels?: EventLabels): Promise<string>;
}

export interface AwsInputRouterDeps {
  readonly alarms: AlarmEvents;
  readonly stoppedTasks?: StoppedTaskEvents;
  readonly deploys?: DeployEvents;
  /**
   * Where alarm messages that arrive by SNS belong: they carry no labels, so their environment
   * is found by name among this repository's environments.
   */
  readonly snsRepository: RepositoryRef;
  readonly logger: OpsLogger;
}

/**
 * Sends each verified AWS input to the handler it concerns. Whether it came by SNS over
 * HTTPS, by a Lambda invocation or from an EventBridge API destination does not matter here.
 * Returns the outcome, which the transports log.
 *
 * EventBridge inputs are either an AWS event as it was sent (CodeBuild, the reconciler's
 * schedule) or an environment's event labelled by the ops bus: `{ phoenixOps: { environment,
 * repository }, event }`. Alarm and task events mean nothing without the labels that say whose
 * environment they come from: without them they are ignored, never looked up.
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
      origin: { namedIn: this.deps.snsRepository },
      change,
    });
  }

  async onEvent(input: Readonly<Record<string, unknown>>): Promise<string> {
    if (!hasEnvironmentLabels(input)) return this.route(input, undefined);
    try {
      const { labels, event } = parseLabelledEvent(input);
      return await this.route(event, labels);
    } catch (error) {
      if (!(error instanceof EventParseError)) throw error;
      this.deps.logger.warn({ problem: error.message }, "events: malformed labelled event; ignored");
      return "ignored:malformed";
    }
  }

  private async route(event: Readonly<Record<string, unknown>>, labels: EventLabels | undefined): Promise<string> {
    const detailType = event["detail-type"];
    const id = typeof event.id === "string" ? event.id : undefined;
    const unlabelled = (): string => {
      this.deps.logger.warn(
        { detailType: String(detailType), id },
        "events: environment event without labels (no phoenixOps); ignored",
      );
      return "ignored:unlabelled";
    };
    try {
      switch (detailType) {
        case CLOUDWATCH_ALARM_EVENT.detailType: {
          if (!labels) return unlabelled();
          const change = parseAlarmStateChangeEvent(event);
          if (!id) return "ignored:no-event-id";
          return await this.deps.alarms.handle({
            // EventBridge keeps an event's id when it forwards it between buses and when it retries.
            deliveryKey: ledgerKeys.eventBridgeEvent(id),
            origin: { labels },
            change,
          });
        }
        case EVENT_DETAIL_TYPES.ecsTaskStateChange:
          if (!labels) return unlabelled();
          return this.deps.stoppedTasks
            ? await this.deps.stoppedTasks.handle({ labels, event })
            : "ignored:no-crash-handler";
        case EVENT_DETAIL_TYPES.ecsDeploymentStateChange:
        case EVENT_DETAIL_TYPES.codeBuildStateChange:
        case RECONCILE_EVENT["detail-type"]:
          return this.deps.deploys ? await this.deps.deploys.handle(event, labels) : "ignored:no-deploy-handler";
        default:
          this.deps.logger.warn({ detailType: String(detailType), id }, "events: unknown detail-type; ignored");
          return "ignored:unknown-event";
      }
    } catch (error) {
      if (!(error instanceof EventParseError)) throw error;
      this.deps.logger.warn(
        { detailType: String(detailType), id, ...(labels ? describeLabels(labels) : {}), problem: error.message },
        "events: malformed event; ignored",
      );
      return "ignored:malformed";
    }
  }
}
