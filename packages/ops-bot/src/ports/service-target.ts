/** Where one environment runs: resolved from `.github/phoenix-ops.yml`. */
export interface ServiceTarget {
  readonly region: string;
  readonly cluster: string;
  readonly service: string;
  /** The container in the task definition whose image a deploy replaces. */
  readonly container: string;
  /** Assumed before every call when set (cross-account deploys). */
  readonly roleArn?: string;
}
