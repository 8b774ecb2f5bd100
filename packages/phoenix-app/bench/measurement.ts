// One config of the app bench: a fresh app with that CERT_CONCURRENCY on its runtime, a warm-up,
// then PHOENIX_BENCH_RUNS idle and saturated runs interleaved, each followed by a settle; the
// medians over the runs and the targets.
import { rmSync, statSync } from "node:fs";
import { median } from "@phoenix/bench-kit";
import { log } from "./bench-log.js";
import { type CertConfig, type Runtime, TARGETS, type Target, type TargetKey } from "./configs.js";
import type { BenchDatabase } from "./database.js";
import { type RunCpu, runScenario, type ScenarioRun } from "./load-generators.js";
import { mapValues, round } from "./numbers.js";
import {
  type AppHealth,
  health,
  ownRequestCount,
  settle,
  startApp,
  stopApp,
  waitForDatabaseUp,
} from "./process-control.js";
import type { LoadSpec, LoadSummary } from "./protocol.js";

/** A scenario run with the app's health right after it and how long it took to settle. */
interface MeasuredRun extends ScenarioRun {
  readonly health: AppHealth;
  readonly settleMs: number;
}

/** A run as results.json records it. */
export interface CompactRun {
  readonly cpu: RunCpu;
  readonly settleMs: number;
  readonly generators: Readonly<Record<string, LoadSummary>>;
  readonly healthAfter: Pick<AppHealth, "eventLoop" | "database" | "certificates">;
}

export interface ScenarioDescription {
  readonly path: string;
  readonly connections: number;
  readonly mode: string;
}

const PER_RUN_KEYS = [
  "idleRootRps",
  "idleRootP99Ms",
  "idleAppCpuUsPerRequest",
  "saturatedRootRps",
  "saturatedRootP99Ms",
  "saturatedHealthP99Ms",
  "certOkPerS",
  "cert503PerS",
] as const;

/** Medians over the runs (rounded to 3 decimals); certPercentOfMachinePeak once capacity is known. */
export type ConfigMedians = Record<
  (typeof PER_RUN_KEYS)[number] | "saturatedRootRatio" | "droppedLogs" | "certPercentOfMachinePeak",
  number
>;

export interface TargetResult extends Target {
  readonly actual: number;
  readonly pass: boolean;
}

export interface ConfigResult {
  readonly config: {
    readonly label: string;
    readonly runtime: CertConfig["runtime"];
    readonly node: string;
    readonly certConcurrency: number | null;
    readonly effectiveCertConcurrency: number;
    readonly note: string | undefined;
  };
  readonly appEnv: Readonly<Record<string, string>>;
  readonly scenarios: { readonly idle: ScenarioDescription[]; readonly saturated: ScenarioDescription[] };
  readonly medians: Omit<ConfigMedians, "certPercentOfMachinePeak">;
  readonly targets: Record<TargetKey, TargetResult>;
  readonly requestLog: {
    readonly droppedLogs: number;
    readonly requestsCompletedAsSeenByClients: number;
    readonly appStdoutBytes: number;
  };
  readonly runs: { readonly idle: CompactRun[]; readonly saturated: CompactRun[] };
}

export interface ConfigContext {
  readonly appDir: string;
  readonly mainScript: string;
  readonly db: BenchDatabase;
  readonly runs: number;
  readonly durationS: number;
  readonly index: number;
  readonly total: number;
}

/** One config: a fresh app with that CERT_CONCURRENCY, warm-up, then the idle and saturated runs. */
export async function benchConfig(config: CertConfig, runtime: Runtime, context: ConfigContext): Promise<ConfigResult> {
  const { appDir, db, runs, durationS } = context;
  const tag = `config ${context.index + 1}/${context.total} ${config.label} (Node ${runtime.node})`;
  const requestsBefore = ownRequestCount();
  const app = await startApp(appDir, context.mainScript, db, config, runtime);
  log(`${tag}: app pid ${app.child.pid} on 127.0.0.1:${app.port}, database ${db.name}${db.created ? " (fresh)" : ""}`);
  await waitForDatabaseUp();

  const base = `http://127.0.0.1:${app.port}`;
  const root: LoadSpec = { name: "root", url: `${base}/`, connections: 10, durationS };
  const cert: LoadSpec = { name: "generatecert", url: `${base}/generatecert`, connections: 4, durationS, timeoutS: 30 };
  const probe: LoadSpec = { name: "health", url: `${base}/health`, connections: 1, overallRate: 50, durationS };

  let clientRequests = 0;
  const count = (scenario: ScenarioRun) => {
    for (const r of Object.values(scenario.results)) clientRequests += r.total;
  };
  const measuredRun = async (specs: readonly LoadSpec[]): Promise<MeasuredRun> => {
    const run = await runScenario(appDir, specs);
    const after = await health();
    const { settleMs } = await settle();
    count(run);
    return { ...run, health: after, settleMs };
  };
  log(`${tag}: warm-up (2 s, not recorded)`);
  count(
    await runScenario(appDir, [
      { ...root, durationS: 2 },
      { ...cert, connections: 1, durationS: 2 },
    ]),
  );
  await settle();

  const idleRuns: MeasuredRun[] = [];
  const saturatedRuns: MeasuredRun[] = [];
  for (let i = 1; i <= runs; i++) {
    log(`${tag}: run ${i}/${runs}: idle (${durationS} s)`);
    idleRuns.push(await measuredRun([root]));
    log(`${tag}: run ${i}/${runs}: saturated (${durationS} s)`);
    saturatedRuns.push(await measuredRun([cert, root, probe]));
  }

  const finalHealth = await settle();
  const droppedLogs = finalHealth.database.droppedLogs;
  const appStdoutBytes = statSync(app.stdoutPath).size;

  const result = (run: ScenarioRun, name: string): LoadSummary => {
    const summary = run.results[name];
    if (!summary) throw new Error(`no result from the ${name} load generator`);
    return summary;
  };
  const perRun: Record<(typeof PER_RUN_KEYS)[number], number[]> = {
    idleRootRps: idleRuns.map((r) => result(r, "root").rps2xx),
    idleRootP99Ms: idleRuns.map((r) => result(r, "root").latencyMs.p99),
    // What one request costs the app, whatever the generator manages to send: less noisy than req/s.
    idleAppCpuUsPerRequest: idleRuns.map((r) => ((r.cpu.appCores * r.cpu.wallS) / result(r, "root").total) * 1e6),
    saturatedRootRps: saturatedRuns.map((r) => result(r, "root").rps2xx),
    saturatedRootP99Ms: saturatedRuns.map((r) => result(r, "root").latencyMs.p99),
    saturatedHealthP99Ms: saturatedRuns.map((r) => result(r, "health").latencyMs.p99),
    certOkPerS: saturatedRuns.map((r) => result(r, "generatecert").rps2xx),
    cert503PerS: saturatedRuns.map(
      (r) => (result(r, "generatecert").status["503"] ?? 0) / result(r, "generatecert").durationS,
    ),
  };
  const perRunMedians = mapValues(perRun, (values) => median(values));
  const medians = {
    ...perRunMedians,
    saturatedRootRatio: perRunMedians.saturatedRootRps / perRunMedians.idleRootRps,
    droppedLogs,
  };

  const targetResult = (key: TargetKey): TargetResult => {
    const t: Target = TARGETS[key];
    const actual = round(medians[key], 3);
    return { ...t, actual, pass: t.op === ">=" ? actual >= t.value : actual <= t.value };
  };
  const targets = Object.fromEntries(
    (Object.keys(TARGETS) as TargetKey[]).map((key) => [key, targetResult(key)]),
  ) as Record<TargetKey, TargetResult>;

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
      requestsCompletedAsSeenByClients: clientRequests + ownRequestCount() - requestsBefore,
      appStdoutBytes,
    },
    runs: {
      idle: idleRuns.map(compactRun),
      saturated: saturatedRuns.map(compactRun),
    },
  };
}

function describe(spec: LoadSpec): ScenarioDescription {
  return {
    path: new URL(spec.url).pathname,
    connections: spec.connections,
    mode: spec.overallRate
      ? `fixed ${spec.overallRate} req/s`
      : "closed loop (next request when the previous completes)",
  };
}

function compactRun(run: MeasuredRun): CompactRun {
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
