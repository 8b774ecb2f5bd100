import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { deliverWebhook } from "@phoenix/github-stand-in";
import { OPS_BOT_ENV, OPS_BOT_SERVER_ENV } from "@phoenix/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const mainScript = fileURLToPath(new URL("../../dist/entry/plain-server.js", import.meta.url));
// GitHub's published example of the `ping` event (@octokit/webhooks-examples).
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
  name: string;
  examples: unknown[];
}[];
const pingExample = examples.find((group) => group.name === "ping")?.examples[0];

describe("the plain server process (pnpm --filter @phoenix/ops-bot start)", () => {
  const lines: string[] = [];
  const secret = "plain-server-test-secret";
  let child: ChildProcess;
  let port: number;
  let exitCode: Promise<number | null>;
  let ledgerDir: string;

  beforeAll(async () => {
    if (!existsSync(mainScript)) throw new Error(`${mainScript} is missing: build the bot first (pnpm build)`);
    ledgerDir = mkdtempSync(join(tmpdir(), "phoenix-plain-server-"));
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    child = spawn(process.execPath, [mainScript], {
      env: {
        PATH: process.env.PATH ?? "",
        APP_ID: "1",
        PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        WEBHOOK_SECRET: secret,
        HOST: "127.0.0.1",
        PORT: "0",
        LOG_LEVEL: "debug",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        [OPS_BOT_ENV.targetRepository]: "octo-org/phoenix",
        [OPS_BOT_SERVER_ENV.ledgerFile]: join(ledgerDir, "ledger.json"),
        // No GitHub to reconcile against here.
        PHOENIX_RECONCILE_INTERVAL_SECONDS: "3600",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    exitCode = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    const listening = new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        lines.push(line);
        const parsed = parse(line);
        if (parsed?.msg === "ops bot listening") resolve(parsed.port as number);
      });
      child.once("exit", (code) => reject(new Error(`the server exited (${code}) before listening`)));
    });
    port = await listening;
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exitCode;
    rmSync(ledgerDir, { recursive: true, force: true });
  });

  it("writes Probot's webhook lines and its own as one JSON log stream, then stops on SIGTERM", async () => {
    expect(pingExample).toBeDefined();
    const response = await deliverWebhook(`http://127.0.0.1:${port}/api/github/webhooks`, secret, "ping", pingExample);
    expect(response.status).toBe(200);
    child.kill("SIGTERM");
    expect(await exitCode).toBe(0);

    const parsed = lines.map(parse);
    expect(lines.filter((_, i) => parsed[i] === undefined)).toEqual([]);
    for (const line of parsed) expect(line).toMatchObject({ service: "phoenix-ops-bot" });
    // Probot's own lines (its child logger is named "probot") come through the bot's logger.
    expect(parsed.some((line) => line?.name === "probot")).toBe(true);
  });
});

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
