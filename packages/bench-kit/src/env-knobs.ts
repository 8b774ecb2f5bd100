import { BenchError } from "./bench-error.js";

/** A whole-number setting from the environment, `fallback` when unset or empty. */
export function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BenchError(`${name} must be a whole number in ${min}..${max}, got "${raw}"`);
  }
  return value;
}
