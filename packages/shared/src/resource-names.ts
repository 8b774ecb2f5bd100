/**
 * Names of the AWS resources one Phoenix deployment owns. The infrastructure creates them
 * under these names and the ops bot looks them up under the same ones, so both sides read
 * them from here and never spell them out.
 */
export interface PhoenixResourceNames {
  readonly cluster: string;
  readonly service: string;
  /** Container log group (CloudWatch Logs). */
  readonly logGroup: string;
  /** CloudWatch alarms on the service; the bot fingerprints issues by these names. */
  readonly alarms: {
    readonly cpuHigh: string;
    readonly http5xx: string;
    readonly unhealthyHosts: string;
    /** 5xx the load balancer answers itself (502/503 when no healthy task answers). */
    readonly elb5xx: string;
  };
  /** ALB target groups allow at most 32 characters: the tightest limit here (IAM role names allow 64). */
  readonly targetGroup: string;
  /** SNS topic the alarms publish to (for people; the bot hears alarms through EventBridge). */
  readonly alarmTopic: string;
  /**
   * The role the ops bot assumes to act on this environment; it trusts only the bot's role
   * (`opsResourceNames(app).botRole`).
   */
  readonly deployerRole: string;
  /**
   * IAM role the app's containers run as (the task definition's `taskRoleArn`). Named so the
   * deployer role may pass exactly this role, and a revision the bot registers can name it.
   */
  readonly taskRole: string;
  /** IAM role ECS pulls the image and writes logs with (the task definition's `executionRoleArn`). */
  readonly executionRole: string;
  /**
   * SSM parameter holding the image the bot last deployed successfully. The bot writes it; the
   * environment's task definition reads it on every `cdk deploy`, so CloudFormation never puts
   * an older image back.
   */
  readonly liveImageParameter: string;
}

/**
 * Names of what the ops stack creates once per app (and so per organisation): the one bot,
 * its Ledger, the image repository every environment pulls from, the build, the event bus.
 */
export interface PhoenixOpsResourceNames {
  /** ECR repository; images are built once per commit and promoted between environments by digest. */
  readonly repository: string;
  /** CodeBuild project that builds the app image at a commit. */
  readonly buildProject: string;
  /** The ops bot's Lambda function. */
  readonly botFunction: string;
  /** The bot's execution role; every environment's deployer role trusts exactly this role. */
  readonly botRole: string;
  /** DynamoDB table behind the bot's Ledger (idempotency keys and locks). */
  readonly ledgerTable: string;
  /** EventBridge bus where every environment's events arrive, labelled on the way to the bot. */
  readonly eventBus: string;
}

export interface DeploymentIdentity {
  /** Lower-case letters, digits and hyphens, starting with a letter. */
  readonly app: string;
  /** As `app`; for example `staging` or `production`. */
  readonly environment: string;
}

export class InvalidResourceNameError extends Error {
  override readonly name = "InvalidResourceNameError";
}

const SEGMENT = /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/;
const TARGET_GROUP_MAX = 32;

function requireSegment(key: keyof DeploymentIdentity, value: string): void {
  if (!SEGMENT.test(value) || value.includes("--")) {
    throw new InvalidResourceNameError(
      `${key} "${value}" must be lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
    );
  }
}

export function resourceNames(identity: DeploymentIdentity): PhoenixResourceNames {
  for (const key of ["app", "environment"] as const) requireSegment(key, identity[key]);
  const { app, environment } = identity;
  const stem = `${app}-${environment}`;
  // "-tg" is appended below; the whole must fit the target-group limit.
  if (stem.length + 3 > TARGET_GROUP_MAX) {
    throw new InvalidResourceNameError(
      `app and environment together are ${stem.length} characters; at most ${TARGET_GROUP_MAX - 3} fit an ALB target-group name`,
    );
  }
  return {
    cluster: stem,
    service: `${stem}-web`,
    logGroup: `/phoenix/${app}/${environment}`,
    alarms: {
      cpuHigh: `${stem}-cpu-high`,
      http5xx: `${stem}-http-5xx`,
      unhealthyHosts: `${stem}-unhealthy-hosts`,
      elb5xx: `${stem}-elb-5xx`,
    },
    targetGroup: `${stem}-tg`,
    alarmTopic: `${stem}-alarms`,
    deployerRole: `${stem}-deployer`,
    taskRole: `${stem}-task`,
    executionRole: `${stem}-execution`,
    liveImageParameter: `/phoenix/${app}/${environment}/live-image`,
  };
}

/** The ops stack's names for `app`; the same segment rule as `resourceNames`. */
export function opsResourceNames(app: string): PhoenixOpsResourceNames {
  requireSegment("app", app);
  return {
    repository: `phoenix/${app}`,
    buildProject: `${app}-image-build`,
    botFunction: `${app}-ops-bot`,
    botRole: `${app}-ops-bot`,
    ledgerTable: `${app}-ops-ledger`,
    eventBus: `${app}-ops-events`,
  };
}
