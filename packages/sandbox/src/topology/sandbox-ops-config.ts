import type { SeededEnvironment } from "./sandbox-topology.js";

/** One environment of the sandbox's `.github/phoenix-ops.yml`. */
export interface SandboxEnvironmentEntry {
  readonly environment: SeededEnvironment;
  readonly region: string;
  /** Where the local platform serves this environment's app. */
  readonly url: string;
  /** How far `/scale` may move it; `default` is what `/scale … reset` restores. */
  readonly scaling: { readonly min: number; readonly max: number; readonly default: { min: number; max: number } };
  /** The environment whose successes this one requires. */
  readonly after?: string;
}

/**
 * The `.github/phoenix-ops.yml` the sandbox's repository holds, as a team would write it for
 * this topology: merges deploy to the first environment; each environment names the deployer
 * role its stack created (in its own account), so the bot acts there only by assuming it.
 */
export function sandboxOpsConfigYaml(app: string, entries: readonly SandboxEnvironmentEntry[]): string {
  const [first] = entries;
  if (!first) throw new Error("the sandbox's ops config needs an environment");
  return [
    `app: ${app}`,
    "deployOnMerge:",
    `  environment: ${first.environment.name}`,
    "environments:",
    ...entries.flatMap(({ environment, region, url, scaling, after }) => [
      `  ${environment.name}:`,
      `    region: ${region}`,
      `    roleArn: ${environment.deployerRoleArn}`,
      `    url: ${url}`,
      ...(after ? [`    after: ${after}`] : []),
      "    scaling:",
      `      min: ${scaling.min}`,
      `      max: ${scaling.max}`,
      `      default: { min: ${scaling.default.min}, max: ${scaling.default.max} }`,
    ]),
    "",
  ].join("\n");
}
