// Child process of bench/sns-endpoint.mjs: the bot's plain server, built from dist/, wired as
// src/server/main.ts wires it except for its outside world:
//   - SNS signature verification: the real SnsSignatureVerifier, with a CertificateFetcher that
//     serves the bench's own test certificate (and counts how often it is asked);
//   - the AwsInputRouter: a double whose onSnsNotification only counts. The bench measures
//     intake (verify, allowlist, acknowledge); the GitHub work after the 200 is not part of it;
//   - Probot: a real instance (appId 1, a freshly generated key), serving GitHub webhooks beside
//     the AWS paths as in production, never called here.
// Logging as in production: pino at LOG_LEVEL (info unless told) to stdout, which the parent
// points at a file.
//
// Protocol (IPC): the parent sends { type: "start", certificatePem, topicArn, logLevel }; the
// child answers { type: "listening", port }. { type: "stats" } → { type: "stats", ... } (CPU,
// notifications seen, certificate fetches, event-loop delay and GC since the last stats).
// { type: "stop" } → closes the server (waiting for acknowledged work), answers { type: "stopped",
// ... } and exits. The child exits on its own when the parent goes away.
import { generateKeyPairSync } from "node:crypto";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";

const dist = new URL("../dist/", import.meta.url);
const [{ createOpsBotServer }, { SnsSignatureVerifier }, { Probot }, { pino }] = await Promise.all([
  import(new URL("server/ops-bot-server.js", dist).href),
  import(new URL("intake/sns/sns-signature-verifier.js", dist).href),
  import("probot"),
  import("pino"),
]);

if (!process.send) {
  process.stderr.write("sns-server.mjs is started by bench/sns-endpoint.mjs (it needs an IPC channel)\n");
  process.exit(2);
}
process.on("disconnect", () => process.exit(0));

const send = (message) => process.send?.(message);
let bot;
let notifications = 0;
let fetches = 0;

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

function stats() {
  const result = {
    type: "stats",
    cpu: process.cpuUsage(),
    notifications,
    fetches,
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

async function start({ certificatePem, topicArn, logLevel }) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const probot = new Probot({
    appId: 1,
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    secret: "x",
    logLevel: "error",
  });
  const logger = pino({ level: logLevel, base: { service: "phoenix-ops-bot" } });
  const router = {
    async onSnsNotification() {
      notifications++;
      return "counted";
    },
    async onEvent() {
      return "ignored";
    },
  };
  const settings = {
    targetRepository: { owner: "octo-org", repo: "phoenix" },
    region: "us-west-2",
    allowedTopicArns: [topicArn],
    eventsSharedSecret: undefined,
    ledger: { kind: "embedded", file: "/dev/null" },
    logGroupName: undefined,
    clusterName: "phoenix-staging",
    serviceName: "phoenix-staging-web",
    alarmIssues: { label: "ops:cpu", commentIntervalMs: 15 * 60_000, closeOnOk: true },
    crashLabel: "ops:crash",
    storm: { maxNewIssues: 10, windowSeconds: 3600 },
    delivery: { timeoutMinutes: 30, reconcileIntervalSeconds: 3600, codeBuild: undefined },
  };
  const fetcher = {
    async fetchCertificate() {
      fetches++;
      return certificatePem;
    },
  };
  bot = await createOpsBotServer({
    probot,
    // Intake only: no deploy handlers, a reconciler with nothing to do.
    services: { router, delivery: undefined, deployEvents: { reconcile: async () => "idle" } },
    settings,
    verifier: new SnsSignatureVerifier({ fetcher }),
    confirmer: {
      confirmSubscription: async () => {
        throw new Error("the bench sends no subscription confirmations");
      },
    },
    logger,
  });
  await new Promise((resolve, reject) => {
    bot.server.once("error", reject);
    bot.server.listen(0, "127.0.0.1", resolve);
  });
  stats(); // start the counters from here
  send({ type: "listening", port: bot.server.address().port });
}

process.on("message", (message) => {
  const fail = (error) => {
    send({ type: "error", message: String(error?.stack ?? error) });
    process.exitCode = 1;
    process.disconnect();
  };
  switch (message?.type) {
    case "start":
      start(message).catch(fail);
      break;
    case "stats":
      send(stats());
      break;
    case "stop":
      Promise.resolve(bot?.close(5_000))
        .then(() => {
          send({ ...stats(), type: "stopped" });
          process.disconnect();
        })
        .catch(fail);
      break;
    default:
      fail(new Error(`unknown message ${JSON.stringify(message)}`));
  }
});
send({ type: "ready" });
