import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orderLoopThrough, renderOrderLoop } from "../../../src/domain/ops-config/environment-order.js";
import { type OpsConfig, opsConfigSchema } from "../../../src/domain/ops-config/ops-config-schema.js";
import { parseOpsConfig } from "../../../src/domain/ops-config/parse-ops-config.js";

// Configs typed by hand: each exercises the `after:` rule only.
const region = "eu-west-1";

describe("after: in the ops config", () => {
  it("resolves after: staging on production and leaves it out elsewhere", () => {
    const parsed = parseOpsConfig({ environments: { staging: { region }, production: { region, after: "staging" } } });
    expect(parsed.ok && parsed.config.environments.production?.after).toBe("staging");
    expect(parsed.ok && "after" in (parsed.config.environments.staging ?? {})).toBe(false);
    const viaSchema: OpsConfig = opsConfigSchema.parse({
      environments: { staging: { region }, production: { region, after: "staging" } },
    });
    expect(viaSchema.environments.production?.after).toBe("staging");
  });

  it("accepts a chain (qa → staging → production)", () => {
    const parsed = parseOpsConfig({
      environments: { qa: { region }, staging: { region, after: "qa" }, production: { region, after: "staging" } },
    });
    expect(parsed.ok).toBe(true);
  });

  it("reports a loop on every environment of it, one line each", () => {
    const parsed = parseOpsConfig({
      environments: {
        staging: { region, after: "production" },
        production: { region, after: "staging" },
        preview: { region, after: "staging" },
      },
    });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems).toEqual([
      {
        path: "environments.staging.after",
        message: "forms a loop (staging → production → staging): no environment on it could ever be deployed first",
      },
      {
        path: "environments.production.after",
        message: "forms a loop (production → staging → production): no environment on it could ever be deployed first",
      },
    ]);
  });
});

/** A random `after:` graph over a few names: each environment names at most one other (or itself). */
const predecessorGraph = fc
  .integer({ min: 1, max: 7 })
  .chain((size) => {
    const names = Array.from({ length: size }, (_, index) => `env-${index}`);
    return fc.tuple(
      fc.constant(names),
      fc.array(fc.option(fc.constantFrom(...names), { nil: undefined }), { minLength: size, maxLength: size }),
    );
  })
  .map(([names, targets]) => {
    const graph = new Map<string, string>();
    names.forEach((name, index) => {
      const target = targets[index];
      if (target !== undefined) graph.set(name, target);
    });
    return { names, graph };
  });

/** Brute force: following `after:` from `name` for as many steps as there are names comes back to it. */
function returnsTo(name: string, graph: ReadonlyMap<string, string>, steps: number): boolean {
  let current: string | undefined = name;
  for (let step = 0; step < steps; step++) {
    current = current === undefined ? undefined : graph.get(current);
    if (current === name) return true;
  }
  return false;
}

describe("orderLoopThrough", () => {
  it("finds a loop through an environment exactly when following after: leads back to it", () => {
    fc.assert(
      fc.property(predecessorGraph, ({ names, graph }) => {
        for (const name of names) {
          const loop = orderLoopThrough(name, graph);
          expect(loop !== undefined).toBe(returnsTo(name, graph, names.length));
          if (loop === undefined) continue;
          // The loop starts at the environment, each one names the next, the last names the first.
          expect(loop[0]).toBe(name);
          expect(new Set(loop).size).toBe(loop.length);
          for (const [index, member] of loop.entries()) {
            expect(graph.get(member)).toBe(loop[(index + 1) % loop.length]);
          }
        }
      }),
    );
  });

  it("lets the config through exactly when no environment lies on a loop", () => {
    fc.assert(
      fc.property(predecessorGraph, ({ names, graph }) => {
        const environments = Object.fromEntries(
          names.map((name) => [name, { region, ...(graph.has(name) ? { after: graph.get(name) } : {}) }]),
        );
        const anyLoop = names.some((name) => returnsTo(name, graph, names.length));
        expect(parseOpsConfig({ environments }).ok).toBe(!anyLoop);
      }),
    );
  });

  it("renders a loop back to its start", () => {
    expect(renderOrderLoop(["staging", "production"])).toBe("staging → production → staging");
  });
});
