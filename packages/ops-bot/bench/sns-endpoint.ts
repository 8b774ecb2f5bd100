// SNS endpoint benchmark: notifications/s through `POST /aws/sns` with signature verification
// on, and the time to acknowledge (request sent → 200 received).
// Issue target: p99 acknowledge <= 50 ms at 200 notifications/s.
//
//   pnpm --filter @phoenix/ops-bot build && pnpm --filter @phoenix/ops-bot bench     (~2 min)
//
// The server is the built one (createOpsBotServer from @phoenix/ops-bot's public entry), in a
// child process (bench/sns-server.ts) so the load generator does not share its event loop. It
// runs the real SnsSignatureVerifier (certificate served by a fetcher double: the bench's own
// test certificate), the topic allowlist, production-style pino logging (to a temporary file) and
// a router double that only counts: the bench measures intake, the GitHub work after the
// acknowledgement is not part of it. Everything stays on 127.0.0.1.
//
// Notifications (bench/notifications.ts): SNS HTTP envelopes (SignatureVersion 2, SHA256withRSA)
// carrying the CloudWatch alarm message of
// test/fixtures/aws-events/cloudwatch-alarm-sns-message-phoenix-cpu-high.json, each with a fresh
// MessageId, signed with an `openssl req -x509 -newkey rsa:2048` identity made for the run by
// test/support/sns-test-signer.ts. All are signed (and serialized) before the phase that sends
// them; signing never overlaps a measurement.
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
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  BenchError,
  benchPaths,
  importBuilt,
  intEnv,
  listFiles,
  machineDescription,
  writeResults,
} from "@phoenix/bench-kit";
import { type CpuProfileSummary, type ProfileEntry, summarizeCpuProfile } from "./cpu-profile.js";
import { inProcessCosts } from "./in-process-costs.js";
import { closedLoop, openLoop } from "./load.js";
import { measured, serverSide, waitForQuiet } from "./measurement.js";
import { benchSigningIdentity, notificationSigner, TOPIC_ARN } from "./notifications.js";
import {
  type ClosedRun,
  fmt,
  noiseWarning,
  type OpenRun,
  passText,
  resultsMarkdown,
  resultsTable,
  runMedians,
  TARGET_P99_MS,
  TARGET_RATE_SHARE,
  targetVerdict,
} from "./report.js";
import { type BenchServer, startServer } from "./server-process.js";

const { benchDir, packageDir } = benchPaths(import.meta.url);

const newestMtime = (dir: string) => Math.max(0, ...listFiles(dir).map((file) => statSync(file).mtimeMs));

async function main(): Promise<void> {
  const runs = intEnv("SNS_BENCH_RUNS", 3, 1, 20);
  const rate = intEnv("SNS_BENCH_RATE", 200, 1, 20_000);
  const openSeconds = intEnv("SNS_BENCH_OPEN_S", 10, 1, 120);
  const closedSeconds = intEnv("SNS_BENCH_CLOSED_S", 5, 1, 120);
  const concurrency = intEnv("SNS_BENCH_CONCURRENCY", 32, 1, 1024);
  const logLevel = process.env.SNS_BENCH_LOG_LEVEL || "info";
  const cpuProf = process.env.SNS_BENCH_CPU_PROF === "1";

  const { SnsSignatureVerifier } = await importBuilt("@phoenix/ops-bot", () => import("@phoenix/ops-bot"));
  if (newestMtime(join(packageDir, "src")) > newestMtime(join(packageDir, "dist"))) {
    process.stderr.write("warning: src/ has changes newer than dist/; the bench measures dist/ (rebuild?)\n");
  }

  const benchStarted = Date.now();
  const tmp = mkdtempSync(join(os.tmpdir(), "sns-bench-"));
  const logFile = join(tmp, "server.log");
  const cpuProfDir = cpuProf ? join(tmp, "cpu-prof") : undefined;
  let server: BenchServer | undefined;
  const stopOnSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the server\n`);
    if (!cpuProf) rmSync(tmp, { recursive: true, force: true });
    void Promise.resolve(server?.kill()).finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  try {
    const log = (text: string) => process.stdout.write(`${text}\n`);
    log(`SNS endpoint bench: ${runs} x (open loop ${rate}/s for ${openSeconds} s, closed loop ${concurrency}`);
    log(`concurrent for ${closedSeconds} s); server logging at "${logLevel}".`);
    log("The router is a counting double: this measures intake (verify, allowlist, acknowledge), not the");
    log("GitHub work that runs after the acknowledgement.");

    const identity = await benchSigningIdentity();
    const signer = notificationSigner(identity);

    const started = await startServer({
      certificatePem: identity.certificatePem,
      topicArn: TOPIC_ARN,
      logLevel,
      logFile,
      cpuProfDir,
    });
    server = started;
    log(`server pid ${started.child.pid} on 127.0.0.1:${started.port}`);

    // Warm-up (JIT, certificate cache, sockets) and calibration of the closed-loop pool.
    // The pool grows with the fastest closed-loop rate seen, so a run does not run out of
    // pre-signed notifications (if one does, its rate is over the shorter time, and it says so).
    const warmup = await closedLoop(started.port, signer.requests(6000), concurrency, 2);
    if (warmup.errors > 0) throw new BenchError(`warm-up: ${JSON.stringify(warmup.errorKinds)}`);
    const poolFor = (perSecond: number) => Math.min(300_000, Math.ceil(perSecond * closedSeconds * 1.4) + 1000);
    let poolSize = poolFor(warmup.notificationsPerSecond * 2);
    const idleBefore = await started.stats();
    const idleParentCpu = process.cpuUsage();
    await sleep(1000);
    const idle = serverSide(idleBefore, await started.stats(), idleParentCpu, 1000);
    log(
      `warm-up: ${fmt.rate(warmup.notificationsPerSecond)}; idle server afterwards: ${fmt.n(idle.serverCpuCores)} cores`,
    );

    const quietNote = (waitedMs: number) => (waitedMs > 600 ? ` (waited ${fmt.n(waitedMs / 1000)} s for quiet)` : "");
    const openRuns: OpenRun[] = [];
    const closedRuns: ClosedRun[] = [];
    for (let run = 1; run <= runs; run++) {
      const openRequests = signer.requests(rate * openSeconds);
      const open = await measured(started, () => openLoop(started.port, openRequests, rate));
      openRuns.push(open);
      log(
        `run ${run} open:   p50 ${fmt.ms(open.p50Ms)} p90 ${fmt.ms(open.p90Ms)} p99 ${fmt.ms(open.p99Ms)} max ${fmt.ms(open.maxMs)}, ${fmt.rate(open.ackPerSecond)} acknowledged, ${open.errors} errors, server ${fmt.us(open.serverCpuUsPerNotification)} CPU/notification, other processes ${fmt.n(open.otherCpuCores)} cores${quietNote(open.quietWaitMs)}`,
      );
      const closedRequests = signer.requests(poolSize);
      const closed = await measured(started, () =>
        closedLoop(started.port, closedRequests, concurrency, closedSeconds),
      );
      closedRuns.push(closed);
      poolSize = Math.max(poolSize, poolFor(closed.notificationsPerSecond));
      log(
        `run ${run} closed: ${fmt.rate(closed.notificationsPerSecond)}, p50 ${fmt.ms(closed.p50Ms)} p99 ${fmt.ms(closed.p99Ms)}, ${closed.errors} errors, server ${fmt.n(closed.serverCpuCores)} cores, generator ${fmt.n(closed.generatorCpuCores)} cores, other processes ${fmt.n(closed.otherCpuCores)} cores${quietNote(closed.quietWaitMs)}${closed.ranOutOfNotifications ? " (ran out of pre-signed notifications: rate over the shorter time)" : ""}`,
      );
    }

    const stopped = await started.stop();
    server = undefined;
    await waitForQuiet();
    const costs = await inProcessCosts(SnsSignatureVerifier, identity, signer);
    log(
      `in-process: JSON.parse ${fmt.us(costs.jsonParseUs)}, RSA-2048 verify ${fmt.us(costs.rsaVerifyUs)}, SnsSignatureVerifier.verify ${fmt.us(costs.verifierUs)} per notification`,
    );
    const logText = readFileSync(logFile, "utf8");
    const logLines = logText === "" ? 0 : logText.trimEnd().split("\n").length;
    const acknowledged = warmup.ok + openRuns.reduce((a, r) => a + r.ok, 0) + closedRuns.reduce((a, r) => a + r.ok, 0);

    const medians = runMedians(openRuns, closedRuns);
    const verdict = targetVerdict(medians, rate);
    const table = resultsTable({
      medians,
      verdict,
      rate,
      concurrency,
      idleServerCpuCores: idle.serverCpuCores,
      costs,
    });
    const machine = machineDescription();
    const date = new Date(benchStarted).toISOString();
    const profile = cpuProfDir ? summarizeCpuProfile(cpuProfDir) : undefined;
    const serverSummary = {
      certificateFetches: stopped?.fetches,
      notificationsRouted: stopped?.notifications,
      notificationsAcknowledged: acknowledged,
      logLines,
      logBytesPerNotification: acknowledged > 0 ? Buffer.byteLength(logText) / acknowledged : 0,
    };

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
        pass: verdict.pass,
      },
      medians,
      inProcessUs: costs,
      serverIdleCpuCores: idle.serverCpuCores,
      warmup,
      runs: { open: openRuns, closed: closedRuns },
      server: serverSummary,
      ...(profile ? { cpuProfileTop: profile } : {}),
      benchSeconds: Math.round((Date.now() - benchStarted) / 1000),
    };
    const noise = noiseWarning([...openRuns, ...closedRuns]);
    const markdown = resultsMarkdown({
      date,
      machine,
      runs,
      rate,
      logLevel,
      verdict,
      noise,
      table,
      server: {
        fetches: stopped?.fetches,
        notifications: stopped?.notifications,
        acknowledged,
        logLines,
        logBytesPerNotification: serverSummary.logBytesPerNotification,
      },
    });
    const resultsFile = writeResults(benchDir, results, markdown);

    log("");
    log(table);
    log("");
    log(`target (p99 <= ${TARGET_P99_MS} ms at ${rate}/s): ${passText(verdict.pass)}`);
    if (noise) log(noise);
    log(
      `server: ${stopped?.fetches} certificate fetch(es); ${stopped?.notifications} of ${acknowledged} acknowledged notifications reached the router; ${logLines} log lines`,
    );
    if (profile) printProfile(profile, log);
    log(`\nwrote ${relative(process.cwd(), resultsFile)} and results.md`);

    const problems: string[] = [];
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

function printProfile(profile: CpuProfileSummary, log: (text: string) => void): void {
  log(`\nserver CPU profile (${profile.file}), ${profile.busyMs} ms busy, whole bench incl. warm-up:`);
  const line = (entry: ProfileEntry) =>
    log(
      `  ${String(entry.selfMs).padStart(6)} ms ${(entry.shareOfBusy * 100).toFixed(1).padStart(5)} %  ${entry.name}`,
    );
  profile.categories.forEach(line);
  log("  top functions by self time:");
  profile.functions.forEach(line);
}

main().catch((error: unknown) => {
  const text = error instanceof BenchError ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`sns bench: ${text}\n`);
  process.exit(1);
});
