import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import { inMotoAccount } from "@phoenix/ops-bot/testing";

export interface AwsClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

// moto's default account (the ops account, and staging's) and its account header live in
// @phoenix/ops-bot/testing, whose flow tests play the same accounts.
export { MOTO_DEFAULT_ACCOUNT } from "@phoenix/ops-bot/testing";

/** The second account, production's: reached by the bot only through its deployer role. */
export const SANDBOX_PRODUCTION_ACCOUNT = "210987654321";

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
