/** A metric's recent datapoints, as read from CloudWatch GetMetricData. */
export interface MetricSeries {
  readonly title: string;
  readonly unit: string;
  readonly points: readonly { readonly at: Date; readonly value: number }[];
  /** Drawn as a flat second line, so the breach is visible at a glance. */
  readonly threshold?: number;
}

const MAX_POINTS = 30;

/**
 * A mermaid `xychart-beta` block, which GitHub renders in issues. Points are bucketed to at
 * most 30 (keeping each bucket's maximum, so peaks survive) because a categorical x-axis with
 * 60 labels is unreadable.
 */
export function mermaidXyChart(series: MetricSeries): string {
  const sorted = [...series.points].sort((a, b) => a.at.getTime() - b.at.getTime());
  if (sorted.length === 0) return "_No datapoints in the last hour._";
  const size = Math.ceil(sorted.length / MAX_POINTS);
  const buckets: { label: string; value: number }[] = [];
  for (let i = 0; i < sorted.length; i += size) {
    const bucket = sorted.slice(i, i + size);
    buckets.push({
      label: (bucket[0] as { at: Date }).at.toISOString().slice(11, 16),
      value: Math.max(...bucket.map((point) => point.value)),
    });
  }
  const values = buckets.map((b) => round(b.value));
  const top = Math.max(...values, series.threshold ?? 0);
  const lines = [
    "```mermaid",
    "xychart-beta",
    `    title "${escapeQuotes(series.title)}"`,
    `    x-axis [${buckets.map((b) => `"${b.label}"`).join(", ")}]`,
    `    y-axis "${escapeQuotes(series.unit)}" 0 --> ${niceCeiling(top)}`,
    `    line [${values.join(", ")}]`,
  ];
  if (series.threshold !== undefined)
    lines.push(`    line [${buckets.map(() => round(series.threshold as number)).join(", ")}]`);
  lines.push("```");
  return lines.join("\n");
}

const round = (value: number) => Math.round(value * 10) / 10;
const escapeQuotes = (text: string) => text.replace(/"/g, "'");

/** 100 for percentages near it, otherwise the next 1/2/5 × 10^n above the peak. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  if (value <= 100 && value > 50) return 100;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * magnitude).find((candidate) => candidate >= value) ?? 10 * magnitude;
}
