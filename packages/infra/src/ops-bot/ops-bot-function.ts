import { type DeploymentIdentity, OPS_BOT_ENV, OPS_BOT_LAMBDA_RUNTIME, resourceNames } from "@phoenix/shared";
import { ArnFormat, Duration, Lazy, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import type * as codebuild from "aws-cdk-lib/aws-codebuild";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as ecr from "aws-cdk-lib/aws-ecr";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import type * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct, type IConstruct } from "constructs";
import { ALLOWED_RETENTION_DAYS } from "../observability/app-log-group.js";
import {
  PropValidationError,
  requireExistingOrProps,
  requireIntegerInRange,
  requireOneOf,
} from "../validation/prop-validation.js";

/**
 * Actions the bot is granted on Resource "*" because AWS authorizes them on no narrower
 * resource (Service Authorization Reference: no resource type for these actions). The tests
 * check, against their own list, that nothing else in the bot's policy uses "*".
 */
const OPS_BOT_WILDCARD_ACTIONS = [
  "ecs:DescribeTaskDefinition",
  "ecs:RegisterTaskDefinition",
  "cloudwatch:GetMetricData",
  "application-autoscaling:DescribeScalableTargets",
  "application-autoscaling:DescribeScalingActivities",
  "application-autoscaling:DescribeScalingPolicies",
  "application-autoscaling:DescribeScheduledActions",
  // Added by Lambda's active tracing: the X-Ray daemon API has no resource type either.
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
] as const;

/** Scaling changes the bot makes with `/scale`; all take a scalable-target ARN. */
const SCALING_WRITE_ACTIONS = [
  "application-autoscaling:RegisterScalableTarget",
  "application-autoscaling:PutScheduledAction",
  "application-autoscaling:DeleteScheduledAction",
];

/** EventBridge → bot delivery: retried for two hours, then parked in the dead-letter queue. */
const EVENT_TARGET_RETRY = { retryAttempts: 4, maxEventAge: Duration.hours(2) } as const;

export interface OpsBotFunctionProps {
  /** The deployment; the function is named `resourceNames(identity).botFunction`. */
  readonly identity: DeploymentIdentity;
  /** The bot's bundle: `lambda.Code.fromAsset(opsBotBundleDirectory())` for the one `@phoenix/ops-bot` builds. */
  readonly code: lambda.Code;
  /** Entry point inside `code`, for example `lambda.handler`. */
  readonly handler: string;
  /** `owner/name` of the GitHub repository the bot reports to and deploys from. */
  readonly targetRepository: string;

  /** The cluster the app runs in; the bot may describe its tasks. */
  readonly cluster: ecs.ICluster;
  /** The app's service; the bot may describe and update it. Import with `fromServiceArnWithCluster`. */
  readonly service: ecs.IBaseService;
  /** Task role of the app's task definition; the only role, with the execution role, the bot may pass. */
  readonly taskRole: iam.IRole;
  /** Execution role of the app's task definition. */
  readonly executionRole: iam.IRole;
  /** The app's container log group; the bot reads crash logs from it. */
  readonly appLogGroup: logs.ILogGroup;
  /** The image repository; the bot looks images up by sha and digest. */
  readonly repository: ecr.IRepository;
  /** The image build project; the bot starts builds and reads their results. */
  readonly buildProject: codebuild.IProject;
  /** The Ledger table; the bot reads and writes items, nothing else. */
  readonly ledgerTable: dynamodb.ITable;
  /**
   * ARN of the service's Application Auto Scaling scalable target (`CfnScalableTarget.attrArn`),
   * which `/scale` changes.
   * @default - any ECS `DesiredCount` scalable target of this account and region (scalable-target
   *   ARNs carry a generated id, so no narrower pattern exists before the target does)
   */
  readonly scalableTargetArn?: string;

  /**
   * GitHub App credentials created elsewhere: a JSON secret `{appId, privateKey, webhookSecret}`.
   * @default - a new secret (see `gitHubAppSecret`)
   */
  readonly existingGitHubAppSecret?: secretsmanager.ISecret;
  /**
   * Overrides for the created secret, applied over this construct's choices.
   * @default - generated webhookSecret, empty appId and privateKey, RETAIN
   */
  readonly gitHubAppSecretProps?: Partial<secretsmanager.SecretProps>;

  /**
   * Megabytes of memory (128–10240); Lambda gives CPU in proportion, which decides cold-start time.
   * @default 512
   */
  readonly memorySizeMb?: number;
  /**
   * Seconds an invocation may run (1–900). GitHub gives up on a webhook delivery after 10 s, and
   * every other input (SNS, EventBridge, the reconciler) is a short step by design, so an
   * invocation still running past this is stuck, not busy.
   * @default 10
   */
  readonly timeoutSeconds?: number;
  /**
   * Concurrent executions reserved for (and capping) the bot.
   * @default - none: unreserved. Accounts whose concurrency quota is still 10 cannot reserve any.
   */
  readonly reservedConcurrency?: number;
  /** Days the bot's own logs are kept; a value CloudWatch Logs accepts. @default 7 */
  readonly logRetentionDays?: number;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The ops bot's Lambda function (requirement "Ops bot hosting"): GitHub webhooks through a
 * function URL, SNS alarms and EventBridge events as asynchronous invocations with a
 * dead-letter queue, and an IAM role scoped to the one app it operates.
 */
export class OpsBotFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly functionUrl: lambda.FunctionUrl;
  public readonly gitHubAppSecret: secretsmanager.ISecret;
  /** Failed asynchronous invocations and undeliverable SNS/EventBridge events end here. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;

  private readonly allowedTopicArns: string[] = [];

  constructor(scope: Construct, id: string, props: OpsBotFunctionProps) {
    super(scope, id);
    const name = "OpsBotFunction";
    if (!Token.isUnresolved(props.targetRepository) && !/^[\w.-]+\/[\w.-]+$/.test(props.targetRepository)) {
      throw new PropValidationError(`${name}: targetRepository must be owner/name, got "${props.targetRepository}"`);
    }
    requireExistingOrProps(
      name,
      "existingGitHubAppSecret",
      props.existingGitHubAppSecret,
      "gitHubAppSecretProps",
      props.gitHubAppSecretProps,
    );
    if (props.reservedConcurrency !== undefined) {
      requireIntegerInRange(name, "reservedConcurrency", props.reservedConcurrency, 1, 1000);
    }

    this.gitHubAppSecret = props.existingGitHubAppSecret ?? this.createGitHubAppSecret(props.gitHubAppSecretProps);
    this.deadLetterQueue = new sqs.Queue(this, "DeadLetterQueue", {
      // SQS-managed SSE rather than aws/sqs: SNS and EventBridge can only deliver to a queue
      // encrypted with a key whose policy lets them in, and the AWS managed key's does not.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.logGroup = new logs.LogGroup(this, "Logs", {
      logGroupName: `/aws/lambda/${resourceNames(props.identity).botFunction}`,
      retention: requireOneOf(name, "logRetentionDays", props.logRetentionDays ?? 7, ALLOWED_RETENTION_DAYS),
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // An explicit role, so Lambda's managed AWSLambdaBasicExecutionRole (logs on "*") is not attached.
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Ops bot of ${props.identity.app}/${props.identity.environment}`,
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<keyof typeof OPS_BOT_ENV, string> = {
      targetRepository: props.targetRepository,
      githubAppSecretArn: this.gitHubAppSecret.secretArn,
      ledgerTable: props.ledgerTable.tableName,
      allowedTopicArns: Lazy.string({ produce: () => this.allowedTopicArns.join(",") }),
      logGroupName: props.appLogGroup.logGroupName,
      repositoryUri: props.repository.repositoryUri,
      buildProject: props.buildProject.projectName,
    };

    this.function = new lambda.Function(this, "Function", {
      functionName: resourceNames(props.identity).botFunction,
      description: `Phoenix ops bot for ${props.targetRepository} (${props.identity.environment})`,
      // The runtime the bot's bundle is compiled for (one setting in @phoenix/shared).
      runtime: lambdaRuntimeNamed(OPS_BOT_LAMBDA_RUNTIME.name),
      architecture: lambda.Architecture.ARM_64,
      code: props.code,
      handler: props.handler,
      memorySize: requireIntegerInRange(name, "memorySizeMb", props.memorySizeMb ?? 512, 128, 10_240),
      timeout: Duration.seconds(requireIntegerInRange(name, "timeoutSeconds", props.timeoutSeconds ?? 10, 1, 900)),
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      environment: Object.fromEntries(
        (Object.keys(OPS_BOT_ENV) as (keyof typeof OPS_BOT_ENV)[]).map((key) => [OPS_BOT_ENV[key], environment[key]]),
      ),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      deadLetterQueue: this.deadLetterQueue,
    });

    // GitHub signs webhook deliveries with an HMAC of the body (X-Hub-Signature-256), not with
    // SigV4, so the URL cannot use AWS_IAM auth. The bot verifies that HMAC with the
    // webhookSecret before acting, and rejects anything else with 401.
    this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    this.grantOperations(props);
    this.gitHubAppSecret.grantRead(this.role);
    props.ledgerTable.grantReadWriteData(this.role);
  }

  /**
   * Delivers the topic's notifications (CloudWatch alarms) to the bot and adds the topic to the
   * bot's allowlist (`PHOENIX_ALLOWED_TOPIC_ARNS`); notifications SNS cannot deliver go to the
   * dead-letter queue.
   */
  public subscribeTo(topic: sns.ITopic): void {
    topic.addSubscription(
      new subscriptions.LambdaSubscription(this.function, { deadLetterQueue: this.deadLetterQueue }),
    );
    this.allowedTopicArns.push(topic.topicArn);
  }

  /**
   * A target for an EventBridge rule that invokes the bot, retries for up to two hours and then
   * parks the event in the dead-letter queue. `event` replaces the matched event as the input.
   */
  public eventRuleTarget(event?: events.RuleTargetInput): events.IRuleTarget {
    return new targets.LambdaFunction(this.function, {
      deadLetterQueue: this.deadLetterQueue,
      ...EVENT_TARGET_RETRY,
      event,
    });
  }

  /** Adds `eventRuleTarget(event)` to the rule. */
  public addEventRuleTarget(rule: events.Rule, event?: events.RuleTargetInput): void {
    rule.addTarget(this.eventRuleTarget(event));
  }

  private createGitHubAppSecret(overrides?: Partial<secretsmanager.SecretProps>): secretsmanager.Secret {
    // Nothing secret is in the template: Secrets Manager generates the webhook secret at deploy
    // time, and the operator fills in appId and privateKey from the GitHub App's settings page
    // (and copies webhookSecret there, or replaces it with the App's).
    return new secretsmanager.Secret(this, "GitHubAppSecret", {
      description: "GitHub App credentials of the Phoenix ops bot: JSON {appId, privateKey, webhookSecret}",
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ appId: "", privateKey: "" }),
        generateStringKey: "webhookSecret",
        excludePunctuation: true,
        passwordLength: 48,
      },
      removalPolicy: RemovalPolicy.RETAIN,
      ...overrides,
    });
  }

  private grantOperations(props: OpsBotFunctionProps): void {
    const stack = Stack.of(this);
    const allow = (actions: string[], resources: string[], conditions?: Record<string, Record<string, unknown>>) =>
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources, conditions }));

    // Deploy: register a task definition revision, point the service at it, follow the rollout.
    allow(["ecs:DescribeServices", "ecs:UpdateService"], [props.service.serviceArn]);
    allow(["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"], ["*"]);
    allow(["iam:PassRole"], [props.taskRole.roleArn, props.executionRole.roleArn], {
      StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
    });
    const clusterTasks = stack.formatArn({
      service: "ecs",
      resource: "task",
      resourceName: `${props.cluster.clusterName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    allow(["ecs:DescribeTasks"], [clusterTasks]);
    // A revision keeps the running one's tags: tagging on create needs TagResource, only then.
    const serviceRevisions = stack.formatArn({
      service: "ecs",
      resource: "task-definition",
      resourceName: `${resourceNames(props.identity).service}:*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    allow(["ecs:TagResource"], [serviceRevisions], { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } });
    // ListBuildsForProject: before starting, the bot looks for a build of the same commit.
    allow(
      ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject"],
      [props.buildProject.projectArn],
    );
    allow(["ecr:DescribeImages", "ecr:BatchGetImage"], [props.repository.repositoryArn]);

    // Crash reports and CPU issues: the app's log lines and metrics.
    allow(["logs:GetLogEvents", "logs:FilterLogEvents"], [props.appLogGroup.logGroupArn]);
    allow(["cloudwatch:GetMetricData"], ["*"]);

    // /scale: Describe* have no resource type; the changes take the scalable target's ARN.
    allow(
      [
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingActivities",
        "application-autoscaling:DescribeScalingPolicies",
        "application-autoscaling:DescribeScheduledActions",
      ],
      ["*"],
    );
    const anyEcsScalableTarget = stack.formatArn({
      service: "application-autoscaling",
      resource: "scalable-target",
      resourceName: "*",
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    allow(
      SCALING_WRITE_ACTIONS,
      [props.scalableTargetArn ?? anyEcsScalableTarget],
      props.scalableTargetArn
        ? undefined
        : {
            StringEquals: {
              "application-autoscaling:service-namespace": "ecs",
              "application-autoscaling:scalable-dimension": "ecs:service:DesiredCount",
            },
          },
    );

    acknowledgeWildcard(
      this.role,
      "*",
      `AWS authorizes these actions only on Resource '*' (no resource type in the Service Authorization Reference): ${OPS_BOT_WILDCARD_ACTIONS.join(", ")}. Every other statement names this app's resources.`,
    );
    acknowledgeWildcard(
      this.role,
      serviceRevisions,
      "ecs:TagResource on this service's task-definition family only, and only while registering a revision: the revision number is assigned by ECS.",
    );
    acknowledgeWildcard(
      this.role,
      clusterTasks,
      "ecs:DescribeTasks on the tasks of this app's cluster only: task ARNs carry a generated id.",
    );
    if (!props.scalableTargetArn) {
      acknowledgeWildcard(
        this.role,
        anyEcsScalableTarget,
        "Scalable-target ARNs carry a generated id; narrowed by condition to ECS service DesiredCount targets. Pass scalableTargetArn to name the one target.",
      );
    }
    if (this.gitHubAppSecret instanceof secretsmanager.Secret) {
      Validations.of(this.gitHubAppSecret).acknowledge({
        id: "AwsSolutions-SMG4",
        reason:
          "GitHub App private keys and webhook secrets are issued in GitHub's App settings; no rotation Lambda can create them. Rotate there and update this secret.",
      });
    }
  }
}

/**
 * Acknowledges cdk-nag's IAM5 finding for one wildcard resource of the construct's policies.
 * cdk-nag names such a finding after the resolved ARN, with references written `<LogicalId>`
 * or `<LogicalId.Attribute>`; this renders the ARN the same way.
 */
function acknowledgeWildcard(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenReference(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}

function flattenReference(value: unknown): string {
  if (typeof value === "string") return value.replace(/\$\{/g, "<").replace(/}/g, ">");
  if (value && typeof value === "object") {
    const node = value as Record<string, unknown>;
    const join = node["Fn::Join"] as [string, unknown[]] | undefined;
    if (join) return join[1].map(flattenReference).join(join[0]);
    const getAtt = node["Fn::GetAtt"] as [string, string] | undefined;
    if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
    if ("Ref" in node) return `<${String(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

/**
 * aws-cdk-lib's own runtime object for a Lambda runtime name, so its properties (inline code,
 * bundling image) are the library's, and a name the library does not list fails the synth rather
 * than the deploy. Not `new Runtime(name)`: that registers a runtime of unknown properties.
 */
export function lambdaRuntimeNamed(name: string): lambda.Runtime {
  // NODEJS_LATEST carries the name of the current newest runtime too; a pinned one is wanted.
  const runtime = lambda.Runtime.ALL.find((candidate) => candidate.name === name && !candidate.isVariable);
  if (!runtime) {
    throw new Error(
      `OpsBotFunction: aws-cdk-lib lists no Lambda runtime named ${name} (OPS_BOT_LAMBDA_RUNTIME in @phoenix/shared): upgrade aws-cdk-lib or pick a runtime it lists`,
    );
  }
  return runtime;
}
