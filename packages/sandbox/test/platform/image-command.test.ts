import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveImageCommand, type UnpackedImage } from "../../src/platform/image-unpack.js";

// Unpacked images laid out by hand: a base layer with a node binary, the image's own root on top.
const scratch = mkdtempSync(join(tmpdir(), "image-command-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function file(root: string, path: string): string {
  const full = join(root, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, "#!/bin/sh\n");
  chmodSync(full, 0o755);
  return full;
}

function image(name: string, env: readonly string[] | undefined): UnpackedImage & { base: string; own: string } {
  const base = join(scratch, name, "base");
  const own = join(scratch, name, "own");
  mkdirSync(base, { recursive: true });
  mkdirSync(own, { recursive: true });
  return { rootDirectory: own, baseDirectories: [base], config: env ? { Env: [...env] } : {}, base, own };
}

describe("resolveImageCommand: the image's command as a container runtime finds it", () => {
  it("finds node along the image's PATH in the base image's layer", () => {
    const unpacked = image("base-node", ["PATH=/usr/local/bin:/usr/bin", "NODE_VERSION=26.10.0"]);
    const node = file(unpacked.base, "usr/local/bin/node");
    expect(resolveImageCommand(unpacked, "node")).toBe(node);
  });

  it("uses Docker's default PATH when the image sets none", () => {
    const unpacked = image("default-path", undefined);
    const node = file(unpacked.base, "usr/bin/node");
    expect(resolveImageCommand(unpacked, "node")).toBe(node);
  });

  it("takes the first PATH directory that has the command, and the image's own layers over the base's", () => {
    const unpacked = image("precedence", ["PATH=/opt/bin:/usr/local/bin"]);
    file(unpacked.base, "usr/local/bin/node");
    const ownOverBase = file(unpacked.own, "usr/local/bin/node");
    expect(resolveImageCommand(unpacked, "node")).toBe(ownOverBase);
    const earlierOnPath = file(unpacked.base, "opt/bin/node");
    expect(resolveImageCommand(unpacked, "node")).toBe(earlierOnPath);
  });

  it("takes a command with a slash as a path in the image, and finds nothing that is not there", () => {
    const unpacked = image("paths", ["PATH=/usr/local/bin"]);
    const entry = file(unpacked.own, "app/run.sh");
    expect(resolveImageCommand(unpacked, "/app/run.sh")).toBe(entry);
    expect(resolveImageCommand(unpacked, "node")).toBeUndefined();
    expect(resolveImageCommand(unpacked, "/app/missing.sh")).toBeUndefined();
  });
});
