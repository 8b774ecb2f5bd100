import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createOpsServices } from "../../src/bot/ops-services.js";
import type { BotSettings } from "../../src/config/bot-settings.js";
import type { ImageBuilder } from "../../src/delivery/ports.js";
import { installationOctokits } from "../../src/github/installation-access.js";
import { SnsSignatureVerifier } from "../../src/intake/sns/sns-signature-verifier.js";
import { GitHubStandIn } from "../../src/sandbox/github/github-stand-in.js";
import { deliverWebhook } from "../../src/sandbox/github-webhooks.js";
import { createOpsBotServer, type OpsBotServer } from "../../src/server/ops-bot-server.js";
import {
  createSigningIdentity,
  RecordingCertificateFetcher,
  type TestSigningIdentity,
} from "../intake/sns-test-signer.js";
import { motoClientConfig } from "./moto.js";

export const TOPIC_ARN = "arn:aws:sns:us-west-2:111122223333:phoenix-staging-alarms";
export const SIGNING_CERT_URL =
  "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";
export const EVENTS_SECRET = "a-shared-secret-of-at-least-32-characters!";
const WEBHOOK_SECRET = "webhook-secret";

const fixtures = new URL("../../../shared/test/fixtures/aws/", import.meta.url);
/** A fixture's payload (see its `source` for where it came from). */
export function awsFixture(name: string): Record<string, unknown> {
  return (JSON.parse(readFileSync(new URL(name, fixtures), "utf8")) as { payload: Record<string, unknown> }).payload;
}

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
  private bot: OpsBotServer | undefined;
  url = "";

  private constructor(readonly signer: TestSigningIdentity) {
    this.certificates = new RecordingCertificateFetcher(signer.certificatePem);
  }

  static async start(
    overrides: Partial<BotSettings> = {},
    options: { imageBuilder?: ImageBuilder } = {},
  ): Promise<OpsBotUnderTest> {
    const harness = new OpsBotUnderTest(await createSigningIdentity());
    await harness.listen(overrides, options.imageBuilder);
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

  private async listen(overrides: Partial<BotSettings>, imageBuilder: ImageBuilder | undefined): Promise<void> {
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
    const settings: BotSettings = {
      targetRepository: { owner: "octo-org", repo: "phoenix" },
      region: "eu-west-1",
      allowedTopicArns: [TOPIC_ARN],
      eventsSharedSecret: EVENTS_SECRET,
      ledger: { kind: "embedded", file: join(this.dir, "ledger.json") },
      logGroupName: undefined,
      clusterName: "phoenix-staging",
      serviceName: "phoenix-staging-web",
      alarmIssues: { label: "ops:cpu", commentIntervalMs: 15 * 60_000, closeOnOk: true },
      crashLabel: "ops:crash",
      storm: { maxNewIssues: 10, windowSeconds: 3600 },
      delivery: { timeoutMinutes: 30, reconcileIntervalSeconds: 3600, codeBuild: undefined },
      ...overrides,
    };
    const logger = pino({ level: "warn" });
    const services = createOpsServices({
      settings,
      octokitFor: installationOctokits(probot),
      ...(imageBuilder ? { imageBuilder } : {}),
      aws: motoClientConfig(),
      logger,
    });
    this.bot = await createOpsBotServer({
      probot,
      services,
      settings,
      verifier: new SnsSignatureVerifier({ fetcher: this.certificates }),
      confirmer: { confirmSubscription: async () => {} },
      logger,
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
    rmSync(this.dir, { recursive: true, force: true });
  }
}
