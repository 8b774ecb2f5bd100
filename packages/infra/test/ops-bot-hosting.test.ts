import {
  OPS_BOT_ENV,
  OPS_BOT_LAMBDA_RUNTIME,
  OPS_LEDGER_ATTRIBUTES,
  RECONCILE_EVENT,
  resourceNames,
} from "@phoenix/shared";
import { type App, Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sns from "aws-cdk-lib/aws-sns";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { ImageBuildProject } from "../src/delivery/image-build-project.js";
import { ImageRepository } from "../src/delivery/image-repository.js";
import { OpsBotAlarms } from "../src/observability/ops-bot-alarms.js";
import { lambdaRuntimeNamed, OpsBotFunction, type OpsBotFunctionProps } from "../src/ops-bot/ops-bot-function.js";
import { OpsLedgerTable } from "../src/ops-bot/ops-ledger-table.js";
import { ReconcilerSchedule } from "../src/ops-bot/reconciler-schedule.js";
import {
  cfnLint,
  formatCfnLintWarnings,
  logicalId,
  synthWithValidation,
  testAppsCleanedAfterEach,
} from "./support/synth.js";

const identity = { app: "phoenix", environment: "staging" } as const;
const names = resourceNames(identity);
const env = { account: "111122223333", region: "eu-west-1" };
const serviceArn = `arn:aws:ecs:${env.region}:${env.account}:service/${names.cluster}/${names.service}`;

const newApp = testAppsCleanedAfterEach();

interface OpsStack {
  app: App;
  stack: Stack;
  bot: OpsBotFunction;
  topic: sns.Topic;
  botAlarms: OpsBotAlarms;
  parts: Record<"taskRole" | "executionRole" | "appLogGroup" | "repository" | "project" | "table", IConstruct>;
}

/**
 * All five constructs in one stack, as the lead's stack will wire them. The cluster and service
 * are imported (the real ones are other constructs, with their own tests); the alarm topic,
 * task roles and app log group are plain CDK stand-ins.
 */
function opsStack(
  overrides: Partial<OpsBotFunctionProps> | ((stack: Stack) => Partial<OpsBotFunctionProps>) = {},
): OpsStack {
  const app = newApp();
  const stack = new Stack(app, "Ops", { env });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, "Vpc", {
    vpcId: "vpc-0123456789abcdef0",
    availabilityZones: ["eu-west-1a"],
  });
  // A cluster resource, so its name reaches the bot's policy as a reference as it will in the real stack.
  const clusterResource = new ecs.CfnCluster(stack, "Cluster", {
    clusterName: names.cluster,
    clusterSettings: [{ name: "containerInsights", value: "enabled" }],
  });
  const cluster = ecs.Cluster.fromClusterAttributes(stack, "ClusterRef", {
    clusterName: clusterResource.ref,
    clusterArn: clusterResource.attrArn,
    vpc,
  });
  const service = ecs.FargateService.fromServiceArnWithCluster(stack, "Service", serviceArn);
  const taskRole = new iam.Role(stack, "TaskRole", { assumedBy: new iam.ServicePrincipal("ecs-tasks.amazonaws.com") });
  const executionRole = new iam.Role(stack, "ExecutionRole", {
    assumedBy: new iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
  });
  const appLogGroup = new logs.LogGroup(stack, "AppLogs", { logGroupName: names.logGroup });
  const topic = new sns.Topic(stack, "Alarms", {
    topicName: names.alarmTopic,
    enforceSSL: true,
    masterKey: new kms.Key(stack, "AlarmKey", { enableKeyRotation: true }),
  });

  const { repository } = new ImageRepository(stack, "Images", { identity });
  const { project } = new ImageBuildProject(stack, "ImageBuild", {
    identity,
    repository,
    owner: "acme",
    repo: "phoenix",
  });
  const ledger = new OpsLedgerTable(stack, "Ledger", { identity });
  const bot = new OpsBotFunction(stack, "OpsBot", {
    identity,
    code: lambda.Code.fromInline("exports.handler = async () => ({ statusCode: 200 });"),
    handler: "index.handler",
    targetRepository: "acme/phoenix",
    cluster,
    service,
    taskRole,
    executionRole,
    appLogGroup,
    repository,
    buildProject: project,
    ledgerTable: ledger.table,
    ...(typeof overrides === "function" ? overrides(stack) : overrides),
  });
  bot.subscribeTo(topic);
  new ReconcilerSchedule(stack, "Reconciler", { opsBot: bot });
  const botAlarms = new OpsBotAlarms(stack, "OpsBotAlarms", {
    names,
    opsBot: bot,
    operatorEmails: ["oncall@example.com"],
  });
  const parts = { taskRole, executionRole, appLogGroup, repository, project, table: ledger.table };
  return { app, stack, bot, topic, botAlarms, parts };
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Statements of every IAM policy attached to the bot's role. */
function botStatements(template: Template, bot: OpsBotFunction): Statement[] {
  const roleId = logicalId(bot.role);
  return Object.values(template.findResources("AWS::IAM::Policy"))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
const resourcesOf = (statement: Statement): unknown[] => [statement.Resource].flat();
const resourcesFor = (statements: Statement[], action: string): unknown[] =>
  statements.filter((statement) => actionsOf(statement).includes(action)).flatMap(resourcesOf);
/** The table grant adds the indexes' ARN, which is `AWS::NoValue` for a table without any. */
const isNoValue = (resource: unknown) => JSON.stringify(resource) === JSON.stringify({ Ref: "AWS::NoValue" });

describe("requirement Ops bot hosting", () => {
  it("runs on the Lambda runtime @phoenix/shared names, on arm64, with X-Ray tracing and a dead-letter queue", () => {
    const { stack, bot } = opsStack();
    const template = Template.fromStack(stack);
    template.hasResourceProperties("AWS::Lambda::Function", {
      FunctionName: names.botFunction,
      Runtime: OPS_BOT_LAMBDA_RUNTIME.name,
      Architectures: ["arm64"],
      Handler: "index.handler",
      MemorySize: 512,
      Timeout: 10,
      TracingConfig: { Mode: "Active" },
      DeadLetterConfig: { TargetArn: { "Fn::GetAtt": [logicalId(bot.deadLetterQueue), "Arn"] } },
      LoggingConfig: { LogGroup: { Ref: logicalId(bot.logGroup) } },
    });
    template.hasResourceProperties("AWS::Logs::LogGroup", {
      LogGroupName: `/aws/lambda/${names.botFunction}`,
      RetentionInDays: 7,
    });
  });

  it("takes aws-cdk-lib's pinned Node.js runtime of that name, not NODEJS_LATEST, whose meaning moves", () => {
    const { bot } = opsStack();
    expect(lambda.Runtime.ALL).toContain(bot.function.runtime);
    expect(bot.function.runtime).toMatchObject({
      name: OPS_BOT_LAMBDA_RUNTIME.name,
      family: lambda.RuntimeFamily.NODEJS,
      isVariable: false,
    });
  });

  it("fails at synth, naming the shared setting, on a runtime aws-cdk-lib does not list", () => {
    expect(() => lambdaRuntimeNamed("nodejs99.x")).toThrow(
      /OpsBotFunction: aws-cdk-lib lists no Lambda runtime named nodejs99\.x \(OPS_BOT_LAMBDA_RUNTIME in @phoenix\/shared\)/,
    );
  });

  it("encrypts the dead-letter queue and refuses it to non-TLS clients", () => {
    const template = Template.fromStack(opsStack().stack);
    template.hasResourceProperties("AWS::SQS::Queue", {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("sets every variable of OPS_BOT_ENV from the deployment's resources", () => {
    const { stack, topic } = opsStack();
    const template = Template.fromStack(stack);
    const [fn] = Object.values(
      template.findResources("AWS::Lambda::Function", { Properties: { FunctionName: names.botFunction } }),
    );
    const variables = fn?.Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual(Object.values(OPS_BOT_ENV).sort());
    expect(variables).toMatchObject({
      [OPS_BOT_ENV.targetRepository]: "acme/phoenix",
      [OPS_BOT_ENV.allowedTopicArns]: { Ref: logicalId(topic) },
    });
    for (const name of [OPS_BOT_ENV.ledgerTable, OPS_BOT_ENV.buildProject, OPS_BOT_ENV.logGroupName]) {
      expect(variables[name], name).toEqual({ Ref: expect.any(String) });
    }
  });

  it("serves GitHub webhooks on a function URL without IAM auth", () => {
    Template.fromStack(opsStack().stack).hasResourceProperties("AWS::Lambda::Url", { AuthType: "NONE" });
  });

  it("grants the bot no `*` resource except where AWS requires it", () => {
    const { stack, bot } = opsStack();
    const statements = botStatements(Template.fromStack(stack), bot);
    // The Service Authorization Reference lists no resource type for these actions.
    const awsRequiresWildcard = new Set([
      "ecs:DescribeTaskDefinition",
      "ecs:RegisterTaskDefinition",
      "cloudwatch:GetMetricData",
      "application-autoscaling:DescribeScalableTargets",
      "application-autoscaling:DescribeScalingActivities",
      "application-autoscaling:DescribeScalingPolicies",
      "application-autoscaling:DescribeScheduledActions",
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
    ]);
    const onWildcard = statements.filter((statement) => resourcesOf(statement).includes("*"));
    expect(onWildcard.length).toBeGreaterThan(0);
    for (const statement of onWildcard) {
      expect(resourcesOf(statement), "'*' shares no statement with a named resource").toEqual(["*"]);
      for (const action of actionsOf(statement)) expect(awsRequiresWildcard, action).toContain(action);
    }
    expect(statements.flatMap(actionsOf).filter((action) => action.includes("*"))).toEqual([]);
  });

  it("lets the bot pass only the app's task and execution roles, and only to ECS tasks", () => {
    const { stack, bot, parts } = opsStack();
    const statements = botStatements(Template.fromStack(stack), bot);
    const passRole = statements.filter((statement) => actionsOf(statement).includes("iam:PassRole"));
    const roleArn = (role: IConstruct) => ({ "Fn::GetAtt": [logicalId(role), "Arn"] });
    expect(passRole).toEqual([
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: [roleArn(parts.taskRole), roleArn(parts.executionRole)],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
    ]);
  });

  it("scopes deploy, build, image, log, table and secret access to this app's resources", () => {
    const { stack, bot, parts } = opsStack();
    const statements = botStatements(Template.fromStack(stack), bot);
    const arnOf = (construct: IConstruct) => ({ "Fn::GetAtt": [logicalId(construct), "Arn"] });
    expect(resourcesFor(statements, "ecs:UpdateService")).toEqual([serviceArn]);
    expect(resourcesFor(statements, "ecs:DescribeServices")).toEqual([serviceArn]);
    expect(resourcesFor(statements, "ecs:DescribeTasks")).toEqual([
      {
        "Fn::Join": [
          "",
          ["arn:", { Ref: "AWS::Partition" }, ":ecs:eu-west-1:111122223333:task/", { Ref: "Cluster" }, "/*"],
        ],
      },
    ]);
    expect(resourcesFor(statements, "codebuild:StartBuild")).toEqual([arnOf(parts.project)]);
    expect(resourcesFor(statements, "ecr:DescribeImages")).toEqual([arnOf(parts.repository)]);
    expect(resourcesFor(statements, "logs:FilterLogEvents")).toEqual([arnOf(parts.appLogGroup)]);
    expect(resourcesFor(statements, "dynamodb:PutItem").filter((resource) => !isNoValue(resource))).toEqual([
      arnOf(parts.table),
    ]);
    expect(resourcesFor(statements, "secretsmanager:GetSecretValue")).toEqual([
      { Ref: logicalId(bot.gitHubAppSecret) },
    ]);
  });

  it("narrows scaling changes to the scalable target when its ARN is given", () => {
    const scalableTargetArn = `arn:aws:application-autoscaling:eu-west-1:111122223333:scalable-target/0123456789abcdef0123456789abcdef`;
    const { stack, bot } = opsStack({ scalableTargetArn });
    const statements = botStatements(Template.fromStack(stack), bot);
    const register = statements.filter((statement) =>
      actionsOf(statement).includes("application-autoscaling:RegisterScalableTarget"),
    );
    expect(register).toEqual([expect.objectContaining({ Resource: scalableTargetArn })]);
    expect(register[0]?.Condition).toBeUndefined();
  });

  it("limits scaling changes to ECS service desired counts when no target ARN is given", () => {
    const { stack, bot } = opsStack();
    const statements = botStatements(Template.fromStack(stack), bot);
    const [register] = statements.filter((statement) =>
      actionsOf(statement).includes("application-autoscaling:RegisterScalableTarget"),
    );
    expect(register?.Condition).toEqual({
      StringEquals: {
        "application-autoscaling:service-namespace": "ecs",
        "application-autoscaling:scalable-dimension": "ecs:service:DesiredCount",
      },
    });
  });

  it("puts no secret value in the template", () => {
    const { stack, bot } = opsStack();
    const template = Template.fromStack(stack);
    const secrets = Object.values(template.findResources("AWS::SecretsManager::Secret"));
    expect(secrets).toHaveLength(1);
    const properties = secrets[0]?.Properties;
    expect(properties.SecretString).toBeUndefined();
    // Generated at deploy time; the template only says which keys exist, all empty.
    expect(properties.GenerateSecretString.GenerateStringKey).toBe("webhookSecret");
    expect(JSON.parse(properties.GenerateSecretString.SecretStringTemplate)).toEqual({ appId: "", privateKey: "" });
    const secretId = logicalId(bot.gitHubAppSecret);
    const [fn] = Object.values(
      template.findResources("AWS::Lambda::Function", { Properties: { FunctionName: names.botFunction } }),
    );
    expect(fn?.Properties.Environment.Variables[OPS_BOT_ENV.githubAppSecretArn]).toEqual({ Ref: secretId });
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/PRIVATE KEY|resolve:secretsmanager|ghp_|ghs_|github_pat_/);
  });

  it("uses a GitHub App secret brought by the caller instead of creating one", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:phoenix/github-app-AbCdEf";
    const { stack, bot } = opsStack((scope) => ({
      existingGitHubAppSecret: secretsmanager.Secret.fromSecretCompleteArn(scope, "GitHubApp", arn),
    }));
    const template = Template.fromStack(stack);
    template.resourceCountIs("AWS::SecretsManager::Secret", 0);
    expect(resourcesFor(botStatements(template, bot), "secretsmanager:GetSecretValue")).toEqual([arn]);
    expect(() =>
      opsStack((scope) => ({
        existingGitHubAppSecret: secretsmanager.Secret.fromSecretCompleteArn(scope, "GitHubApp", arn),
        gitHubAppSecretProps: {},
      })),
    ).toThrow(/OpsBotFunction: give existingGitHubAppSecret or gitHubAppSecretProps, not both/);
  });

  it("subscribes the bot to the alarm topic", () => {
    const { stack, bot, topic } = opsStack();
    const template = Template.fromStack(stack);
    const topicRef = { Ref: logicalId(topic) };
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "lambda",
      TopicArn: topicRef,
      Endpoint: { "Fn::GetAtt": [logicalId(bot.function), "Arn"] },
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      Principal: "sns.amazonaws.com",
      SourceArn: topicRef,
    });
  });

  it("rejects a target repository that is not owner/name", () => {
    expect(() => opsStack({ targetRepository: "phoenix" })).toThrow(
      /OpsBotFunction: targetRepository must be owner\/name/,
    );
  });

  it("rejects a timeout Lambda does not allow", () => {
    expect(() => opsStack({ timeoutSeconds: 901 })).toThrow(
      /OpsBotFunction: timeoutSeconds must be a whole number from 1 to 900/,
    );
  });
});

describe("requirement Bot state", () => {
  it("keeps the Ledger in an on-demand table keyed by pk with TTL on expiresAt", () => {
    const template = Template.fromStack(opsStack().stack);
    expect(OPS_LEDGER_ATTRIBUTES).toEqual({ partitionKey: "pk", timeToLive: "expiresAt" });
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      TableName: names.ledgerTable,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
  });

  it("protects the Ledger: point-in-time recovery, KMS encryption, deletion protection, retained", () => {
    const template = Template.fromStack(opsStack().stack);
    template.hasResource("AWS::DynamoDB::Table", {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  it("uses a table brought by the caller instead of creating one", () => {
    const stack = new Stack(newApp(), "Existing", { env });
    const existing = dynamodb.Table.fromTableName(stack, "Existing", names.ledgerTable);
    expect(new OpsLedgerTable(stack, "Ledger", { existingTable: existing }).table).toBe(existing);
    Template.fromStack(stack).resourceCountIs("AWS::DynamoDB::Table", 0);
    expect(() => new OpsLedgerTable(stack, "Both", { existingTable: existing, tableProps: {} })).toThrow(
      "OpsLedgerTable: give existingTable or tableProps, not both",
    );
  });

  it("needs the deployment's identity to name a new table", () => {
    const stack = new Stack(undefined, "Nameless");
    expect(() => new OpsLedgerTable(stack, "Ledger", {})).toThrow(
      "OpsLedgerTable: identity is required unless existingTable is given",
    );
  });
});

describe("requirement Bot state and timers", () => {
  it("invokes the reconciler every 5 minutes with the reconcile event", () => {
    const { stack, bot } = opsStack();
    const template = Template.fromStack(stack);
    const rules = template.findResources("AWS::Events::Rule", {
      Properties: { ScheduleExpression: "rate(5 minutes)" },
    });
    const [rule] = Object.values(rules);
    expect(Object.keys(rules)).toHaveLength(1);
    const [target] = (rule?.Properties.Targets ?? []) as {
      Arn: unknown;
      InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
      RetryPolicy: unknown;
      DeadLetterConfig: unknown;
    }[];
    expect(target?.Arn).toEqual({ "Fn::GetAtt": [logicalId(bot.function), "Arn"] });
    // EventBridge writes each bare <placeholder> as the JSON value at its path; quote them to parse.
    const rendered = (target?.InputTransformer.InputTemplate ?? "null").replace(/<([\w.-]+)>/g, '"<$1>"');
    const input = JSON.parse(rendered);
    expect(input).toMatchObject({
      source: RECONCILE_EVENT.source,
      "detail-type": RECONCILE_EVENT["detail-type"],
      detail: {},
    });
    // The scheduled event's id, kept across EventBridge retries, lets the Ledger drop duplicates.
    expect(target?.InputTransformer.InputPathsMap[input.id.replace(/[<>]/g, "")]).toBe("$.id");
    expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 });
    expect(target?.DeadLetterConfig).toEqual({
      Arn: { "Fn::GetAtt": [logicalId(bot.deadLetterQueue), "Arn"] },
    });
  });

  it("rejects an interval outside 1 to 60 minutes", () => {
    const { stack, bot } = opsStack();
    expect(() => new ReconcilerSchedule(stack, "Hourly", { opsBot: bot, intervalMinutes: 60 })).not.toThrow();
    expect(() => new ReconcilerSchedule(stack, "TooSlow", { opsBot: bot, intervalMinutes: 61 })).toThrow(
      /ReconcilerSchedule: intervalMinutes must be a whole number from 1 to 60, got 61/,
    );
    expect(() => new ReconcilerSchedule(stack, "Zero", { opsBot: bot, intervalMinutes: 0 })).toThrow(/got 0/);
  });
});

describe("requirement Ops bot hosting: the bot's own failures reach people", () => {
  it("raises an alarm as soon as an event is parked in the bot's dead-letter queue", () => {
    const { stack, bot } = opsStack();
    Template.fromStack(stack).hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: `${names.botFunction}-dead-letters`,
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(bot.deadLetterQueue), "QueueName"] } }],
      Statistic: "Maximum",
      Period: 300,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 1,
      TreatMissingData: "notBreaching",
    });
  });

  it("raises an alarm when 3 invocations fail within five minutes", () => {
    const { stack, bot } = opsStack();
    Template.fromStack(stack).hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: `${names.botFunction}-errors`,
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: logicalId(bot.function) } }],
      Statistic: "Sum",
      Period: 300,
      Threshold: 3,
    });
  });

  it("notifies, on ALARM and on OK, an encrypted topic of their own that the bot is not subscribed to", () => {
    const { stack, topic, botAlarms } = opsStack();
    const template = Template.fromStack(stack);
    const operatorTopic = { Ref: logicalId(botAlarms.topic) };
    expect(operatorTopic).not.toEqual({ Ref: logicalId(topic) });
    for (const alarm of [botAlarms.deadLetters, botAlarms.errors]) {
      const { Properties } = template.toJSON().Resources[logicalId(alarm)];
      expect(Properties.AlarmActions).toEqual([operatorTopic]);
      expect(Properties.OKActions).toEqual([operatorTopic]);
    }
    template.hasResourceProperties("AWS::SNS::Topic", {
      TopicName: `${names.botFunction}-alarms`,
      KmsMasterKeyId: Match.anyValue(),
    });
    const subscriptions = Object.values(template.findResources("AWS::SNS::Subscription")).map((s) => s.Properties);
    const onOperatorTopic = subscriptions.filter((s) => JSON.stringify(s.TopicArn) === JSON.stringify(operatorTopic));
    expect(onOperatorTopic).toEqual([{ Protocol: "email", Endpoint: "oncall@example.com", TopicArn: operatorTopic }]);
  });

  it("refuses an operator email that is not an address", () => {
    const { stack, bot } = opsStack();
    expect(
      () => new OpsBotAlarms(stack, "Bad", { names, opsBot: bot, operatorEmails: ["oncall at example.com"] }),
    ).toThrow(/OpsBotAlarms: operatorEmails holds "oncall at example.com", which is not an email address/);
  });
});

describe("Delivery, Ops bot hosting, Bot state and timers: checked by independent tools", () => {
  it("passes cdk-nag AwsSolutions with no unacknowledged finding, and cfn-lint with no error", async () => {
    const { app, stack } = opsStack();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const { assembly, unacknowledged, error } = synthWithValidation(app);
    expect(unacknowledged).toEqual([]);
    expect(error).toBeUndefined();

    const findings = await cfnLint(stack, assembly?.getStackByName(stack.stackName).template);
    expect(findings.filter((finding) => finding.Level === "Error")).toEqual([]);
    console.info(formatCfnLintWarnings(findings));
  });
});
