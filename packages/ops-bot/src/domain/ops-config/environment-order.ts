/**
 * Enforced deployment order between environments: `after: staging` on production means
 * production accepts only images that already succeeded in staging. Each environment names at
 * most one predecessor, so the order is a set of chains; a chain that loops back on itself
 * would make every environment on it wait for another, and nothing could ever be deployed.
 */

/** The environment each one names in `after:`, by environment name. */
export type PredecessorOf = ReadonlyMap<string, string>;

/**
 * The loop that `start` lies on, from `start` round to the environment just before it again
 * (`[staging, production]` when each names the other), or `undefined` when following `after:`
 * from `start` ends at an environment with none or leads into a loop elsewhere.
 */
export function orderLoopThrough(start: string, predecessorOf: PredecessorOf): readonly string[] | undefined {
  const path = [start];
  for (let next = predecessorOf.get(start); next !== undefined; next = predecessorOf.get(next)) {
    if (next === start) return path;
    // A loop that `start` only leads into: reported from the environments on it.
    if (path.includes(next)) return undefined;
    path.push(next);
  }
  return undefined;
}

/** `staging → production → staging`: the loop as a user reads it, back at its start. */
export function renderOrderLoop(loop: readonly string[]): string {
  return [...loop, loop[0]].join(" → ");
}
