// The load: each generator in its own process (bench/load-client.ts on the host's Node), all of
// a scenario started together once every one is ready, with the CPU of the app, the generators,
// the local database server and the rest of the machine counted over the run.
import { type ChildProcess, fork } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { BenchError } from "@phoenix/bench-kit";
import { type CpuCores, cpuDelta, cpuSnapshot } from "./cpu-accounting.js";
import { round } from "./numbers.js";
import { type ChildExit, state } from "./process-control.js";
import type { ClientMessage, GoMessage, LoadSpec, LoadSummary } from "./protocol.js";

const clientScript = fileURLToPath(new URL("load-client.ts", import.meta.url));

/** Cores over a run, by whom; "other" is this process, the kernel and anything else running. */
export interface RunCpu extends CpuCores {
  readonly generatorsCores: number;
  readonly otherCores: number;
}

/** One run of a scenario: each generator's summary by name, and the CPU over the run. */
export interface ScenarioRun {
  readonly results: Readonly<Record<string, LoadSummary>>;
  readonly cpu: RunCpu;
}

interface LoadClient {
  readonly child: ChildProcess;
  readonly gone: Promise<ChildExit>;
  next<T extends ClientMessage["type"]>(type: T, timeoutMs: number): Promise<Extract<ClientMessage, { type: T }>>;
}

function startClient(cwd: string, spec: LoadSpec): LoadClient {
  const child = fork(clientScript, [JSON.stringify(spec)], {
    cwd,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: ["--import", "tsx"],
  });
  state.clients.add(child);
  const gone = new Promise<ChildExit>((resolveGone) =>
    child.once("exit", (code, signal) => {
      state.clients.delete(child);
      resolveGone({ code, signal });
    }),
  );
  const messages: ClientMessage[] = [];
  const waiters: (() => void)[] = [];
  child.on("message", (message: ClientMessage) => {
    messages.push(message);
    for (const waiter of waiters.splice(0)) waiter();
  });
  const next = async <T extends ClientMessage["type"]>(type: T, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = messages.findIndex((m) => m.type === type || m.type === "error");
      const [message] = index >= 0 ? messages.splice(index, 1) : [];
      if (message) {
        if (message.type === "error") throw new BenchError(`load generator ${spec.name} failed: ${message.message}`);
        return message as Extract<ClientMessage, { type: T }>;
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new BenchError(
          `load generator ${spec.name} exited (${child.exitCode ?? child.signalCode}) before "${type}"`,
        );
      }
      if (Date.now() > deadline)
        throw new BenchError(`load generator ${spec.name}: no "${type}" within ${timeoutMs} ms`);
      await Promise.race([new Promise<void>((r) => waiters.push(r)), gone, sleep(100)]);
    }
  };
  return { child, gone, next };
}

/** Runs the generators of `specs` together against the app; one process each. */
export async function runScenario(cwd: string, specs: readonly LoadSpec[]): Promise<ScenarioRun> {
  const clients = specs.map((spec) => startClient(cwd, spec));
  try {
    await Promise.all(clients.map((c) => c.next("ready", 15_000)));
    const appPid = state.app?.child.pid;
    const dbPid = state.db?.serverPid;
    const before = cpuSnapshot(appPid, dbPid);
    for (const c of clients) c.child.send({ type: "go" } satisfies GoMessage);
    const limitMs = Math.max(...specs.map((s) => s.durationS)) * 1000 + 15_000;
    const results = await Promise.all(clients.map((c) => c.next("result", limitMs).then((m) => m.result)));
    const cores = cpuDelta(before, cpuSnapshot(appPid, dbPid));
    const generatorsCores = round(results.reduce((sum, r) => sum + r.generatorCpuS, 0) / cores.wallS, 2);
    // The rest of the machine: this process, the kernel, and anything else running (which spoils the run).
    const db = Number.isFinite(cores.localDbServerCores) ? cores.localDbServerCores : 0;
    const otherCores = round(cores.machineBusyCores - cores.appCores - generatorsCores - db, 2);
    await Promise.all(clients.map((c) => c.gone));
    return {
      results: Object.fromEntries(results.map((r) => [r.name, r])),
      cpu: { ...cores, generatorsCores, otherCores },
    };
  } finally {
    for (const c of clients) if (c.child.exitCode === null) c.child.kill("SIGTERM");
  }
}
