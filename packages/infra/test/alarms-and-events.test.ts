import {
  cloudWatchAlarmStatePattern,
  codeBuildStatePattern,
  ecsDeploymentStatePattern,
  ecsTaskStoppedPattern,
  labelledEventInputTemplate,
} from "@phoenix/shared";
import type { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import {
  EnvironmentEventRules,
  ImageBuildStateRule,
  LabelledEventInput,
} from "../src/observability/ops-event-rules.js";
import { PhoenixAlarms, type PhoenixAlarmsProps } from "../src/observability/service-alarms.js";
import { ENV, NAMES, type ServiceStack, serviceStack, TWO_AZ_CONTEXT } from "./support/service-stack.js";
import { testAppsCleanedAfterEach } from "./support/synth.js";

const newApp = testAppsCleanedAfterEach(TWO_AZ_CONTEXT);

/** The service's watched parts, as `PhoenixEnvironmentStack` passes them. */
const watched = ({ web }: ServiceStack) => ({
  names: NAMES,
  service: web.service,
  targetGroup: web.targetGroup,
  loadBalancer: web.loadBalancer,
});

function alarmsStack(
  props: Partial<Omit<PhoenixAlarmsProps, "names" | "service" | "targetGroup" | "loadBalancer">> = {},
) {
  const built = serviceStack(newApp());
  const { stack, web } = built;
  const alarms = new PhoenixAlarms(stack, "Alarms", { ...watched(built), ...props });
  return { stack, web, alarms, template: Template.fromStack(stack) };
}

/** The ARN of one of this deployment's alarms, as the template spells it. */
const alarmArn = (name: string) => ({
  "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:cloudwatch:${ENV.region}:${ENV.account}:alarm:${name}`]],
});

describe("requirement 4: a notification on every CPU peak", () => {
  it("alarms when a task's CPU reaches 80 % within one 1-minute datapoint, on the service's ECS dimensions", () => {
    const { stack, web, template } = alarmsStack();
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: NAMES.alarms.cpuHigh,
      Namespace: "AWS/ECS",
      MetricName: "CPUUtilization",
      Dimensions: [
        { Name: "ClusterName", Value: stack.resolve(web.cluster.clusterName) },
        { Name: "ServiceName", Value: stack.resolve(web.service.serviceName) },
      ],
      Statistic: "Maximum",
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 80,
    });
  });

  it("takes the CPU threshold from its prop and refuses one outside 1–100", () => {
    alarmsStack({ cpuThresholdPercent: 90 }).template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: NAMES.alarms.cpuHigh,
      Threshold: 90,
    });
    expect(() => alarmsStack({ cpuThresholdPercent: 0 })).toThrow(
      /PhoenixAlarms: cpuThresholdPercent must be between 1 and 100/,
    );
    expect(() => alarmsStack({ cpuThresholdPercent: 101 })).toThrow(/cpuThresholdPercent must be between 1 and 100/);
  });

  it("also alarms on 5xx responses from the tasks and on unhealthy targets, under the shared alarm names", () => {
    const { template } = alarmsStack();
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: NAMES.alarms.http5xx,
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_Target_5XX_Count",
      Statistic: "Sum",
      Period: 60,
      Threshold: 5,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: NAMES.alarms.unhealthyHosts,
      Namespace: "AWS/ApplicationELB",
      MetricName: "UnHealthyHostCount",
      Statistic: "Maximum",
      Period: 60,
      Threshold: 1,
    });
  });

  it("alarms on 5xx the load balancer answers itself, as when no healthy task is left to answer", () => {
    const { stack, web, alarms, template } = alarmsStack();
    const topic = stack.resolve(alarms.topic.topicArn);
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: NAMES.alarms.elb5xx,
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_ELB_5XX_Count",
      Dimensions: [{ Name: "LoadBalancer", Value: stack.resolve(web.loadBalancer.loadBalancerFullName) }],
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 5,
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  it("takes the load balancer 5xx threshold from its prop and refuses one below 1", () => {
    alarmsStack({ elb5xxThreshold: 20 }).template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: NAMES.alarms.elb5xx,
      Threshold: 20,
    });
    expect(() => alarmsStack({ elb5xxThreshold: 0 })).toThrow(/PhoenixAlarms: elb5xxThreshold must be a whole number/);
  });

  it("notifies the topic on ALARM and on OK (the bot closes the issue), and treats missing data as not breaching", () => {
    const { stack, alarms, template } = alarmsStack();
    const topic = stack.resolve(alarms.topic.topicArn);
    for (const alarmName of Object.values(NAMES.alarms)) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmName: alarmName,
        AlarmActions: [topic],
        OKActions: [topic],
        TreatMissingData: "notBreaching",
      });
    }
    expect(Object.keys(alarms.alarms).sort()).toEqual(Object.keys(NAMES.alarms).sort());
  });

  it("publishes to a topic named for the deployment, encrypted with a rotating customer-managed key CloudWatch may use", () => {
    const { stack, alarms, template } = alarmsStack();
    const key = stack.resolve(alarms.encryptionKey?.keyArn);
    template.hasResourceProperties("AWS::SNS::Topic", { TopicName: NAMES.alarmTopic, KmsMasterKeyId: key });
    template.hasResourceProperties("AWS::KMS::Key", {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Condition: {
              StringEquals: { "aws:SourceAccount": ENV.account },
              ArnLike: { "aws:SourceArn": Object.values(NAMES.alarms).map(alarmArn) },
            },
          }),
        ]),
      },
    });
  });

  it("denies publishing over plain HTTP and lets only this deployment's alarms publish", () => {
    const { stack, alarms, template } = alarmsStack();
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [stack.resolve(alarms.topic.topicArn)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Action: "sns:Publish",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Condition: {
              StringEquals: { "aws:SourceAccount": ENV.account },
              ArnLike: { "aws:SourceArn": Object.values(NAMES.alarms).map(alarmArn) },
            },
          }),
        ]),
      },
    });
  });

  it("publishes to an existing topic without creating a topic or a key", () => {
    const built = serviceStack(newApp());
    const { stack } = built;
    const existing = sns.Topic.fromTopicArn(stack, "Existing", "arn:aws:sns:eu-west-1:111122223333:ops");
    const alarms = new PhoenixAlarms(stack, "Alarms", { ...watched(built), existingTopic: existing });
    const template = Template.fromStack(stack);
    template.resourceCountIs("AWS::SNS::Topic", 0);
    template.resourceCountIs("AWS::KMS::Key", 0);
    expect(alarms.encryptionKey).toBeUndefined();
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: NAMES.alarms.cpuHigh,
      AlarmActions: ["arn:aws:sns:eu-west-1:111122223333:ops"],
    });
  });
});

describe("events for the ops bot: stopped tasks, deployment state, alarm state and image builds", () => {
  function rulesStack(props: { eventBus?: (stack: Stack) => events.IEventBus } = {}) {
    const built = serviceStack(newApp());
    const { stack, web } = built;
    const alarms = new PhoenixAlarms(stack, "Alarms", watched(built));
    const rules = new EnvironmentEventRules(stack, "Events", {
      clusterArn: web.cluster.clusterArn,
      serviceArn: web.service.serviceArn,
      alarmArns: Object.values(alarms.alarms).map((alarm) => alarm.alarmArn),
      eventBus: props.eventBus?.(stack),
      environment: "staging",
    });
    return { stack, web, alarms, rules };
  }

  it("matches the cluster's stopped tasks with exactly the shared pattern", () => {
    const { stack, web } = rulesStack();
    Template.fromStack(stack).hasResourceProperties("AWS::Events::Rule", {
      EventPattern: Match.exact(stack.resolve(ecsTaskStoppedPattern(web.cluster.clusterArn))),
      State: "ENABLED",
    });
  });

  it("matches the service's deployment state changes with exactly the shared pattern", () => {
    const { stack, web } = rulesStack();
    Template.fromStack(stack).hasResourceProperties("AWS::Events::Rule", {
      EventPattern: Match.exact(stack.resolve(ecsDeploymentStatePattern(web.service.serviceArn))),
    });
  });

  it("matches state changes of the service's four alarms, by ARN, with exactly the shared pattern", () => {
    const { stack, alarms } = rulesStack();
    const arns = Object.values(alarms.alarms).map((alarm) => alarm.alarmArn);
    expect(arns).toHaveLength(4);
    Template.fromStack(stack).hasResourceProperties("AWS::Events::Rule", {
      EventPattern: Match.exact(stack.resolve(cloudWatchAlarmStatePattern(arns))),
    });
  });

  it("listens on the bus it is given", () => {
    const { stack } = rulesStack({
      eventBus: (scope) => new events.EventBus(scope, "OpsBus", { eventBusName: "ops" }),
    });
    Template.fromStack(stack).resourcePropertiesCountIs(
      "AWS::Events::Rule",
      { EventBusName: { Ref: Match.stringLikeRegexp("^OpsBus") } },
      3,
    );
  });

  it("sends every rule's events to a target added once", () => {
    const { stack, rules } = rulesStack();
    const queue = new sqs.Queue(stack, "BotInbox");
    rules.addTarget(new targets.SqsQueue(queue));
    const template = Template.fromStack(stack);
    const queueArn = stack.resolve(queue.queueArn);
    const ruleResources = Object.values(template.findResources("AWS::Events::Rule"));
    expect(ruleResources).toHaveLength(3);
    for (const rule of ruleResources) {
      expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: queueArn })]);
    }
  });

  it("refuses rules for no alarm", () => {
    const { stack, web } = serviceStack(newApp());
    expect(
      () =>
        new EnvironmentEventRules(stack, "Events", {
          clusterArn: web.cluster.clusterArn,
          serviceArn: web.service.serviceArn,
          alarmArns: [],
        }),
    ).toThrow("EnvironmentEventRules: alarmArns must name at least one alarm");
  });

  it("matches the image build's terminal states with exactly the shared pattern", () => {
    const { stack } = serviceStack(newApp());
    new ImageBuildStateRule(stack, "Builds", { buildProjectName: "phoenix-image-build" });
    Template.fromStack(stack).hasResourceProperties("AWS::Events::Rule", {
      EventPattern: Match.exact(codeBuildStatePattern("phoenix-image-build")),
    });
  });

  it("labels the event with its environment and repository through an input transformer without paths", () => {
    const { stack, rules } = rulesStack();
    const queue = new sqs.Queue(stack, "BotInbox");
    const labels = { environment: "staging", repository: "acme/phoenix" };
    rules.addTarget(new targets.SqsQueue(queue, { message: new LabelledEventInput(labels) }));
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs(
      "AWS::Events::Rule",
      {
        Targets: [
          Match.objectLike({
            InputTransformer: { InputPathsMap: {}, InputTemplate: labelledEventInputTemplate(labels) },
          }),
        ],
      },
      3,
    );
  });
});
