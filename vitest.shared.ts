import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const envFile = fileURLToPath(new URL("./.test-services/env", import.meta.url));

/**
 * The variables `scripts/test-services.sh up` wrote, so `vitest` works from any package
 * after the services are up. Variables already in the environment win.
 */
export function testServiceEnv(): Record<string, string> {
  if (!existsSync(envFile)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(envFile, "utf8").split("\n")) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined && process.env[match[1]] === undefined) vars[match[1]] = match[2];
  }
  return vars;
}

// vitest 5 formats failures with Map.groupBy (Node ≥ 21); this machine runs Node 20.
if (typeof Map.groupBy !== "function") {
  Object.defineProperty(Map, "groupBy", {
    configurable: true,
    writable: true,
    value<K, T>(items: Iterable<T>, keyOf: (item: T, index: number) => K): Map<K, T[]> {
      const groups = new Map<K, T[]>();
      let index = 0;
      for (const item of items) {
        const key = keyOf(item, index++);
        const group = groups.get(key);
        if (group) group.push(item);
        else groups.set(key, [item]);
      }
      return groups;
    },
  });
}
