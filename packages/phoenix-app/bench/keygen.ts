// Machine capacity for /generatecert: RSA-2048 key generation alone (bench/keygen-capacity.ts,
// in its own process on the runtime's Node), measured before the first config and after the
// last, pooled into the "% of machine peak" yardstick.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { BenchError, median } from "@phoenix/bench-kit";
import type { Runtime } from "./configs.js";
import { machineCpu } from "./cpu-accounting.js";
import { round } from "./numbers.js";
import { type ChildExit, state } from "./process-control.js";
import type { KeygenReport, KeygenSpec } from "./protocol.js";

const keygenScript = fileURLToPath(new URL("keygen-capacity.ts", import.meta.url));

/** One capacity measurement, with what the rest of the machine used meanwhile. */
export interface KeygenMeasurement extends KeygenReport {
  readonly otherCores: number;
  readonly peakKeysPerS: number;
}

/** Both measurements of a runtime together: keys / time per parallelism, the median over all keys. */
export interface PooledKeygen {
  readonly keyType: string;
  readonly durationS: number;
  readonly pooled: readonly {
    readonly parallel: number;
    readonly keys: number;
    readonly elapsedS: number;
    readonly keysPerS: number;
    readonly medianMsPerKey: number;
  }[];
  readonly peakKeysPerS: number;
  readonly beforeConfigs: KeygenMeasurement;
  readonly afterConfigs: KeygenMeasurement;
}

export async function measureKeygenCapacity(
  cwd: string,
  durationS: number,
  runtime: Runtime,
): Promise<KeygenMeasurement> {
  const spec: KeygenSpec = { parallel: [1, 2], durationS };
  const child = spawn(runtime.binary, ["--import", "tsx", keygenScript, JSON.stringify(spec)], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  state.clients.add(child);
  const before = { at: performance.now(), machine: machineCpu() };
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => errors.push(chunk));
  const exited = new Promise<ChildExit>((resolveExit) =>
    child.once("exit", (code, signal) => {
      state.clients.delete(child);
      resolveExit({ code, signal });
    }),
  );
  const limitMs = spec.parallel.length * durationS * 1000 + 20_000;
  const result = await Promise.race([exited, sleep(limitMs).then(() => undefined)]);
  if (!result) {
    child.kill("SIGKILL");
    await exited;
    throw new BenchError(`the key generation measurement did not finish within ${limitMs / 1000} s`);
  }
  if (result.code !== 0) {
    throw new BenchError(
      `the key generation measurement failed (${result.code ?? result.signal}): ${Buffer.concat(errors).toString().trim()}`,
    );
  }
  const measured = JSON.parse(Buffer.concat(chunks).toString("utf8")) as KeygenReport;
  const wallS = (performance.now() - before.at) / 1000;
  const otherCores = round((machineCpu().busy - before.machine.busy - measured.cpuS) / wallS, 2);
  return { ...measured, otherCores, peakKeysPerS: Math.max(...measured.results.map((r) => r.keysPerS)) };
}

export function poolKeygen(before: KeygenMeasurement, after: KeygenMeasurement): PooledKeygen {
  const measurements = [before, after];
  const pooled = before.results.map(({ parallel }) => {
    const rows = measurements.flatMap((m) => m.results.filter((r) => r.parallel === parallel));
    const keys = rows.reduce((sum, r) => sum + r.keys, 0);
    const elapsedS = rows.reduce((sum, r) => sum + r.elapsedS, 0);
    return {
      parallel,
      keys,
      elapsedS: round(elapsedS, 2),
      keysPerS: round(keys / elapsedS, 2),
      medianMsPerKey: round(median(rows.flatMap((r) => r.durationsMs)), 1),
    };
  });
  return {
    keyType: before.keyType,
    durationS: before.durationS,
    pooled,
    peakKeysPerS: Math.max(...pooled.map((r) => r.keysPerS)),
    beforeConfigs: before,
    afterConfigs: after,
  };
}
