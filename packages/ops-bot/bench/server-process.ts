// The parent's side of bench/sns-server.ts: forks the server (on the host's Node, through tsx),
// points its stdout (the bot's log) at a file and speaks the protocol of bench/server-protocol.ts.
import { type ChildProcess, fork } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { BenchError } from "@phoenix/bench-kit";
import type { ParentMessage, ServerMessage, ServerStats } from "./server-protocol.js";

const serverScript = fileURLToPath(new URL("sns-server.ts", import.meta.url));

export interface BenchServer {
  readonly child: ChildProcess;
  readonly port: number;
  stats(): Promise<ServerStats>;
  /** Closes the server (waiting for acknowledged work); its last stats, or undefined if it was gone. */
  stop(): Promise<ServerStats | undefined>;
  /** Kills the server and waits (at most 2 s) until it is gone. */
  kill(): Promise<void>;
}

export interface ServerOptions {
  readonly certificatePem: string;
  readonly topicArn: string;
  readonly logLevel: string;
  readonly logFile: string;
  /** Runs the server under --cpu-prof, writing its profile here. */
  readonly cpuProfDir: string | undefined;
}

type MessageOf<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

interface Waiter {
  readonly type: ServerMessage["type"];
  resolve(message: ServerMessage): void;
  reject(error: Error): void;
}

export async function startServer(options: ServerOptions): Promise<BenchServer> {
  const profiling = options.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", options.cpuProfDir] : [];
  const logFd = openSync(options.logFile, "w");
  const child = fork(serverScript, [], {
    stdio: ["ignore", logFd, "inherit", "ipc"],
    execArgv: ["--import", "tsx", ...profiling],
  });
  closeSync(logFd);
  const waiters: Waiter[] = [];
  let exited = false;
  const exitedPromise = new Promise<void>((resolveExit) =>
    child.once("exit", (code, signal) => {
      exited = true;
      for (const waiter of waiters.splice(0))
        waiter.reject(new BenchError(`the server exited (code ${code}, signal ${signal})`));
      resolveExit();
    }),
  );
  child.on("message", (message: ServerMessage) => {
    if (message?.type === "error") {
      for (const waiter of waiters.splice(0)) waiter.reject(new BenchError(`the server failed: ${message.message}`));
      return;
    }
    const index = waiters.findIndex((waiter) => waiter.type === message?.type);
    if (index >= 0) waiters.splice(index, 1)[0]?.resolve(message);
  });
  const expect = <T extends ServerMessage["type"]>(type: T, timeoutMs = 30_000): Promise<MessageOf<T>> =>
    new Promise((resolveMessage, reject) => {
      if (exited) return reject(new BenchError("the server is not running"));
      const timer = setTimeout(() => reject(new BenchError(`the server did not answer "${type}"`)), timeoutMs);
      waiters.push({
        type,
        resolve: (message) => {
          clearTimeout(timer);
          resolveMessage(message as MessageOf<T>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  const kill = async () => {
    if (exited) return;
    child.kill("SIGKILL");
    await Promise.race([exitedPromise, sleep(2000)]);
  };
  try {
    await expect("ready");
    const listening = expect("listening");
    child.send({
      type: "start",
      certificatePem: options.certificatePem,
      topicArn: options.topicArn,
      logLevel: options.logLevel,
    } satisfies ParentMessage);
    const { port } = await listening;
    return {
      child,
      port,
      async stats() {
        const answer = expect("stats");
        child.send({ type: "stats" } satisfies ParentMessage);
        return answer;
      },
      async stop() {
        if (exited) return undefined;
        const answer = expect("stopped");
        child.send({ type: "stop" } satisfies ParentMessage);
        const stats = await answer;
        await exitedPromise;
        return stats;
      },
      kill,
    };
  } catch (error) {
    await kill();
    throw error;
  }
}
