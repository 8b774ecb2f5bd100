import { BenchError } from "./bench-error.js";

/**
 * Imports what a bench measures through its package's built entry (`load` is `() => import(name)`),
 * turning "not built yet" into a BenchError that says how to build it: a bench builds nothing.
 */
export async function importBuilt<T>(packageName: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ERR_MODULE_NOT_FOUND") {
      throw new BenchError(`${error.message}: build first with \`pnpm --filter ${packageName} build\``);
    }
    throw error;
  }
}
