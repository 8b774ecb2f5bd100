/**
 * Scale-out when traffic passes 10 requests/second per task (requirement 6).
 *
 * Three policies on one scalable target; Application Auto Scaling follows whichever asks for
 * the most tasks:
 * - target tracking on `ALBRequestCountPerTarget` — the steady-state rule, and the one that
 *   scales in. Its alarms want 3 one-minute datapoints, so it reacts in about 3 minutes;
 * - step scaling on a 1-minute, 1-datapoint alarm on the same metric — scale-out starts about
 *   a minute after the threshold is passed, more tasks the further it is passed;
 * - target tracking on CPU — `/generatecert` burns CPU without many requests.
 */
import { Duration, Stack } from "aws-cdk-lib";
import * as appscaling from "aws-cdk-lib/aws-applicationautoscaling";
import type * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import type * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { requireIntegerInRange, requireNumberInRange, requireOrdered } from "../validation/prop-validation.js";

const CONSTRUCT = "PhoenixServiceScaling";

export interface PhoenixServiceScalingProps {
  /** The service whose desired count is scaled (`PhoenixService.service`). */
  readonly service: ecs.BaseService;
  /** The target group in front of it (`PhoenixService.targetGroup`), attached to a load balancer. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Fewest tasks, from 1 to 100. @default 2 */
  readonly minCapacity?: number;
  /** Most tasks, from 1 to 100 and not below `minCapacity`. @default 10 */
  readonly maxCapacity?: number;
  /**
   * Requests per second one task should serve; the load balancer counts per minute, so the
   * target is this × 60.
   * @default 10
   */
  readonly requestsPerSecondPerTask?: number;
  /** Average CPU the service is kept at, from 10 to 90. @default 60 */
  readonly cpuTargetPercent?: number;
  /** Wait after a scale-out before the next one. @default Duration.seconds(60) */
  readonly scaleOutCooldown?: Duration;
  /** Wait after a scale-in before the next one; long, so a burst does not flap. @default Duration.minutes(5) */
  readonly scaleInCooldown?: Duration;
}

/** Application Auto Scaling for the Phoenix service. */
export class PhoenixServiceScaling extends Construct {
  public readonly scalableTarget: appscaling.ScalableTarget;
  /** Target tracking on requests per task per minute (`requestsPerSecondPerTask` × 60). */
  public readonly requestCountTracking: appscaling.TargetTrackingScalingPolicy;
  /** Step scale-out on the 1-minute request alarm. */
  public readonly requestCountStepScaling: appscaling.StepScalingPolicy;
  /** 1-minute, 1-datapoint alarm on `RequestCountPerTarget` that drives the step policy. */
  public readonly requestCountAlarm: cloudwatch.Alarm;
  public readonly cpuTracking: appscaling.TargetTrackingScalingPolicy;
  /** Requests per task per minute that the policies aim at. */
  public readonly requestsPerTaskPerMinute: number;

  constructor(scope: Construct, id: string, props: PhoenixServiceScalingProps) {
    super(scope, id);
    const minCapacity = requireIntegerInRange(CONSTRUCT, "minCapacity", props.minCapacity ?? 2, 1, 100);
    const maxCapacity = requireIntegerInRange(CONSTRUCT, "maxCapacity", props.maxCapacity ?? 10, 1, 100);
    requireOrdered(CONSTRUCT, "minCapacity", minCapacity, "maxCapacity", maxCapacity);
    const perSecond = requireNumberInRange(
      CONSTRUCT,
      "requestsPerSecondPerTask",
      props.requestsPerSecondPerTask ?? 10,
      0.1,
      10_000,
    );
    const cpuTarget = requireNumberInRange(CONSTRUCT, "cpuTargetPercent", props.cpuTargetPercent ?? 60, 10, 90);
    const scaleOutCooldown = props.scaleOutCooldown ?? Duration.seconds(60);
    const scaleInCooldown = props.scaleInCooldown ?? Duration.minutes(5);
    this.requestsPerTaskPerMinute = perSecond * 60;
    const { service, targetGroup } = props;

    // The same target `service.autoScaleTaskCount()` makes, kept as the L2 so the policies
    // and their alarms can be returned.
    this.scalableTarget = new appscaling.ScalableTarget(this, "TaskCount", {
      serviceNamespace: appscaling.ServiceNamespace.ECS,
      resourceId: `service/${service.cluster.clusterName}/${service.serviceName}`,
      scalableDimension: "ecs:service:DesiredCount",
      minCapacity,
      maxCapacity,
      // ECS scaling runs under its service-linked role, as with `service.autoScaleTaskCount()`.
      role: iam.Role.fromRoleArn(
        this,
        "ServiceLinkedRole",
        Stack.of(this).formatArn({
          region: "",
          service: "iam",
          resource: "role/aws-service-role/ecs.application-autoscaling.amazonaws.com",
          resourceName: "AWSServiceRoleForApplicationAutoScaling_ECSService",
        }),
      ),
    });

    this.requestCountTracking = this.scalableTarget.scaleToTrackMetric("RequestCountTracking", {
      predefinedMetric: appscaling.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET,
      resourceLabel: `${targetGroup.firstLoadBalancerFullName}/${targetGroup.targetGroupFullName}`,
      targetValue: this.requestsPerTaskPerMinute,
      scaleOutCooldown,
      scaleInCooldown,
    });

    const target = this.requestsPerTaskPerMinute;
    this.requestCountStepScaling = this.scalableTarget.scaleOnMetric("RequestCountStep", {
      metric: targetGroup.metrics.requestCountPerTarget({ period: Duration.minutes(1), statistic: "Sum" }),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      // Scale-out only; scale-in is left to target tracking, which waits for a sustained drop.
      scalingSteps: [
        { upper: target, change: 0 },
        { lower: target, change: +1 },
        { lower: 2 * target, change: +2 },
        { lower: 4 * target, change: +4 },
      ],
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      metricAggregationType: appscaling.MetricAggregationType.MAXIMUM,
      cooldown: scaleOutCooldown,
    });
    this.requestCountAlarm = upperAlarmOf(this.requestCountStepScaling);

    this.cpuTracking = this.scalableTarget.scaleToTrackMetric("CpuTracking", {
      predefinedMetric: appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION,
      targetValue: cpuTarget,
      scaleOutCooldown,
      scaleInCooldown,
    });
  }
}

function upperAlarmOf(policy: appscaling.StepScalingPolicy): cloudwatch.Alarm {
  // Always present: the steps above include intervals with a positive change.
  if (!policy.upperAlarm) throw new Error(`${CONSTRUCT}: the step policy has no scale-out alarm`);
  return policy.upperAlarm;
}
