#!/usr/bin/env node
// SNS endpoint benchmark: notifications/s through `POST /aws/sns` with signature verification
// on, and the time to acknowledge (request sent → 200 received).
// Issue target: p99 acknowledge <= 50 ms at 200 notifications/s.
//
//   pnpm --filter @phoenix/ops-bot build && pnpm --filter @phoenix/ops-bot bench     (~2 min)
//
// The server is the built one (dist/server/ops-bot-server.js), in a child process
// (bench/sns-server.mjs) so the load generator does not share its event loop. It runs the real
// SnsSignatureVerifier (certificate served by a fetcher double: the bench's own test certificate),
// the topic allowlist, production-style pino logging (to a temporary file) and a router double
// that only counts: the bench measures intake, the GitHub work after the acknowledgement is not
// part of it. Everything stays on 127.0.0.1.
//
// Notifications: SNS HTTP envelopes (SignatureVersion 2, SHA256withRSA) carrying the CloudWatch
// alarm message of packages/shared/test/fixtures/aws/cloudwatch-alarm-sns-message-phoenix-cpu-high.json,
// each with a fresh MessageId, signed with an `openssl req -x509 -newkey rsa:2048` identity made
// for the run, as test/intake/sns-test-signer.ts does. All are signed (and serialized) before the
// phase that sends them; signing never overlaps a measurement.
//
// Phases (after a warm-up that also calibrates how many notifications the closed loop needs):
//   open loop:   SNS_BENCH_RATE (200)/s for SNS_BENCH_OPEN_S (10) s, sent on schedule whether or
//                not earlier ones were answered (keep-alive agent); per-notification latency.
//   closed loop: SNS_BENCH_CONCURRENCY (32) senders, each sending the next notification when the
//                previous is answered, for SNS_BENCH_CLOSED_S (5) s → notifications/s.
// Each repeated SNS_BENCH_RUNS (3) times, interleaved; medians reported.
// Other work on the machine spoils the numbers: each phase waits (up to 30 s) until the rest of the
// machine uses under 0.25 cores, counts what the rest used during the phase ("other processes"),
// and results.md opens with a warning when that reached 0.25 cores.
// Other knobs: SNS_BENCH_LOG_LEVEL (info) for the server's logger; SNS_BENCH_CPU_PROF=1 runs the
// server under --cpu-prof and prints its top functions by self time (the profile stays in a
// temporary directory, its path printed).
//
// Output: bench/results.json (machine, node, date, every run, medians, target pass/fail),
// bench/results.md, and the table on stdout. A missed target is reported, not an error: the exit
// code is non-zero only when the bench could not measure (no dist, a failed or unanswered
// notification, a crashed server).
import { execFile, fork } from "node:child_process";
import { createPrivateKey, randomUUID, sign, verify } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import os from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { BenchError, intEnv, machineDescription, median, metricsTable } from "../../../scripts/bench-kit.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(benchDir, "..");
const distDir = join(packageDir, "dist");
const serverScript = join(benchDir, "sns-server.mjs");
const fixturePath = resolve(
  packageDir,
  "../shared/test/fixtures/aws/cloudwatch-alarm-sns-message-phoenix-cpu-high.json",
);

const TOPIC_ARN = "arn:aws:sns:us-west-2:111122223333:phoenix-staging-alarms";
const SIGNING_CERT_URL =
  "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";
const UNSUBSCRIBE_URL = `https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`;
const TARGET_P99_MS = 50;
const TARGET_RATE_SHARE = 0.99; // "at 200/s": the acknowledged rate must be within 1 % of the offered one

// ---------------------------------------------------------------------------------------------
// Notifications

async function createSigningIdentity() {
  const dir = mkdtempSync(join(os.tmpdir(), "sns-bench-signer-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    await promisify(execFile)("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-subj",
      "/CN=sns.amazonaws.com",
      "-days",
      "1",
    ]).catch((error) => {
      throw new BenchError(`openssl could not make the signing identity: ${error.message}`);
    });
    return {
      certificatePem: readFileSync(certPath, "utf8"),
      privateKey: createPrivateKey(readFileSync(keyPath, "utf8")),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bot's own string-to-sign builder (from dist; the tests check it against the SNS guide). */
let buildStringToSign;
function stringToSign(envelope) {
  const built = buildStringToSign(envelope);
  if (!built.ok) throw new BenchError(`cannot sign the bench notification: ${built.problem}`);
  return built.stringToSign;
}

function makeSigner(identity) {
  const { payload } = JSON.parse(readFileSync(fixturePath, "utf8"));
  return {
    /** A signed envelope as SNS would post it. */
    envelope() {
      const at = new Date();
      const message = { ...payload, StateChangeTime: at.toISOString().replace("Z", "+0000") };
      const envelope = {
        Type: "Notification",
        MessageId: randomUUID(),
        TopicArn: TOPIC_ARN,
        // CloudWatch's own subject line for an alarm notification.
        Subject: `ALARM: "${payload.AlarmName}" in ${payload.Region}`,
        Message: JSON.stringify(message),
        Timestamp: at.toISOString(),
        SignatureVersion: "2",
        Signature: "",
        SigningCertURL: SIGNING_CERT_URL,
        UnsubscribeURL: UNSUBSCRIBE_URL,
      };
      envelope.Signature = sign("sha256", Buffer.from(stringToSign(envelope), "utf8"), identity.privateKey).toString(
        "base64",
      );
      return envelope;
    },
    /** `count` notifications, signed and serialized, with the headers SNS sends. */
    requests(count) {
      const requests = new Array(count);
      for (let i = 0; i < count; i++) {
        const envelope = this.envelope();
        const body = Buffer.from(JSON.stringify(envelope), "utf8");
        requests[i] = {
          body,
          headers: {
            "x-amz-sns-message-type": envelope.Type,
            "x-amz-sns-message-id": envelope.MessageId,
            "x-amz-sns-topic-arn": envelope.TopicArn,
            "x-amz-sns-subscription-arn": `${envelope.TopicArn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
            "content-type": "text/plain; charset=UTF-8",
            "content-length": String(body.length),
            "user-agent": "Amazon Simple Notification Service Agent",
          },
        };
      }
      return requests;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The server (child process)

async function startServer({ certificatePem, logLevel, logFile, cpuProfDir }) {
  const execArgv = cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", cpuProfDir] : [];
  const logFd = openSync(logFile, "w");
  const child = fork(serverScript, [], { stdio: ["ignore", logFd, "inherit", "ipc"], execArgv });
  closeSync(logFd);
  const waiters = [];
  let exited = false;
  const exitedPromise = new Promise((resolveExit) =>
    child.once("exit", (code, signal) => {
      exited = true;
      for (const waiter of waiters.splice(0))
        waiter.reject(new BenchError(`the server exited (code ${code}, signal ${signal})`));
      resolveExit({ code, signal });
    }),
  );
  child.on("message", (message) => {
    if (message?.type === "error") {
      for (const waiter of waiters.splice(0)) waiter.reject(new BenchError(`the server failed: ${message.message}`));
      return;
    }
    const index = waiters.findIndex((waiter) => waiter.type === message?.type);
    if (index >= 0) waiters.splice(index, 1)[0].resolve(message);
  });
  const expect = (type, timeoutMs = 30_000) =>
    new Promise((resolveMessage, reject) => {
      if (exited) return reject(new BenchError("the server is not running"));
      const timer = setTimeout(() => reject(new BenchError(`the server did not answer "${type}"`)), timeoutMs);
      waiters.push({
        type,
        resolve: (message) => {
          clearTimeout(timer);
          resolveMessage(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  const server = {
    child,
    port: 0,
    async stats() {
      const answer = expect("stats");
      child.send({ type: "stats" });
      return answer;
    },
    async stop() {
      if (exited) return undefined;
      const answer = expect("stopped");
      child.send({ type: "stop" });
      const stats = await answer;
      await exitedPromise;
      return stats;
    },
    /** Kills the server and waits (at most 2 s) until it is gone. */
    async kill() {
      if (exited) return;
      child.kill("SIGKILL");
      await Promise.race([exitedPromise, sleep(2000)]);
    },
  };
  try {
    await expect("ready");
    const listening = expect("listening");
    child.send({ type: "start", certificatePem, topicArn: TOPIC_ARN, logLevel });
    server.port = (await listening).port;
  } catch (error) {
    await server.kill();
    throw error;
  }
  return server;
}

// ---------------------------------------------------------------------------------------------
// Load

/** POSTs one notification; resolves with { status, sentAt, doneAt } or { error }. Never rejects. */
function post(agent, port, request) {
  return new Promise((resolvePost) => {
    const sentAt = performance.now();
    const req = http.request(
      { host: "127.0.0.1", port, path: "/aws/sns", method: "POST", agent, headers: request.headers },
      (res) => {
        res.resume();
        res.on("end", () => resolvePost({ status: res.statusCode, sentAt, doneAt: performance.now() }));
        res.on("error", (error) => resolvePost({ error: error.message, sentAt }));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error("no answer within 15 s (SNS's own timeout)")));
    req.on("error", (error) => resolvePost({ error: error.message, sentAt }));
    req.end(request.body);
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summarize(results) {
  const latencies = [];
  const errors = {};
  let ok = 0;
  let firstSent = Number.POSITIVE_INFINITY;
  let lastDone = 0;
  for (const result of results) {
    firstSent = Math.min(firstSent, result.sentAt);
    if (result.status === 200) {
      ok++;
      latencies.push(result.doneAt - result.sentAt);
      lastDone = Math.max(lastDone, result.doneAt);
    } else {
      const key = result.error ?? `HTTP ${result.status}`;
      errors[key] = (errors[key] ?? 0) + 1;
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    sent: results.length,
    ok,
    errors: results.length - ok,
    errorKinds: errors,
    ackPerSecond: ok > 0 ? ok / ((lastDone - firstSent) / 1000) : 0,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? Number.NaN,
  };
}

/** Sends requests[i] at start + i / rate, whatever happened to earlier ones. */
async function openLoop(port, requests, rate) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const interval = 1000 / rate;
  const pending = new Array(requests.length);
  const lagMs = [];
  const start = performance.now() + 50;
  let next = 0;
  await new Promise((resolveSent) => {
    const tick = () => {
      const now = performance.now();
      while (next < requests.length && start + next * interval <= now) {
        lagMs.push(performance.now() - (start + next * interval));
        pending[next] = post(agent, port, requests[next]);
        next++;
      }
      if (next >= requests.length) return resolveSent();
      setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    setTimeout(tick, 50);
  });
  const results = await Promise.all(pending);
  agent.destroy();
  lagMs.sort((a, b) => a - b);
  const sentOver = (results.at(-1).sentAt - results[0].sentAt) / 1000;
  return {
    ...summarize(results),
    offeredPerSecond: rate,
    sentPerSecond: (results.length - 1) / sentOver,
    sendLagP99Ms: percentile(lagMs, 99),
    sendLagMaxMs: lagMs.at(-1),
  };
}

/** `concurrency` senders, each posting the next request once its previous one is answered. */
async function closedLoop(port, requests, concurrency, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const results = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const sender = async () => {
    while (next < requests.length && performance.now() < deadline) {
      results.push(await post(agent, port, requests[next++]));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  const elapsedS = (performance.now() - started) / 1000;
  agent.destroy();
  const summary = summarize(results);
  return {
    ...summary,
    concurrency,
    seconds: elapsedS,
    notificationsPerSecond: summary.ok / elapsedS,
    ranOutOfNotifications: next >= requests.length && elapsedS < seconds,
  };
}

/** Server-side numbers over a phase: CPU per notification, event-loop delay, GC. */
function serverSide(before, after, parentCpuBefore, wallMs) {
  const notifications = after.notifications - before.notifications;
  const cpuUs = after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
  const parentCpu = process.cpuUsage(parentCpuBefore);
  return {
    notificationsRouted: notifications,
    serverCpuUsPerNotification: notifications > 0 ? cpuUs / notifications : Number.NaN,
    serverCpuCores: cpuUs / 1000 / wallMs,
    generatorCpuCores: (parentCpu.user + parentCpu.system) / 1000 / wallMs,
    serverLoopDelayP99Ms: after.loopDelayP99Ms,
    serverLoopDelayMaxMs: after.loopDelayMaxMs,
    serverGcMs: after.gcMs,
    serverGcMaxPauseMs: after.gcMaxMs,
    serverRssMiB: after.rssBytes / 1_048_576,
  };
}

/** Busy CPU time of the whole machine so far, in ms (Linux /proc/stat), or undefined elsewhere. */
function machineBusyMs() {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return ((total - idle) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Waits (at most `maxWaitMs`) until the rest of the machine has used under 0.25 cores for half a
 * second, so a phase does not start in the middle of someone else's build. Returns the wait in ms.
 */
async function waitForQuiet(server = undefined, maxWaitMs = 30_000) {
  const started = performance.now();
  for (;;) {
    const before = await server?.stats();
    const parentCpu = process.cpuUsage();
    const machineBefore = machineBusyMs();
    if (machineBefore === undefined) return 0;
    const t0 = performance.now();
    await sleep(500);
    const wallMs = performance.now() - t0;
    const after = await server?.stats();
    const parentCores = ((c) => (c.user + c.system) / 1000 / wallMs)(process.cpuUsage(parentCpu));
    const serverCores = before && after ? serverSide(before, after, parentCpu, wallMs).serverCpuCores : 0;
    const others = (machineBusyMs() - machineBefore) / wallMs - serverCores - parentCores;
    const waited = performance.now() - started;
    if (others < 0.25 || waited >= maxWaitMs) return Math.round(waited);
  }
}

async function measured(server, phase) {
  const quietWaitMs = await waitForQuiet(server);
  const before = await server.stats();
  const parentCpu = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const started = performance.now();
  const load = await phase();
  const wallMs = performance.now() - started;
  const machineAfter = machineBusyMs();
  const sides = serverSide(before, await server.stats(), parentCpu, wallMs);
  // Anything else running on the machine competes for the same cores and spoils the numbers.
  const otherCpuCores =
    machineBefore === undefined || machineAfter === undefined
      ? Number.NaN
      : Math.max(0, (machineAfter - machineBefore) / wallMs - sides.serverCpuCores - sides.generatorCpuCores);
  await sleep(100); // let the counting router see the last acknowledged notifications
  return { ...load, ...sides, otherCpuCores, quietWaitMs };
}

// ---------------------------------------------------------------------------------------------
// In-process costs (no HTTP): what one notification's verification costs on this machine.

async function inProcessCosts(identity, signer) {
  const { SnsSignatureVerifier } = await import(
    pathToFileURL(join(distDir, "intake/sns/sns-signature-verifier.js")).href
  );
  const verifier = new SnsSignatureVerifier({ fetcher: { fetchCertificate: async () => identity.certificatePem } });
  const envelopes = Array.from({ length: 2000 }, () => signer.envelope());
  const bodies = envelopes.map((envelope) => JSON.stringify(envelope));
  const { X509Certificate } = await import("node:crypto");
  const publicKey = new X509Certificate(identity.certificatePem).publicKey;
  const timeEach = async (fn) => {
    for (let i = 0; i < 200; i++) await fn(i); // warm-up
    const started = performance.now();
    for (let i = 0; i < envelopes.length; i++) await fn(i);
    return ((performance.now() - started) * 1000) / envelopes.length;
  };
  return {
    jsonParseUs: await timeEach((i) => JSON.parse(bodies[i])),
    rsaVerifyUs: await timeEach((i) =>
      verify(
        "sha256",
        Buffer.from(stringToSign(envelopes[i]), "utf8"),
        publicKey,
        Buffer.from(envelopes[i].Signature, "base64"),
      ),
    ),
    verifierUs: await timeEach((i) => verifier.verify(envelopes[i])),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = {
  ms: (v) => (Number.isNaN(v) ? "—" : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`),
  us: (v) => (Number.isNaN(v) ? "—" : `${Math.round(v)} µs`),
  rate: (v) => (Number.isNaN(v) ? "—" : `${v >= 1000 ? Math.round(v).toLocaleString("en-US") : v.toFixed(1)}/s`),
  n: (v) => (Number.isNaN(v) ? "—" : String(Math.round(v * 100) / 100)),
};

// Where the server's busy (non-idle) CPU time went: the top functions by self time, and the same
// samples grouped by what they were doing (the nearest caller that says so).
const PROFILE_CATEGORIES = [
  ["logging (pino)", /\/(pino|sonic-boom|thread-stream)\//],
  ["signature check", /sns-signature-verifier|string-to-sign|signing-certificate-url|node:internal\/crypto/],
  ["SNS intake (parse, checks)", /sns-endpoint\.js/],
  ["HTTP server (node:http, net)", /node:_http|node:net|node:internal\/streams|node:stream/],
  ["ops-bot server", /ops-bot-server\.js/],
];

function summarizeCpuProfile(dir) {
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  if (!file) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8"));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  const categories = new Map();
  let busyUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const leaf = byId.get(profile.samples[i]);
    const us = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = leaf.callFrame;
    if (functionName === "(idle)") continue;
    busyUs += us;
    const where = url
      ? ` ${url
          .replace(/^.*\/node_modules\//, "")
          .split("/")
          .slice(-2)
          .join("/")}:${lineNumber + 1}`
      : "";
    const key = `${functionName || "(anonymous)"}${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
    let category = functionName === "(garbage collector)" ? "garbage collector" : undefined;
    if (!category && !url && (functionName === "parse" || functionName === "stringify")) category = "JSON";
    for (let node = leaf; !category && node; node = byId.get(parent.get(node.id))) {
      category = PROFILE_CATEGORIES.find(([, pattern]) => pattern.test(node.callFrame.url))?.[0];
    }
    category ??= "other";
    categories.set(category, (categories.get(category) ?? 0) + us);
  }
  const rank = (map, limit) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), shareOfBusy: us / busyUs }));
  return {
    file: join(dir, file),
    busyMs: Math.round(busyUs / 1000),
    categories: rank(categories, 20),
    functions: rank(self, 15),
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const runs = intEnv("SNS_BENCH_RUNS", 3, 1, 20);
  const rate = intEnv("SNS_BENCH_RATE", 200, 1, 20_000);
  const openSeconds = intEnv("SNS_BENCH_OPEN_S", 10, 1, 120);
  const closedSeconds = intEnv("SNS_BENCH_CLOSED_S", 5, 1, 120);
  const concurrency = intEnv("SNS_BENCH_CONCURRENCY", 32, 1, 1024);
  const logLevel = process.env.SNS_BENCH_LOG_LEVEL || "info";
  const cpuProf = process.env.SNS_BENCH_CPU_PROF === "1";

  for (const file of [
    "server/ops-bot-server.js",
    "intake/sns/sns-signature-verifier.js",
    "intake/sns/string-to-sign.js",
  ]) {
    if (!existsSync(join(distDir, file))) {
      throw new BenchError(
        `${relative(process.cwd(), join(distDir, file))} is missing: build first with \`pnpm --filter @phoenix/ops-bot build\``,
      );
    }
  }
  const srcNewest = newestMtime(join(packageDir, "src"));
  const distNewest = newestMtime(distDir);
  if (srcNewest > distNewest) {
    process.stderr.write("warning: src/ has changes newer than dist/; the bench measures dist/ (rebuild?)\n");
  }

  const benchStarted = Date.now();
  const tmp = mkdtempSync(join(os.tmpdir(), "sns-bench-"));
  const logFile = join(tmp, "server.log");
  const cpuProfDir = cpuProf ? join(tmp, "cpu-prof") : undefined;
  let server;
  const stopOnSignal = (signal) => {
    process.stderr.write(`\n${signal}: stopping the server\n`);
    if (!cpuProf) rmSync(tmp, { recursive: true, force: true });
    Promise.resolve(server?.kill()).finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  try {
    const log = (text) => process.stdout.write(`${text}\n`);
    log(`SNS endpoint bench: ${runs} x (open loop ${rate}/s for ${openSeconds} s, closed loop ${concurrency}`);
    log(`concurrent for ${closedSeconds} s); server logging at "${logLevel}".`);
    log("The router is a counting double: this measures intake (verify, allowlist, acknowledge), not the");
    log("GitHub work that runs after the acknowledgement.");

    const identity = await createSigningIdentity();
    ({ buildStringToSign } = await import(pathToFileURL(join(distDir, "intake/sns/string-to-sign.js")).href));
    const signer = makeSigner(identity);

    server = await startServer({ certificatePem: identity.certificatePem, logLevel, logFile, cpuProfDir });
    log(`server pid ${server.child.pid} on 127.0.0.1:${server.port}`);

    // Warm-up (JIT, certificate cache, sockets) and calibration of the closed-loop pool.
    // The pool grows with the fastest closed-loop rate seen, so a run does not run out of
    // pre-signed notifications (if one does, its rate is over the shorter time, and it says so).
    const warmup = await closedLoop(server.port, signer.requests(6000), concurrency, 2);
    if (warmup.errors > 0) throw new BenchError(`warm-up: ${JSON.stringify(warmup.errorKinds)}`);
    const poolFor = (perSecond) => Math.min(300_000, Math.ceil(perSecond * closedSeconds * 1.4) + 1000);
    let poolSize = poolFor(warmup.notificationsPerSecond * 2);
    const idleBefore = await server.stats();
    const idleParentCpu = process.cpuUsage();
    await sleep(1000);
    const idle = serverSide(idleBefore, await server.stats(), idleParentCpu, 1000);
    log(
      `warm-up: ${fmt.rate(warmup.notificationsPerSecond)}; idle server afterwards: ${fmt.n(idle.serverCpuCores)} cores`,
    );

    const openRuns = [];
    const closedRuns = [];
    for (let run = 1; run <= runs; run++) {
      const openRequests = signer.requests(rate * openSeconds);
      const open = await measured(server, () => openLoop(server.port, openRequests, rate));
      openRuns.push(open);
      log(
        `run ${run} open:   p50 ${fmt.ms(open.p50Ms)} p90 ${fmt.ms(open.p90Ms)} p99 ${fmt.ms(open.p99Ms)} max ${fmt.ms(open.maxMs)}, ${fmt.rate(open.ackPerSecond)} acknowledged, ${open.errors} errors, server ${fmt.us(open.serverCpuUsPerNotification)} CPU/notification, other processes ${fmt.n(open.otherCpuCores)} cores${open.quietWaitMs > 600 ? ` (waited ${fmt.n(open.quietWaitMs / 1000)} s for quiet)` : ""}`,
      );
      const closedRequests = signer.requests(poolSize);
      const closed = await measured(server, () => closedLoop(server.port, closedRequests, concurrency, closedSeconds));
      closedRuns.push(closed);
      poolSize = Math.max(poolSize, poolFor(closed.notificationsPerSecond));
      log(
        `run ${run} closed: ${fmt.rate(closed.notificationsPerSecond)}, p50 ${fmt.ms(closed.p50Ms)} p99 ${fmt.ms(closed.p99Ms)}, ${closed.errors} errors, server ${fmt.n(closed.serverCpuCores)} cores, generator ${fmt.n(closed.generatorCpuCores)} cores, other processes ${fmt.n(closed.otherCpuCores)} cores${closed.quietWaitMs > 600 ? ` (waited ${fmt.n(closed.quietWaitMs / 1000)} s for quiet)` : ""}${closed.ranOutOfNotifications ? " (ran out of pre-signed notifications: rate over the shorter time)" : ""}`,
      );
    }

    const stopped = await server.stop();
    server = undefined;
    await waitForQuiet();
    const costs = await inProcessCosts(identity, signer);
    log(
      `in-process: JSON.parse ${fmt.us(costs.jsonParseUs)}, RSA-2048 verify ${fmt.us(costs.rsaVerifyUs)}, SnsSignatureVerifier.verify ${fmt.us(costs.verifierUs)} per notification`,
    );
    const logText = readFileSync(logFile, "utf8");
    const logLines = logText === "" ? 0 : logText.trimEnd().split("\n").length;
    const acknowledged = warmup.ok + openRuns.reduce((a, r) => a + r.ok, 0) + closedRuns.reduce((a, r) => a + r.ok, 0);

    const med = (list, key) => median(list.map((r) => r[key]));
    const medians = {
      open: Object.fromEntries(
        [
          "p50Ms",
          "p90Ms",
          "p99Ms",
          "maxMs",
          "ackPerSecond",
          "sentPerSecond",
          "errors",
          "sendLagP99Ms",
          "serverCpuUsPerNotification",
          "serverCpuCores",
          "serverLoopDelayP99Ms",
          "serverLoopDelayMaxMs",
          "serverGcMaxPauseMs",
          "otherCpuCores",
        ].map((key) => [key, med(openRuns, key)]),
      ),
      closed: Object.fromEntries(
        [
          "notificationsPerSecond",
          "p50Ms",
          "p99Ms",
          "errors",
          "serverCpuUsPerNotification",
          "serverCpuCores",
          "generatorCpuCores",
          "otherCpuCores",
        ].map((key) => [key, med(closedRuns, key)]),
      ),
    };
    const p99Pass = medians.open.p99Ms <= TARGET_P99_MS;
    const ratePass = medians.open.ackPerSecond >= rate * TARGET_RATE_SHARE;
    const targetPass = p99Pass && ratePass && medians.open.errors === 0;
    const passText = (pass) => (pass ? "PASS" : "FAIL");

    const rows = [
      {
        metric: `open loop p99 acknowledge @ ${rate}/s`,
        value: fmt.ms(medians.open.p99Ms),
        target: `<= ${TARGET_P99_MS} ms`,
        pass: passText(p99Pass),
      },
      {
        metric: "open loop acknowledged rate",
        value: fmt.rate(medians.open.ackPerSecond),
        target: `>= ${fmt.rate(rate * TARGET_RATE_SHARE)}`,
        pass: passText(ratePass),
      },
      {
        metric: "open loop errors (non-200, no answer)",
        value: fmt.n(medians.open.errors),
        target: "0",
        pass: passText(medians.open.errors === 0),
      },
      {
        metric: "open loop p50 / p90 acknowledge",
        value: `${fmt.ms(medians.open.p50Ms)} / ${fmt.ms(medians.open.p90Ms)}`,
      },
      { metric: "open loop max acknowledge", value: fmt.ms(medians.open.maxMs) },
      {
        metric: `closed loop notifications/s (${concurrency} concurrent)`,
        value: fmt.rate(medians.closed.notificationsPerSecond),
      },
      {
        metric: "closed loop p50 / p99 acknowledge",
        value: `${fmt.ms(medians.closed.p50Ms)} / ${fmt.ms(medians.closed.p99Ms)}`,
      },
      {
        metric: "server CPU per notification (open / closed)",
        value: `${fmt.us(medians.open.serverCpuUsPerNotification)} / ${fmt.us(medians.closed.serverCpuUsPerNotification)}`,
      },
      {
        metric: "server CPU, cores busy (open / closed / idle)",
        value: `${fmt.n(medians.open.serverCpuCores)} / ${fmt.n(medians.closed.serverCpuCores)} / ${fmt.n(idle.serverCpuCores)}`,
      },
      {
        metric: "other processes' CPU, cores (open / closed)",
        value: `${fmt.n(medians.open.otherCpuCores)} / ${fmt.n(medians.closed.otherCpuCores)}`,
      },
      { metric: "server event-loop delay p99 (open loop)", value: fmt.ms(medians.open.serverLoopDelayP99Ms) },
      { metric: "in-process SnsSignatureVerifier.verify", value: fmt.us(costs.verifierUs) },
      { metric: "in-process RSA-2048 SHA-256 verify alone", value: fmt.us(costs.rsaVerifyUs) },
    ];
    const table = metricsTable(rows);
    const machine = machineDescription();
    const date = new Date(benchStarted).toISOString();
    const profile = cpuProfDir ? summarizeCpuProfile(cpuProfDir) : undefined;

    const results = {
      date,
      node: process.version,
      machine,
      config: {
        runs,
        rate,
        openSeconds,
        closedSeconds,
        concurrency,
        serverLogLevel: logLevel,
        router: "counting double (intake only; GitHub work after the acknowledgement not measured)",
        signatureVersion: "2",
        topicArn: TOPIC_ARN,
      },
      target: {
        description: `p99 acknowledge <= ${TARGET_P99_MS} ms at ${rate} notifications/s (acknowledged rate >= ${TARGET_RATE_SHARE * 100} % of offered, no errors)`,
        pass: targetPass,
      },
      medians,
      inProcessUs: costs,
      serverIdleCpuCores: idle.serverCpuCores,
      warmup,
      runs: { open: openRuns, closed: closedRuns },
      server: {
        certificateFetches: stopped?.fetches,
        notificationsRouted: stopped?.notifications,
        notificationsAcknowledged: acknowledged,
        logLines,
        logBytesPerNotification: acknowledged > 0 ? Buffer.byteLength(logText) / acknowledged : 0,
      },
      ...(profile ? { cpuProfileTop: profile } : {}),
      benchSeconds: Math.round((Date.now() - benchStarted) / 1000),
    };
    writeFileSync(join(benchDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    const busiest = Math.max(
      ...[...openRuns, ...closedRuns].map((r) => r.otherCpuCores).filter((v) => !Number.isNaN(v)),
      0,
    );
    const noise =
      busiest >= 0.25
        ? `Warning: other processes used up to ${fmt.n(busiest)} cores during a measured phase; the numbers may be spoiled.`
        : undefined;
    const markdown = [
      `# SNS endpoint bench`,
      "",
      `${date}: ${machine.cpu}, ${machine.cores} cores, Node ${process.version}; medians of ${runs} runs; server in its own process, logging at "${logLevel}"; router is a counting double (intake only, the GitHub work after the acknowledgement is not measured).`,
      "",
      `Target: p99 acknowledge <= ${TARGET_P99_MS} ms at ${rate} notifications/s: **${passText(targetPass)}**.`,
      "",
      ...(noise ? [noise, ""] : []),
      table,
      "",
      `Server: ${stopped?.fetches} certificate fetch(es), ${stopped?.notifications} notifications routed of ${acknowledged} acknowledged, ${logLines} log lines (${Math.round(results.server.logBytesPerNotification)} bytes per notification).`,
      "",
    ].join("\n");
    writeFileSync(join(benchDir, "results.md"), markdown);

    log("");
    log(table);
    log("");
    log(`target (p99 <= ${TARGET_P99_MS} ms at ${rate}/s): ${passText(targetPass)}`);
    if (noise) log(noise);
    log(
      `server: ${stopped?.fetches} certificate fetch(es); ${stopped?.notifications} of ${acknowledged} acknowledged notifications reached the router; ${logLines} log lines`,
    );
    if (profile) {
      log(`\nserver CPU profile (${profile.file}), ${profile.busyMs} ms busy, whole bench incl. warm-up:`);
      const line = (entry) =>
        log(
          `  ${String(entry.selfMs).padStart(6)} ms ${(entry.shareOfBusy * 100).toFixed(1).padStart(5)} %  ${entry.name}`,
        );
      profile.categories.forEach(line);
      log("  top functions by self time:");
      profile.functions.forEach(line);
    }
    log(`\nwrote ${relative(process.cwd(), join(benchDir, "results.json"))} and results.md`);

    const problems = [];
    const failed = [warmup, ...openRuns, ...closedRuns].filter((r) => r.errors > 0);
    if (failed.length > 0)
      problems.push(
        `notifications not acknowledged with 200: ${failed.map((r) => JSON.stringify(r.errorKinds)).join(", ")}`,
      );
    if (stopped?.notifications !== acknowledged)
      problems.push(`${acknowledged} acknowledged but ${stopped?.notifications} reached the router`);
    if (stopped?.fetches !== 1) problems.push(`expected 1 certificate fetch, saw ${stopped?.fetches}`);
    if (problems.length > 0) throw new BenchError(problems.join("; "));
  } finally {
    await server?.kill();
    if (!cpuProf) rmSync(tmp, { recursive: true, force: true });
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

main().catch((error) => {
  process.stderr.write(`sns bench: ${error instanceof BenchError ? error.message : (error?.stack ?? error)}\n`);
  process.exit(1);
});
