// One load generator = one process (autocannon is single-threaded JS). Started by run.ts
// with an IPC channel: it loads autocannon, says "ready", waits for "go", runs one bounded
// autocannon session and sends back a compact result. If the parent goes away, it stops.
import { cpuUsage } from "node:process";
import autocannon from "autocannon";
import type { ClientMessage, GoMessage, LoadSpec, LoadSummary } from "./protocol.js";

const spec = JSON.parse(process.argv[2] ?? "{}") as Partial<LoadSpec>;
const send = process.send?.bind(process);
if (!send || typeof spec.url !== "string" || !spec.url.startsWith("http://127.0.0.1:")) {
  process.stderr.write("load-client.ts is started by run.ts (IPC, 127.0.0.1 only)\n");
  process.exit(2);
}
const url = spec.url;
const reply = (message: ClientMessage, then: () => void) => send(message, undefined, undefined, then);

let instance: autocannon.Instance | undefined;
const stop = () => {
  instance?.stop();
  process.exit(1);
};
process.on("disconnect", stop);
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

process.on("message", (message: GoMessage | undefined) => {
  if (message?.type !== "go" || instance) return;
  const cpuBefore = cpuUsage();
  instance = autocannon(
    {
      url,
      connections: spec.connections,
      pipelining: 1,
      duration: spec.durationS,
      timeout: spec.timeoutS ?? 10,
      ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    },
    (error, result) => {
      if (error) {
        reply({ type: "error", message: error instanceof Error ? error.message : String(error) }, () =>
          process.exit(1),
        );
        return;
      }
      const cpu = cpuUsage(cpuBefore);
      const status = Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]),
      );
      const summary: LoadSummary = {
        name: spec.name ?? url,
        url,
        connections: spec.connections ?? 0,
        overallRate: spec.overallRate ?? null,
        durationS: result.duration,
        total: result.requests.total,
        ok2xx: result["2xx"],
        non2xx: result.non2xx,
        status,
        errors: result.errors,
        timeouts: result.timeouts,
        rps2xx: result["2xx"] / result.duration,
        // autocannon records latency of 2xx responses only, in whole milliseconds.
        latencyMs: {
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          max: result.latency.max,
          mean: result.latency.average,
        },
        generatorCpuS: (cpu.user + cpu.system) / 1e6,
      };
      reply({ type: "result", result: summary }, () => process.exit(0));
    },
  );
});

reply({ type: "ready" }, () => {});
