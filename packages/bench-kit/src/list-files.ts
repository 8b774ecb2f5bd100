import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Every file under `dir` (recursively), as paths; none when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
