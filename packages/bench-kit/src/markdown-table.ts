/** A Markdown table with padded columns (readable as plain text too); every cell a string. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cols: readonly string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** One row of a bench's metrics table; `target` and `pass` only where the metric has a target. */
export interface MetricRow {
  readonly metric: string;
  readonly value: string;
  readonly target?: string;
  readonly pass?: string;
}

/** The table every target-bearing bench prints: metric, median, target, pass (— where none). */
export function metricsTable(rows: readonly MetricRow[]): string {
  const cells = rows.map((row) => [row.metric, row.value, row.target ?? "—", row.pass ?? "—"]);
  return markdownTable(["metric", "median", "target", "pass"], cells);
}
