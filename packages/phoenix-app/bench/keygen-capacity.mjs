// Machine capacity for what /generatecert costs: RSA-2048 `crypto.generateKeyPair` (the app's
// call, on libuv's thread pool) with N generations in flight, nothing else running. Started by
// run.mjs in its own process, so that its event loop is not the bench's. Prints one JSON line.
//
//   node bench/keygen-capacity.mjs '{"parallel":[1,2],"durationS":5}'
//
// Each worker starts a new key while the window is open; the last key started is waited for, so
// keys/s = keys / (last completion - start). The whole thing is bounded by the window plus the
// keys in flight (a fraction of a second each); run.mjs also kills it after a timeout.
import { generateKeyPair } from "node:crypto";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";

const generate = promisify(generateKeyPair);
const options = { modulusLength: 2048, publicExponent: 0x10001 };

const spec = JSON.parse(process.argv[2] ?? "{}");
const parallel = Array.isArray(spec.parallel) ? spec.parallel : [1, 2];
const durationS = Number(spec.durationS ?? 5);
if (!parallel.every((n) => Number.isInteger(n) && n >= 1 && n <= 16) || !(durationS > 0 && durationS <= 30)) {
  process.stderr.write("keygen-capacity.mjs: parallel must be whole numbers in 1..16, durationS in (0, 30]\n");
  process.exit(2);
}
process.on("disconnect", () => process.exit(1));

async function measure(n) {
  const durations = [];
  const start = performance.now();
  const deadline = start + durationS * 1000;
  let last = start;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await generate("rsa", options);
      last = performance.now();
      durations.push(last - t0);
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  const elapsedS = (last - start) / 1000;
  durations.sort((a, b) => a - b);
  const mid = Math.floor(durations.length / 2);
  const medianMs = durations.length % 2 ? durations[mid] : (durations[mid - 1] + durations[mid]) / 2;
  return {
    parallel: n,
    keys: durations.length,
    elapsedS: Math.round(elapsedS * 100) / 100,
    keysPerS: Math.round((durations.length / elapsedS) * 100) / 100,
    medianMsPerKey: Math.round(medianMs * 10) / 10,
    p90MsPerKey: Math.round(durations[Math.min(durations.length - 1, Math.floor(durations.length * 0.9))] * 10) / 10,
    // Key generation time is heavy-tailed (a random prime search): kept so that measurements can be pooled.
    durationsMs: durations.map((ms) => Math.round(ms * 10) / 10),
  };
}

await generate("rsa", options); // warm-up: loads OpenSSL and starts the thread pool
const results = [];
for (const n of parallel) results.push(await measure(n));
const cpu = process.cpuUsage();
const cpuS = (cpu.user + cpu.system) / 1e6; // this process, so that the parent can tell what else ran
process.stdout.write(`${JSON.stringify({ keyType: "RSA-2048", durationS, results, cpuS })}\n`);
