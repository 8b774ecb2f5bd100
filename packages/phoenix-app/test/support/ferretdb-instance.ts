import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requiredServiceVariable } from "../../../../test-support/required-service.js";
import { freePort } from "./free-port.js";

/**
 * A private FerretDB (SQLite backend) that a test may stop and restart, unlike the shared
 * one. Restarts keep the port and the data directory, as a database coming back would.
 */
export class FerretDbInstance {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly binary: string,
  ) {}

  static async start(): Promise<FerretDbInstance> {
    const binary = requiredServiceVariable("PHOENIX_TEST_FERRETDB_BIN");
    const instance = new FerretDbInstance(await freePort(), mkdtempSync(join(tmpdir(), "phoenix-ferretdb-")), binary);
    await instance.resume();
    return instance;
  }

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  async resume(): Promise<void> {
    this.process = spawn(
      this.binary,
      [
        "--handler=sqlite",
        `--sqlite-url=file:${this.dataDir}/`,
        `--listen-addr=127.0.0.1:${this.port}`,
        `--state-dir=${this.dataDir}`,
        "--debug-addr=-",
        "--log-level=error",
      ],
      { env: { ...process.env, FERRETDB_TELEMETRY: "disable" }, stdio: "ignore" },
    );
    await waitForPort(this.port);
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (Date.now() < giveUpAt) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`FerretDB did not open 127.0.0.1:${port} within ${timeoutMs} ms`);
}
