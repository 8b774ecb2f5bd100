import type { z } from "zod";
import { inlineCode } from "../rendering/markdown.js";
import { OPS_CONFIG_KEYS, OPS_CONFIG_PATH, type OpsConfig, opsConfigSchema } from "./ops-config-schema.js";

/** One thing wrong in the file: `path` is dotted (`environments.production.scaling.default`, list items as `.0`); `""` is the whole file. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export type OpsConfigParse =
  | { readonly ok: true; readonly config: OpsConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Comments list at most this many problems; a file wrong in more places gets a count of the rest. */
const RENDERED_PROBLEMS_MAX = 50;

/**
 * Validates the YAML-parsed `.github/phoenix-ops.yml` and resolves its defaults. Never throws:
 * whatever the input, the answer is a config or one problem per bad path.
 */
export function parseOpsConfig(input: unknown): OpsConfigParse {
  let result: ReturnType<typeof opsConfigSchema.safeParse>;
  try {
    result = opsConfigSchema.safeParse(input);
  } catch {
    // Only exotic objects (throwing getters, proxies) get here; YAML never produces them.
    return { ok: false, problems: [{ path: "", message: "could not be read as a mapping of settings" }] };
  }
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: toProblems(result.error.issues) };
}

/** The problems as a GitHub-markdown bullet list, one `- \`path\`: message` line each. */
export function renderConfigProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems
    .slice(0, RENDERED_PROBLEMS_MAX)
    .map((problem) => `- ${inlineCode(problem.path === "" ? OPS_CONFIG_PATH : problem.path)}: ${problem.message}`);
  const rest = problems.length - RENDERED_PROBLEMS_MAX;
  if (rest > 0) lines.push(`- …and ${rest} more ${rest === 1 ? "problem" : "problems"}`);
  return lines.join("\n");
}

function toProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const byPath = new Map<string, ConfigProblem>();
  const add = (segments: readonly PropertyKey[], message: string): void => {
    const path = segments.map(String).join(".");
    // Zod may report several issues on one path (a bad value and a failed check); the first is the cause.
    if (!byPath.has(path)) byPath.set(path, { path, message });
  };
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) add([...issue.path, key], unknownKeyMessage(issue.path, key));
    } else if (issue.code === "invalid_key") {
      add(issue.path, issue.issues[0]?.message ?? "is not a valid name");
    } else {
      add(issue.path, issue.message);
    }
  }
  return [...byPath.values()];
}

function unknownKeyMessage(parent: readonly PropertyKey[], key: string): string {
  const known = knownKeysAt(parent);
  const suggestion = closest(key, known);
  return suggestion === undefined
    ? `is not a setting here; use one of ${known.map((name) => `\`${name}\``).join(", ")}`
    : `is not a setting here; did you mean \`${suggestion}\`?`;
}

function knownKeysAt(parent: readonly PropertyKey[]): readonly string[] {
  const [first, , third, fourth] = parent;
  if (parent.length === 0) return OPS_CONFIG_KEYS.file;
  if (first === "deployOnMerge") return OPS_CONFIG_KEYS.deployOnMerge;
  if (third === "scaling") return fourth === "default" ? OPS_CONFIG_KEYS.scaleBounds : OPS_CONFIG_KEYS.scaling;
  return OPS_CONFIG_KEYS.environment;
}

/** The known key a typo most likely meant: within two edits, ignoring case. */
function closest(key: string, known: readonly string[]): string | undefined {
  if (key.length > 40) return undefined;
  let best: { readonly key: string; readonly distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
