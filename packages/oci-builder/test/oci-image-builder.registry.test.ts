import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LayerCache } from "../src/image-layer.js";
import { pushLocalNodeBaseImage } from "../src/local-base-image.js";
import { OciBuildError } from "../src/oci-build-error.js";
import { OciImageBuilder, type OciImageBuilderOptions } from "../src/oci-image-builder.js";
import { RegistryClient } from "../src/registry-client.js";
import {
  countingFetch,
  deleteManifest,
  deployableFixture,
  freshRepository,
  localRegistryHost,
  localRegistryUrl,
  productionNodeRelease,
  skopeoConfig,
  skopeoCopyToLayout,
  skopeoInspect,
} from "../src/testing/local-registry.js";

const SHA = "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39";
const REPOSITORY = "phoenix-ops/phoenix";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function fixture(): string {
  const app = deployableFixture();
  cleanups.push(app.cleanup);
  return app.directory;
}

/** A builder pushing to `repository` (a fresh one by default) in the local registry. */
function builder(
  options: Omit<Partial<OciImageBuilderOptions>, "destination"> &
    Pick<OciImageBuilderOptions, "appDirectory"> & { repository?: string },
) {
  const { repository = freshRepository("app"), ...rest } = options;
  return new OciImageBuilder({
    baseImage: "scratch",
    config: { exposedPort: 3000, user: "1000:1000" },
    ...rest,
    destination: { registryUrl: localRegistryUrl(), repository },
  });
}

/** Removes the manifest a test pushed, once the test is over. */
function forget(repository: string, digest: string): void {
  cleanups.push(() => deleteManifest(repository, digest));
}

describe("OCI image builder against docker-registry", () => {
  it("pushes the app image tagged with the commit sha, with provenance labels and two layers", async () => {
    const repository = freshRepository("app");
    const built = await builder({ appDirectory: fixture(), repository }).build({
      sha: SHA,
      repository: REPOSITORY,
    });
    forget(repository, built.image.digest);
    expect(built.image.repositoryUri).toBe(`${localRegistryHost()}/${repository}`);
    expect(built.image.uri).toBe(`${localRegistryHost()}/${repository}@${built.image.digest}`);

    const inspected = await skopeoInspect(`${repository}:${SHA}`);
    expect(inspected.Digest).toBe(built.image.digest);
    expect(inspected.Layers).toHaveLength(2);
    expect(inspected.Labels).toMatchObject({
      "org.opencontainers.image.revision": SHA,
      "org.opencontainers.image.source": `https://github.com/${REPOSITORY}`,
    });
    expect(inspected).toMatchObject({ Os: "linux", Architecture: "amd64" });
    const config = await skopeoConfig(`${repository}:${SHA}`);
    expect(config.config).toMatchObject({ User: "1000:1000", WorkingDir: "/app", Cmd: ["node", "dist/main.js"] });
    expect(config.config.Env).toContain("NODE_ENV=production");
  });

  it("pushes blobs that skopeo copies intact, with node_modules symlinks kept and pnpm bookkeeping left out", async () => {
    const repository = freshRepository("app");
    const built = await builder({ appDirectory: fixture(), repository }).build({ sha: SHA, repository: REPOSITORY });
    forget(repository, built.image.digest);

    const layout = mkdtempSync(join(tmpdir(), "oci-layout-"));
    cleanups.push(() => rmSync(layout, { recursive: true, force: true }));
    const blobs = await skopeoCopyToLayout(`${repository}:${SHA}`, layout);
    const [dependencies, app] = (await skopeoInspect(`${repository}:${SHA}`)).Layers;
    const list = (digest: string | undefined) =>
      execFileSync("tar", ["-tvzf", join(blobs, String(digest).replace("sha256:", ""))], { encoding: "utf8" });
    expect(list(dependencies)).toMatch(/^l.* app\/node_modules\/zod -> \.pnpm\/zod@4\.6\.7\/node_modules\/zod$/m);
    expect(list(dependencies)).not.toContain(".modules.yaml");
    expect(list(app)).toMatch(/^-rw-r--r-- 0\/0 .* app\/dist\/main\.js$/m);
    expect(list(app)).not.toContain("node_modules");
  });

  it("gives the same digest when built twice, and the second push uploads no blob", async () => {
    const appDirectory = fixture();
    const repository = freshRepository("app");
    const first = await builder({ appDirectory, repository }).build({
      sha: SHA,
      repository: REPOSITORY,
    });
    // A new builder with an empty layer cache: the layers are rebuilt, byte for byte.
    const counting = countingFetch();
    const second = builder({
      appDirectory,
      repository,
      layerCache: new LayerCache(),
      fetch: counting.fetch,
    });
    const again = await second.build({ sha: SHA, repository: REPOSITORY });
    forget(repository, first.image.digest);

    expect(again.image.digest).toBe(first.image.digest);
    expect(counting.requests.filter((request) => request.includes("/blobs/uploads/"))).toEqual([]);
    expect(counting.requests.filter((request) => request.startsWith("PUT"))).toEqual([
      `PUT /v2/${repository}/manifests/${SHA}`,
    ]);
    expect(again.pushed.blobs.map((blob) => blob.result)).toEqual(["present", "present", "present"]);
  });

  it("puts the local base image's layers first and mounts them from the base repository", async () => {
    const base = await pushLocalNodeBaseImage({
      ...productionNodeRelease(),
      registryUrl: localRegistryUrl(),
      repository: freshRepository("node-base"),
    });
    forget(base.reference.repository, base.digest);
    const repository = freshRepository("app");
    const appBuilder = builder({
      appDirectory: fixture(),
      baseImage: base.reference,
      repository,
    });
    const built = await appBuilder.build({ sha: SHA, repository: REPOSITORY });
    forget(repository, built.image.digest);

    const inspected = await skopeoInspect(`${repository}:${SHA}`);
    expect(inspected.Layers).toHaveLength(3);
    expect(inspected.Layers.slice(0, base.layers.length)).toEqual(base.layers);
    expect(built.pushed.blobs[0]).toEqual({ digest: base.layers[0], result: "mounted" });
    const config = await skopeoConfig(`${repository}:${SHA}`);
    expect(config.rootfs.diff_ids).toHaveLength(3);
    expect(config.history).toHaveLength(3);
    expect(config.config.Env).toContain("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    expect(config.config.Cmd).toEqual(["node", "dist/main.js"]);
  });

  it("fails with an OciBuildError naming the registry when nothing listens on its port", async () => {
    const port = await unusedPort();
    const appBuilder = new OciImageBuilder({
      appDirectory: fixture(),
      baseImage: "scratch",
      destination: { registryUrl: `http://127.0.0.1:${port}`, repository: "phoenix-app" },
    });
    const error = await appBuilder.build({ sha: SHA, repository: REPOSITORY }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OciBuildError);
    expect(error).toMatchObject({ code: "RegistryUnreachable" });
    expect((error as Error).message).toContain(`registry 127.0.0.1:${port} unreachable`);
  });

  it("passes on the registry's own error when the base image does not exist", async () => {
    const appBuilder = builder({
      appDirectory: fixture(),
      baseImage: `${localRegistryHost()}/${freshRepository("missing")}:nope`,
    });
    const error = await appBuilder.build({ sha: SHA, repository: REPOSITORY }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OciBuildError);
    expect((error as OciBuildError).code).toMatch(/^(MANIFEST_UNKNOWN|NAME_UNKNOWN)$/);
    expect((error as Error).message).toMatch(/failed \(HTTP 404\): (MANIFEST|NAME)_UNKNOWN: /);
  });

  it("passes on the registry's refusal of a manifest whose blobs were never pushed", async () => {
    const client = new RegistryClient({ registryUrl: localRegistryUrl() });
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"1".repeat(64)}`, size: 2 },
        layers: [],
      }),
    );
    await expect(
      client.putManifest(freshRepository("broken"), SHA, manifest, "application/vnd.oci.image.manifest.v1+json"),
    ).rejects.toThrow(/failed \(HTTP 400\): MANIFEST_BLOB_UNKNOWN: blob unknown to registry/);
  });
});

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
