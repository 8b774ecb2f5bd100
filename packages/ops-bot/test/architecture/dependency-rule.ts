// The bot's dependency rule (STYLE.md, "Layers of the bot") as data, and a checker that reads
// import specifiers from source text. Kept apart from its test so the test can feed it both the
// real tree and made-up violations.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/** The folders of `src`, one per layer; `index` is the package entry, `testing` the testing entry. */
export type Layer = "entry" | "wiring" | "intake" | "domain" | "ports" | "adapters" | "testing" | "index";

/**
 * entry ─▶ wiring ─▶ intake ─▶ domain ─▶ ports ◀─ adapters. Each layer may import itself and the
 * layers listed; nothing imports entry or testing.
 */
export const ALLOWED_LAYERS: Readonly<Record<Layer, readonly Layer[]>> = {
  entry: ["wiring", "adapters", "ports"],
  wiring: ["intake", "domain", "ports", "adapters"],
  intake: ["domain", "ports"],
  domain: ["ports"],
  ports: [],
  adapters: ["ports"],
  testing: [],
  index: ["wiring", "intake", "domain", "ports", "adapters"],
};

/**
 * Packages a layer may import besides node's built-ins. Domain and ports stay free of SDKs and
 * transports, so a decision can be tested without AWS or GitHub, and a port says nothing of how
 * it is implemented.
 */
export const ALLOWED_PACKAGES: Readonly<Record<Layer, readonly string[] | "any">> = {
  entry: "any",
  wiring: "any",
  intake: ["@phoenix/shared", "probot", "zod"],
  domain: ["@phoenix/shared", "zod"],
  ports: ["@phoenix/shared"],
  adapters: "any",
  testing: ["@phoenix/shared"],
  index: "any",
};

/** Built-ins that do I/O or talk to the network: not for code that decides. */
const EFFECTFUL_BUILTINS = new Set([
  "node:fs",
  "node:fs/promises",
  "node:http",
  "node:https",
  "node:net",
  "node:child_process",
  "node:dgram",
  "node:dns",
]);

export interface SourceFile {
  /** Path relative to `src`, with forward slashes (`domain/delivery/deploy-workflow.ts`). */
  readonly path: string;
  readonly text: string;
}

export interface Violation {
  readonly file: string;
  readonly imports: string;
  readonly rule: string;
}

export function layerOf(path: string): Layer {
  if (path === "index.ts") return "index";
  const top = path.split("/")[0] as Layer;
  if (!(top in ALLOWED_LAYERS))
    throw new Error(`${path}: not in a layer folder (${Object.keys(ALLOWED_LAYERS).join(", ")})`);
  return top;
}

/** Every module specifier a file imports or re-exports, static or dynamic (type-only included: they couple too). */
export function importsOf(text: string): string[] {
  const specifiers: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\bimport\s+["']([^"']+)["']/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) specifiers.push(match[1] as string);
  return specifiers;
}

/** Resolves a relative specifier of `from` to a path relative to `src` (`.js` → `.ts`). */
export function resolveWithin(from: string, specifier: string): string {
  return normalize(join(dirname(from), specifier))
    .replace(/\.js$/, ".ts")
    .split("\\")
    .join("/");
}

export function checkDependencyRule(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const layer = layerOf(file.path);
    for (const specifier of importsOf(file.text)) {
      if (specifier.startsWith(".")) {
        const target = resolveWithin(file.path, specifier);
        if (target.startsWith("..")) {
          violations.push({ file: file.path, imports: specifier, rule: "stays inside src" });
          continue;
        }
        const targetLayer = layerOf(target);
        if (targetLayer !== layer && !ALLOWED_LAYERS[layer].includes(targetLayer)) {
          violations.push({ file: file.path, imports: target, rule: `${layer} may not import ${targetLayer}` });
        }
        continue;
      }
      if (specifier.startsWith("node:")) {
        const pure = layer === "domain" || layer === "ports";
        if (pure && EFFECTFUL_BUILTINS.has(specifier)) {
          violations.push({ file: file.path, imports: specifier, rule: `${layer} does no I/O` });
        }
        continue;
      }
      const allowed = ALLOWED_PACKAGES[layer];
      const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
      if (allowed !== "any" && !allowed.includes(name as string)) {
        violations.push({ file: file.path, imports: specifier, rule: `${layer} may not import the package ${name}` });
      }
    }
  }
  return violations;
}

/** Import cycles among the files (relative imports only), each as the files in order. */
export function findCycles(files: readonly SourceFile[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    graph.set(
      file.path,
      importsOf(file.text)
        .filter((specifier) => specifier.startsWith("."))
        .map((specifier) => resolveWithin(file.path, specifier)),
    );
  }
  // Tarjan's strongly connected components: a component of more than one file (or a file that
  // imports itself) is a cycle.
  let index = 0;
  const indices = new Map<string, number>();
  const lowLinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    lowLinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        lowLinks.set(node, Math.min(lowLinks.get(node) as number, lowLinks.get(next) as number));
      } else if (onStack.has(next)) {
        lowLinks.set(node, Math.min(lowLinks.get(node) as number, indices.get(next) as number));
      }
    }
    if (lowLinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.reverse());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return cycles;
}

/** The package's source files, paths relative to `srcDirectory`. */
export function readSources(srcDirectory: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) {
        files.push({ path: relative(srcDirectory, path).split("\\").join("/"), text: readFileSync(path, "utf8") });
      }
    }
  };
  walk(srcDirectory);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
