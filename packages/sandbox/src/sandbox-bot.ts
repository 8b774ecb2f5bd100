import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import {
  type AwsClientSettings,
  type BotSettings,
  type CommitImages,
  createBotLogger,
  createPlainServer,
  type ImageBuilder,
} from "@phoenix/ops-bot";
import { Probot, ProbotOctokit } from "probot";

export interface SandboxBotOptions {
  /** The GitHub stand-in, as Probot's `baseUrl`. */
  readonly githubUrl: string;
  readonly webhookSecret: string;
  readonly settings: BotSettings;
  readonly aws: AwsClientSettings;
  readonly builder: ImageBuilder;
  /** What the bot asks before building: the image a commit already has (the local registry's). */
  readonly commitImages: CommitImages;
  /** 0 picks a free one. */
  readonly port: number;
}

/**
 * The ops bot's plain server, wired as `pnpm --filter @phoenix/ops-bot start` wires it, pointed at
 * the sandbox: a GitHub App of its own (a fresh key each run) on the GitHub stand-in, AWS on
 * moto (signed with the sandbox's keys: the ops account, from where it assumes each
 * environment's deployer role), images from the daemonless builder and the local registry. SNS subscription confirmations are not sent here (the
 * scenario sends AWS events the EventBridge way), so none is confirmed.
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
  const bot = await createPlainServer({
    probot,
    settings: options.settings,
    aws: options.aws,
    logger,
    imageBuilder: options.builder,
    commitImages: options.commitImages,
    subscriptionConfirmer: { confirmSubscription: async () => {} },
  });
  await new Promise<void>((done) => bot.server.listen(options.port, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(bot.server.address() as AddressInfo).port}`,
    close: () => bot.close(10_000),
  };
}
