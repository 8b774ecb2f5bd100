/** The bench cannot run as configured; its message says why. Exit non-zero on it. */
export class BenchError extends Error {
  override readonly name = "BenchError";
}
