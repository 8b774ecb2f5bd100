// The IPC protocol between bench/sns-endpoint.ts (the parent) and bench/sns-server.ts (the
// server in its own process): the parent starts, queries and stops the server with these.

/** Parent → server. */
export type ParentMessage =
  | { readonly type: "start"; readonly certificatePem: string; readonly topicArn: string; readonly logLevel: string }
  | { readonly type: "stats" }
  | { readonly type: "stop" };

/** What the server counted since the previous stats (CPU and notifications are totals). */
export interface ServerStats {
  readonly cpu: NodeJS.CpuUsage;
  /** Notifications that reached the router. */
  readonly notifications: number;
  /** Signing-certificate fetches (the verifier caches the certificate: 1 expected). */
  readonly fetches: number;
  readonly rssBytes: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly gcMs: number;
  readonly gcMaxMs: number;
  readonly gcCount: number;
}

/** Server → parent. */
export type ServerMessage =
  | { readonly type: "ready" }
  | { readonly type: "listening"; readonly port: number }
  | ({ readonly type: "stats" } & ServerStats)
  | ({ readonly type: "stopped" } & ServerStats)
  | { readonly type: "error"; readonly message: string };
