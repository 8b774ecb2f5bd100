import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deliverWebhook, GitHubStandIn } from "@phoenix/github-stand-in";
import { OPS_BOT_ENV, OPS_BOT_SERVER_ENV } from "@phoenix/shared";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { motoClientConfig } from "../../../../test-support/moto.js";
import { OPS_CONFIG_PATH } from "../../src/domain/ops-config/ops-config-schema.js";
import type { CommitImages } from "../../src/ports/commit-images.js";
import type { ImageBuilder } from "../../src/ports/image-builder.js";
import { type BotEnvironment, readBotSettings } from "../../src/wiring/bot-settings.js";
import { createPlainServer, type PlainServer } from "../../src/wiring/plain-server.js";
import { AwsCallRecorder, writeAwsCallRecording } from "./aws-call-recorder.js";
import { createSigningIdentity, RecordingCertificateFetcher, type TestSigningIdentity } from "./sns-test-signer.js";

export const TOPIC_ARN = "arn:aws:sns:us-west-2:111122223333:phoenix-staging-alarms";
export const SIGNING_CERT_URL =
  "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";
export const EVENTS_SECRET = "a-shared-secret-of-at-least-32-characters!";
const WEBHOOK_SECRET = "webhook-secret";

/**
 * The bot's plain server on 127.0.0.1, as `start` wires it but with its outside world
 * replaced by independent stand-ins: GitHub by the OpenAPI-checked stand-in (through
 * Probot's own App authentication), AWS by moto server, SNS's signing certificate by one
 * the test made.
 */
export class OpsBotUnderTest {
  readonly github = new GitHubStandIn();
  readonly certificates: RecordingCertificateFetcher;
  private readonly dir = mkdtempSync(join(tmpdir(), "phoenix-bot-"));
  private bot: PlainServer | undefined;
  private awsCalls: AwsCallRecorder | undefined;
  url = "";

  private constructor(readonly signer: TestSigningIdentity) {
    this.certificates = new RecordingCertificateFetcher(signer.certificatePem);
  }

  /**
   * `environment` adds to (or overrides) the bot's variables, as a deployment would set them;
   * `options.imageBuilder` stands in for CodeBuild, `options.commitImages` for the ECR
   * repository it pushes to.
   */
  static async start(
    environment: BotEnvironment = {},
    options: { imageBuilder?: ImageBuilder; commitImages?: CommitImages } = {},
  ): Promise<OpsBotUnderTest> {
    const harness = new OpsBotUnderTest(await createSigningIdentity());
    await harness.listen(environment, options);
    return harness;
  }

  /**
   * Delivers a GitHub webhook as GitHub does (HMAC-SHA256 signature over the body), to the
   * bot's Probot endpoint. Resolves once the bot answered, which Probot does after its handlers ran.
   */
  async deliverWebhook(event: string, payload: unknown, deliveryId?: string): Promise<Response> {
    return deliverWebhook(`${this.url}/api/github/webhooks`, WEBHOOK_SECRET, event, payload, deliveryId);
  }

  /** Posts an EventBridge event to the API-destination endpoint with the shared secret. */
  async deliverEvent(event: unknown): Promise<Response> {
    return fetch(`${this.url}/aws/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-phoenix-events-secret": EVENTS_SECRET },
      body: JSON.stringify(event),
    });
  }

  private async listen(
    environment: BotEnvironment,
    { imageBuilder, commitImages }: { imageBuilder?: ImageBuilder; commitImages?: CommitImages },
  ): Promise<void> {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const probot = new Probot({
      appId: 12345,
      privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      secret: WEBHOOK_SECRET,
      logLevel: "warn",
      // A function runs after Probot's own defaults, which would switch throttling back on
      // (it spaces writes a second apart: right for GitHub, only slow against the stand-in).
      Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
        ...options,
        request: { ...(options.request as object), fetch: this.github.fetch },
        throttle: { enabled: false },
        retry: { enabled: false },
      })),
    });
    const settings = readBotSettings({
      [OPS_BOT_ENV.targetRepository]: "octo-org/phoenix",
      AWS_REGION: "eu-west-1",
      [OPS_BOT_ENV.allowedTopicArns]: TOPIC_ARN,
      [OPS_BOT_SERVER_ENV.eventsSharedSecret]: EVENTS_SECRET,
      [OPS_BOT_SERVER_ENV.ledgerFile]: join(this.dir, "ledger.json"),
      PHOENIX_RECONCILE_INTERVAL_SECONDS: "3600",
      ...environment,
    });
    // Every AWS call the bot makes goes through the recorder to moto, for the infra test that
    // checks each against the IAM policies the templates give the bot.
    const moto = motoClientConfig();
    this.awsCalls = await AwsCallRecorder.start({
      upstream: moto.endpoint,
      botCredentials: moto.credentials,
      region: moto.region,
    });
    this.bot = await createPlainServer({
      probot,
      settings,
      aws: { ...moto, endpoint: this.awsCalls.url },
      logger: pino({ level: "warn" }),
      certificateFetcher: this.certificates,
      subscriptionConfirmer: { confirmSubscription: async () => {} },
      ...(imageBuilder ? { imageBuilder } : {}),
      ...(commitImages ? { commitImages } : {}),
    });
    await new Promise<void>((resolve) => this.bot?.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.bot.server.address() as AddressInfo).port}`;
  }

  /** Waits for the AWS inputs acknowledged so far to be handled. */
  async settled(): Promise<void> {
    await this.bot?.settled();
  }

  /** Waits for all acknowledged work to finish, then stops the server. */
  async stop(): Promise<void> {
    await this.bot?.close(30_000);
    await this.awsCalls?.close();
    writeAwsCallRecording(this.github.files.get(OPS_CONFIG_PATH));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
