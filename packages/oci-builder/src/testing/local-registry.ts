// Helpers for tests that push to the local docker-registry and read the result back with skopeo,
// an implementation independent of this builder. Exported as `@phoenix/oci-builder/testing`.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readPinnedNodeVersion } from "../pinned-node-release.js";
import type { FetchFunction } from "../registry-client.js";

/** A variable `scripts/test-services.sh up` exports; a missing one fails the test, never skips it. */
function requiredServiceVariable(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: start the local test services (scripts/test-services.sh up, or ./dev test)`);
  return value;
}

/** The docker-registry that scripts/test-services.sh starts, e.g. http://127.0.0.1:5017. */
export function localRegistryUrl(): string {
  return requiredServiceVariable("PHOENIX_TEST_REGISTRY_URL");
}

export function localRegistryHost(): string {
  return new URL(localRegistryUrl()).host;
}

/** A repository name no other test (or earlier run) used: nothing to skip, nothing to mount. */
export function freshRepository(prefix: string): string {
  return `test/${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The app's Dockerfile, whose global ARG NODE_VERSION pins production's Node release. */
export const appDockerfilePath = fileURLToPath(new URL("../../../phoenix-app/Dockerfile", import.meta.url));

/**
 * The release the Dockerfile pins and its official `bin/node`, which scripts/test-services.sh
 * installs from the npm registry and exports as PHOENIX_PRODUCTION_NODE_BIN.
 */
export function productionNodeRelease(): { nodeVersion: string; nodeBinary: string } {
  return {
    nodeVersion: readPinnedNodeVersion(appDockerfilePath),
    nodeBinary: requiredServiceVariable("PHOENIX_PRODUCTION_NODE_BIN"),
  };
}

export interface SkopeoInspect {
  Digest: string;
  Labels: Record<string, string> | null;
  Layers: string[];
  Architecture: string;
  Os: string;
  Env: string[] | null;
}

/** `skopeo inspect` of an image in the local registry: an independent reader of what was pushed. */
export async function skopeoInspect(repositoryAndTag: string, extra: string[] = []): Promise<SkopeoInspect> {
  const skopeo = requiredServiceVariable("PHOENIX_SKOPEO_BIN");
  const { stdout } = await promisify(execFile)(skopeo, [
    "inspect",
    "--tls-verify=false",
    ...extra,
    `docker://${localRegistryHost()}/${repositoryAndTag}`,
  ]);
  return JSON.parse(stdout) as SkopeoInspect;
}

/** `skopeo inspect --config`: the image config JSON. */
export async function skopeoConfig(repositoryAndTag: string): Promise<{
  config: { User?: string; Cmd?: string[]; WorkingDir?: string; Env?: string[]; Labels?: Record<string, string> };
  rootfs: { diff_ids: string[] };
  history: { created_by?: string }[];
}> {
  return (await skopeoInspect(repositoryAndTag, ["--config"])) as never;
}

/**
 * `skopeo copy` of the image into an OCI layout directory: skopeo checks every blob against its
 * digest on the way. Returns the layout's blob directory (`<dir>/blobs/sha256`).
 */
export async function skopeoCopyToLayout(repositoryAndTag: string, layoutDir: string): Promise<string> {
  const skopeo = requiredServiceVariable("PHOENIX_SKOPEO_BIN");
  await promisify(execFile)(skopeo, [
    "copy",
    "--src-tls-verify=false",
    `docker://${localRegistryHost()}/${repositoryAndTag}`,
    `oci:${layoutDir}:image`,
  ]);
  return join(layoutDir, "blobs/sha256");
}

/** A fetch that records `METHOD path` of every request, for counting uploads. */
export function countingFetch(): { fetch: FetchFunction; requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    fetch: (input, init) => {
      const url = new URL(String(input));
      requests.push(`${init?.method ?? "GET"} ${url.pathname}`);
      return fetch(input, init);
    },
  };
}

/**
 * A small deployable app directory, shaped like `pnpm deploy` output: package.json, dist/ and
 * a node_modules with pnpm's .pnpm store and a symlink. Remove it with `cleanup()`.
 */
export function deployableFixture(): { directory: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "oci-app-fixture-"));
  const directory = join(root, "app");
  const zod = join(directory, "node_modules/.pnpm/zod@4.6.7/node_modules/zod");
  mkdirSync(join(directory, "dist"), { recursive: true });
  mkdirSync(zod, { recursive: true });
  writeFileSync(
    join(directory, "package.json"),
    `${JSON.stringify({ name: "@phoenix/app", version: "0.1.0", type: "module", main: "./dist/main.js" }, null, 2)}\n`,
  );
  writeFileSync(join(directory, "dist/main.js"), "console.log('phoenix');\n");
  writeFileSync(join(zod, "package.json"), '{"name":"zod","version":"4.6.7"}\n');
  writeFileSync(join(zod, "index.js"), "export const z = {};\n");
  writeFileSync(join(directory, "node_modules/.modules.yaml"), `prunedAt: ${new Date().toUTCString()}\n`);
  symlinkSync(".pnpm/zod@4.6.7/node_modules/zod", join(directory, "node_modules/zod"));
  return { directory, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Deletes a pushed manifest (the registry runs with delete enabled). */
export async function deleteManifest(repository: string, digest: string): Promise<void> {
  await fetch(`${localRegistryUrl()}/v2/${repository}/manifests/${digest}`, { method: "DELETE" });
}
