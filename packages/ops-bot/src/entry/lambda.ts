// The AWS Lambda entry point (handler `index.handler` in the bundle the infra deploys).
// Cold start: read settings and the GitHub App's credentials once, then reuse them.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { OPS_BOT_ENV } from "@phoenix/shared";
import { readGitHubAppCredentials } from "../adapters/aws/github-app-secret.js";
import { createBotLogger } from "../wiring/bot-logger.js";
import { readBotSettings } from "../wiring/bot-settings.js";
import { createLambdaBot } from "../wiring/lambda-bot.js";

let ready: Promise<(event: unknown) => Promise<unknown>> | undefined;

async function initialise(): Promise<(event: unknown) => Promise<unknown>> {
  const settings = readBotSettings(process.env);
  const logger = createBotLogger(process.env.LOG_LEVEL ?? "info");
  const secretArn = process.env[OPS_BOT_ENV.githubAppSecretArn];
  if (!secretArn) throw new Error(`config: ${OPS_BOT_ENV.githubAppSecretArn} is required`);
  const credentials = await readGitHubAppCredentials(new SecretsManagerClient({ region: settings.region }), secretArn);
  return createLambdaBot({ settings, credentials, logger });
}

export async function handler(event: unknown) {
  ready ??= initialise().catch((error: unknown) => {
    ready = undefined; // a later invocation tries again (secret filled in, permissions fixed)
    throw error;
  });
  return (await ready)(event);
}
