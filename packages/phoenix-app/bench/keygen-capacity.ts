// Machine capacity for what /generatecert costs: RSA-2048 `crypto.generateKeyPair` (the app's
// call, on libuv's thread pool) with N generations in flight, nothing else running. Started by
// run.ts in its own process, so that its event loop is not the bench's. Prints one JSON line.
//
//   node --import tsx bench/keygen-capacity.ts '{"parallel":[1,2],"durationS":5}'
//
// Each worker starts a new key while the window is open; the last key started is waited for, so
// keys/s = keys / (last completion - start). The whole thing is bounded by the window plus the
// keys in flight (a fraction of a second each); run.ts also kills it after a timeout.
import { generateKeyPair } from "node:crypto";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import type { KeygenReport, KeygenRow } from "./protocol.js";

const generate = promisify(generateKeyPair);
const generateKey = () => generate("rsa", { modulusLength: 2048, publicExponent: 0x10001 });

const spec = JSON.parse(process.argv[2] ?? "{}") as { parallel?: unknown; durationS?: unknown };
const parallel: unknown[] = Array.isArray(spec.parallel) ? spec.parallel : [1, 2];
const durationS = Number(spec.durationS ?? 5);
const isParallelism = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 16;
if (!parallel.every(isParallelism) || !(durationS > 0 && durationS <= 30)) {
  process.stderr.write("keygen-capacity.ts: parallel must be whole numbers in 1..16, durationS in (0, 30]\n");
  process.exit(2);
}
process.on("disconnect", () => process.exit(1));

async function measure(n: number): Promise<KeygenRow> {
  const durations: number[] = [];
  const start = performance.now();
  const deadline = start + durationS * 1000;
  let last = start;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await generateKey();
      last = performance.now();
      durations.push(last - t0);
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  const elapsedS = (last - start) / 1000;
  durations.sort((a, b) => a - b);
  const at = (index: number) => durations[index] ?? Number.NaN;
  const mid = Math.floor(durations.length / 2);
  const medianMs = durations.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  return {
    parallel: n,
    keys: durations.length,
    elapsedS: Math.round(elapsedS * 100) / 100,
    keysPerS: Math.round((durations.length / elapsedS) * 100) / 100,
    medianMsPerKey: Math.round(medianMs * 10) / 10,
    p90MsPerKey: Math.round(at(Math.min(durations.length - 1, Math.floor(durations.length * 0.9))) * 10) / 10,
    durationsMs: durations.map((ms) => Math.round(ms * 10) / 10),
  };
}

await generateKey(); // warm-up: loads OpenSSL and starts the thread pool
const results: KeygenRow[] = [];
for (const n of parallel.filter(isParallelism)) results.push(await measure(n));
const cpu = process.cpuUsage();
const cpuS = (cpu.user + cpu.system) / 1e6; // this process, so that the parent can tell what else ran
const report: KeygenReport = { keyType: "RSA-2048", durationS, results, cpuS };
process.stdout.write(`${JSON.stringify(report)}\n`);
