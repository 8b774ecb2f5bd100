// Process control for the app bench: everything it starts (the app, load generators, the
// capacity measurement, a temporary directory, a fresh database) is recorded in `state`, so that
// every exit path (the end, an error, Ctrl-C) can stop and remove it; and the app's own
// endpoints the bench reads between phases (/health: start-up, database state, settling).
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BenchError, freePort } from "@phoenix/bench-kit";
import { log } from "./bench-log.js";
import { APP_KNOBS, type CertConfig, type Runtime } from "./configs.js";
import { type BenchDatabase, withDatabase } from "./database.js";

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The app under test, started by startApp. */
export interface AppProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<ChildExit>;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  readonly port: number;
  /** The knobs it was given (APP_KNOBS set here, and CERT_CONCURRENCY of its config). */
  readonly knobs: Readonly<Record<string, string>>;
}

// --- everything started here, so that every exit path can stop it -------------------------
export const state: {
  app: AppProcess | undefined;
  clients: Set<ChildProcess>;
  tmpDir: string | undefined;
  db: BenchDatabase | undefined;
  cleaning: Promise<void> | undefined;
  interrupted: boolean;
} = {
  app: undefined,
  clients: new Set(),
  tmpDir: undefined,
  db: undefined,
  cleaning: undefined,
  interrupted: false,
};

/** The app's dist/main.js on `runtime`'s Node, as production starts it; resolves once /health answers. */
export async function startApp(
  appDir: string,
  mainScript: string,
  db: BenchDatabase,
  config: CertConfig,
  runtime: Runtime,
): Promise<AppProcess> {
  state.tmpDir ??= mkdtempSync(join(os.tmpdir(), "phoenix-bench-"));
  const fileLabel = config.label.replace(/\W/g, "-");
  const stdoutPath = join(state.tmpDir, `app-${fileLabel}.stdout.log`);
  const stderrPath = join(state.tmpDir, `app-${fileLabel}.stderr.log`);
  // The app writes one JSON line per request to stdout: a file costs the app what a log
  // pipe would, without this process having to read ~10k lines/s.
  const stdoutFd = openSync(stdoutPath, "w");
  const stderrFd = openSync(stderrPath, "w");
  const knobs: Record<string, string> = {};
  for (const knob of APP_KNOBS) {
    const value = process.env[knob];
    if (value) knobs[knob] = value;
  }
  if (config.value !== undefined) knobs.CERT_CONCURRENCY = String(config.value);
  // A free port chosen here rather than PORT=0 and the "listening" log line, which LOG_LEVEL=warn hides.
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? "",
    ...knobs,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    DB_CONNECTION_STRING: db.url,
  };
  const child = spawn(runtime.binary, [mainScript], { cwd: appDir, env, stdio: ["ignore", stdoutFd, stderrFd] });
  closeSync(stdoutFd);
  closeSync(stderrFd);
  const exited = new Promise<ChildExit>((resolveExit) =>
    child.once("exit", (code, signal) => resolveExit({ code, signal })),
  );
  const app: AppProcess = { child, exited, stdoutPath, stderrPath, port, knobs };
  state.app = app;

  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new BenchError(`the app exited during start-up:\n${tail(stderrPath)}\n${tail(stdoutPath)}`);
    }
    try {
      await getJson("/health", 1_000);
      return app;
    } catch {
      await sleep(100);
    }
  }
  throw new BenchError(`the app did not answer /health on 127.0.0.1:${port} within 15 s:\n${tail(stderrPath)}`);
}

export function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

// --- the app's /health, between phases -----------------------------------------------------

/** The parts of the app's /health answer the bench reads (src/routes/health.ts). */
export interface AppHealth {
  readonly eventLoop: unknown;
  readonly database: {
    readonly state: string;
    readonly bufferedLogs: number;
    readonly droppedLogs: number;
  };
  readonly certificates: { readonly active: number; readonly queued: number };
}

let ownRequests = 0;
/** Requests the bench itself sent to the app (health checks), for the request-log count. */
export const ownRequestCount = () => ownRequests;

function getJson(path: string, timeoutMs = 5_000): Promise<{ status: number | undefined; body: unknown }> {
  ownRequests++;
  const port = state.app?.port;
  return new Promise((resolveGet, rejectGet) => {
    const request = http.get({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        try {
          resolveGet({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
        } catch (error) {
          rejectGet(error);
        }
      });
      res.on("error", rejectGet);
    });
    request.on("timeout", () => request.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
    request.on("error", rejectGet);
  });
}

export async function health(): Promise<AppHealth> {
  const { status, body } = await getJson("/health");
  if (status !== 200) throw new BenchError(`/health answered ${status}`);
  return body as AppHealth;
}

export async function waitForDatabaseUp(): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last: AppHealth | undefined;
  while (Date.now() < deadline) {
    last = await health();
    if (last.database?.state === "up") return;
    await sleep(200);
  }
  throw new BenchError(
    `the app's request-log database never came up (state ${last?.database?.state}); is it running? (scripts/test-services.sh up)`,
  );
}

/** Lets the previous run's leftovers (queued certificates, buffered logs) finish before the next. */
export async function settle(): Promise<AppHealth & { settleMs: number }> {
  const startedAt = Date.now();
  const deadline = startedAt + 10_000;
  let last: AppHealth;
  do {
    last = await health();
    const idle = last.certificates.active === 0 && last.certificates.queued === 0;
    if (idle && last.database.bufferedLogs <= 10) break;
    await sleep(100);
  } while (Date.now() < deadline);
  if (Date.now() >= deadline)
    log("warning: the app did not settle within 10 s (certificates or buffered logs pending)");
  await sleep(300);
  return { ...last, settleMs: Date.now() - startedAt };
}

// --- teardown: every exit path ---------------------------------------------------------------
export async function stopApp(): Promise<void> {
  const app = state.app;
  if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill("SIGTERM");
  const result = await Promise.race([app.exited, sleep(12_000).then(() => undefined)]);
  if (!result) {
    log("the app did not stop within 12 s of SIGTERM; killing it");
    app.child.kill("SIGKILL");
    await app.exited;
  }
}

export function cleanup(): Promise<void> {
  state.cleaning ??= (async () => {
    for (const child of state.clients) child.kill("SIGTERM");
    await stopApp().catch(() => undefined);
    const db = state.db;
    if (db?.created) {
      await withDatabase(db, `drop the bench database ${db.name}`, (d) => d.dropDatabase());
    }
    if (state.tmpDir) rmSync(state.tmpDir, { recursive: true, force: true });
  })();
  return state.cleaning;
}
