export interface StagingEnvironment {
  readonly region: string;
  readonly cluster: string;
  readonly service: string;
  /** @default the config's own default, `PHOENIX_APP.containerName` */
  readonly container?: string;
  readonly url: string;
}

/**
 * A `.github/phoenix-ops.yml` with one environment, `staging`: merges deploy to it, and `/scale`
 * may move it between 1 and 8 tasks (`reset`: 2-4). The sandbox's repository has it, and the
 * flow tests give it to theirs.
 */
export function stagingOpsConfigYaml(env: StagingEnvironment): string {
  return [
    "deployOnMerge:",
    "  environment: staging",
    "environments:",
    "  staging:",
    `    region: ${env.region}`,
    `    cluster: ${env.cluster}`,
    `    service: ${env.service}`,
    ...(env.container ? [`    container: ${env.container}`] : []),
    `    url: ${env.url}`,
    "    scaling:",
    "      min: 1",
    "      max: 8",
    "      default: { min: 2, max: 4 }",
    "",
  ].join("\n");
}
