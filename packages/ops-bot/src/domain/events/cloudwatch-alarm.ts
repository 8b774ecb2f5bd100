/**
 * A CloudWatch alarm changed state. It reaches the bot two ways, with two shapes:
 * - as the JSON text in an SNS notification's `Message` (the alarm's SNS action);
 * - as the EventBridge event "CloudWatch Alarm State Change" (CloudWatch User Guide, "Alarm
 *   events and EventBridge").
 * Both are parsed into one `AlarmStateChange`, so the bot decides once whatever the transport.
 */

import { EVENT_DETAIL_TYPES, EVENT_SOURCES } from "@phoenix/shared";
import { z } from "zod";
import { parseArn } from "./arn.js";
import { eventBridgeEventSchema } from "./eventbridge-envelope.js";
import { parseAwsTimestamp, parseJsonText, parseOrThrow } from "./parse-error.js";

/** Source and detail-type of the EventBridge alarm event. */
export const CLOUDWATCH_ALARM_EVENT = {
  source: EVENT_SOURCES.cloudwatch,
  detailType: EVENT_DETAIL_TYPES.cloudWatchAlarmStateChange,
} as const;

export const ALARM_STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** `ComparisonOperator` of the PutMetricAlarm API; the last three belong to anomaly-detection alarms. */
export const COMPARISON_OPERATORS = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

const alarmState = z.enum(ALARM_STATES);
const dimension = z.looseObject({ name: z.string(), value: z.string() });

// ---------------------------------------------------------------------------------------------
// The alarm message inside an SNS notification
// ---------------------------------------------------------------------------------------------

/** One entry of `Trigger.Metrics`, present instead of `MetricName` on metric-math alarms. */
const snsTriggerMetric = z.looseObject({
  Id: z.string(),
  Expression: z.string().optional(),
  Label: z.string().optional(),
  ReturnData: z.boolean().optional(),
  MetricStat: z
    .looseObject({
      Metric: z.looseObject({
        MetricName: z.string(),
        Namespace: z.string(),
        Dimensions: z.array(dimension).optional(),
      }),
      Period: z.number(),
      Stat: z.string(),
      Unit: z.string().nullish(),
    })
    .optional(),
});

export const snsAlarmTriggerSchema = z.looseObject({
  /** Absent on metric-math alarms, which list `Metrics` instead. */
  MetricName: z.string().optional(),
  Namespace: z.string().optional(),
  /** "Statistic" or "ExtendedStatistic". */
  StatisticType: z.string().optional(),
  /** Upper case in SNS messages ("MAXIMUM"), unlike the API ("Maximum"). */
  Statistic: z.string().optional(),
  /** A percentile such as "p99", when `StatisticType` is "ExtendedStatistic". */
  ExtendedStatistic: z.string().optional(),
  /** `null` when the alarm sets no unit. */
  Unit: z.string().nullish(),
  /** Pairs written `{ "value": …, "name": … }`. */
  Dimensions: z.array(dimension).optional(),
  Period: z.number().positive(),
  EvaluationPeriods: z.number().int().positive(),
  DatapointsToAlarm: z.number().int().positive().optional(),
  ComparisonOperator: z.enum(COMPARISON_OPERATORS),
  /** Absent on anomaly-detection alarms (they name a `ThresholdMetricId`). */
  Threshold: z.number().optional(),
  ThresholdMetricId: z.string().optional(),
  TreatMissingData: z.string().optional(),
  EvaluateLowSampleCountPercentile: z.string().optional(),
  Metrics: z.array(snsTriggerMetric).optional(),
});

export const snsAlarmMessageSchema = z.looseObject({
  AlarmName: z.string().min(1),
  /** `null` (or absent) when the alarm has no description. */
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z.string().min(1),
  AlarmConfigurationUpdatedTimestamp: z.string().optional(),
  NewStateValue: alarmState,
  NewStateReason: z.string(),
  /** ISO 8601 with a `+0000` offset: `2015-06-03T17:43:27.123+0000`. */
  StateChangeTime: z.string().min(1),
  /** The Region's display name ("US East (N. Virginia)"), not its code; the code is in `AlarmArn`. */
  Region: z.string(),
  AlarmArn: z.string().min(1),
  OldStateValue: alarmState,
  OKActions: z.array(z.string()).optional(),
  AlarmActions: z.array(z.string()).optional(),
  InsufficientDataActions: z.array(z.string()).optional(),
  Trigger: snsAlarmTriggerSchema,
});

export type SnsAlarmMessage = z.output<typeof snsAlarmMessageSchema>;

// ---------------------------------------------------------------------------------------------
// The EventBridge event
// ---------------------------------------------------------------------------------------------

const eventAlarmState = z.looseObject({
  value: alarmState,
  reason: z.string(),
  /** JSON text with the datapoints and, for threshold alarms, `threshold`. */
  reasonData: z.string().optional(),
  /** ISO 8601 with a `+0000` offset. */
  timestamp: z.string().min(1),
});

const eventAlarmMetric = z.looseObject({
  id: z.string(),
  expression: z.string().optional(),
  label: z.string().optional(),
  returnData: z.boolean().optional(),
  metricStat: z
    .looseObject({
      metric: z.looseObject({
        namespace: z.string(),
        name: z.string(),
        /** A map here, unlike the name/value pairs of the SNS message. */
        dimensions: z.record(z.string(), z.string()).optional(),
      }),
      period: z.number(),
      stat: z.string(),
    })
    .optional(),
});

export const alarmStateChangeEventSchema = eventBridgeEventSchema(
  CLOUDWATCH_ALARM_EVENT.source,
  CLOUDWATCH_ALARM_EVENT.detailType,
  z.looseObject({
    alarmName: z.string().min(1),
    state: eventAlarmState,
    previousState: eventAlarmState,
    /** Composite alarms carry `alarmRule` instead of `metrics`. */
    configuration: z
      .looseObject({
        description: z.string().nullish(),
        metrics: z.array(eventAlarmMetric).optional(),
      })
      .optional(),
  }),
);

export type AlarmStateChangeEvent = z.output<typeof alarmStateChangeEventSchema>;

// ---------------------------------------------------------------------------------------------
// The normalized change
// ---------------------------------------------------------------------------------------------

export interface AlarmMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly periodSeconds: number;
  /** As the CloudWatch API spells it: "Maximum", "Average", "p99". */
  readonly statistic: string;
}

/** An alarm's state change, whichever way it arrived. */
export interface AlarmStateChange {
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly accountId: string;
  /** Region code ("us-east-1"). */
  readonly region: string;
  readonly newState: AlarmState;
  readonly oldState: AlarmState;
  /** CloudWatch's sentence, e.g. "Threshold Crossed: 1 out of the last 1 datapoints […]". */
  readonly reason: string;
  readonly changedAt: Date;
  readonly description?: string;
  readonly threshold?: number;
  /** Only the SNS message carries it; the EventBridge event does not. */
  readonly comparisonOperator?: ComparisonOperator;
  /** The one metric watched; absent for metric-math alarms over several metrics and composite alarms. */
  readonly metric?: AlarmMetric;
}

const SNS_ALARM_MESSAGE = "CloudWatch alarm message";
const ALARM_EVENT = CLOUDWATCH_ALARM_EVENT.detailType;

/**
 * Parses the `Message` of an SNS notification sent by a CloudWatch alarm (the JSON text, as
 * received). Throws `EventParseError` naming the bad field.
 */
export function parseSnsAlarmMessage(messageString: string): AlarmStateChange {
  const message = parseOrThrow(
    snsAlarmMessageSchema,
    parseJsonText(messageString, SNS_ALARM_MESSAGE),
    SNS_ALARM_MESSAGE,
  );
  const { Trigger: trigger } = message;
  const arn = parseArn(message.AlarmArn);
  return withoutUndefined({
    alarmName: message.AlarmName,
    alarmArn: message.AlarmArn,
    accountId: message.AWSAccountId,
    region: arn && REGION_CODE.test(arn.region) ? arn.region : message.Region,
    newState: message.NewStateValue,
    oldState: message.OldStateValue,
    reason: message.NewStateReason,
    changedAt: parseAwsTimestamp(message.StateChangeTime, SNS_ALARM_MESSAGE, "StateChangeTime"),
    description: message.AlarmDescription ?? undefined,
    threshold: trigger.Threshold,
    comparisonOperator: trigger.ComparisonOperator,
    metric: snsTriggerMetricOf(trigger),
  });
}

/** Parses an EventBridge "CloudWatch Alarm State Change" event. Throws `EventParseError`. */
export function parseAlarmStateChangeEvent(event: unknown): AlarmStateChange {
  const parsed = parseOrThrow(alarmStateChangeEventSchema, event, ALARM_EVENT);
  const { detail } = parsed;
  const alarmArn =
    parsed.resources.find((resource) => parseArn(resource)?.service === "cloudwatch") ??
    `arn:aws:cloudwatch:${parsed.region}:${parsed.account}:alarm:${detail.alarmName}`;
  return withoutUndefined({
    alarmName: detail.alarmName,
    alarmArn,
    accountId: parsed.account,
    region: parsed.region,
    newState: detail.state.value,
    oldState: detail.previousState.value,
    reason: detail.state.reason,
    changedAt: parseAwsTimestamp(detail.state.timestamp, ALARM_EVENT, "detail.state.timestamp"),
    description: detail.configuration?.description ?? undefined,
    threshold: thresholdFromReasonData(detail.state.reasonData),
    metric: singleMetric(
      (detail.configuration?.metrics ?? []).flatMap(({ metricStat }) =>
        metricStat
          ? [
              {
                namespace: metricStat.metric.namespace,
                name: metricStat.metric.name,
                dimensions: { ...metricStat.metric.dimensions },
                periodSeconds: metricStat.period,
                statistic: metricStat.stat,
              },
            ]
          : [],
      ),
    ),
  });
}

// Region codes look like "us-east-1" or "us-gov-west-1"; the SNS example's placeholder ARN does not.
const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d+$/;

// SNS messages spell simple statistics in upper case; the API and EventBridge do not.
const API_STATISTICS: Readonly<Record<string, string>> = {
  SAMPLE_COUNT: "SampleCount",
  SAMPLECOUNT: "SampleCount",
  AVERAGE: "Average",
  SUM: "Sum",
  MINIMUM: "Minimum",
  MAXIMUM: "Maximum",
};

function snsTriggerMetricOf(trigger: z.output<typeof snsAlarmTriggerSchema>): AlarmMetric | undefined {
  const statistic = trigger.ExtendedStatistic ?? trigger.Statistic;
  if (trigger.MetricName !== undefined && trigger.Namespace !== undefined && statistic !== undefined) {
    return {
      namespace: trigger.Namespace,
      name: trigger.MetricName,
      dimensions: dimensionMap(trigger.Dimensions ?? []),
      periodSeconds: trigger.Period,
      statistic: API_STATISTICS[statistic] ?? statistic,
    };
  }
  return singleMetric(
    (trigger.Metrics ?? []).flatMap(({ MetricStat }) =>
      MetricStat
        ? [
            {
              namespace: MetricStat.Metric.Namespace,
              name: MetricStat.Metric.MetricName,
              dimensions: dimensionMap(MetricStat.Metric.Dimensions ?? []),
              periodSeconds: MetricStat.Period,
              statistic: MetricStat.Stat,
            },
          ]
        : [],
    ),
  );
}

// A metric-math alarm over one metric (anomaly detection, say) still watches that metric;
// over several, no single metric describes it.
function singleMetric(metrics: readonly AlarmMetric[]): AlarmMetric | undefined {
  return metrics.length === 1 ? metrics[0] : undefined;
}

function dimensionMap(pairs: readonly { name: string; value: string }[]): Record<string, string> {
  return Object.fromEntries(pairs.map(({ name, value }) => [name, value]));
}

// The event has no Threshold field; the state's reasonData does, for threshold alarms. It is
// informative only, so unreadable reasonData leaves the threshold unknown rather than failing.
function thresholdFromReasonData(reasonData: string | undefined): number | undefined {
  if (reasonData === undefined) return undefined;
  try {
    const data = JSON.parse(reasonData) as unknown;
    if (data && typeof data === "object" && "threshold" in data && typeof data.threshold === "number") {
      return data.threshold;
    }
  } catch {
    // not JSON: no threshold
  }
  return undefined;
}

// Optional properties are left out rather than set to undefined, so results compare and
// serialise cleanly.
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
