/**
 * A notification on every CPU peak (requirement 4), plus the three alarms that say the service
 * itself is failing: 5xx from the tasks, unhealthy targets, and 5xx the load balancer answers
 * itself because no healthy task could. Each alarm publishes on ALARM and on OK to one
 * encrypted SNS topic: the ops bot opens a GitHub issue on ALARM and closes it on OK,
 * deduplicating by alarm name.
 */
import type { PhoenixResourceNames } from "@phoenix/shared";
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { requireIntegerInRange, requireNumberInRange } from "../validation/prop-validation.js";
import { encryptedAlarmTopic, notifyingAlarm } from "./alarm-notifications.js";

const CONSTRUCT = "PhoenixAlarms";

export interface PhoenixAlarmsProps {
  /** Names from `resourceNames()`: the alarm and topic names come from here. */
  readonly names: PhoenixResourceNames;
  /** The service watched (`PhoenixService.service`); its cluster and name are the metric dimensions. */
  readonly service: ecs.BaseService;
  /** The target group in front of it (`PhoenixService.targetGroup`), attached to a load balancer. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /**
   * The load balancer in front of the service (`PhoenixService.loadBalancer`). Its own 5xx count
   * is watched: 502/503/504 it answers when no healthy task does, which the tasks' 5xx count never sees.
   */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * CPU percentage, from 1 to 100, that counts as a peak. Compared with the busiest task's
   * one-minute maximum, so a single task saturated by `/generatecert` is reported.
   * @default 80
   */
  readonly cpuThresholdPercent?: number;
  /** 5xx responses from the tasks within one minute that raise the alarm. @default 5 */
  readonly http5xxThreshold?: number;
  /** Unhealthy targets at any moment of a minute that raise the alarm. @default 1 */
  readonly unhealthyHostsThreshold?: number;
  /** 5xx responses from the load balancer itself within one minute that raise the alarm. @default 5 */
  readonly elb5xxThreshold?: number;
  /**
   * Topic to publish to instead of a new one. It must let CloudWatch publish (and, if
   * encrypted, use its key); this construct changes neither.
   * @default - a new topic named `names.alarmTopic`, encrypted with a new customer-managed key
   */
  readonly existingTopic?: sns.ITopic;
}

/** The alarms by kind; their names are `names.alarms.<kind>`. */
export interface PhoenixServiceAlarms {
  readonly cpuHigh: cloudwatch.Alarm;
  readonly http5xx: cloudwatch.Alarm;
  readonly unhealthyHosts: cloudwatch.Alarm;
  readonly elb5xx: cloudwatch.Alarm;
}

/** CloudWatch alarms on the Phoenix service and the SNS topic they notify. */
export class PhoenixAlarms extends Construct {
  public readonly topic: sns.ITopic;
  /** The topic's key; `undefined` with `existingTopic`. */
  public readonly encryptionKey: kms.Key | undefined;
  public readonly alarms: PhoenixServiceAlarms;

  constructor(scope: Construct, id: string, props: PhoenixAlarmsProps) {
    super(scope, id);
    const { names, service, targetGroup, loadBalancer } = props;
    const cpuThreshold = requireNumberInRange(
      CONSTRUCT,
      "cpuThresholdPercent",
      props.cpuThresholdPercent ?? 80,
      1,
      100,
    );
    const http5xxThreshold = requireIntegerInRange(
      CONSTRUCT,
      "http5xxThreshold",
      props.http5xxThreshold ?? 5,
      1,
      100_000,
    );
    const unhealthyThreshold = requireIntegerInRange(
      CONSTRUCT,
      "unhealthyHostsThreshold",
      props.unhealthyHostsThreshold ?? 1,
      1,
      1_000,
    );
    const elb5xxThreshold = requireIntegerInRange(CONSTRUCT, "elb5xxThreshold", props.elb5xxThreshold ?? 5, 1, 100_000);

    if (props.existingTopic) {
      this.topic = props.existingTopic;
      this.encryptionKey = undefined;
    } else {
      const { topic, key } = encryptedAlarmTopic(this, names.alarmTopic, Object.values(names.alarms));
      this.topic = topic;
      this.encryptionKey = key;
    }

    const oneMinute = Duration.minutes(1);
    this.alarms = {
      cpuHigh: notifyingAlarm(this, "CpuHigh", this.topic, {
        alarmName: names.alarms.cpuHigh,
        alarmDescription: `CPU of a ${names.service} task reached ${cpuThreshold} % within a minute.`,
        metric: service.metricCpuUtilization({ period: oneMinute, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: cpuThreshold,
      }),
      http5xx: notifyingAlarm(this, "Http5xx", this.topic, {
        alarmName: names.alarms.http5xx,
        alarmDescription: `${names.service} tasks answered ${http5xxThreshold} or more 5xx responses within a minute.`,
        metric: targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          period: oneMinute,
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: http5xxThreshold,
      }),
      unhealthyHosts: notifyingAlarm(this, "UnhealthyHosts", this.topic, {
        alarmName: names.alarms.unhealthyHosts,
        alarmDescription: `${unhealthyThreshold} or more ${names.service} tasks failed the load balancer health check.`,
        metric: targetGroup.metrics.unhealthyHostCount({ period: oneMinute, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: unhealthyThreshold,
      }),
      elb5xx: notifyingAlarm(this, "Elb5xx", this.topic, {
        alarmName: names.alarms.elb5xx,
        alarmDescription: `The ${names.service} load balancer answered ${elb5xxThreshold} or more 5xx responses itself within a minute (no healthy task answered).`,
        metric: loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, {
          period: oneMinute,
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: elb5xxThreshold,
      }),
    };
  }
}
