import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { PHOENIX_APP, type PhoenixResourceNames } from "@phoenix/shared";

export interface AwsClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface SeededAws {
  readonly taskDefinitionArn: string;
  readonly topicArn: string;
  readonly alarmArn: string;
}

/** What the infra stack's scaling construct registers; `/scale … reset` in the sandbox config restores it. */
export const SANDBOX_SCALING = { min: 2, max: 4 } as const;

/**
 * Creates in moto what `PhoenixStack` creates in AWS, under the same `@phoenix/shared` names:
 * cluster, log group (7 days), ECR repository, alarm topic, CPU alarm, the service's task
 * definition (the app container running `image`) and service, and its scalable target.
 * Safe to run again: existing resources are updated to this state.
 */
export async function seedAws(
  aws: AwsClientConfig,
  names: PhoenixResourceNames,
  image: string,
  environment: Readonly<Record<string, string>>,
): Promise<SeededAws> {
  const ecs = new ECSClient(aws);
  await ecs.send(new CreateClusterCommand({ clusterName: names.cluster }));
  const logs = new CloudWatchLogsClient(aws);
  await ignoreExisting(() => logs.send(new CreateLogGroupCommand({ logGroupName: names.logGroup })));
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: names.logGroup, retentionInDays: 7 }));
  await ignoreExisting(() =>
    new ECRClient(aws).send(new CreateRepositoryCommand({ repositoryName: names.repository })),
  );
  const { TopicArn } = await new SNSClient(aws).send(new CreateTopicCommand({ Name: names.alarmTopic }));
  const topicArn = TopicArn as string;
  await new CloudWatchClient(aws).send(
    new PutMetricAlarmCommand({
      AlarmName: names.alarms.cpuHigh,
      AlarmDescription: "Average CPU of the Phoenix service above 70 % for a minute",
      Namespace: "AWS/ECS",
      MetricName: "CPUUtilization",
      Dimensions: [
        { Name: "ClusterName", Value: names.cluster },
        { Name: "ServiceName", Value: names.service },
      ],
      Statistic: "Average",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 70,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [topicArn],
      OKActions: [topicArn],
    }),
  );

  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: names.service,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "1024",
      memory: "2048",
      containerDefinitions: [
        {
          name: PHOENIX_APP.containerName,
          image,
          essential: true,
          portMappings: [{ containerPort: PHOENIX_APP.containerPort, protocol: "tcp" }],
          environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
          stopTimeout: Math.ceil(PHOENIX_APP.shutdownTimeoutMs / 1000) + 2,
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": names.logGroup,
              "awslogs-region": aws.region,
              "awslogs-stream-prefix": PHOENIX_APP.logStreamPrefix,
            },
          },
        },
      ],
    }),
  );
  const taskDefinitionArn = taskDefinition?.taskDefinitionArn as string;
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: names.cluster, services: [names.service] }),
  );
  if (services?.[0]?.status === "ACTIVE") {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: names.cluster,
        service: names.service,
        taskDefinition: taskDefinitionArn,
        desiredCount: 2,
      }),
    );
  } else {
    await ecs.send(
      new CreateServiceCommand({
        cluster: names.cluster,
        serviceName: names.service,
        taskDefinition: taskDefinitionArn,
        desiredCount: 2,
        launchType: "FARGATE",
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
  }
  await new ApplicationAutoScalingClient(aws).send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId: `service/${names.cluster}/${names.service}`,
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: SANDBOX_SCALING.min,
      MaxCapacity: SANDBOX_SCALING.max,
    }),
  );
  const alarmArn = `arn:aws:cloudwatch:${aws.region}:123456789012:alarm:${names.alarms.cpuHigh}`;
  return { taskDefinitionArn, topicArn, alarmArn };
}

async function ignoreExisting(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (!/AlreadyExists/.test(name)) throw error;
  }
}
