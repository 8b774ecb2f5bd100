import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import {
  OPS_BOT_BUNDLE_SPECIFIER,
  OpsBotBundleNotFoundError,
  opsBotBundleDirectory,
} from "../src/ops-bot/ops-bot-bundle.js";

const run = promisify(execFile);
const infraPackage = fileURLToPath(new URL("..", import.meta.url));

describe("finding the ops bot's Lambda bundle through the installed @phoenix/ops-bot", () => {
  const tempDirs: string[] = [];
  afterEach(() => {
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("deploys the directory of whatever file the package export resolves to", () => {
    const bundleDir = mkdtempSync(join(tmpdir(), "phoenix-bundle-"));
    tempDirs.push(bundleDir);
    writeFileSync(join(bundleDir, "index.mjs"), "export const handler = async () => ({});\n");
    const asked: string[] = [];
    const resolve = (specifier: string) => {
      asked.push(specifier);
      return join(bundleDir, "index.mjs");
    };
    expect(opsBotBundleDirectory(resolve)).toBe(bundleDir);
    expect(asked).toEqual(["@phoenix/ops-bot/lambda-bundle"]);
  });

  it("names the package and the build command when the bundle cannot be resolved", () => {
    const unbuilt = () =>
      opsBotBundleDirectory(() => {
        throw Object.assign(new Error("Cannot find module '/repo/packages/ops-bot/dist-lambda/index.mjs'"), {
          code: "MODULE_NOT_FOUND",
        });
      });
    expect(unbuilt).toThrow(OpsBotBundleNotFoundError);
    expect(unbuilt).toThrow(
      /@phoenix\/ops-bot\/lambda-bundle\) was not found; build it with `pnpm --filter @phoenix\/ops-bot build`/,
    );
    expect(unbuilt).toThrow(/Cannot find module '\/repo\/packages\/ops-bot\/dist-lambda\/index\.mjs'/);
  });

  it("names the package and the build command when the resolved file does not exist", () => {
    const bundleDir = mkdtempSync(join(tmpdir(), "phoenix-bundle-"));
    tempDirs.push(bundleDir);
    const missing = join(bundleDir, "index.mjs");
    const unbuilt = () => opsBotBundleDirectory(() => missing);
    expect(unbuilt).toThrow(OpsBotBundleNotFoundError);
    expect(unbuilt).toThrow(`${missing} does not exist`);
    expect(unbuilt).toThrow(/build it with `pnpm --filter @phoenix\/ops-bot build`/);
  });

  it("by default resolves the built bundle to the file Node resolves for the package specifier", async () => {
    const directory = opsBotBundleDirectory();
    expect(existsSync(join(directory, "index.mjs"))).toBe(true);
    // Node's ESM resolver, run from this package as the synth runs, is a second opinion on the
    // CommonJS require.resolve the function uses.
    const { stdout } = await run(
      process.execPath,
      [
        "--input-type=module",
        "--eval",
        `import { fileURLToPath } from "node:url"; console.log(fileURLToPath(import.meta.resolve(${JSON.stringify(OPS_BOT_BUNDLE_SPECIFIER)})));`,
      ],
      { cwd: infraPackage },
    );
    expect(directory).toBe(dirname(stdout.trim()));
  });
});
