import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const mainScript = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/**
 * The built app started as in production (`node dist/main.js`), its stdout parsed as JSON lines.
 * `node` is this machine's Node unless a test passes another binary (the production image's).
 */
export class AppProcess {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<number | null>;
  port = 0;
  private readonly child: ChildProcess;
  private readonly stderrChunks: string[] = [];
  private readonly events = new EventEmitter();

  private constructor(env: Record<string, string>, node: string) {
    if (!existsSync(mainScript)) throw new Error(`${mainScript} is missing: build the app first (pnpm build)`);
    this.child = spawn(node, [mainScript], {
      env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on("line", (text) => {
      const line = parseLine(text);
      this.lines.push(line);
      this.events.emit("line", line);
    });
    this.child.stderr?.on("data", (chunk: Buffer) => this.stderrChunks.push(chunk.toString()));
  }

  static async start(env: Record<string, string>, node = process.execPath): Promise<AppProcess> {
    const app = new AppProcess(env, node);
    const listening = await app.waitForLine((line) => line.msg === "phoenix app listening");
    app.port = listening.port as number;
    return app;
  }

  /** Runs the app expecting it to refuse to start. */
  static async runToExit(
    env: Record<string, string>,
    node = process.execPath,
  ): Promise<{ code: number | null; stderr: string }> {
    const app = new AppProcess(env, node);
    const code = await app.exited;
    return { code, stderr: app.stderr };
  }

  get stderr(): string {
    return this.stderrChunks.join("");
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Resolves with the first log line, past or future, that matches. */
  waitForLine(matches: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const seen = this.lines.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onLine = (line: LogLine) => {
        if (!matches(line)) return;
        cleanup();
        resolve(line);
      };
      const onExit = () => {
        cleanup();
        reject(new Error(`app exited before the expected log line; stderr: ${this.stderr}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching log line within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off("line", onLine);
        this.child.off("exit", onExit);
      };
      this.events.on("line", onLine);
      this.child.once("exit", onExit);
    });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }
}

function parseLine(text: string): LogLine {
  try {
    return JSON.parse(text) as LogLine;
  } catch {
    return { level: 0, msg: text };
  }
}
