import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export const dockerfilePath = fileURLToPath(new URL("../../Dockerfile", import.meta.url));

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
export interface Stage {
  /** The FROM image with global ARGs substituted, e.g. `node:26.10.0-trixie-slim`. */
  readonly image: string;
  /** The FROM image as written, e.g. `node:${NODE_VERSION}-trixie-slim`. */
  readonly imageAsWritten: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}
export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults: only these may appear in FROM. */
  readonly globalArgs: ReadonlyMap<string, string | undefined>;
  readonly stages: readonly Stage[];
}

/** Splits a Dockerfile (default `\` escape) into global ARGs and stages, continuations joined. */
export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && pending === "")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${pending}${line}`.trim());
    pending = "";
  }
  if (pending.trim()) logical.push(pending.trim());

  const globalArgs = new Map<string, string | undefined>();
  const substitute = (value: string) =>
    value.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
      const name = braced ?? bare ?? "";
      if (!globalArgs.has(name)) throw new Error(`FROM uses ${whole}, which is not a global ARG`);
      return globalArgs.get(name) ?? "";
    });

  const stages: { image: string; imageAsWritten: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of logical.filter(Boolean)) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match?.[1]) continue;
    const keyword = match[1].toUpperCase();
    const args = match[2] ?? "";
    if (keyword === "FROM") {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from?.[1]) throw new Error(`unparsed FROM: ${line}`);
      stages.push({ image: substitute(from[1]), imageAsWritten: from[1], name: from[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage) {
      stage.instructions.push({ keyword, args });
    } else if (keyword === "ARG") {
      const arg = /^(\w+)(?:=(\S*))?$/.exec(args);
      if (!arg?.[1]) throw new Error(`unparsed ARG: ${line}`);
      globalArgs.set(arg[1], arg[2]);
    } else {
      throw new Error(`instruction other than ARG before the first FROM: ${line}`);
    }
  }
  return { globalArgs, stages };
}

export async function readAppDockerfile(): Promise<Dockerfile> {
  return parseDockerfile(await readFile(dockerfilePath, "utf8"));
}
