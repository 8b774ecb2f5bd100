// What the app bench and its child processes say to each other: the load generator
// (bench/load-client.ts, over IPC) and the key-generation capacity measurement
// (bench/keygen-capacity.ts, one JSON line on stdout).

/** One load generator's job: an autocannon session against one URL of the app. */
export interface LoadSpec {
  readonly name: string;
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  /** autocannon's per-request timeout. @default 10 */
  readonly timeoutS?: number;
  /** A fixed request rate over all connections; closed loop without it. */
  readonly overallRate?: number;
}

/** What a load generator reports after its session. */
export interface LoadSummary {
  readonly name: string;
  readonly url: string;
  readonly connections: number;
  readonly overallRate: number | null;
  readonly durationS: number;
  readonly total: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  /** Responses by status code. */
  readonly status: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly timeouts: number;
  readonly rps2xx: number;
  /** autocannon records latency of 2xx responses only, in whole milliseconds. */
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly generatorCpuS: number;
}

/** Parent → load generator. */
export type GoMessage = { readonly type: "go" };

/** Load generator → parent. */
export type ClientMessage =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly result: LoadSummary }
  | { readonly type: "error"; readonly message: string };

/** The key-generation measurement's argument. */
export interface KeygenSpec {
  /** Generations in flight, one measurement each. */
  readonly parallel: readonly number[];
  readonly durationS: number;
}

/** One parallelism's key generation. */
export interface KeygenRow {
  readonly parallel: number;
  readonly keys: number;
  readonly elapsedS: number;
  readonly keysPerS: number;
  readonly medianMsPerKey: number;
  readonly p90MsPerKey: number;
  /** Key generation time is heavy-tailed (a random prime search): kept so that measurements can be pooled. */
  readonly durationsMs: readonly number[];
}

/** The key-generation measurement's one line of output. */
export interface KeygenReport {
  readonly keyType: string;
  readonly durationS: number;
  readonly results: readonly KeygenRow[];
  /** CPU of the measuring process, so that the parent can tell what else ran. */
  readonly cpuS: number;
}
