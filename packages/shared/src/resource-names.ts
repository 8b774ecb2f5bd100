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
  /** ECR repository; one per app, shared by its environments so an image is promoted, not rebuilt. */
  readonly repository: string;
  /** CloudWatch alarms on the service; the bot fingerprints issues by these names. */
  readonly alarms: {
    readonly cpuHigh: string;
    readonly http5xx: string;
    readonly unhealthyHosts: string;
    /** 5xx the load balancer answers itself (502/503 when no healthy task answers). */
    readonly elb5xx: string;
  };
  /** ALB target groups allow at most 32 characters: the tightest limit here. */
  readonly targetGroup: string;
  /** CodeBuild project that builds the app image at a commit. */
  readonly buildProject: string;
  /** SNS topic the alarms publish to. */
  readonly alarmTopic: string;
  /** The ops bot's Lambda function. */
  readonly botFunction: string;
  /** DynamoDB table behind the bot's Ledger (idempotency keys and locks). */
  readonly ledgerTable: string;
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

export function resourceNames(identity: DeploymentIdentity): PhoenixResourceNames {
  for (const key of ["app", "environment"] as const) {
    const value = identity[key];
    if (!SEGMENT.test(value) || value.includes("--")) {
      throw new InvalidResourceNameError(
        `${key} "${value}" must be lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
      );
    }
  }
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
    repository: `phoenix/${app}`,
    alarms: {
      cpuHigh: `${stem}-cpu-high`,
      http5xx: `${stem}-http-5xx`,
      unhealthyHosts: `${stem}-unhealthy-hosts`,
      elb5xx: `${stem}-elb-5xx`,
    },
    targetGroup: `${stem}-tg`,
    buildProject: `${stem}-image-build`,
    alarmTopic: `${stem}-alarms`,
    botFunction: `${stem}-ops-bot`,
    ledgerTable: `${stem}-ops-ledger`,
  };
}
