import os from "node:os";

// What every package's benchmark script needs: bounded numeric knobs from the environment,
// a recognisable error for "the bench cannot run" (as opposed to a missed target), medians.

/** The bench cannot run as configured; its message says why. Exit non-zero on it. */
export class BenchError extends Error {}

/** A whole-number setting from the environment, `fallback` when unset. */
export function intEnv(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BenchError(`${name} must be a whole number in ${min}..${max}, got "${raw}"`);
  }
  return value;
}

/** Median of the numeric values (NaN and non-numbers ignored); NaN when there are none. */
export function median(values) {
  const sorted = values.filter((v) => typeof v === "number" && !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A Markdown table with padded columns (readable as plain text too); every cell a string. */
export function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cols) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The table every target-bearing bench prints: metric, median, target, pass (— where none). */
export function metricsTable(rows) {
  const cells = rows.map((row) => [row.metric, row.value, row.target ?? "—", row.pass ?? "—"]);
  return markdownTable(["metric", "median", "target", "pass"], cells);
}

/** The machine a result was measured on, recorded with every bench's JSON. */
export function machineDescription() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
  };
}
