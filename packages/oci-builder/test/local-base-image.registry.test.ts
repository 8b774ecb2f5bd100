import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pushLocalNodeBaseImage } from "../src/local-base-image.js";
import { OciBuildError } from "../src/oci-build-error.js";
import {
  appDockerfilePath,
  deleteManifest,
  freshRepository,
  localRegistryUrl,
  productionNodeRelease,
  skopeoConfig,
  skopeoCopyToLayout,
  skopeoInspect,
} from "../src/testing/local-registry.js";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sha256File = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("the sandbox's base image", () => {
  it("holds the official Node release the Dockerfile pins, byte for byte, with the node user 1000", async () => {
    const release = productionNodeRelease();
    // The version comes from the Dockerfile itself, not from this test.
    expect(readFileSync(appDockerfilePath, "utf8")).toContain(`ARG NODE_VERSION=${release.nodeVersion}\n`);
    const repository = freshRepository("node-base");
    const base = await pushLocalNodeBaseImage({ ...release, registryUrl: localRegistryUrl(), repository });
    cleanups.push(() => deleteManifest(repository, base.digest));

    const config = await skopeoConfig(`${repository}:local`);
    expect(config.config.Env).toContain(`NODE_VERSION=${release.nodeVersion}`);
    expect(config.config.Cmd).toEqual(["node"]);
    expect(config.history.map((entry) => entry.created_by).join("\n")).toContain(`node v${release.nodeVersion}`);
    expect((await skopeoInspect(`${repository}:local`)).Layers).toEqual(base.layers);

    const layout = mkdtempSync(join(tmpdir(), "oci-base-layout-"));
    cleanups.push(() => rmSync(layout, { recursive: true, force: true }));
    const blobs = await skopeoCopyToLayout(`${repository}:local`, layout);
    const layer = join(blobs, String(base.layers[0]).replace("sha256:", ""));
    const root = join(layout, "rootfs");
    execFileSync("mkdir", ["-p", root]);
    execFileSync("tar", ["-xzf", layer, "-C", root]);
    const node = join(root, "usr/local/bin/node");
    expect(sha256File(node)).toBe(sha256File(release.nodeBinary));
    expect(execFileSync(node, ["--version"], { encoding: "utf8" }).trim()).toBe(`v${release.nodeVersion}`);
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toMatch(/^node:x:1000:1000:/m);
  });

  it("refuses a Node binary that is not the pinned release, naming both versions", async () => {
    const { nodeVersion } = productionNodeRelease();
    expect(process.version).not.toBe(`v${nodeVersion}`);
    const error = await pushLocalNodeBaseImage({
      nodeVersion,
      nodeBinary: process.execPath,
      registryUrl: localRegistryUrl(),
      repository: freshRepository("node-base"),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OciBuildError);
    expect(error).toMatchObject({ code: "BaseImageMismatch" });
    expect((error as Error).message).toContain(`is Node ${process.version}, not the pinned v${nodeVersion}`);
  });
});
