import { Duration } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { PhoenixServiceScaling, type PhoenixServiceScalingProps } from "../src/service/service-scaling.js";
import { serviceStack, TWO_AZ_CONTEXT } from "./support/service-stack.js";
import { testAppsCleanedAfterEach } from "./support/synth.js";

const newApp = testAppsCleanedAfterEach(TWO_AZ_CONTEXT);

/** The service fixture plus its scaling. */
function scalingStack(props: Partial<Omit<PhoenixServiceScalingProps, "service" | "targetGroup">> = {}) {
  const { stack, web } = serviceStack(newApp());
  const scaling = new PhoenixServiceScaling(stack, "Scaling", {
    service: web.service,
    targetGroup: web.targetGroup,
    ...props,
  });
  return { stack, web, scaling, template: Template.fromStack(stack) };
}

describe("requirement 6: scale-out when traffic passes 10 requests/second", () => {
  it("scales the service's desired count between 2 and 10 tasks by default, under the ECS service-linked role", () => {
    const { stack, web, template } = scalingStack();
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      ServiceNamespace: "ecs",
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: 2,
      MaxCapacity: 10,
      ResourceId: stack.resolve(`service/${web.cluster.clusterName}/${web.service.serviceName}`),
      RoleARN: Match.objectLike({
        "Fn::Join": [
          "",
          Match.arrayWith([Match.stringLikeRegexp("AWSServiceRoleForApplicationAutoScaling_ECSService")]),
        ],
      }),
    });
    template.resourcePropertiesCountIs(
      "AWS::IAM::Role",
      {
        AssumeRolePolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Principal: { Service: "application-autoscaling.amazonaws.com" } }),
          ]),
        },
      },
      0,
    );
  });

  it("tracks 600 requests per task per minute (10 req/s) on the load balancer's request count", () => {
    const { template, scaling } = scalingStack();
    expect(scaling.requestsPerTaskPerMinute).toBe(600);
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: {
          PredefinedMetricType: "ALBRequestCountPerTarget",
          ResourceLabel: Match.anyValue(),
        },
        TargetValue: 600,
        ScaleOutCooldown: 60,
        ScaleInCooldown: 300,
      },
    });
  });

  it("starts scaling out about a minute after a breach: a 1-minute, 1-datapoint alarm at the target drives step scaling", () => {
    const { template, stack, scaling } = scalingStack();
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/ApplicationELB",
      MetricName: "RequestCountPerTarget",
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 600,
      AlarmActions: [stack.resolve(scaling.requestCountStepScaling.upperAction?.scalingPolicyArn)],
    });
    // Relative to the 600 threshold: +1 task from 600, +2 from 1200 (2×), +4 from 2400 (4×).
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      PolicyType: "StepScaling",
      StepScalingPolicyConfiguration: {
        AdjustmentType: "ChangeInCapacity",
        Cooldown: 60,
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 600, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 600, MetricIntervalUpperBound: 1800, ScalingAdjustment: 2 },
          { MetricIntervalLowerBound: 1800, ScalingAdjustment: 4 },
        ],
      },
    });
  });

  it("leaves scale-in to target tracking: the step policy has no scale-in alarm", () => {
    const { scaling } = scalingStack();
    expect(scaling.requestCountStepScaling.lowerAlarm).toBeUndefined();
    expect(scaling.requestCountAlarm).toBe(scaling.requestCountStepScaling.upperAlarm);
  });

  it("also tracks 60 % average CPU, since /generatecert burns CPU without many requests", () => {
    scalingStack().template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
        TargetValue: 60,
        ScaleOutCooldown: 60,
        ScaleInCooldown: 300,
      },
    });
  });

  it("takes the request target, capacities and cooldowns from its props", () => {
    const { template } = scalingStack({
      requestsPerSecondPerTask: 5,
      minCapacity: 3,
      maxCapacity: 20,
      cpuTargetPercent: 50,
      scaleOutCooldown: Duration.seconds(30),
      scaleInCooldown: Duration.minutes(10),
    });
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", { MinCapacity: 3, MaxCapacity: 20 });
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 300,
        ScaleOutCooldown: 30,
        ScaleInCooldown: 600,
      }),
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "RequestCountPerTarget", Threshold: 300 });
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 50 }),
    });
  });

  it("refuses capacities outside 1–100 or a minimum above the maximum, naming the prop", () => {
    expect(() => scalingStack({ minCapacity: 0 })).toThrow(
      /PhoenixServiceScaling: minCapacity must be a whole number from 1 to 100/,
    );
    expect(() => scalingStack({ maxCapacity: 101 })).toThrow(
      /PhoenixServiceScaling: maxCapacity must be a whole number from 1 to 100/,
    );
    expect(() => scalingStack({ minCapacity: 5, maxCapacity: 4 })).toThrow(
      /PhoenixServiceScaling: minCapacity \(5\) must not exceed maxCapacity \(4\)/,
    );
  });

  it("refuses a non-positive request rate or an unusable CPU target", () => {
    expect(() => scalingStack({ requestsPerSecondPerTask: 0 })).toThrow(/requestsPerSecondPerTask must be between/);
    expect(() => scalingStack({ cpuTargetPercent: 95 })).toThrow(/cpuTargetPercent must be between 10 and 90/);
  });
});
