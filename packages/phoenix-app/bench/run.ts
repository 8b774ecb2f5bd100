// App benchmark: the built app (dist/main.js) started as in production, on the Node release of
// its production image, with request logging to a MongoDB-compatible database, measured by
// autocannon load generators that each run in their own process (bench/load-client.ts). All
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
// Machine capacity, per runtime, in its own process (bench/keygen-capacity.ts) with nothing else
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
//
// Where things are: configs.ts (runtimes, configs, targets), process-control.ts (the app and
// everything else started, teardown), load-generators.ts and keygen.ts (the child processes),
// cpu-accounting.ts, measurement.ts (one config), reporting.ts (results.json, results.md).
import { existsSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { BenchError, benchPaths, intEnv, listFiles, writeResults } from "@phoenix/bench-kit";
import { log } from "./bench-log.js";
import { certConcurrencyConfigs, describeRuntimes, type Runtime, type RuntimeName } from "./configs.js";
import { waitForQuiet } from "./cpu-accounting.js";
import { prepareDatabase } from "./database.js";
import { type KeygenMeasurement, measureKeygenCapacity, poolKeygen } from "./keygen.js";
import { benchConfig } from "./measurement.js";
import { round } from "./numbers.js";
import { cleanup, state, tail } from "./process-control.js";
import { type BenchResults, type FinalConfigResult, markdown, type RuntimeCapacity, tradeoffRow } from "./reporting.js";

const { benchDir, packageDir: appDir } = benchPaths(import.meta.url);
const mainScript = join(appDir, "dist", "main.js");

// --- preflight --------------------------------------------------------------------------------
function preflight(): string {
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

// --- the benchmark ------------------------------------------------------------------------------
async function main(): Promise<void> {
  const benchStartedAt = performance.now();
  const runs = intEnv("PHOENIX_BENCH_RUNS", 3, 1, 20);
  const durationS = intEnv("PHOENIX_BENCH_DURATION_S", 5, 1, 60);
  const keygenS = intEnv("PHOENIX_BENCH_KEYGEN_S", 5, 1, 30);
  const configs = certConcurrencyConfigs();
  const runtimes = describeRuntimes(configs.map((c) => c.runtime));
  const runtimeOf = (name: RuntimeName): Runtime => {
    const runtime = runtimes.get(name);
    if (!runtime) throw new Error(`runtime ${name} was not described`);
    return runtime;
  };
  const dbUrl = preflight();
  const db = await prepareDatabase(dbUrl);
  state.db = db;

  // Results mean little on a busy machine (e.g. the database still digesting a previous bench):
  // wait up to 15 s for it to go quiet, then go on regardless and say so.
  const backgroundCores = await waitForQuiet(15, "the bench");

  // Key generation capacity drifts on a shared host and a 5 s sample is noisy: measured per runtime
  // before the first config and again after the last one, pooled for the "% of machine peak" yardstick.
  const capacity = async (when: string) => {
    const measured = new Map<RuntimeName, KeygenMeasurement>();
    for (const runtime of runtimes.values()) {
      const what = `machine capacity (${when}, Node ${runtime.node})`;
      log(`${what}: RSA-2048 key generation, 1 and 2 in flight, ${keygenS} s each`);
      const measurement = await measureKeygenCapacity(appDir, keygenS, runtime);
      measured.set(runtime.name, measurement);
      const rates = measurement.results.map((r) => `${r.parallel} in flight ${r.keysPerS} keys/s`);
      log(`${what}: ${rates.join(", ")}`);
    }
    return measured;
  };
  const keygenBefore = await capacity("before the configs");

  const measuredConfigs: { result: Awaited<ReturnType<typeof benchConfig>>; busyCoresBefore: number }[] = [];
  for (const [index, config] of configs.entries()) {
    const busyCoresBefore = await waitForQuiet(10, `config ${config.label}`);
    const result = await benchConfig(config, runtimeOf(config.runtime), {
      appDir,
      mainScript,
      db,
      runs,
      durationS,
      index,
      total: configs.length,
    });
    measuredConfigs.push({ result, busyCoresBefore });
  }
  const busyCoresBeforeSecondCapacity = await waitForQuiet(10, "the second capacity measurement");
  const keygenAfter = await capacity("after the configs");
  const keygen = new Map<RuntimeName, RuntimeCapacity>();
  for (const runtime of runtimes.values()) {
    const before = keygenBefore.get(runtime.name);
    const after = keygenAfter.get(runtime.name);
    if (!before || !after) throw new Error(`no capacity measurement for ${runtime.name}`);
    keygen.set(runtime.name, {
      runtime: { node: runtime.node, openssl: runtime.openssl },
      ...poolKeygen(before, after),
    });
  }
  const configResults: FinalConfigResult[] = measuredConfigs.map(({ result, busyCoresBefore }) => {
    const peak = keygen.get(result.config.runtime)?.peakKeysPerS ?? Number.NaN;
    const certPercentOfMachinePeak = round((100 * result.medians.certOkPerS) / peak, 1);
    return { ...result, medians: { ...result.medians, certPercentOfMachinePeak }, busyCoresBefore };
  });
  const [primary] = configResults;
  if (!primary) throw new BenchError("no config to bench");

  const results: BenchResults = {
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
      runtimes: Object.fromEntries([...runtimes.values()].map(({ name, ...versions }) => [name, versions] as const)),
      generator: `autocannon on the host's Node ${process.version} (one process per generator, keep-alive, pipelining 1)`,
      scenarios: primary.scenarios,
      database: { name: db.name, fresh: db.created, localServerPid: db.serverPid ?? null },
    },
    // Per runtime; busy cores before each measurement are in busyCoresBefore.
    machineCapacity: Object.fromEntries(keygen),
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
  writeResults(benchDir, results, text);
  process.stdout.write(text);
}

// --- every exit path stops what was started --------------------------------------------------
for (const signal of ["SIGINT", "SIGTERM"] as const) {
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
  const text = error instanceof BenchError ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`[bench] error: ${text}\n`);
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
