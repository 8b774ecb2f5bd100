import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";

export interface AwsClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * The account moto acts in when a request names none: the ops account, and staging's. Keys
 * moto did not issue land here too, so the bot (which signs with the sandbox's keys) is here
 * until it assumes a role in another account.
 */
export const MOTO_DEFAULT_ACCOUNT = "123456789012";

/** The second account, production's: reached by the bot only through its deployer role. */
export const SANDBOX_PRODUCTION_ACCOUNT = "210987654321";

/** moto's header choosing the account a request acts in (moto 5, "multi-account" in its docs). */
const MOTO_ACCOUNT_HEADER = "x-moto-account-id";

interface MiddlewareClient {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: { request: unknown }) => Promise<unknown>,
      ) => (args: { request: unknown }) => Promise<unknown>,
      options: { step: "build"; name: string },
    ): void;
  };
}

/**
 * `client`, acting in `account` of moto: each request carries moto's account header. The
 * sandbox uses it to play AWS itself (seeding, the local platform); the bot never does, it
 * assumes roles as in AWS.
 */
export function inMotoAccount<Client>(client: Client, account: string): Client {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers[MOTO_ACCOUNT_HEADER] = account;
      return next(args);
    },
    { step: "build", name: "motoAccountHeader" },
  );
  return client;
}

/** The AWS clients the sandbox uses as AWS itself, in one moto account. */
export interface MotoAccountClients {
  readonly account: string;
  readonly region: string;
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly cloudWatch: CloudWatchClient;
  readonly autoScaling: ApplicationAutoScalingClient;
  readonly ssm: SSMClient;
  readonly iam: IAMClient;
  readonly ecr: ECRClient;
  readonly sns: SNSClient;
}

export function motoAccountClients(aws: AwsClientConfig, account: string): MotoAccountClients {
  return {
    account,
    region: aws.region,
    ecs: inMotoAccount(new ECSClient(aws), account),
    logs: inMotoAccount(new CloudWatchLogsClient(aws), account),
    cloudWatch: inMotoAccount(new CloudWatchClient(aws), account),
    autoScaling: inMotoAccount(new ApplicationAutoScalingClient(aws), account),
    ssm: inMotoAccount(new SSMClient(aws), account),
    iam: inMotoAccount(new IAMClient(aws), account),
    ecr: inMotoAccount(new ECRClient(aws), account),
    sns: inMotoAccount(new SNSClient(aws), account),
  };
}
