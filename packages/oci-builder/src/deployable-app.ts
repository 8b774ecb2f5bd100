/**
 * The deployable directory of a workspace package, as the OCI builder packages it:
 * `pnpm --filter <package> deploy --prod <dir>` writes its package.json, its "files" (dist/)
 * and a node_modules with production dependencies only (pnpm 12 deploys from the lockfile,
 * no --legacy needed). A directory already deployed from the same inputs is reused.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

export interface DeployableAppOptions {
  /** The pnpm workspace root (holds pnpm-lock.yaml). */
  readonly workspaceRoot: string;
  /** @default "@phoenix/app" */
  readonly packageName?: string;
  /** The package's folder. @default <workspaceRoot>/packages/phoenix-app */
  readonly packageDir?: string;
  /** Where the deployable directory goes; replaced when its inputs changed. */
  readonly outputDir: string;
  /** Run the package's `build` script first. @default false (dist/ must exist) */
  readonly build?: boolean;
  /** @default "pnpm" on PATH */
  readonly pnpm?: string;
}

export interface DeployableApp {
  readonly directory: string;
  /** True when the existing directory was up to date and kept. */
  readonly reused: boolean;
}

const run = promisify(execFile);

export async function prepareDeployableApp(options: DeployableAppOptions): Promise<DeployableApp> {
  const workspaceRoot = resolve(options.workspaceRoot);
  const packageName = options.packageName ?? "@phoenix/app";
  const packageDir = resolve(options.packageDir ?? join(workspaceRoot, "packages/phoenix-app"));
  const outputDir = resolve(options.outputDir);
  const pnpm = options.pnpm ?? "pnpm";
  const marker = `${outputDir}.inputs.json`;

  if (options.build) await pnpmRun(pnpm, ["--filter", packageName, "run", "build"], workspaceRoot);
  if (!existsSync(join(packageDir, "dist"))) {
    throw new Error(`${packageDir}/dist does not exist: run \`pnpm --filter ${packageName} build\` first`);
  }

  const fingerprint = deployInputsFingerprint(workspaceRoot, packageDir);
  if (existsSync(join(outputDir, "package.json")) && readMarker(marker) === fingerprint) {
    return { directory: outputDir, reused: true };
  }

  // Deployed next to the target, then swapped in: a failed deploy leaves no half directory.
  const staging = `${outputDir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await pnpmRun(pnpm, ["--filter", packageName, "deploy", "--prod", "--prefer-offline", staging], workspaceRoot);
    rmSync(outputDir, { recursive: true, force: true });
    renameSync(staging, outputDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  writeFileSync(marker, `${JSON.stringify({ fingerprint })}\n`);
  return { directory: outputDir, reused: false };
}

/** What the deploy output depends on: the lockfile, the package manifest and its built files. */
function deployInputsFingerprint(workspaceRoot: string, packageDir: string): string {
  const hash = createHash("sha256");
  for (const file of [join(workspaceRoot, "pnpm-lock.yaml"), join(packageDir, "package.json")]) {
    hash.update(`${file}\0`);
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  const dist = join(packageDir, "dist");
  for (const name of (readdirSync(dist, { recursive: true }) as string[]).sort()) {
    const stats = lstatSync(join(dist, name));
    hash.update(`${name}\0${stats.size}\0${stats.mode}\0${stats.mtimeMs}\n`);
  }
  return hash.digest("hex");
}

function readMarker(path: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { fingerprint?: string }).fingerprint;
  } catch {
    return undefined;
  }
}

async function pnpmRun(pnpm: string, args: string[], cwd: string): Promise<void> {
  try {
    await run(pnpm, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const detail = (error as { stderr?: string; stdout?: string }).stderr || (error as { stdout?: string }).stdout;
    throw new Error(`\`${pnpm} ${args.join(" ")}\` failed: ${detail?.trim().slice(-2000) || String(error)}`, {
      cause: error,
    });
  }
}
