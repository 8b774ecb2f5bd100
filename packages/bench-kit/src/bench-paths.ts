import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where a bench script lives: its `bench/` folder, its package, and the workspace root. */
export interface BenchPaths {
  readonly benchDir: string;
  readonly packageDir: string;
  readonly workspaceRoot: string;
}

/** The paths of the bench at `importMetaUrl` (pass `import.meta.url`), which sits in `packages/<name>/bench/`. */
export function benchPaths(importMetaUrl: string): BenchPaths {
  const benchDir = dirname(fileURLToPath(importMetaUrl));
  const packageDir = resolve(benchDir, "..");
  return { benchDir, packageDir, workspaceRoot: resolve(packageDir, "../..") };
}
