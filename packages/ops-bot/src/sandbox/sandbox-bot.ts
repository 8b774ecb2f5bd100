import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Probot, ProbotOctokit } from "probot";
import { createBotLogger } from "../bot/bot-logger.js";
import { type AwsClientSettings, createOpsServices } from "../bot/ops-services.js";
import type { BotSettings } from "../config/bot-settings.js";
import type { ImageBuilder } from "../delivery/ports.js";
import { installationOctokits } from "../github/installation-access.js";
import { createHttpsCertificateFetcher } from "../intake/sns/https-certificate-fetcher.js";
import { SnsSignatureVerifier } from "../intake/sns/sns-signature-verifier.js";
import { createOpsBotServer } from "../server/ops-bot-server.js";

export interface SandboxBotOptions {
  /** The GitHub stand-in, as Probot's `baseUrl`. */
  readonly githubUrl: string;
  readonly webhookSecret: string;
  readonly settings: BotSettings;
  readonly aws: AwsClientSettings;
  readonly builder: ImageBuilder;
  /** 0 picks a free one. */
  readonly port: number;
}

/**
 * The ops bot as `pnpm --filter @phoenix/ops-bot start` runs it, pointed at the sandbox: a GitHub
 * App of its own (a fresh key each run) on the GitHub stand-in, AWS on moto, images from the
 * daemonless builder.
 */
export async function startSandboxBot(options: SandboxBotOptions): Promise<{ url: string; close(): Promise<void> }> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const logger = createBotLogger(process.env.LOG_LEVEL ?? "warn");
  const probot = new Probot({
    appId: 1,
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    secret: options.webhookSecret,
    baseUrl: options.githubUrl,
    log: logger,
    // GitHub's secondary rate limits do not apply to the stand-in: no write spacing.
    Octokit: ProbotOctokit.defaults((octokitOptions: Record<string, unknown>) => ({
      ...octokitOptions,
      throttle: { enabled: false },
    })),
  });
  const services = createOpsServices({
    settings: options.settings,
    octokitFor: installationOctokits(probot),
    aws: options.aws,
    logger,
    imageBuilder: options.builder,
  });
  const bot = await createOpsBotServer({
    probot,
    services,
    settings: options.settings,
    // The scenario sends AWS events the EventBridge way; SNS stays as in production.
    verifier: new SnsSignatureVerifier({ fetcher: createHttpsCertificateFetcher() }),
    confirmer: { confirmSubscription: async () => {} },
    logger,
  });
  await new Promise<void>((done) => bot.server.listen(options.port, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(bot.server.address() as AddressInfo).port}`,
    close: () => bot.close(10_000),
  };
}
