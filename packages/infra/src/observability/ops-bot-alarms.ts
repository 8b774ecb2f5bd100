/**
 * Alarms on the ops bot itself, for people. The bot reports the service's trouble as GitHub
 * issues, so its own trouble cannot travel through it: these alarms publish to a topic of their
 * own that the bot is not subscribed to, and operators subscribe there (email here, or a pager
 * or chat integration on the topic).
 */
import type { PhoenixOpsResourceNames } from "@phoenix/shared";
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import type { OpsBotFunction } from "../ops-bot/ops-bot-function.js";
import { PropValidationError, requireIntegerInRange } from "../validation/prop-validation.js";
import { encryptedAlarmTopic, notifyingAlarm } from "./alarm-notifications.js";

const CONSTRUCT = "OpsBotAlarms";
const FIVE_MINUTES = Duration.minutes(5);
/** Enough to catch a typo; the subscription confirmation mail checks the rest. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface OpsBotAlarmsProps {
  /** Names from `opsResourceNames()`: the alarm and topic names derive from `names.botFunction`. */
  readonly names: PhoenixOpsResourceNames;
  /** The bot watched: its function's errors and its dead-letter queue. */
  readonly opsBot: OpsBotFunction;
  /**
   * Addresses subscribed to the topic by email (each confirms by mail before anything is sent).
   * @default - none: subscribe a pager or chat integration to `topic` instead
   */
  readonly operatorEmails?: readonly string[];
  /** Failed invocations within five minutes that raise the errors alarm. @default 3 */
  readonly errorThreshold?: number;
  /**
   * Topic to publish to instead of a new one. It must let CloudWatch publish (and, if
   * encrypted, use its key); this construct changes neither. Never the bot's own alarm topic.
   * @default - a new topic `<botFunction>-alarms`, encrypted with a new customer-managed key
   */
  readonly existingTopic?: sns.ITopic;
}

export class OpsBotAlarms extends Construct {
  public readonly topic: sns.ITopic;
  /** The topic's key; `undefined` with `existingTopic`. */
  public readonly encryptionKey: kms.Key | undefined;
  /** An event the bot never handled is parked in its dead-letter queue: an alarm, crash or deploy went unreported. */
  public readonly deadLetters: cloudwatch.Alarm;
  /** Deliveries failing now (GitHub unreachable, a permission missing, a bug); retries may still save them. */
  public readonly errors: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OpsBotAlarmsProps) {
    super(scope, id);
    const { names, opsBot } = props;
    const errorThreshold = requireIntegerInRange(CONSTRUCT, "errorThreshold", props.errorThreshold ?? 3, 1, 100_000);
    const emails = props.operatorEmails ?? [];
    for (const email of emails) {
      if (!EMAIL.test(email)) {
        throw new PropValidationError(`${CONSTRUCT}: operatorEmails holds "${email}", which is not an email address`);
      }
    }
    const alarmNames = {
      deadLetters: `${names.botFunction}-dead-letters`,
      errors: `${names.botFunction}-errors`,
    };

    if (props.existingTopic) {
      this.topic = props.existingTopic;
      this.encryptionKey = undefined;
    } else {
      const { topic, key } = encryptedAlarmTopic(this, `${names.botFunction}-alarms`, Object.values(alarmNames));
      this.topic = topic;
      this.encryptionKey = key;
    }
    for (const email of emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    this.deadLetters = notifyingAlarm(this, "DeadLetters", this.topic, {
      alarmName: alarmNames.deadLetters,
      alarmDescription: `${names.botFunction} could not handle an event (alarm, crash, deploy or reconcile) and parked it in its dead-letter queue; read the queue, fix the cause, redrive.`,
      metric: opsBot.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
    });
    this.errors = notifyingAlarm(this, "Errors", this.topic, {
      alarmName: alarmNames.errors,
      alarmDescription: `${names.botFunction} failed ${errorThreshold} or more invocations within five minutes; its log group says why.`,
      metric: opsBot.function.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold: errorThreshold,
    });
  }
}
