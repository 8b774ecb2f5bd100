import type { Probot } from "probot";
import { installationOctokits } from "../adapters/github/installation-access.js";
import { createHttpsCertificateFetcher } from "../adapters/https/https-certificate-fetcher.js";
import { createHttpsSubscriptionConfirmer } from "../adapters/https/https-subscription-confirmer.js";
import { createOpsBotServer, type OpsBotServer } from "../intake/http/ops-bot-server.js";
import { startReconcileTimer } from "../intake/reconcile-timer.js";
import { SnsSignatureVerifier } from "../intake/sns/sns-signature-verifier.js";
import type { CertificateFetcher } from "../ports/certificate-fetcher.js";
import type { CommitImages } from "../ports/commit-images.js";
import type { ImageBuilder } from "../ports/image-builder.js";
import type { OpsLogger } from "../ports/logger.js";
import type { SubscriptionConfirmer } from "../ports/subscription-confirmer.js";
import type { BotSettings } from "./bot-settings.js";
import { type AwsClientSettings, createOpsServices, type OpsServices } from "./ops-services.js";

export interface PlainServerDeps {
  /** The GitHub App: webhooks are verified with its secret, installations reached with its key. */
  readonly probot: Probot;
  readonly settings: BotSettings;
  readonly aws: AwsClientSettings;
  readonly logger: OpsLogger;
  /** @default HTTPS GET of the signing certificate SNS names (after the URL check) */
  readonly certificateFetcher?: CertificateFetcher;
  /** @default HTTPS GET of the SubscribeURL of a verified confirmation */
  readonly subscriptionConfirmer?: SubscriptionConfirmer;
  /** @default CodeBuild, as the settings name it */
  readonly imageBuilder?: ImageBuilder;
  /** @default the ECR repository CodeBuild pushes to, as the settings name it */
  readonly commitImages?: CommitImages;
  readonly now?: () => Date;
}

export interface PlainServer extends OpsBotServer {
  readonly services: OpsServices;
}

/**
 * The bot as one HTTP server with its reconciler tick, as `pnpm --filter @phoenix/ops-bot start`
 * runs it. The sandbox and the tests build it here too, with their stand-ins in the deps, so
 * they run the same wiring as production.
 */
export async function createPlainServer(deps: PlainServerDeps): Promise<PlainServer> {
  const { settings, logger } = deps;
  const services = createOpsServices({
    settings,
    octokitFor: installationOctokits(deps.probot),
    aws: deps.aws,
    logger,
    ...(deps.imageBuilder ? { imageBuilder: deps.imageBuilder } : {}),
    ...(deps.commitImages ? { commitImages: deps.commitImages } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const bot = await createOpsBotServer({
    probot: deps.probot,
    router: services.router,
    webhooks: services.webhooks,
    allowedTopicArns: settings.allowedTopicArns,
    eventsSharedSecret: settings.eventsSharedSecret,
    verifier: new SnsSignatureVerifier({ fetcher: deps.certificateFetcher ?? createHttpsCertificateFetcher() }),
    confirmer: deps.subscriptionConfirmer ?? createHttpsSubscriptionConfirmer(),
    logger,
  });
  const reconciler = startReconcileTimer(services.deployEvents, settings.delivery.reconcileIntervalSeconds, logger);
  return {
    ...bot,
    services,
    async close(timeoutMs) {
      reconciler.stop();
      await bot.close(timeoutMs);
    },
  };
}
