import { OPS_BOT_ENV, OPS_BOT_LAMBDA_RUNTIME, opsResourceNames } from "@phoenix/shared";
import { Duration, Lazy, RemovalPolicy, Token, Validations } from "aws-cdk-lib";
import type * as codebuild from "aws-cdk-lib/aws-codebuild";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as ecr from "aws-cdk-lib/aws-ecr";
import type * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ALLOWED_RETENTION_DAYS } from "../observability/app-log-group.js";
import { acknowledgeWildcardResource } from "../validation/nag-acknowledgement.js";
import {
  PropValidationError,
  requireExistingOrProps,
  requireIntegerInRange,
  requireOneOf,
} from "../validation/prop-validation.js";

/**
 * Actions the bot's own role is granted on Resource "*": Lambda's active tracing adds them, and
 * the X-Ray daemon API has no resource type. Everything the bot does to an environment goes
 * through that environment's deployer role (`DeployerRole`), not this one.
 */
const OPS_BOT_WILDCARD_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"] as const;

/** EventBridge → bot delivery: retried for two hours, then parked in the dead-letter queue. */
const EVENT_TARGET_RETRY = { retryAttempts: 4, maxEventAge: Duration.hours(2) } as const;

const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export interface OpsBotFunctionProps {
  /**
   * The app the bot operates; the function is named `opsResourceNames(app).botFunction` and its
   * role `opsResourceNames(app).botRole`, the name every deployer role trusts.
   */
  readonly app: string;
  /** The bot's bundle: `lambda.Code.fromAsset(opsBotBundleDirectory())` for the one `@phoenix/ops-bot` builds. */
  readonly code: lambda.Code;
  /** Entry point inside `code`, for example `lambda.handler`. */
  readonly handler: string;
  /** `owner/name` of the GitHub repository the bot reports to and deploys from. */
  readonly targetRepository: string;

  /** The image repository; the bot looks images up by sha and digest. */
  readonly repository: ecr.IRepository;
  /** The image build project; the bot starts builds and reads their results. */
  readonly buildProject: codebuild.IProject;
  /** The Ledger table; the bot reads and writes items, nothing else. */
  readonly ledgerTable: dynamodb.ITable;
  /**
   * ARNs of the environments' deployer roles (`arn:<partition>:iam::<account>:role/<deployerRole>`):
   * the only roles the bot may assume, and the only way it acts on an environment.
   * @default - none: the bot can build images but act on no environment
   */
  readonly deployerRoleArns?: readonly string[];

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
   * every other input (EventBridge, the reconciler) is a short step by design, so an
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
 * The ops bot's Lambda function (requirement "Ops bot hosting"): one per app, whatever the
 * number of environments. GitHub webhooks through one function URL, EventBridge events as
 * asynchronous invocations with a dead-letter queue, and a role of a fixed name that may build
 * images, keep its Ledger and assume the environments' deployer roles, nothing more.
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
    const names = opsResourceNames(props.app);
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
    const deployerRoleArns = [...new Set(props.deployerRoleArns ?? [])];
    for (const arn of deployerRoleArns) {
      if (!Token.isUnresolved(arn) && !ROLE_ARN.test(arn)) {
        throw new PropValidationError(`${name}: deployerRoleArns holds "${arn}", which is not an IAM role ARN`);
      }
    }
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
      logGroupName: `/aws/lambda/${names.botFunction}`,
      retention: requireOneOf(name, "logRetentionDays", props.logRetentionDays ?? 7, ALLOWED_RETENTION_DAYS),
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // An explicit role, so Lambda's managed AWSLambdaBasicExecutionRole (logs on "*") is not
    // attached; named, because every environment's deployer role trusts it by ARN.
    this.role = new iam.Role(this, "Role", {
      roleName: names.botRole,
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Ops bot of ${props.app}: builds images, keeps its Ledger, assumes the environments' deployer roles`,
    });
    this.logGroup.grantWrite(this.role);

    // Partial: a variable the shared contract no longer lists is dropped, one it adds fails the
    // "sets every variable" test rather than the compile.
    const environment: Partial<Record<keyof typeof OPS_BOT_ENV, string>> = {
      targetRepository: props.targetRepository,
      githubAppSecretArn: this.gitHubAppSecret.secretArn,
      ledgerTable: props.ledgerTable.tableName,
      // Alarms arrive through EventBridge; a topic is listed only when `subscribeTo` adds one.
      allowedTopicArns: Lazy.string({ produce: () => this.allowedTopicArns.join(",") }),
      repositoryUri: props.repository.repositoryUri,
      buildProject: props.buildProject.projectName,
    };

    this.function = new lambda.Function(this, "Function", {
      functionName: names.botFunction,
      description: `Phoenix ops bot for ${props.targetRepository}`,
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
        (Object.keys(OPS_BOT_ENV) as (keyof typeof OPS_BOT_ENV)[]).flatMap((key) => {
          const value = environment[key];
          return value === undefined ? [] : [[OPS_BOT_ENV[key], value]];
        }),
      ),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      deadLetterQueue: this.deadLetterQueue,
    });

    // GitHub signs webhook deliveries with an HMAC of the body (X-Hub-Signature-256), not with
    // SigV4, so the URL cannot use AWS_IAM auth. The bot verifies that HMAC with the
    // webhookSecret before acting, and rejects anything else with 401.
    this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    this.grantOperations(props, deployerRoleArns);
    this.gitHubAppSecret.grantRead(this.role);
    props.ledgerTable.grantReadWriteData(this.role);
  }

  /**
   * Delivers the topic's notifications to the bot and adds the topic to the bot's allowlist
   * (`PHOENIX_ALLOWED_TOPIC_ARNS`); notifications SNS cannot deliver go to the dead-letter queue.
   * The Phoenix stacks do not use it: service alarms reach the bot through EventBridge, labelled
   * with their environment.
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

  private grantOperations(props: OpsBotFunctionProps, deployerRoleArns: readonly string[]): void {
    const allow = (actions: string[], resources: string[]) =>
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));

    // Every environment, in this account or another, is reached through its deployer role.
    if (deployerRoleArns.length > 0) allow(["sts:AssumeRole"], [...deployerRoleArns]);
    // ListBuildsForProject: before starting, the bot looks for a build of the same commit.
    allow(
      ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject"],
      [props.buildProject.projectArn],
    );
    // Build once, promote: the bot finds a commit's image, and its digest, in the one repository.
    allow(["ecr:DescribeImages", "ecr:BatchGetImage"], [props.repository.repositoryArn]);

    acknowledgeWildcardResource(
      this.role,
      "*",
      `AWS authorizes these actions only on Resource '*' (no resource type in the Service Authorization Reference): ${OPS_BOT_WILDCARD_ACTIONS.join(", ")}. Every other statement names this app's resources.`,
    );
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
