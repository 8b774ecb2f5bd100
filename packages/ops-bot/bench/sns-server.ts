// Child process of bench/sns-endpoint.ts: the bot's plain server, from @phoenix/ops-bot's public
// entry (its built dist/), wired as the plain server (src/wiring/plain-server.ts) wires it except
// for its outside world:
//   - settings: readBotSettings over the variables a deployed bot would be given;
//   - SNS signature verification: the real SnsSignatureVerifier, with a CertificateFetcher that
//     serves the bench's own test certificate (and counts how often it is asked);
//   - the AwsInputRouter: a double whose onSnsNotification only counts. The bench measures
//     intake (verify, allowlist, acknowledge); the GitHub work after the 200 is not part of it;
//   - Probot: a real instance (appId 1, a freshly generated key), serving GitHub webhooks beside
//     the AWS paths as in production, never called here.
// Logging as in production: the bot's pino logger at LOG_LEVEL (info unless told) to stdout,
// which the parent points at a file.
//
// Protocol (IPC, bench/server-protocol.ts): the parent sends { type: "start", certificatePem,
// topicArn, logLevel }; the child answers { type: "listening", port }. { type: "stats" } →
// { type: "stats", ... } (CPU, notifications seen, certificate fetches, event-loop delay and GC
// since the last stats). { type: "stop" } → closes the server (waiting for acknowledged work),
// answers { type: "stopped", ... } and exits. The child exits on its own when the parent goes away.
import { generateKeyPairSync } from "node:crypto";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import {
  type AwsInputRouter,
  createBotLogger,
  createOpsBotServer,
  type OpsBotServer,
  readBotSettings,
  SnsSignatureVerifier,
} from "@phoenix/ops-bot";
import { OPS_BOT_ENV, OPS_BOT_SERVER_ENV } from "@phoenix/shared";
import { Probot } from "probot";
import { RecordingCertificateFetcher } from "../test/support/sns-test-signer.js";
import type { ParentMessage, ServerMessage, ServerStats } from "./server-protocol.js";

const send = (message: ServerMessage) => process.send?.(message);
if (!process.send) {
  process.stderr.write("sns-server.ts is started by bench/sns-endpoint.ts (it needs an IPC channel)\n");
  process.exit(2);
}
process.on("disconnect", () => process.exit(0));

let bot: OpsBotServer | undefined;
let fetcher: RecordingCertificateFetcher | undefined;
let notifications = 0;

// Event-loop delay and GC pauses, reset at every stats request.
// The histogram holds whole sampling intervals; the delay is what exceeds the resolution.
const LOOP_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();
let gcMs = 0;
let gcMaxMs = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    gcCount++;
    if (entry.duration > gcMaxMs) gcMaxMs = entry.duration;
  }
}).observe({ entryTypes: ["gc"] });

function stats(): ServerStats {
  const result: ServerStats = {
    cpu: process.cpuUsage(),
    notifications,
    fetches: fetcher?.requested.length ?? 0,
    rssBytes: process.memoryUsage().rss,
    loopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
    loopDelayMaxMs: Math.max(0, loopDelay.max / 1e6 - LOOP_RESOLUTION_MS),
    gcMs,
    gcMaxMs,
    gcCount,
  };
  loopDelay.reset();
  gcMs = 0;
  gcMaxMs = 0;
  gcCount = 0;
  return result;
}

async function start({ certificatePem, topicArn, logLevel }: Extract<ParentMessage, { type: "start" }>) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const probot = new Probot({
    appId: 1,
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    secret: "x",
    logLevel: "error",
  });
  const logger = createBotLogger(logLevel);
  const router: Pick<AwsInputRouter, "onSnsNotification" | "onEvent"> = {
    async onSnsNotification() {
      notifications++;
      return "counted";
    },
    async onEvent() {
      return "ignored";
    },
  };
  const settings = readBotSettings({
    [OPS_BOT_ENV.targetRepository]: "octo-org/phoenix",
    [OPS_BOT_ENV.allowedTopicArns]: topicArn,
    [OPS_BOT_SERVER_ENV.ledgerFile]: "/dev/null",
    AWS_REGION: "us-west-2",
  });
  fetcher = new RecordingCertificateFetcher(certificatePem);
  const server = await createOpsBotServer({
    probot,
    router,
    // Intake only: no webhook handlers (the webhook path is served, nothing sends to it).
    webhooks: undefined,
    allowedTopicArns: settings.allowedTopicArns,
    eventsSharedSecret: settings.eventsSharedSecret,
    verifier: new SnsSignatureVerifier({ fetcher }),
    confirmer: {
      confirmSubscription: async () => {
        throw new Error("the bench sends no subscription confirmations");
      },
    },
    logger,
  });
  bot = server;
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.server.listen(0, "127.0.0.1", resolve);
  });
  stats(); // start the counters from here
  const address = server.server.address();
  send({ type: "listening", port: typeof address === "object" && address ? address.port : 0 });
}

process.on("message", (message: ParentMessage) => {
  const fail = (error: unknown) => {
    send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
    process.disconnect();
  };
  switch (message?.type) {
    case "start":
      start(message).catch(fail);
      break;
    case "stats":
      send({ type: "stats", ...stats() });
      break;
    case "stop":
      Promise.resolve(bot?.close(5_000))
        .then(() => {
          send({ type: "stopped", ...stats() });
          process.disconnect();
        })
        .catch(fail);
      break;
    default:
      fail(new Error(`unknown message ${JSON.stringify(message)}`));
  }
});
send({ type: "ready" });
