// What the app bench reports: results.json's shape, and results.md (the same tables on stdout):
// the first config in detail with the targets, the machine capacity per Node, and one trade-off
// row per config.
import { markdownTable, median } from "@phoenix/bench-kit";
import { type RuntimeName, TARGETS, type TargetKey } from "./configs.js";
import type { PooledKeygen } from "./keygen.js";
import type { RunCpu } from "./load-generators.js";
import type { ConfigMedians, ConfigResult, TargetResult } from "./measurement.js";
import { mapValues } from "./numbers.js";

/** A config's result once the machine capacity is known, and how busy the machine was before it. */
export type FinalConfigResult = Omit<ConfigResult, "medians"> & {
  readonly medians: ConfigMedians;
  readonly busyCoresBefore: number;
};

/** Key generation capacity of one runtime, with its versions. */
export type RuntimeCapacity = { readonly runtime: { readonly node: string; readonly openssl: string } } & PooledKeygen;

export interface TradeoffRow {
  readonly config: string;
  readonly runtime: RuntimeName;
  readonly node: string;
  readonly effectiveCertConcurrency: number;
  readonly certOkPerS: number;
  readonly certPercentOfMachinePeak: number;
  readonly saturatedRootRatio: number;
  readonly saturatedHealthP99Ms: number;
  readonly idleRootRps: number;
  readonly pass: Record<TargetKey, boolean>;
  readonly targetsMet: number;
}

/** results.json. */
export interface BenchResults {
  readonly date: string;
  readonly machine: {
    readonly cpuModel: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly node: string;
    readonly openssl: string | undefined;
    readonly platform: string;
    readonly busyCoresBeforeBench: number;
  };
  readonly settings: {
    readonly runs: number;
    readonly durationS: number;
    readonly keygenDurationS: number;
    readonly certConcurrencyConfigs: readonly string[];
    readonly runtimes: Readonly<
      Record<string, { readonly binary: string; readonly node: string; readonly openssl: string }>
    >;
    readonly generator: string;
    readonly scenarios: ConfigResult["scenarios"];
    readonly database: { readonly name: string; readonly fresh: boolean; readonly localServerPid: number | null };
  };
  /** Per runtime; busy cores before each measurement are in busyCoresBefore. */
  readonly machineCapacity: Readonly<Record<string, RuntimeCapacity>>;
  /** The first config, as the detailed table shows it (its raw runs are in configs[0]). */
  readonly primaryConfig: string;
  readonly medians: ConfigMedians;
  readonly targets: Readonly<Record<TargetKey, TargetResult>>;
  readonly tradeoff: readonly TradeoffRow[];
  readonly configs: readonly Omit<FinalConfigResult, "scenarios">[];
  /** Busy cores in the second before each measured phase (> 0.3: something else was running). */
  readonly busyCoresBefore: Readonly<Record<string, number>>;
  readonly benchWallS: number;
}

export function tradeoffRow(result: FinalConfigResult): TradeoffRow {
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

/** The CERT_CONCURRENCY part of a config, e.g. `default (1)` or `2`. */
function concurrencyName(config: ConfigResult["config"]): string {
  return config.certConcurrency === null
    ? `default (${config.effectiveCertConcurrency})`
    : String(config.certConcurrency);
}

/** `image` / `host` with the Node version, e.g. `image (v26.10.0)`. */
function runtimeName(config: ConfigResult["config"]): string {
  return `${config.runtime} (${config.node})`;
}

/** Other processes using more than this many cores during a measured phase spoil it. */
const OTHER_CORES_LIMIT = 0.35;

/** Warning lines when something else was using the machine before or during a measured phase. */
function busyNote(results: BenchResults): string[] {
  const lines: string[] = [];
  const before = Object.entries(results.busyCoresBefore).filter(([, cores]) => cores > 0.3);
  if (before.length > 0) {
    const list = before.map(([phase, cores]) => `${phase} (${fmt(cores, 2)} cores)`).join(", ");
    lines.push(`- the machine was still busy before ${list}`);
  }
  for (const [runtime, k] of Object.entries(results.machineCapacity)) {
    for (const [when, m] of [
      ["before", k.beforeConfigs],
      ["after", k.afterConfigs],
    ] as const) {
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

const fmt = (v: number | undefined, digits = 0) =>
  v !== undefined && Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: digits }) : "n/a";

export function markdown(results: BenchResults): string {
  const primary = results.configs[0];
  if (!primary) return "";
  const m = primary.medians;
  const t = primary.targets;
  const target = (key: TargetKey, unit = "") => `${t[key].op} ${fmt(t[key].value, 2)}${unit}`;
  const pass = (key: TargetKey) => (t[key].pass ? "PASS" : "FAIL");
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
  const cpuLine = (kind: "idle" | "saturated") => {
    const runs = primary.runs[kind];
    const med = (key: keyof RunCpu) => fmt(median(runs.map((run) => run.cpu[key])), 2);
    return (
      `- ${kind}: app main thread ${med("appMainThreadCores")}, app other threads (key generation, GC) ` +
      `${med("appOtherThreadsCores")}, load generators ${med("generatorsCores")}, local DB server ` +
      `${med("localDbServerCores")}, everything else ${med("otherCores")}; machine ${med("machineBusyCores")} of ${results.machine.cores}`
    );
  };

  const capacities = Object.entries(results.machineCapacity);
  const anyCapacity = capacities[0]?.[1];
  const rate = (k: PooledKeygen["beforeConfigs"], parallel: number) =>
    fmt(k.results.find((row) => row.parallel === parallel)?.keysPerS, 1);
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

  const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");
  const tradeoffRows = results.tradeoff.map((row, i) => {
    const config = results.configs[i]?.config ?? primary.config;
    return [
      runtimeName(config),
      concurrencyName(config),
      `${fmt(row.certOkPerS, 1)} ${mark(row.pass.certOkPerS)}`,
      `${fmt(row.certPercentOfMachinePeak)} %`,
      `${fmt(row.saturatedRootRatio * 100)} % ${mark(row.pass.saturatedRootRatio)}`,
      `${fmt(row.saturatedHealthP99Ms)} ms ${mark(row.pass.saturatedHealthP99Ms)}`,
      `${fmt(row.idleRootRps)} ${mark(row.pass.idleRootRps)}`,
      `${row.targetsMet}/${Object.keys(row.pass).length}`,
    ];
  });
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
    markdownTable(["metric", "median", "target", "pass"], rows),
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
    `${anyCapacity?.keyType} \`crypto.generateKeyPair\` alone (own process, nothing else running), on each Node ` +
      `the configs use, ${anyCapacity?.durationS} s per measurement, before the first config and after the last; ` +
      `peak (both together): ${capacities.map(([runtime, k]) => `${runtime} ${fmt(k.peakKeysPerS, 1)} keys/s`).join(", ")}, ` +
      `the yardstick for "% of machine peak" on that Node.`,
    "",
    markdownTable(
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
    markdownTable(
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
