// The SNS bench's load: pre-signed notifications POSTed to `/aws/sns` over keep-alive sockets,
// on a fixed schedule (open loop) or by a fixed number of senders (closed loop).
import http from "node:http";
import { performance } from "node:perf_hooks";
import type { SnsRequest } from "./notifications.js";

/** One POST: answered (status, times) or failed (error). */
type PostResult =
  | { readonly status: number | undefined; readonly sentAt: number; readonly doneAt: number; readonly error?: never }
  | { readonly error: string; readonly sentAt: number; readonly status?: never; readonly doneAt?: never };

/** What a phase's notifications got: counts, acknowledged rate and time-to-acknowledge percentiles. */
export interface LoadSummary {
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  readonly errorKinds: Record<string, number>;
  readonly ackPerSecond: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface OpenLoopResult extends LoadSummary {
  readonly offeredPerSecond: number;
  readonly sentPerSecond: number;
  readonly sendLagP99Ms: number;
  readonly sendLagMaxMs: number | undefined;
}

export interface ClosedLoopResult extends LoadSummary {
  readonly concurrency: number;
  readonly seconds: number;
  readonly notificationsPerSecond: number;
  readonly ranOutOfNotifications: boolean;
}

/** POSTs one notification; resolves with { status, sentAt, doneAt } or { error }. Never rejects. */
function post(agent: http.Agent, port: number, request: SnsRequest): Promise<PostResult> {
  return new Promise((resolvePost) => {
    const sentAt = performance.now();
    const req = http.request(
      { host: "127.0.0.1", port, path: "/aws/sns", method: "POST", agent, headers: request.headers },
      (res) => {
        res.resume();
        res.on("end", () => resolvePost({ status: res.statusCode, sentAt, doneAt: performance.now() }));
        res.on("error", (error) => resolvePost({ error: error.message, sentAt }));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error("no answer within 15 s (SNS's own timeout)")));
    req.on("error", (error) => resolvePost({ error: error.message, sentAt }));
    req.end(request.body);
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

function summarize(results: readonly PostResult[]): LoadSummary {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  let firstSent = Number.POSITIVE_INFINITY;
  let lastDone = 0;
  for (const result of results) {
    firstSent = Math.min(firstSent, result.sentAt);
    if (result.status === 200) {
      ok++;
      latencies.push(result.doneAt - result.sentAt);
      lastDone = Math.max(lastDone, result.doneAt);
    } else {
      const key = result.error ?? `HTTP ${result.status}`;
      errors[key] = (errors[key] ?? 0) + 1;
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    sent: results.length,
    ok,
    errors: results.length - ok,
    errorKinds: errors,
    ackPerSecond: ok > 0 ? ok / ((lastDone - firstSent) / 1000) : 0,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? Number.NaN,
  };
}

/** Sends requests[i] at start + i / rate, whatever happened to earlier ones. */
export async function openLoop(port: number, requests: readonly SnsRequest[], rate: number): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const interval = 1000 / rate;
  const pending: Promise<PostResult>[] = [];
  const lagMs: number[] = [];
  const start = performance.now() + 50;
  let next = 0;
  await new Promise<void>((resolveSent) => {
    const tick = () => {
      const now = performance.now();
      while (next < requests.length && start + next * interval <= now) {
        const request = requests[next];
        lagMs.push(performance.now() - (start + next * interval));
        if (request) pending.push(post(agent, port, request));
        next++;
      }
      if (next >= requests.length) return resolveSent();
      setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    setTimeout(tick, 50);
  });
  const results = await Promise.all(pending);
  agent.destroy();
  lagMs.sort((a, b) => a - b);
  const sentOver = ((results.at(-1)?.sentAt ?? 0) - (results[0]?.sentAt ?? 0)) / 1000;
  return {
    ...summarize(results),
    offeredPerSecond: rate,
    sentPerSecond: (results.length - 1) / sentOver,
    sendLagP99Ms: percentile(lagMs, 99),
    sendLagMaxMs: lagMs.at(-1),
  };
}

/** `concurrency` senders, each posting the next request once its previous one is answered. */
export async function closedLoop(
  port: number,
  requests: readonly SnsRequest[],
  concurrency: number,
  seconds: number,
): Promise<ClosedLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const results: PostResult[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const sender = async () => {
    while (next < requests.length && performance.now() < deadline) {
      const request = requests[next++];
      if (request) results.push(await post(agent, port, request));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  const elapsedS = (performance.now() - started) / 1000;
  agent.destroy();
  const summary = summarize(results);
  return {
    ...summary,
    concurrency,
    seconds: elapsedS,
    notificationsPerSecond: summary.ok / elapsedS,
    ranOutOfNotifications: next >= requests.length && elapsedS < seconds,
  };
}
