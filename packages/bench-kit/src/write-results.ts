import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes a bench's `results.json` (the full record, pretty-printed) and `results.md` (what the
 * README quotes) into its `bench/` folder; resolves to the JSON file's path.
 */
export function writeResults(benchDir: string, results: unknown, markdown: string): string {
  const file = join(benchDir, "results.json");
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(benchDir, "results.md"), markdown);
  return file;
}
