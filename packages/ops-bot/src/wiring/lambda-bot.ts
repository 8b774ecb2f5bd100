import type { Logger } from "pino";
import { Probot } from "probot";
import type { GitHubAppCredentials } from "../adapters/aws/github-app-secret.js";
import { installationOctokits } from "../adapters/github/installation-access.js";
import { opsBotApp } from "../intake/github/ops-bot-app.js";
import { createLambdaHandler } from "../intake/lambda/lambda-handler.js";
import type { BotSettings } from "./bot-settings.js";
import { createOpsServices } from "./ops-services.js";

/**
 * The bot as the Lambda runs it: the same services as the plain server, behind one handler for
 * the function URL (GitHub webhooks), SNS and EventBridge invocations. The schedule's reconcile
 * event arrives as an EventBridge invocation, so there is no timer here.
 */
export async function createLambdaBot(deps: {
  readonly settings: BotSettings;
  readonly credentials: GitHubAppCredentials;
  /** The bot's logger, handed to Probot as well (see createBotLogger). */
  readonly logger: Logger;
}): Promise<ReturnType<typeof createLambdaHandler>> {
  const { settings, credentials, logger } = deps;
  const probot = new Probot({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    secret: credentials.webhookSecret,
    log: logger,
  });
  const { router, webhooks } = createOpsServices({
    settings,
    octokitFor: installationOctokits(probot),
    aws: { region: settings.region },
    logger,
  });
  await probot.load(opsBotApp(webhooks));
  return createLambdaHandler({ probot, router, allowedTopicArns: settings.allowedTopicArns, logger });
}
