// One load generator = one process (autocannon is single-threaded JS). Started by run.mjs
// with an IPC channel: it loads autocannon, says "ready", waits for "go", runs one bounded
// autocannon session and sends back a compact result. If the parent goes away, it stops.
import { cpuUsage } from "node:process";
import autocannon from "autocannon";

const spec = JSON.parse(process.argv[2] ?? "{}");
if (typeof process.send !== "function" || typeof spec.url !== "string" || !spec.url.startsWith("http://127.0.0.1:")) {
  process.stderr.write("load-client.mjs is started by run.mjs (IPC, 127.0.0.1 only)\n");
  process.exit(2);
}

let instance;
const stop = () => {
  instance?.stop();
  process.exit(1);
};
process.on("disconnect", stop);
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

process.on("message", (message) => {
  if (message?.type !== "go" || instance) return;
  const cpuBefore = cpuUsage();
  instance = autocannon(
    {
      url: spec.url,
      connections: spec.connections,
      pipelining: 1,
      duration: spec.durationS,
      timeout: spec.timeoutS ?? 10,
      ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    },
    (error, result) => {
      if (error) {
        process.send({ type: "error", message: String(error?.message ?? error) }, () => process.exit(1));
        return;
      }
      const cpu = cpuUsage(cpuBefore);
      const status = Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]),
      );
      const summary = {
        name: spec.name,
        url: spec.url,
        connections: spec.connections,
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
      process.send({ type: "result", result: summary }, () => process.exit(0));
    },
  );
});

process.send({ type: "ready" });
