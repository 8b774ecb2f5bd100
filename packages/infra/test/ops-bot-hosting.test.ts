import {
  OPS_BOT_ENV,
  OPS_BOT_LAMBDA_RUNTIME,
  OPS_LEDGER_ATTRIBUTES,
  opsResourceNames,
  RECONCILE_EVENT,
} from "@phoenix/shared";
import { type App, Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
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

const app = "phoenix";
const names = opsResourceNames(app);
const env = { account: "111122223333", region: "eu-west-1" };
/** Deployer roles of a staging environment in this account and a production one in another. */
const deployerRoleArns = [
  "arn:aws:iam::111122223333:role/phoenix-staging-deployer",
  "arn:aws:iam::444455556666:role/phoenix-production-deployer",
];

const newApp = testAppsCleanedAfterEach();

interface OpsStack {
  app: App;
  stack: Stack;
  bot: OpsBotFunction;
  topic: sns.Topic;
  botAlarms: OpsBotAlarms;
  parts: Record<"repository" | "project" | "table", IConstruct>;
}

/**
 * The bot's constructs in one stack, as `PhoenixOpsStack` wires them; the SNS topic is a plain
 * stand-in for `subscribeTo`, which the Phoenix stacks no longer use but other stacks may.
 */
function opsStack(
  overrides: Partial<OpsBotFunctionProps> | ((stack: Stack) => Partial<OpsBotFunctionProps>) = {},
  options: { subscribe?: boolean } = {},
): OpsStack {
  const cdkApp = newApp();
  const stack = new Stack(cdkApp, "Ops", { env });
  const topic = new sns.Topic(stack, "Alarms", {
    topicName: "phoenix-staging-alarms",
    enforceSSL: true,
    masterKey: new kms.Key(stack, "AlarmKey", { enableKeyRotation: true }),
  });

  const { repository } = new ImageRepository(stack, "Images", { app });
  const { project } = new ImageBuildProject(stack, "ImageBuild", { app, repository, owner: "acme", repo: "phoenix" });
  const ledger = new OpsLedgerTable(stack, "Ledger", { app });
  const bot = new OpsBotFunction(stack, "OpsBot", {
    app,
    code: lambda.Code.fromInline("exports.handler = async () => ({ statusCode: 200 });"),
    handler: "index.handler",
    targetRepository: "acme/phoenix",
    repository,
    buildProject: project,
    ledgerTable: ledger.table,
    deployerRoleArns,
    ...(typeof overrides === "function" ? overrides(stack) : overrides),
  });
  if (options.subscribe) bot.subscribeTo(topic);
  new ReconcilerSchedule(stack, "Reconciler", { opsBot: bot });
  const botAlarms = new OpsBotAlarms(stack, "OpsBotAlarms", {
    names,
    opsBot: bot,
    operatorEmails: ["oncall@example.com"],
  });
  const parts = { repository, project, table: ledger.table };
  return { app: cdkApp, stack, bot, topic, botAlarms, parts };
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

  it("sets every variable of OPS_BOT_ENV but the log group's (environments are read through their deployer roles)", () => {
    const { stack } = opsStack();
    const template = Template.fromStack(stack);
    const [fn] = Object.values(
      template.findResources("AWS::Lambda::Function", { Properties: { FunctionName: names.botFunction } }),
    );
    const variables = fn?.Properties.Environment.Variables as Record<string, unknown>;
    const perEnvironment: string[] = ["PHOENIX_LOG_GROUP_NAME"];
    expect(Object.keys(variables).sort()).toEqual(
      Object.values(OPS_BOT_ENV)
        .filter((name: string) => !perEnvironment.includes(name))
        .sort(),
    );
    expect(variables).toMatchObject({
      [OPS_BOT_ENV.targetRepository]: "acme/phoenix",
      // Alarms arrive through EventBridge: no topic is allowed unless one is subscribed.
      [OPS_BOT_ENV.allowedTopicArns]: "",
    });
    for (const name of [OPS_BOT_ENV.ledgerTable, OPS_BOT_ENV.buildProject]) {
      expect(variables[name], name).toEqual({ Ref: expect.any(String) });
    }
  });

  it("serves GitHub webhooks on a function URL without IAM auth", () => {
    Template.fromStack(opsStack().stack).hasResourceProperties("AWS::Lambda::Url", { AuthType: "NONE" });
  });

  it("names the bot's role, which every deployer role trusts by ARN", () => {
    Template.fromStack(opsStack().stack).hasResourceProperties("AWS::IAM::Role", {
      RoleName: names.botRole,
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" })],
      },
    });
  });

  it("lets the bot assume exactly the deployer roles it is given", () => {
    const { stack, bot } = opsStack();
    const statements = botStatements(Template.fromStack(stack), bot);
    expect(statements.filter((statement) => actionsOf(statement).includes("sts:AssumeRole"))).toEqual([
      { Effect: "Allow", Action: "sts:AssumeRole", Resource: deployerRoleArns },
    ]);
  });

  it("grants the bot nothing on an environment's ECS, logs, metrics, scaling or roles: its deployer roles do that", () => {
    const { stack, bot } = opsStack();
    const ownLogs = { "Fn::GetAtt": [logicalId(bot.logGroup), "Arn"] };
    const beyondItsOwnLogs = botStatements(Template.fromStack(stack), bot).filter(
      (statement) => JSON.stringify(resourcesOf(statement)) !== JSON.stringify([ownLogs]),
    );
    const actions = beyondItsOwnLogs.flatMap(actionsOf);
    expect(actions.filter((action) => /^(ecs|logs|cloudwatch|application-autoscaling|ssm):/.test(action))).toEqual([]);
    expect(actions).not.toContain("iam:PassRole");
  });

  it("grants the bot no `*` resource except for X-Ray tracing, whose API has no resource type", () => {
    const { stack, bot } = opsStack();
    const onWildcard = botStatements(Template.fromStack(stack), bot).filter((statement) =>
      resourcesOf(statement).includes("*"),
    );
    expect(onWildcard.flatMap(actionsOf).sort()).toEqual(["xray:PutTelemetryRecords", "xray:PutTraceSegments"]);
    for (const statement of onWildcard) expect(resourcesOf(statement)).toEqual(["*"]);
  });

  it("scopes build, image, table and secret access to this app's resources", () => {
    const { stack, bot, parts } = opsStack();
    const statements = botStatements(Template.fromStack(stack), bot);
    const arnOf = (construct: IConstruct) => ({ "Fn::GetAtt": [logicalId(construct), "Arn"] });
    expect(resourcesFor(statements, "codebuild:StartBuild")).toEqual([arnOf(parts.project)]);
    expect(resourcesFor(statements, "codebuild:ListBuildsForProject")).toEqual([arnOf(parts.project)]);
    expect(resourcesFor(statements, "ecr:DescribeImages")).toEqual([arnOf(parts.repository)]);
    expect(resourcesFor(statements, "ecr:BatchGetImage")).toEqual([arnOf(parts.repository)]);
    expect(resourcesFor(statements, "dynamodb:PutItem").filter((resource) => !isNoValue(resource))).toEqual([
      arnOf(parts.table),
    ]);
    expect(resourcesFor(statements, "secretsmanager:GetSecretValue")).toEqual([
      { Ref: logicalId(bot.gitHubAppSecret) },
    ]);
  });

  it("refuses a deployer role ARN that is not a role's", () => {
    expect(() => opsStack({ deployerRoleArns: ["arn:aws:iam::111122223333:user/someone"] })).toThrow(
      'OpsBotFunction: deployerRoleArns holds "arn:aws:iam::111122223333:user/someone", which is not an IAM role ARN',
    );
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

  it("subscribes the bot to a topic it is asked to, and allows that topic", () => {
    const { stack, bot, topic } = opsStack({}, { subscribe: true });
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

  it("needs the app to name a new table", () => {
    const stack = new Stack(undefined, "Nameless");
    expect(() => new OpsLedgerTable(stack, "Ledger", {})).toThrow(
      "OpsLedgerTable: app is required unless existingTable is given",
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
    const { stack, topic, botAlarms } = opsStack({}, { subscribe: true });
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
