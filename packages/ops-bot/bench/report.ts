// What the SNS bench reports: medians over the runs, the metrics table (with the target)
// and the Markdown of bench/results.md.
import { type MachineDescription, type MetricRow, median, metricsTable } from "@phoenix/bench-kit";
import type { InProcessCosts } from "./in-process-costs.js";
import type { ClosedLoopResult, OpenLoopResult } from "./load.js";
import type { PhaseContext } from "./measurement.js";

export const TARGET_P99_MS = 50;
/** "at 200/s": the acknowledged rate must be within 1 % of the offered one. */
export const TARGET_RATE_SHARE = 0.99;

export type OpenRun = OpenLoopResult & PhaseContext;
export type ClosedRun = ClosedLoopResult & PhaseContext;

const OPEN_KEYS = [
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
] as const satisfies readonly (keyof OpenRun)[];

const CLOSED_KEYS = [
  "notificationsPerSecond",
  "p50Ms",
  "p99Ms",
  "errors",
  "serverCpuUsPerNotification",
  "serverCpuCores",
  "generatorCpuCores",
  "otherCpuCores",
] as const satisfies readonly (keyof ClosedRun)[];

export interface Medians {
  readonly open: Record<(typeof OPEN_KEYS)[number], number>;
  readonly closed: Record<(typeof CLOSED_KEYS)[number], number>;
}

function mediansOf<R, K extends keyof R & string>(runs: readonly R[], keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(
    keys.map((key) => [key, median(runs.map((run) => run[key] as number | undefined))]),
  ) as Record<K, number>;
}

export function runMedians(openRuns: readonly OpenRun[], closedRuns: readonly ClosedRun[]): Medians {
  return { open: mediansOf(openRuns, OPEN_KEYS), closed: mediansOf(closedRuns, CLOSED_KEYS) };
}

export const fmt = {
  ms: (v: number) => (Number.isNaN(v) ? "—" : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`),
  us: (v: number) => (Number.isNaN(v) ? "—" : `${Math.round(v)} µs`),
  rate: (v: number) =>
    Number.isNaN(v) ? "—" : `${v >= 1000 ? Math.round(v).toLocaleString("en-US") : v.toFixed(1)}/s`,
  n: (v: number) => (Number.isNaN(v) ? "—" : String(Math.round(v * 100) / 100)),
};

export const passText = (pass: boolean) => (pass ? "PASS" : "FAIL");

export interface TargetVerdict {
  readonly p99Pass: boolean;
  readonly ratePass: boolean;
  /** p99 and rate met, and no errors. */
  readonly pass: boolean;
}

export function targetVerdict(medians: Medians, rate: number): TargetVerdict {
  const p99Pass = medians.open.p99Ms <= TARGET_P99_MS;
  const ratePass = medians.open.ackPerSecond >= rate * TARGET_RATE_SHARE;
  return { p99Pass, ratePass, pass: p99Pass && ratePass && medians.open.errors === 0 };
}

export interface TableInput {
  readonly medians: Medians;
  readonly verdict: TargetVerdict;
  readonly rate: number;
  readonly concurrency: number;
  readonly idleServerCpuCores: number;
  readonly costs: InProcessCosts;
}

export function resultsTable({ medians, verdict, rate, concurrency, idleServerCpuCores, costs }: TableInput): string {
  const { open, closed } = medians;
  const rows: MetricRow[] = [
    {
      metric: `open loop p99 acknowledge @ ${rate}/s`,
      value: fmt.ms(open.p99Ms),
      target: `<= ${TARGET_P99_MS} ms`,
      pass: passText(verdict.p99Pass),
    },
    {
      metric: "open loop acknowledged rate",
      value: fmt.rate(open.ackPerSecond),
      target: `>= ${fmt.rate(rate * TARGET_RATE_SHARE)}`,
      pass: passText(verdict.ratePass),
    },
    {
      metric: "open loop errors (non-200, no answer)",
      value: fmt.n(open.errors),
      target: "0",
      pass: passText(open.errors === 0),
    },
    { metric: "open loop p50 / p90 acknowledge", value: `${fmt.ms(open.p50Ms)} / ${fmt.ms(open.p90Ms)}` },
    { metric: "open loop max acknowledge", value: fmt.ms(open.maxMs) },
    {
      metric: `closed loop notifications/s (${concurrency} concurrent)`,
      value: fmt.rate(closed.notificationsPerSecond),
    },
    { metric: "closed loop p50 / p99 acknowledge", value: `${fmt.ms(closed.p50Ms)} / ${fmt.ms(closed.p99Ms)}` },
    {
      metric: "server CPU per notification (open / closed)",
      value: `${fmt.us(open.serverCpuUsPerNotification)} / ${fmt.us(closed.serverCpuUsPerNotification)}`,
    },
    {
      metric: "server CPU, cores busy (open / closed / idle)",
      value: `${fmt.n(open.serverCpuCores)} / ${fmt.n(closed.serverCpuCores)} / ${fmt.n(idleServerCpuCores)}`,
    },
    {
      metric: "other processes' CPU, cores (open / closed)",
      value: `${fmt.n(open.otherCpuCores)} / ${fmt.n(closed.otherCpuCores)}`,
    },
    { metric: "server event-loop delay p99 (open loop)", value: fmt.ms(open.serverLoopDelayP99Ms) },
    { metric: "in-process SnsSignatureVerifier.verify", value: fmt.us(costs.verifierUs) },
    { metric: "in-process RSA-2048 SHA-256 verify alone", value: fmt.us(costs.rsaVerifyUs) },
  ];
  return metricsTable(rows);
}

/** A warning when other processes used a quarter core or more during any measured phase. */
export function noiseWarning(runs: readonly PhaseContext[]): string | undefined {
  const busiest = Math.max(...runs.map((r) => r.otherCpuCores).filter((v) => !Number.isNaN(v)), 0);
  return busiest >= 0.25
    ? `Warning: other processes used up to ${fmt.n(busiest)} cores during a measured phase; the numbers may be spoiled.`
    : undefined;
}

export interface MarkdownInput {
  readonly date: string;
  readonly machine: MachineDescription;
  readonly runs: number;
  readonly rate: number;
  readonly logLevel: string;
  readonly verdict: TargetVerdict;
  readonly noise: string | undefined;
  readonly table: string;
  readonly server: {
    readonly fetches: number | undefined;
    readonly notifications: number | undefined;
    readonly acknowledged: number;
    readonly logLines: number;
    readonly logBytesPerNotification: number;
  };
}

export function resultsMarkdown(input: MarkdownInput): string {
  const { server } = input;
  return [
    `# SNS endpoint bench`,
    "",
    `${input.date}: ${input.machine.cpu}, ${input.machine.cores} cores, Node ${process.version}; medians of ${input.runs} runs; server in its own process, logging at "${input.logLevel}"; router is a counting double (intake only, the GitHub work after the acknowledgement is not measured).`,
    "",
    `Target: p99 acknowledge <= ${TARGET_P99_MS} ms at ${input.rate} notifications/s: **${passText(input.verdict.pass)}**.`,
    "",
    ...(input.noise ? [input.noise, ""] : []),
    input.table,
    "",
    `Server: ${server.fetches} certificate fetch(es), ${server.notifications} notifications routed of ${server.acknowledged} acknowledged, ${server.logLines} log lines (${Math.round(server.logBytesPerNotification)} bytes per notification).`,
    "",
  ].join("\n");
}
