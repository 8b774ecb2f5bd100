// How a phase of the SNS bench is measured around the load: the server's own numbers (CPU per
// notification, event-loop delay, GC) from its stats, the load generator's CPU (this process),
// and what the rest of the machine used meanwhile, which spoils the numbers when it is not ~0.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { BenchServer } from "./server-process.js";
import type { ServerStats } from "./server-protocol.js";

/** Server-side numbers over a phase. */
export interface ServerSide {
  readonly notificationsRouted: number;
  readonly serverCpuUsPerNotification: number;
  readonly serverCpuCores: number;
  readonly generatorCpuCores: number;
  readonly serverLoopDelayP99Ms: number;
  readonly serverLoopDelayMaxMs: number;
  readonly serverGcMs: number;
  readonly serverGcMaxPauseMs: number;
  readonly serverRssMiB: number;
}

/** What every measured phase adds to its load result. */
export interface PhaseContext extends ServerSide {
  readonly otherCpuCores: number;
  readonly quietWaitMs: number;
}

/** Server-side numbers over a phase: CPU per notification, event-loop delay, GC. */
export function serverSide(
  before: ServerStats,
  after: ServerStats,
  parentCpuBefore: NodeJS.CpuUsage,
  wallMs: number,
): ServerSide {
  const notifications = after.notifications - before.notifications;
  const cpuUs = after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
  const parentCpu = process.cpuUsage(parentCpuBefore);
  return {
    notificationsRouted: notifications,
    serverCpuUsPerNotification: notifications > 0 ? cpuUs / notifications : Number.NaN,
    serverCpuCores: cpuUs / 1000 / wallMs,
    generatorCpuCores: (parentCpu.user + parentCpu.system) / 1000 / wallMs,
    serverLoopDelayP99Ms: after.loopDelayP99Ms,
    serverLoopDelayMaxMs: after.loopDelayMaxMs,
    serverGcMs: after.gcMs,
    serverGcMaxPauseMs: after.gcMaxMs,
    serverRssMiB: after.rssBytes / 1_048_576,
  };
}

/** Busy CPU time of the whole machine so far, in ms (Linux /proc/stat), or undefined elsewhere. */
function machineBusyMs(): number | undefined {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return ((total - idle) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Waits (at most `maxWaitMs`) until the rest of the machine has used under 0.25 cores for half a
 * second, so a phase does not start in the middle of someone else's build. Returns the wait in ms.
 */
export async function waitForQuiet(server?: BenchServer, maxWaitMs = 30_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = await server?.stats();
    const parentCpu = process.cpuUsage();
    const machineBefore = machineBusyMs();
    if (machineBefore === undefined) return 0;
    const t0 = performance.now();
    await sleep(500);
    const wallMs = performance.now() - t0;
    const after = await server?.stats();
    const parentUsed = process.cpuUsage(parentCpu);
    const parentCores = (parentUsed.user + parentUsed.system) / 1000 / wallMs;
    const serverCores = before && after ? serverSide(before, after, parentCpu, wallMs).serverCpuCores : 0;
    const others = ((machineBusyMs() ?? machineBefore) - machineBefore) / wallMs - serverCores - parentCores;
    const waited = performance.now() - started;
    if (others < 0.25 || waited >= maxWaitMs) return Math.round(waited);
  }
}

/** Runs `phase` once the machine is quiet, and adds the server's and the machine's numbers to its result. */
export async function measured<T>(server: BenchServer, phase: () => Promise<T>): Promise<T & PhaseContext> {
  const quietWaitMs = await waitForQuiet(server);
  const before = await server.stats();
  const parentCpu = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const started = performance.now();
  const load = await phase();
  const wallMs = performance.now() - started;
  const machineAfter = machineBusyMs();
  const sides = serverSide(before, await server.stats(), parentCpu, wallMs);
  // Anything else running on the machine competes for the same cores and spoils the numbers.
  const otherCpuCores =
    machineBefore === undefined || machineAfter === undefined
      ? Number.NaN
      : Math.max(0, (machineAfter - machineBefore) / wallMs - sides.serverCpuCores - sides.generatorCpuCores);
  await sleep(100); // let the counting router see the last acknowledged notifications
  return { ...load, ...sides, otherCpuCores, quietWaitMs };
}
