import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { buildImageLayer, LayerCache, type LayerSpec } from "../src/image-layer.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A miniature deployable app: package.json, dist/ and a pnpm-style node_modules with a symlink. */
function appTree(): string {
  const dir = mkdtempSync(join(tmpdir(), "layer-test-"));
  dirs.push(dir);
  mkdirSync(join(dir, "dist"));
  mkdirSync(join(dir, "node_modules/.pnpm/zod@4.6.7/node_modules/zod"), { recursive: true });
  writeFileSync(join(dir, "package.json"), '{"name":"@phoenix/app","main":"./dist/main.js"}\n');
  writeFileSync(join(dir, "dist/main.js"), "console.log('phoenix');\n");
  writeFileSync(join(dir, "node_modules/.pnpm/zod@4.6.7/node_modules/zod/index.js"), "export {};\n");
  symlinkSync(".pnpm/zod@4.6.7/node_modules/zod", join(dir, "node_modules/zod"));
  return dir;
}

const spec = (dir: string): LayerSpec => ({ inputs: [{ kind: "tree", from: dir, to: "app" }] });
const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

describe("image layer", () => {
  it("names the gzipped blob by its digest and the tar inside by its diffID", async () => {
    const layer = await buildImageLayer(spec(appTree()));
    expect(layer.digest).toBe(sha256(layer.bytes));
    expect(layer.size).toBe(layer.bytes.length);
    expect(layer.diffId).toBe(sha256(gunzipSync(layer.bytes)));
    expect(layer.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
    expect(layer.bytes.readUInt32LE(4)).toBe(0); // gzip header mtime
  });

  it("gives the same digest for two copies of a tree made at different times", async () => {
    const first = appTree();
    const second = appTree();
    utimesSync(join(second, "dist/main.js"), new Date("2030-01-01"), new Date("2030-01-01"));
    const [a, b] = await Promise.all([buildImageLayer(spec(first)), buildImageLayer(spec(second))]);
    expect(b.digest).toBe(a.digest);
    expect(b.diffId).toBe(a.diffId);
  });

  it("adds the parent directories of the destination and keeps node_modules symlinks", async () => {
    const dir = appTree();
    const layer = await buildImageLayer({ inputs: [{ kind: "tree", from: dir, to: "srv/app" }] });
    const file = join(dir, "layer.tar.gz");
    writeFileSync(file, layer.bytes);
    const listing = execFileSync("tar", ["-tvzf", file], { encoding: "utf8" });
    expect(listing).toMatch(/^d.* srv\/$/m);
    expect(listing).toMatch(/^d.* srv\/app\/$/m);
    expect(listing).toMatch(/^l.* srv\/app\/node_modules\/zod -> \.pnpm\/zod@4\.6\.7\/node_modules\/zod$/m);
  });

  it("returns the cached layer for an unchanged tree and rebuilds when a file changes", async () => {
    const dir = appTree();
    const cache = new LayerCache();
    const cold = await buildImageLayer(spec(dir), cache);
    const warm = await buildImageLayer(spec(dir), cache);
    expect(cold.fromCache).toBe(false);
    expect(warm.fromCache).toBe(true);
    expect(warm.digest).toBe(cold.digest);

    writeFileSync(join(dir, "dist/main.js"), "console.log('phoenix 2');\n");
    const changed = await buildImageLayer(spec(dir), cache);
    expect(changed.fromCache).toBe(false);
    expect(changed.digest).not.toBe(cold.digest);
  });

  it("leaves out what the filter rejects, with its subtree", async () => {
    const dir = appTree();
    const withoutModules = await buildImageLayer({
      inputs: [{ kind: "tree", from: dir, to: "app", filter: (path) => path !== "node_modules" }],
    });
    const file = join(dir, "..", `${dir.split("/").pop()}.tgz`);
    writeFileSync(file, withoutModules.bytes);
    dirs.push(file);
    expect(execFileSync("tar", ["-tzf", file], { encoding: "utf8" }).split("\n").filter(Boolean)).toEqual([
      "app/",
      "app/dist/",
      "app/dist/main.js",
      "app/package.json",
    ]);
  });
});
