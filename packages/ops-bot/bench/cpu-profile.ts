// SNS_BENCH_CPU_PROF=1: where the server's busy (non-idle) CPU time went, from its --cpu-prof
// profile: the top functions by self time, and the same samples grouped by what they were doing
// (the nearest caller that says so).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const PROFILE_CATEGORIES: readonly (readonly [string, RegExp])[] = [
  ["logging (pino)", /\/(pino|sonic-boom|thread-stream)\//],
  ["signature check", /sns-signature-verifier|string-to-sign|signing-certificate-url|node:internal\/crypto/],
  ["SNS intake (parse, checks)", /sns-endpoint\.js/],
  ["HTTP server (node:http, net)", /node:_http|node:net|node:internal\/streams|node:stream/],
  ["ops-bot server", /ops-bot-server\.js/],
];

/** The parts of a V8 .cpuprofile read here. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  readonly selfMs: number;
  readonly shareOfBusy: number;
}

export interface CpuProfileSummary {
  readonly file: string;
  readonly busyMs: number;
  readonly categories: readonly ProfileEntry[];
  readonly functions: readonly ProfileEntry[];
}

export function summarizeCpuProfile(dir: string): CpuProfileSummary | undefined {
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  if (!file) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const categories = new Map<string, number>();
  let busyUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const leaf = byId.get(profile.samples[i] ?? -1);
    if (!leaf) continue;
    const us = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = leaf.callFrame;
    if (functionName === "(idle)") continue;
    busyUs += us;
    const where = url
      ? ` ${url
          .replace(/^.*\/node_modules\//, "")
          .split("/")
          .slice(-2)
          .join("/")}:${lineNumber + 1}`
      : "";
    const key = `${functionName || "(anonymous)"}${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
    let category = functionName === "(garbage collector)" ? "garbage collector" : undefined;
    if (!category && !url && (functionName === "parse" || functionName === "stringify")) category = "JSON";
    for (let node: typeof leaf | undefined = leaf; !category && node; node = byId.get(parent.get(node.id) ?? -1)) {
      const frameUrl = node.callFrame.url;
      category = PROFILE_CATEGORIES.find(([, pattern]) => pattern.test(frameUrl))?.[0];
    }
    category ??= "other";
    categories.set(category, (categories.get(category) ?? 0) + us);
  }
  const rank = (map: Map<string, number>, limit: number): ProfileEntry[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), shareOfBusy: us / busyUs }));
  return {
    file: join(dir, file),
    busyMs: Math.round(busyUs / 1000),
    categories: rank(categories, 20),
    functions: rank(self, 15),
  };
}
