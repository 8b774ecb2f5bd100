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
