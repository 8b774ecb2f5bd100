/** Median of the numeric values (NaN and missing values ignored); NaN when there are none. */
export function median(values: readonly (number | null | undefined)[]): number {
  const sorted = values.filter((v): v is number => typeof v === "number" && !Number.isNaN(v)).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid];
  if (upper === undefined) return Number.NaN;
  if (sorted.length % 2) return upper;
  return ((sorted[mid - 1] ?? upper) + upper) / 2;
}
