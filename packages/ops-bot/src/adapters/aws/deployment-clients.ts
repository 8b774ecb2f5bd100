import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { ServiceTarget } from "../../ports/service-target.js";
import { awsCall } from "./aws-call.js";

/** Session name every assumed role shows in CloudTrail, so a deploy is traceable to the bot. */
export const ASSUMED_ROLE_SESSION_NAME = "phoenix-ops-bot";

/** Temporary or static AWS credentials, as the SDK clients accept them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** The SDK clients that act on one `ServiceTarget`: in its region, as its role when it names one. */
export interface DeploymentClients {
  ecs(target: ServiceTarget): ECSClient;
  applicationAutoScaling(target: ServiceTarget): ApplicationAutoScalingClient;
  /** The environment's log groups (crash and alarm evidence). */
  logs(target: ServiceTarget): CloudWatchLogsClient;
  /** The environment's metrics (alarm charts). */
  cloudWatch(target: ServiceTarget): CloudWatchClient;
  /** The environment's live-image parameter. */
  ssm(target: ServiceTarget): SSMClient;
}

export interface DeploymentClientsOptions {
  /**
   * One endpoint for every client, STS included (tests point it at moto).
   * @default the AWS endpoint of the target's region
   */
  readonly endpoint?: string;
  /**
   * The bot's own credentials: used directly, or to call STS AssumeRole when the target has a role.
   * @default the SDK's default credential chain
   */
  readonly credentials?: AwsCredentials;
  /**
   * Assumed-role credentials are renewed this long before they expire.
   * @default 5 minutes
   */
  readonly refreshBeforeExpiryMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

const FIVE_MINUTES_MS = 5 * 60_000;

/**
 * Clients per (region, role), created once and reused. With a `roleArn` the clients sign with
 * credentials from STS AssumeRole (session `phoenix-ops-bot`), cached until shortly before they
 * expire; concurrent calls share one AssumeRole request.
 */
export function createDeploymentClients(options: DeploymentClientsOptions = {}): DeploymentClients {
  const now = options.now ?? Date.now;
  const refreshBefore = options.refreshBeforeExpiryMs ?? FIVE_MINUTES_MS;
  const ecsClients = new Map<string, ECSClient>();
  const scalingClients = new Map<string, ApplicationAutoScalingClient>();
  const logsClients = new Map<string, CloudWatchLogsClient>();
  const cloudWatchClients = new Map<string, CloudWatchClient>();
  const ssmClients = new Map<string, SSMClient>();
  const roleCredentials = new Map<string, () => Promise<AwsCredentials>>();

  const assumedRole = (region: string, roleArn: string): (() => Promise<AwsCredentials>) => {
    const key = `${region}\n${roleArn}`;
    let provider = roleCredentials.get(key);
    if (!provider) {
      const sts = new STSClient({ region, endpoint: options.endpoint, credentials: options.credentials });
      provider = cachedUntilExpiry(
        async () => {
          const { Credentials: c } = await awsCall(() =>
            sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: ASSUMED_ROLE_SESSION_NAME })),
          );
          if (!c?.AccessKeyId || !c.SecretAccessKey) {
            throw new Error(`STS AssumeRole of ${roleArn} answered without credentials`);
          }
          return {
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretAccessKey,
            sessionToken: c.SessionToken,
            expiration: c.Expiration,
          };
        },
        now,
        refreshBefore,
      );
      roleCredentials.set(key, provider);
    }
    return provider;
  };

  const configFor = (target: ServiceTarget) => ({
    region: target.region,
    endpoint: options.endpoint,
    credentials: target.roleArn ? assumedRole(target.region, target.roleArn) : options.credentials,
  });
  const keyOf = (target: ServiceTarget) => `${target.region}\n${target.roleArn ?? ""}`;

  /** One client per (region, role), made on first use. */
  const cachedPerTarget =
    <C>(clients: Map<string, C>, make: (target: ServiceTarget) => C) =>
    (target: ServiceTarget) => {
      const key = keyOf(target);
      let client = clients.get(key);
      if (!client) {
        client = make(target);
        clients.set(key, client);
      }
      return client;
    };

  return {
    ecs: cachedPerTarget(ecsClients, (target) => new ECSClient(configFor(target))),
    applicationAutoScaling: cachedPerTarget(
      scalingClients,
      (target) => new ApplicationAutoScalingClient(configFor(target)),
    ),
    logs: cachedPerTarget(logsClients, (target) => new CloudWatchLogsClient(configFor(target))),
    cloudWatch: cachedPerTarget(cloudWatchClients, (target) => new CloudWatchClient(configFor(target))),
    ssm: cachedPerTarget(ssmClients, (target) => new SSMClient(configFor(target))),
  };
}

/**
 * Wraps a fetch of expiring credentials: answers from cache until `refreshBeforeMs` before the
 * expiration; one fetch at a time; a failed fetch is not cached.
 */
export function cachedUntilExpiry(
  fetch: () => Promise<AwsCredentials>,
  now: () => number = Date.now,
  refreshBeforeMs = FIVE_MINUTES_MS,
): () => Promise<AwsCredentials> {
  let current: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  const fresh = (c: AwsCredentials) => !c.expiration || c.expiration.getTime() - refreshBeforeMs > now();
  return () => {
    if (current && fresh(current)) return Promise.resolve(current);
    pending ??= fetch()
      .then((c) => {
        current = c;
        return c;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
