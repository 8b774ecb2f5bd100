// The AWS Lambda entry point (handler `index.handler` in the bundle the infra deploys).
// Cold start: read settings and the GitHub App's credentials once, then reuse them.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { OPS_BOT_ENV } from "@phoenix/shared";
import { Probot } from "probot";
import { createBotLogger } from "./bot/bot-logger.js";
import { createOpsServices } from "./bot/ops-services.js";
import { readBotSettings } from "./config/bot-settings.js";
import { installationOctokits } from "./github/installation-access.js";
import { createLambdaHandler } from "./lambda/lambda-handler.js";
import { opsBotApp } from "./server/ops-bot-app.js";

interface GitHubAppCredentials {
  readonly appId: string | number;
  readonly privateKey: string;
  readonly webhookSecret: string;
}

let ready: Promise<ReturnType<typeof createLambdaHandler>> | undefined;

async function initialise(): Promise<ReturnType<typeof createLambdaHandler>> {
  const settings = readBotSettings(process.env);
  const logger = createBotLogger(process.env.LOG_LEVEL ?? "info");
  const secretArn = process.env[OPS_BOT_ENV.githubAppSecretArn];
  if (!secretArn) throw new Error(`config: ${OPS_BOT_ENV.githubAppSecretArn} is required`);
  const { SecretString } = await new SecretsManagerClient({ region: settings.region }).send(
    new GetSecretValueCommand({ SecretId: secretArn }),
  );
  const credentials = JSON.parse(SecretString ?? "{}") as Partial<GitHubAppCredentials>;
  if (!credentials.appId || !credentials.privateKey || !credentials.webhookSecret) {
    throw new Error("config: the GitHub App secret must hold appId, privateKey and webhookSecret");
  }
  const probot = new Probot({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    secret: credentials.webhookSecret,
    log: logger,
  });
  const { router, delivery } = createOpsServices({
    settings,
    octokitFor: installationOctokits(probot),
    aws: { region: settings.region },
    logger,
  });
  await probot.load(opsBotApp(delivery));
  return createLambdaHandler({ probot, router, allowedTopicArns: settings.allowedTopicArns, logger });
}

export async function handler(event: unknown) {
  ready ??= initialise().catch((error: unknown) => {
    ready = undefined; // a later invocation tries again (secret filled in, permissions fixed)
    throw error;
  });
  return (await ready)(event);
}
