// CPU accounting for the app bench (Linux /proc; absent elsewhere): the app's main thread and its
// other threads, the local database server, the whole machine; and waiting for the machine to go
// quiet before a phase, since other work on it spoils the numbers.
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { log } from "./bench-log.js";
import { round } from "./numbers.js";

const CLK_TCK = 100;

/** The pid listening on a local database port, found through /proc, so its CPU can be shown too. */
export function findLocalListener(host: string, port: number): number | undefined {
  if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host) || !port) return undefined;
  try {
    const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
    const inodes = new Set<string>();
    for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, "utf8").trim().split("\n").slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A") inodes.add(`socket:[${cols[9]}]`);
      }
    }
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid);
        } catch {}
      }
    }
  } catch {}
  return undefined;
}

/** CPU seconds (user + system) of a process, or of one of its threads; NaN when unreadable. */
function processCpuS(pid: number | undefined, tid?: number): number {
  try {
    const stat = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  } catch {
    return Number.NaN;
  }
}

/** Busy and total CPU seconds of the whole machine so far. */
export function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy: busy / 1000, total: total / 1000 };
}

export interface CpuSnapshot {
  readonly at: number;
  readonly app: number;
  readonly appMain: number;
  readonly dbServer: number;
  readonly machine: { readonly busy: number; readonly total: number };
}

export function cpuSnapshot(appPid: number | undefined, dbPid: number | undefined): CpuSnapshot {
  return {
    at: performance.now(),
    app: processCpuS(appPid),
    appMain: processCpuS(appPid, appPid),
    dbServer: dbPid ? processCpuS(dbPid) : Number.NaN,
    machine: machineCpu(),
  };
}

/** Cores used over a phase, by whom (generatorsCores and otherCores are added by the caller). */
export interface CpuCores {
  readonly wallS: number;
  readonly appCores: number;
  readonly appMainThreadCores: number;
  readonly appOtherThreadsCores: number;
  readonly localDbServerCores: number;
  readonly machineBusyCores: number;
}

export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuCores {
  const wallS = (after.at - before.at) / 1000;
  const cores = (seconds: number) => round(seconds / wallS, 2);
  return {
    wallS: round(wallS, 2),
    appCores: cores(after.app - before.app),
    appMainThreadCores: cores(after.appMain - before.appMain),
    appOtherThreadsCores: cores(after.app - before.app - (after.appMain - before.appMain)),
    localDbServerCores: cores(after.dbServer - before.dbServer),
    machineBusyCores: cores(after.machine.busy - before.machine.busy),
  };
}

/** Waits up to `maxS` seconds for the machine to go quiet; returns the busy cores of the last second. */
export async function waitForQuiet(maxS: number, what: string): Promise<number> {
  let busyCores = Number.NaN;
  for (let waited = 0; waited < maxS; waited++) {
    const before = machineCpu();
    await sleep(1000);
    busyCores = round(machineCpu().busy - before.busy, 2);
    if (busyCores <= 0.3) break;
    if (waited === 0) log(`the machine is busy (${busyCores} cores); waiting up to ${maxS} s for it to go quiet`);
  }
  if (busyCores > 0.3)
    log(`warning: the machine is still busy (${busyCores} cores) before ${what}; results will suffer`);
  return busyCores;
}
