#!/usr/bin/env node
// App benchmark: the built app (dist/main.js) started as in production, on the Node release of
// its production image, with request logging to a MongoDB-compatible database, measured by
// autocannon load generators that each run in their own process (bench/load-client.mjs). All
// traffic stays on 127.0.0.1.
//
//   scripts/test-services.sh up && . .test-services/env && pnpm --filter @phoenix/app build
//   pnpm --filter @phoenix/app bench          (about 4 minutes: keygen capacity + 4 configs)
//
// Runtimes: "image" is the Node the Dockerfile pins (ARG NODE_VERSION), which
// scripts/test-services.sh installs and exports as PHOENIX_PRODUCTION_NODE_BIN; "host" is the
// Node running this script. The load generators always run on the host's Node.
//
// The app gets NODE_ENV=production, HOST=127.0.0.1, a free PORT, and its stdout (one JSON line per
// request) goes to a temporary file, removed at the end.
// Database: PHOENIX_BENCH_MONGODB_URL, else PHOENIX_TEST_MONGODB_URL (scripts/test-services.sh up
// writes the latter to .test-services/env). Without a database name in the URL, a fresh
// `phoenix_bench_<stamp>` database is used and dropped at the end.
// Knobs: PHOENIX_BENCH_RUNS (3), PHOENIX_BENCH_DURATION_S (5). CERT_QUEUE_LIMIT,
// CERT_QUEUE_TIMEOUT_MS, LOG_LEVEL, REQUEST_LOG_BUFFER_LIMIT and UV_THREADPOOL_SIZE are passed to
// the app when set (and recorded).
// Configs: PHOENIX_BENCH_CERT_CONCURRENCY, a comma list of `[runtime:]concurrency`, where runtime
// is `image` (the default) or `host` and concurrency a whole number or `default` (= CERT_CONCURRENCY
// not set: the app's default, cores - 1). Without it (and without CERT_CONCURRENCY) the list is
// `default,2,host:default,host:2`; `default` alone runs one config. (CERT_CONCURRENCY=N without
// the list runs that one config on the image's Node.)
// Each config gets a fresh app and the full scenario set below; the first config in the list gets
// the detailed table with targets, every config a row in the trade-off table.
//
// Machine capacity, per runtime, in its own process (bench/keygen-capacity.mjs) with nothing else
// running, before the first config and after the last: RSA-2048 generateKeyPair, 1 and 2 in
// flight, PHOENIX_BENCH_KEYGEN_S (5) each. The peak keys/s of both together is the yardstick for
// /generatecert completions on that runtime ("% of machine peak").
//
// Scenarios, each repeated PHOENIX_BENCH_RUNS times, idle and saturated interleaved; medians reported:
//   idle:      GET /            10 connections, as fast as they go
//   saturated: GET /generatecert 4 clients, each sequential (next request when the previous one
//                                completes, 503s included, no back-off)
//              GET /            10 connections, as fast as they go          } all three at once,
//              GET /health      1 connection at a fixed 50 req/s (a probe)  } one process each
// Other work on the machine spoils the numbers: the bench waits for quiet before each phase and,
// per run, counts the CPU used by anything but the app, the generators and the local DB server
// ("everything else"); results.md opens with a warning when either shows other work.
// Output: bench/results.json (keygen capacity; per config: raw runs, medians, targets),
// bench/results.md and the same tables on stdout. A missed target is reported, not an error:
// the exit code is non-zero only on errors.
import { execFileSync, fork, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { BenchError, intEnv, median } from "../../../scripts/bench-kit.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(benchDir, "..");
const mainScript = join(appDir, "dist", "main.js");
const clientScript = join(benchDir, "load-client.mjs");
const keygenScript = join(benchDir, "keygen-capacity.mjs");

// CERT_CONCURRENCY is set per config (see certConcurrencyConfigs), not passed through.
const APP_KNOBS = [
  "CERT_QUEUE_LIMIT",
  "CERT_QUEUE_TIMEOUT_MS",
  "LOG_LEVEL",
  "REQUEST_LOG_BUFFER_LIMIT",
  "UV_THREADPOOL_SIZE",
];

const TARGETS = {
  idleRootRps: { op: ">=", value: 5000 },
  saturatedRootRatio: { op: ">=", value: 0.5 },
  saturatedHealthP99Ms: { op: "<=", value: 25 },
  certOkPerS: { op: ">=", value: 6 },
};

const DEFAULT_SWEEP = "default,2,host:default,host:2";
/** What the app does without CERT_CONCURRENCY (src/config.ts): one core left to the event loop. */
const appDefaultCertConcurrency = () => Math.max(1, os.availableParallelism() - 1);

/** The Node binaries a config can run the app on; "image" is what production runs. */
function runtimeBinary(name) {
  if (name === "host") return process.execPath;
  const binary = process.env.PHOENIX_PRODUCTION_NODE_BIN;
  if (!binary || !existsSync(binary)) {
    throw new BenchError(
      "PHOENIX_PRODUCTION_NODE_BIN does not name the production image's Node: " +
        "scripts/test-services.sh up installs it (then . .test-services/env), or run ./dev bench",
    );
  }
  return binary;
}

/** { name, binary, node, openssl } for each runtime name, asked of the binary itself. */
function describeRuntimes(names) {
  return Object.fromEntries(
    [...new Set(names)].map((name) => {
      const binary = runtimeBinary(name);
      const script =
        "process.stdout.write(JSON.stringify({ node: process.version, openssl: process.versions.openssl }))";
      const versions = JSON.parse(execFileSync(binary, ["-e", script], { encoding: "utf8" }));
      return [name, { name, binary, ...versions }];
    }),
  );
}

/**
 * The configs to bench, in order: { label, runtime, value, effective } (value undefined = CERT_CONCURRENCY
 * not set). A label without a runtime prefix runs on the image's Node.
 */
function certConcurrencyConfigs() {
  const sweep = process.env.PHOENIX_BENCH_CERT_CONCURRENCY?.trim();
  const inherited = process.env.CERT_CONCURRENCY?.trim();
  const list = sweep || inherited || DEFAULT_SWEEP;
  const name = sweep ? "PHOENIX_BENCH_CERT_CONCURRENCY" : inherited ? "CERT_CONCURRENCY" : "the default sweep";
  if (sweep && inherited)
    log(`CERT_CONCURRENCY=${inherited} is ignored: PHOENIX_BENCH_CERT_CONCURRENCY sets it per config`);
  const tokens = list.split(",").map((token) => token.trim());
  if (tokens.length > 6) throw new BenchError(`${name}: at most 6 configs (each takes ~40 s), got ${tokens.length}`);
  const configs = tokens.map((token) => {
    const [, runtime = "image", concurrency = ""] = /^(?:(image|host):)?(.*)$/.exec(token) ?? [];
    if (concurrency === "default") {
      return { label: token, runtime, value: undefined, effective: appDefaultCertConcurrency() };
    }
    const value = Number(concurrency);
    if (!/^\d+$/.test(concurrency) || value < 1 || value > 64) {
      throw new BenchError(
        `${name}: "${token}" is not [image:|host:] followed by "default" or a whole number in 1..64 (list: "${list}")`,
      );
    }
    return { label: token, runtime, value, effective: value };
  });
  return configs;
}

// --- everything started here, so that every exit path can stop it -------------------------
const state = {
  app: undefined,
  clients: new Set(),
  tmpDir: undefined,
  db: undefined,
  cleaning: undefined,
  interrupted: false,
};

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

// --- preflight --------------------------------------------------------------------------------
function preflight() {
  if (!existsSync(mainScript)) {
    throw new BenchError(
      `${mainScript} does not exist: build the app first (cd packages/phoenix-app && pnpm build). The bench builds nothing.`,
    );
  }
  const builtAt = statSync(mainScript).mtimeMs;
  const newer = listFiles(join(appDir, "src")).filter((file) => statSync(file).mtimeMs > builtAt);
  if (newer.length > 0)
    log(`warning: dist/ is older than ${newer.length} file(s) in src/ (e.g. ${newer[0]}); rebuild?`);

  const dbUrl = process.env.PHOENIX_BENCH_MONGODB_URL || process.env.PHOENIX_TEST_MONGODB_URL;
  if (!dbUrl) {
    throw new BenchError(
      "no database: set PHOENIX_BENCH_MONGODB_URL or PHOENIX_TEST_MONGODB_URL " +
        "(scripts/test-services.sh up && . .test-services/env). The bench measures with DB request logging on.",
    );
  }
  return dbUrl;
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

async function prepareDatabase(rawUrl) {
  const { ConnectionString } = await import("mongodb-connection-string-url");
  let url;
  try {
    url = new ConnectionString(rawUrl);
  } catch {
    throw new BenchError("the database URL is not a valid MongoDB connection string");
  }
  const named = decodeURIComponent(url.pathname.replace(/^\//, ""));
  const name = named || `phoenix_bench_${Date.now().toString(36)}`;
  if (!named) url.pathname = `/${name}`;
  const [host, port] = (url.hosts.length === 1 ? (url.hosts[0] ?? "") : "").split(/:(?=\d+$)/);
  const serverPid = findLocalListener(host, Number(port ?? 27017));
  return { url: url.toString(), name, created: !named, serverPid };
}

/** Runs `fn` with a connected client; returns undefined (and warns) if the database does not answer. */
async function withDatabase(db, what, fn) {
  const { MongoClient } = await import("mongodb");
  const client = new MongoClient(db.url, { serverSelectionTimeoutMS: 3_000, connectTimeoutMS: 3_000 });
  try {
    return await fn(client.db(db.name));
  } catch (error) {
    log(`warning: could not ${what}: ${error?.message ?? error}`);
    return undefined;
  } finally {
    await client.close().catch(() => undefined);
  }
}

// --- the app under test -------------------------------------------------------------------
async function startApp(db, config, runtime) {
  state.tmpDir ??= mkdtempSync(join(os.tmpdir(), "phoenix-bench-"));
  const fileLabel = config.label.replace(/\W/g, "-");
  const stdoutPath = join(state.tmpDir, `app-${fileLabel}.stdout.log`);
  const stderrPath = join(state.tmpDir, `app-${fileLabel}.stderr.log`);
  // The app writes one JSON line per request to stdout: a file costs the app what a log
  // pipe would, without this process having to read ~10k lines/s.
  const stdoutFd = openSync(stdoutPath, "w");
  const stderrFd = openSync(stderrPath, "w");
  const knobs = Object.fromEntries(APP_KNOBS.filter((k) => process.env[k]).map((k) => [k, process.env[k]]));
  if (config.value !== undefined) knobs.CERT_CONCURRENCY = String(config.value);
  // A free port chosen here rather than PORT=0 and the "listening" log line, which LOG_LEVEL=warn hides.
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? "",
    ...knobs,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    DB_CONNECTION_STRING: db.url,
  };
  const child = spawn(runtime.binary, [mainScript], { cwd: appDir, env, stdio: ["ignore", stdoutFd, stderrFd] });
  closeSync(stdoutFd);
  closeSync(stderrFd);
  const exited = new Promise((resolveExit) => child.once("exit", (code, signal) => resolveExit({ code, signal })));
  state.app = { child, exited, stdoutPath, stderrPath, port, knobs };

  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new BenchError(`the app exited during start-up:\n${tail(stderrPath)}\n${tail(stdoutPath)}`);
    }
    try {
      await getJson("/health", 1_000);
      return state.app;
    } catch {
      await sleep(100);
    }
  }
  throw new BenchError(`the app did not answer /health on 127.0.0.1:${port} within 15 s:\n${tail(stderrPath)}`);
}

function freePort() {
  return new Promise((resolvePort, rejectPort) => {
    const server = net.createServer();
    server.once("error", rejectPort);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function tail(path, lines = 15) {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

let ownRequests = 0;
function getJson(path, timeoutMs = 5_000) {
  ownRequests++;
  return new Promise((resolveGet, rejectGet) => {
    const request = http.get(
      { host: "127.0.0.1", port: state.app.port, path, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          try {
            resolveGet({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
          } catch (error) {
            rejectGet(error);
          }
        });
        res.on("error", rejectGet);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
    request.on("error", rejectGet);
  });
}

async function health() {
  const { status, body } = await getJson("/health");
  if (status !== 200) throw new BenchError(`/health answered ${status}`);
  return body;
}

async function waitForDatabaseUp() {
  const deadline = Date.now() + 15_000;
  let last;
  while (Date.now() < deadline) {
    last = await health();
    if (last.database?.state === "up") return;
    await sleep(200);
  }
  throw new BenchError(
    `the app's request-log database never came up (state ${last?.database?.state}); is it running? (scripts/test-services.sh up)`,
  );
}

/** Lets the previous run's leftovers (queued certificates, buffered logs) finish before the next. */
async function settle() {
  const startedAt = Date.now();
  const deadline = startedAt + 10_000;
  let last;
  while (Date.now() < deadline) {
    last = await health();
    const idle = last.certificates.active === 0 && last.certificates.queued === 0;
    if (idle && last.database.bufferedLogs <= 10) break;
    await sleep(100);
  }
  if (Date.now() >= deadline)
    log("warning: the app did not settle within 10 s (certificates or buffered logs pending)");
  await sleep(300);
  return { ...last, settleMs: Date.now() - startedAt };
}

// --- CPU accounting (Linux /proc; absent elsewhere) ------------------------------------------
const CLK_TCK = 100;

/** The pid listening on a local database port, found through /proc, so its CPU can be shown too. */
function findLocalListener(host, port) {
  if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host) || !port) return undefined;
  try {
    const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
    const inodes = new Set();
    for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, "utf8").trim().split("\n").slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A") inodes.add(`socket:[${cols[9]}]`);
      }
    }
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      let fds;
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid);
        } catch {}
      }
    }
  } catch {}
  return undefined;
}
function processCpuS(pid, tid) {
  try {
    const stat = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  } catch {
    return Number.NaN;
  }
}

function machineCpu() {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy: busy / 1000, total: total / 1000 };
}

function cpuSnapshot() {
  const pid = state.app.child.pid;
  const dbPid = state.db?.serverPid;
  return {
    at: performance.now(),
    app: processCpuS(pid),
    appMain: processCpuS(pid, pid),
    dbServer: dbPid ? processCpuS(dbPid) : Number.NaN,
    machine: machineCpu(),
  };
}

function cpuDelta(before, after) {
  const wallS = (after.at - before.at) / 1000;
  const cores = (seconds) => round(seconds / wallS, 2);
  return {
    wallS: round(wallS, 2),
    appCores: cores(after.app - before.app),
    appMainThreadCores: cores(after.appMain - before.appMain),
    appOtherThreadsCores: cores(after.app - before.app - (after.appMain - before.appMain)),
    localDbServerCores: cores(after.dbServer - before.dbServer),
    machineBusyCores: cores(after.machine.busy - before.machine.busy),
  };
}

// --- load generators: one process each, started together -------------------------------------
function startClient(spec) {
  const child = fork(clientScript, [JSON.stringify(spec)], {
    cwd: appDir,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  state.clients.add(child);
  const gone = new Promise((resolveGone) =>
    child.once("exit", (code, signal) => {
      state.clients.delete(child);
      resolveGone({ code, signal });
    }),
  );
  const messages = [];
  const waiters = [];
  child.on("message", (message) => {
    messages.push(message);
    for (const waiter of waiters.splice(0)) waiter();
  });
  const next = async (type, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = messages.findIndex((m) => m.type === type || m.type === "error");
      if (index >= 0) {
        const [message] = messages.splice(index, 1);
        if (message.type === "error") throw new BenchError(`load generator ${spec.name} failed: ${message.message}`);
        return message;
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new BenchError(
          `load generator ${spec.name} exited (${child.exitCode ?? child.signalCode}) before "${type}"`,
        );
      }
      if (Date.now() > deadline)
        throw new BenchError(`load generator ${spec.name}: no "${type}" within ${timeoutMs} ms`);
      await Promise.race([new Promise((r) => waiters.push(r)), gone, sleep(100)]);
    }
  };
  return { child, spec, next, gone };
}

async function runScenario(specs) {
  const clients = specs.map(startClient);
  try {
    await Promise.all(clients.map((c) => c.next("ready", 15_000)));
    const before = cpuSnapshot();
    for (const c of clients) c.child.send({ type: "go" });
    const limitMs = Math.max(...specs.map((s) => s.durationS)) * 1000 + 15_000;
    const results = await Promise.all(clients.map((c) => c.next("result", limitMs).then((m) => m.result)));
    const cpu = cpuDelta(before, cpuSnapshot());
    cpu.generatorsCores = round(results.reduce((sum, r) => sum + r.generatorCpuS, 0) / cpu.wallS, 2);
    // The rest of the machine: this process, the kernel, and anything else running (which spoils the run).
    const db = Number.isFinite(cpu.localDbServerCores) ? cpu.localDbServerCores : 0;
    cpu.otherCores = round(cpu.machineBusyCores - cpu.appCores - cpu.generatorsCores - db, 2);
    await Promise.all(clients.map((c) => c.gone));
    return { results: Object.fromEntries(results.map((r) => [r.name, r])), cpu };
  } finally {
    for (const c of clients) if (c.child.exitCode === null) c.child.kill("SIGTERM");
  }
}

// --- machine capacity: key generation alone, in its own process -------------------------------
async function measureKeygenCapacity(durationS, runtime) {
  const parallel = [1, 2];
  const child = spawn(runtime.binary, [keygenScript, JSON.stringify({ parallel, durationS })], {
    cwd: appDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  state.clients.add(child);
  const before = { at: performance.now(), machine: machineCpu() };
  const chunks = [];
  const errors = [];
  child.stdout.on("data", (chunk) => chunks.push(chunk));
  child.stderr.on("data", (chunk) => errors.push(chunk));
  const exited = new Promise((resolveExit) =>
    child.once("exit", (code, signal) => {
      state.clients.delete(child);
      resolveExit({ code, signal });
    }),
  );
  const limitMs = parallel.length * durationS * 1000 + 20_000;
  const result = await Promise.race([exited, sleep(limitMs).then(() => undefined)]);
  if (!result) {
    child.kill("SIGKILL");
    await exited;
    throw new BenchError(`the key generation measurement did not finish within ${limitMs / 1000} s`);
  }
  if (result.code !== 0) {
    throw new BenchError(
      `the key generation measurement failed (${result.code ?? result.signal}): ${Buffer.concat(errors).toString().trim()}`,
    );
  }
  const measured = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const wallS = (performance.now() - before.at) / 1000;
  measured.otherCores = round((machineCpu().busy - before.machine.busy - measured.cpuS) / wallS, 2);
  return { ...measured, peakKeysPerS: Math.max(...measured.results.map((r) => r.keysPerS)) };
}

/** Both measurements together: keys / time per parallelism, the median over all keys. */
function poolKeygen(measurements) {
  const [first] = measurements;
  const pooled = first.results.map(({ parallel }) => {
    const rows = measurements.map((m) => m.results.find((r) => r.parallel === parallel));
    const keys = rows.reduce((sum, r) => sum + r.keys, 0);
    const elapsedS = rows.reduce((sum, r) => sum + r.elapsedS, 0);
    return {
      parallel,
      keys,
      elapsedS: round(elapsedS, 2),
      keysPerS: round(keys / elapsedS, 2),
      medianMsPerKey: round(median(rows.flatMap((r) => r.durationsMs)), 1),
    };
  });
  return {
    keyType: first.keyType,
    durationS: first.durationS,
    pooled,
    peakKeysPerS: Math.max(...pooled.map((r) => r.keysPerS)),
    beforeConfigs: first,
    afterConfigs: measurements[1],
  };
}

/** Waits up to `maxS` seconds for the machine to go quiet; returns the busy cores of the last second. */
async function waitForQuiet(maxS, what) {
  let busyCores = Number.NaN;
  for (let waited = 0; waited < maxS; waited++) {
    const before = machineCpu();
    await sleep(1000);
    busyCores = round(machineCpu().busy - before.busy, 2);
    if (busyCores <= 0.3) break;
    if (waited === 0) log(`the machine is busy (${busyCores} cores); waiting up to ${maxS} s for it to go quiet`);
  }
  if (busyCores > 0.3)
    log(`warning: the machine is still busy (${busyCores} cores) before ${what}; results will suffer`);
  return busyCores;
}

// --- the benchmark ------------------------------------------------------------------------------
async function main() {
  const benchStartedAt = performance.now();
  const runs = intEnv("PHOENIX_BENCH_RUNS", 3, 1, 20);
  const durationS = intEnv("PHOENIX_BENCH_DURATION_S", 5, 1, 60);
  const keygenS = intEnv("PHOENIX_BENCH_KEYGEN_S", 5, 1, 30);
  const configs = certConcurrencyConfigs();
  const runtimes = describeRuntimes(configs.map((c) => c.runtime));
  const dbUrl = preflight();
  const db = await prepareDatabase(dbUrl);
  state.db = db;

  // Results mean little on a busy machine (e.g. the database still digesting a previous bench):
  // wait up to 15 s for it to go quiet, then go on regardless and say so.
  const backgroundCores = await waitForQuiet(15, "the bench");

  // Key generation capacity drifts on a shared host and a 5 s sample is noisy: measured per runtime
  // before the first config and again after the last one, pooled for the "% of machine peak" yardstick.
  const capacity = async (when) => {
    const measured = {};
    for (const runtime of Object.values(runtimes)) {
      const what = `machine capacity (${when}, Node ${runtime.node})`;
      log(`${what}: RSA-2048 key generation, 1 and 2 in flight, ${keygenS} s each`);
      measured[runtime.name] = await measureKeygenCapacity(keygenS, runtime);
      const rates = measured[runtime.name].results.map((r) => `${r.parallel} in flight ${r.keysPerS} keys/s`);
      log(`${what}: ${rates.join(", ")}`);
    }
    return measured;
  };
  const keygenBefore = await capacity("before the configs");

  const configResults = [];
  for (const [index, config] of configs.entries()) {
    const busyCoresBefore = await waitForQuiet(10, `config ${config.label}`);
    const result = await benchConfig(db, config, runtimes[config.runtime], {
      runs,
      durationS,
      index,
      total: configs.length,
    });
    result.busyCoresBefore = busyCoresBefore;
    configResults.push(result);
  }
  const busyCoresBeforeSecondCapacity = await waitForQuiet(10, "the second capacity measurement");
  const keygenAfter = await capacity("after the configs");
  const keygen = mapValues(runtimes, (runtime) => ({
    runtime: { node: runtime.node, openssl: runtime.openssl },
    ...poolKeygen([keygenBefore[runtime.name], keygenAfter[runtime.name]]),
  }));
  for (const result of configResults) {
    const peak = keygen[result.config.runtime].peakKeysPerS;
    result.medians.certPercentOfMachinePeak = round((100 * result.medians.certOkPerS) / peak, 1);
  }
  const primary = configResults[0];

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      cores: os.availableParallelism(),
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      openssl: process.versions.openssl,
      platform: `${os.platform()} ${os.release()}`,
      busyCoresBeforeBench: backgroundCores,
    },
    settings: {
      runs,
      durationS,
      keygenDurationS: keygenS,
      certConcurrencyConfigs: configs.map((c) => c.label),
      runtimes: mapValues(runtimes, ({ name, ...versions }) => versions),
      generator: `autocannon on the host's Node ${process.version} (one process per generator, keep-alive, pipelining 1)`,
      scenarios: primary.scenarios,
      database: { name: db.name, fresh: db.created, localServerPid: db.serverPid ?? null },
    },
    // Per runtime; busy cores before each measurement are in busyCoresBefore.
    machineCapacity: keygen,
    // The first config, as the detailed table shows it (its raw runs are in configs[0]).
    primaryConfig: primary.config.label,
    medians: primary.medians,
    targets: primary.targets,
    tradeoff: configResults.map(tradeoffRow),
    configs: configResults.map(({ scenarios, ...rest }) => rest),
    // Busy cores in the second before each measured phase (> 0.3: something else was running).
    busyCoresBefore: {
      "capacity measurement before the configs": backgroundCores,
      ...Object.fromEntries(configResults.map((r) => [`config ${r.config.label}`, r.busyCoresBefore])),
      "capacity measurement after the configs": busyCoresBeforeSecondCapacity,
    },
    benchWallS: round((performance.now() - benchStartedAt) / 1000, 1),
  };

  const text = markdown(results);
  writeFileSync(join(benchDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(benchDir, "results.md"), text);
  process.stdout.write(text);
}

/** One config: a fresh app with that CERT_CONCURRENCY, warm-up, then the idle and saturated runs. */
async function benchConfig(db, config, runtime, { runs, durationS, index, total }) {
  const tag = `config ${index + 1}/${total} ${config.label} (Node ${runtime.node})`;
  const requestsBefore = ownRequests;
  const app = await startApp(db, config, runtime);
  log(`${tag}: app pid ${app.child.pid} on 127.0.0.1:${app.port}, database ${db.name}${db.created ? " (fresh)" : ""}`);
  await waitForDatabaseUp();

  const base = `http://127.0.0.1:${app.port}`;
  const root = { name: "root", url: `${base}/`, connections: 10, durationS };
  const cert = { name: "generatecert", url: `${base}/generatecert`, connections: 4, durationS, timeoutS: 30 };
  const probe = { name: "health", url: `${base}/health`, connections: 1, overallRate: 50, durationS };

  let clientRequests = 0;
  const count = (scenario) => {
    for (const r of Object.values(scenario.results)) clientRequests += r.total;
  };
  log(`${tag}: warm-up (2 s, not recorded)`);
  count(
    await runScenario([
      { ...root, durationS: 2 },
      { ...cert, connections: 1, durationS: 2 },
    ]),
  );
  await settle();

  const idleRuns = [];
  const saturatedRuns = [];
  for (let i = 1; i <= runs; i++) {
    log(`${tag}: run ${i}/${runs}: idle (${durationS} s)`);
    const idle = await runScenario([root]);
    idle.health = await health();
    idle.settleMs = (await settle()).settleMs;
    count(idle);
    idleRuns.push(idle);

    log(`${tag}: run ${i}/${runs}: saturated (${durationS} s)`);
    const saturated = await runScenario([cert, root, probe]);
    saturated.health = await health();
    saturated.settleMs = (await settle()).settleMs;
    count(saturated);
    saturatedRuns.push(saturated);
  }

  const finalHealth = await settle();
  const droppedLogs = finalHealth.database.droppedLogs;
  const appStdoutBytes = statSync(app.stdoutPath).size;

  const perRun = {
    idleRootRps: idleRuns.map((r) => r.results.root.rps2xx),
    idleRootP99Ms: idleRuns.map((r) => r.results.root.latencyMs.p99),
    // What one request costs the app, whatever the generator manages to send: less noisy than req/s.
    idleAppCpuUsPerRequest: idleRuns.map((r) => ((r.cpu.appCores * r.cpu.wallS) / r.results.root.total) * 1e6),
    saturatedRootRps: saturatedRuns.map((r) => r.results.root.rps2xx),
    saturatedRootP99Ms: saturatedRuns.map((r) => r.results.root.latencyMs.p99),
    saturatedHealthP99Ms: saturatedRuns.map((r) => r.results.health.latencyMs.p99),
    certOkPerS: saturatedRuns.map((r) => r.results.generatecert.rps2xx),
    cert503PerS: saturatedRuns.map(
      (r) => (r.results.generatecert.status["503"] ?? 0) / r.results.generatecert.durationS,
    ),
  };
  const medians = Object.fromEntries(Object.entries(perRun).map(([k, values]) => [k, median(values)]));
  medians.saturatedRootRatio = medians.saturatedRootRps / medians.idleRootRps;
  medians.droppedLogs = droppedLogs;

  const targets = Object.fromEntries(
    Object.entries(TARGETS).map(([key, t]) => {
      const actual = round(medians[key], 3);
      return [key, { ...t, actual, pass: t.op === ">=" ? actual >= t.value : actual <= t.value }];
    }),
  );

  // (Counting the stored documents would cross-check droppedLogs, but FerretDB scans the whole
  // collection for a count: ~15 s of both cores for 250k documents.)
  await stopApp();
  rmSync(app.stdoutPath, { force: true }); // ~100 MB per config; its size is recorded

  return {
    config: {
      label: config.label,
      runtime: config.runtime,
      node: runtime.node,
      certConcurrency: config.value ?? null,
      effectiveCertConcurrency: config.effective,
      note: config.value === undefined ? "CERT_CONCURRENCY not set: the app's default, cores - 1 (min 1)" : undefined,
    },
    appEnv: {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(app.port),
      ...app.knobs,
      DB_CONNECTION_STRING: "(bench database)",
    },
    scenarios: { idle: [describe(root)], saturated: [describe(cert), describe(root), describe(probe)] },
    medians: mapValues(medians, (v) => round(v, 3)),
    targets,
    requestLog: {
      droppedLogs,
      requestsCompletedAsSeenByClients: clientRequests + ownRequests - requestsBefore,
      appStdoutBytes,
    },
    runs: {
      idle: idleRuns.map(compactRun),
      saturated: saturatedRuns.map(compactRun),
    },
  };
}

/** The CERT_CONCURRENCY part of a config, e.g. `default (1)` or `2`. */
function concurrencyName(config) {
  return config.certConcurrency === null
    ? `default (${config.effectiveCertConcurrency})`
    : String(config.certConcurrency);
}

/** `image` / `host` with the Node version, e.g. `image (v26.10.0)`. */
function runtimeName(config) {
  return `${config.runtime} (${config.node})`;
}

function tradeoffRow(result) {
  const m = result.medians;
  const t = result.targets;
  return {
    config: result.config.label,
    runtime: result.config.runtime,
    node: result.config.node,
    effectiveCertConcurrency: result.config.effectiveCertConcurrency,
    certOkPerS: m.certOkPerS,
    certPercentOfMachinePeak: m.certPercentOfMachinePeak,
    saturatedRootRatio: m.saturatedRootRatio,
    saturatedHealthP99Ms: m.saturatedHealthP99Ms,
    idleRootRps: m.idleRootRps,
    pass: mapValues(t, (target) => target.pass),
    targetsMet: Object.values(t).filter((target) => target.pass).length,
  };
}

/** A warning line (and a blank one) when something else was using the machine before a phase. */
const OTHER_CORES_LIMIT = 0.35;

/** Warning lines when something else was using the machine before or during a measured phase. */
function busyNote(results) {
  const lines = [];
  const before = Object.entries(results.busyCoresBefore).filter(([, cores]) => cores > 0.3);
  if (before.length > 0) {
    const list = before.map(([phase, cores]) => `${phase} (${fmt(cores, 2)} cores)`).join(", ");
    lines.push(`- the machine was still busy before ${list}`);
  }
  for (const [runtime, k] of Object.entries(results.machineCapacity)) {
    for (const [when, m] of [
      ["before", k.beforeConfigs],
      ["after", k.afterConfigs],
    ]) {
      if (m.otherCores > OTHER_CORES_LIMIT)
        lines.push(
          `- other processes used ${fmt(m.otherCores, 2)} cores during the ${runtime} capacity measurement ${when} the configs`,
        );
    }
  }
  for (const c of results.configs) {
    const all = [...c.runs.idle, ...c.runs.saturated].map((run) => run.cpu.otherCores);
    const spoiled = all.filter((cores) => cores > OTHER_CORES_LIMIT);
    if (spoiled.length > 0) {
      lines.push(
        `- config ${c.config.label}: other processes used > ${OTHER_CORES_LIMIT} cores in ${spoiled.length} of ` +
          `${all.length} runs (up to ${fmt(Math.max(...spoiled), 2)})`,
      );
    }
  }
  if (lines.length === 0) return [];
  return ["Warning: these numbers suffer from other work on the machine:", "", ...lines, ""];
}

function describe(spec) {
  return {
    path: new URL(spec.url).pathname,
    connections: spec.connections,
    mode: spec.overallRate
      ? `fixed ${spec.overallRate} req/s`
      : "closed loop (next request when the previous completes)",
  };
}

function compactRun(run) {
  return {
    cpu: run.cpu,
    settleMs: run.settleMs,
    generators: run.results,
    healthAfter: {
      eventLoop: run.health.eventLoop,
      database: run.health.database,
      certificates: run.health.certificates,
    },
  };
}

const fmt = (v, digits = 0) =>
  Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: digits }) : "n/a";

function markdown(results) {
  const primary = results.configs[0];
  const m = primary.medians;
  const t = primary.targets;
  const target = (key, unit = "") => (t[key] ? `${t[key].op} ${fmt(t[key].value, 2)}${unit}` : "—");
  const pass = (key) => (t[key] ? (t[key].pass ? "PASS" : "FAIL") : "—");
  const rows = [
    ["idle `GET /` req/s (10 conn)", fmt(m.idleRootRps), target("idleRootRps"), pass("idleRootRps")],
    ["idle `GET /` p99 latency", `${fmt(m.idleRootP99Ms)} ms`, "—", "—"],
    ["idle app CPU per `GET /` (all threads)", `${fmt(m.idleAppCpuUsPerRequest)} µs`, "—", "—"],
    ["saturated `GET /` req/s (10 conn)", fmt(m.saturatedRootRps), "—", "—"],
    ["saturated `GET /` p99 latency", `${fmt(m.saturatedRootP99Ms)} ms`, "—", "—"],
    [
      "saturated / idle `GET /` req/s",
      `${fmt(m.saturatedRootRatio * 100)} %`,
      `>= ${t.saturatedRootRatio.value * 100} %`,
      pass("saturatedRootRatio"),
    ],
    [
      "saturated `GET /health` p99 (probe 50 req/s)",
      `${fmt(m.saturatedHealthP99Ms)} ms`,
      target("saturatedHealthP99Ms", " ms"),
      pass("saturatedHealthP99Ms"),
    ],
    ["saturated `/generatecert` 2xx/s (4 clients)", fmt(m.certOkPerS, 1), target("certOkPerS"), pass("certOkPerS")],
    ["`/generatecert` 2xx as % of machine peak keygen", `${fmt(m.certPercentOfMachinePeak)} %`, "—", "—"],
    ["saturated `/generatecert` 503/s", fmt(m.cert503PerS, 1), "—", "—"],
    ["dropped request logs (end of config)", fmt(m.droppedLogs), "—", "—"],
  ];
  const r = primary.requestLog;
  const cpuLine = (kind) => {
    const runs = primary.runs[kind];
    const med = (key) => fmt(median(runs.map((run) => run.cpu[key])), 2);
    return (
      `- ${kind}: app main thread ${med("appMainThreadCores")}, app other threads (key generation, GC) ` +
      `${med("appOtherThreadsCores")}, load generators ${med("generatorsCores")}, local DB server ` +
      `${med("localDbServerCores")}, everything else ${med("otherCores")}; machine ${med("machineBusyCores")} of ${results.machine.cores}`
    );
  };

  const capacities = Object.entries(results.machineCapacity);
  const [, anyCapacity] = capacities[0];
  const rate = (m, parallel) => fmt(m.results.find((r) => r.parallel === parallel)?.keysPerS, 1);
  const capacityRows = capacities.flatMap(([runtime, k]) =>
    k.pooled.map((row) => [
      `${runtime} (${k.runtime.node}, OpenSSL ${k.runtime.openssl})`,
      String(row.parallel),
      rate(k.beforeConfigs, row.parallel),
      rate(k.afterConfigs, row.parallel),
      fmt(row.keysPerS, 1),
      `${fmt(row.medianMsPerKey)} ms`,
      String(row.keys),
    ]),
  );

  const mark = (ok) => (ok ? "PASS" : "FAIL");
  const tradeoffRows = results.tradeoff.map((row, i) => [
    runtimeName(results.configs[i].config),
    concurrencyName(results.configs[i].config),
    `${fmt(row.certOkPerS, 1)} ${mark(row.pass.certOkPerS)}`,
    `${fmt(row.certPercentOfMachinePeak)} %`,
    `${fmt(row.saturatedRootRatio * 100)} % ${mark(row.pass.saturatedRootRatio)}`,
    `${fmt(row.saturatedHealthP99Ms)} ms ${mark(row.pass.saturatedHealthP99Ms)}`,
    `${fmt(row.idleRootRps)} ${mark(row.pass.idleRootRps)}`,
    `${row.targetsMet}/${Object.keys(row.pass).length}`,
  ]);
  const T = TARGETS;

  return [
    `Phoenix app bench, ${results.date}: ${results.machine.cpuModel}, ${results.machine.cores} cores, bench and load generators on Node ${results.machine.node}; ` +
      `medians of ${results.settings.runs} runs x ${results.settings.durationS} s per config; ` +
      `bench time ${fmt(results.benchWallS / 60, 1)} min.`,
    "",
    ...busyNote(results),
    `### Node ${primary.config.node} (${primary.config.runtime === "image" ? "the production image's" : "this machine's"}), ` +
      (primary.config.certConcurrency === null
        ? `CERT_CONCURRENCY not set (the app's default, cores - 1 = ${primary.config.effectiveCertConcurrency})`
        : `CERT_CONCURRENCY=${primary.config.certConcurrency}`),
    "",
    ...alignedTable(["metric", "median", "target", "pass"], rows),
    "",
    `Request log: ${fmt(r.requestsCompletedAsSeenByClients)} requests completed (client view), ` +
      `${fmt(r.droppedLogs)} request-log entries dropped (${fmt((100 * r.droppedLogs) / r.requestsCompletedAsSeenByClients, 1)} %).`,
    "",
    "CPU in cores (medians over the runs):",
    "",
    cpuLine("idle"),
    cpuLine("saturated"),
    "",
    "### Machine capacity",
    "",
    `${anyCapacity.keyType} \`crypto.generateKeyPair\` alone (own process, nothing else running), on each Node ` +
      `the configs use, ${anyCapacity.durationS} s per measurement, before the first config and after the last; ` +
      `peak (both together): ${capacities.map(([runtime, k]) => `${runtime} ${fmt(k.peakKeysPerS, 1)} keys/s`).join(", ")}, ` +
      `the yardstick for "% of machine peak" on that Node.`,
    "",
    ...alignedTable(
      [
        "Node",
        "generations in flight",
        "keys/s before",
        "keys/s after",
        "keys/s both",
        "median per key (both)",
        "keys (both)",
      ],
      capacityRows,
    ),
    "",
    "### Node and CERT_CONCURRENCY trade-off",
    "",
    `Same scenarios, a fresh app per config, in this order; medians of ${results.settings.runs} runs. ` +
      `"image" is the Node the Dockerfile pins, "host" this machine's.`,
    "",
    ...alignedTable(
      [
        "Node",
        "CERT_CONCURRENCY",
        `\`/generatecert\` 2xx/s (${T.certOkPerS.op} ${T.certOkPerS.value})`,
        "% of machine peak",
        `saturated / idle \`/\` (${T.saturatedRootRatio.op} ${T.saturatedRootRatio.value * 100} %)`,
        `\`/health\` p99 (${T.saturatedHealthP99Ms.op} ${T.saturatedHealthP99Ms.value} ms)`,
        `idle \`/\` req/s (${T.idleRootRps.op} ${fmt(T.idleRootRps.value)})`,
        "targets met",
      ],
      tradeoffRows,
    ),
    "",
  ].join("\n");
}

/** Columns padded to equal width, as the repository's Markdown formatter writes tables. */
function alignedTable(header, rows) {
  const widths = header.map((_, i) => Math.max(3, ...[header, ...rows].map((row) => String(row[i]).length)));
  const line = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

function round(value, digits) {
  const f = 10 ** digits;
  return Number.isFinite(value) ? Math.round(value * f) / f : value;
}

function mapValues(object, fn) {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fn(v)]));
}

// --- teardown: every exit path ---------------------------------------------------------------
async function stopApp() {
  const app = state.app;
  if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill("SIGTERM");
  const result = await Promise.race([app.exited, sleep(12_000).then(() => undefined)]);
  if (!result) {
    log("the app did not stop within 12 s of SIGTERM; killing it");
    app.child.kill("SIGKILL");
    await app.exited;
  }
}

function cleanup() {
  state.cleaning ??= (async () => {
    for (const child of state.clients) child.kill("SIGTERM");
    await stopApp().catch(() => undefined);
    if (state.db?.created) {
      await withDatabase(state.db, `drop the bench database ${state.db.name}`, (d) => d.dropDatabase());
    }
    if (state.tmpDir) rmSync(state.tmpDir, { recursive: true, force: true });
  })();
  return state.cleaning;
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    state.interrupted = true;
    log(`${signal}: stopping the app and the load generators`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  await main();
  await cleanup();
} catch (error) {
  if (state.interrupted) await new Promise(() => {}); // the signal handler exits
  process.stderr.write(`[bench] error: ${error instanceof BenchError ? error.message : (error?.stack ?? error)}\n`);
  if (state.app) {
    const { exitCode, signalCode } = state.app.child;
    if (exitCode !== null || signalCode !== null) {
      process.stderr.write(`[bench] the app exited during the bench (${exitCode ?? signalCode})\n`);
    }
    const stderr = tail(state.app.stderrPath);
    if (stderr) process.stderr.write(`[bench] app stderr (tail):\n${stderr}\n`);
  }
  await cleanup();
  process.exitCode = 1;
}
