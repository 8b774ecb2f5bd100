import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type TarEntry, TarEntryError, writeDeterministicTar } from "../src/deterministic-tar.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tar-test-"));
  dirs.push(dir);
  return dir;
}

/** `tar -tvf` (GNU tar) of the archive, one line per entry. */
function listWithTar(archive: Buffer): string[] {
  const file = join(tempDir(), "layer.tar");
  writeFileSync(file, archive);
  return execFileSync("tar", ["--numeric-owner", "--full-time", "-tvf", file], { encoding: "utf8" })
    .trimEnd()
    .split("\n");
}

function extractWithTar(archive: Buffer): string {
  const dir = tempDir();
  const file = join(dir, "layer.tar");
  writeFileSync(file, archive);
  const out = join(dir, "out");
  mkdirSync(out);
  execFileSync("tar", ["-xf", file, "-C", out]);
  return out;
}

const entries: TarEntry[] = [
  { type: "file", path: "app/package.json", executable: false, content: Buffer.from('{"name":"x"}\n') },
  { type: "directory", path: "app" },
  { type: "symlink", path: "app/node_modules/zod", target: ".pnpm/zod@4.6.7/node_modules/zod" },
  { type: "directory", path: "app/node_modules" },
  { type: "file", path: "app/bin/start", executable: true, content: Buffer.from("#!/bin/sh\n") },
  { type: "directory", path: "app/bin" },
];

describe("deterministic tar", () => {
  it("writes the same bytes for the same entries in any order", () => {
    const first = writeDeterministicTar(entries);
    const second = writeDeterministicTar([...entries].reverse());
    expect(second.equals(first)).toBe(true);
  });

  it("sorts entries by path, parents before children, with root-owned fixed times and normalized modes", () => {
    const lines = listWithTar(writeDeterministicTar(entries, { mtime: 1_700_000_000 }));
    expect(lines.map((line) => line.split(/\s+/).slice(5).join(" "))).toEqual([
      "app/",
      "app/bin/",
      "app/bin/start",
      "app/node_modules/",
      "app/node_modules/zod -> .pnpm/zod@4.6.7/node_modules/zod",
      "app/package.json",
    ]);
    for (const line of lines) {
      const [mode, owner, , date, time] = line.split(/\s+/);
      expect(owner).toBe("0/0");
      expect(`${date} ${time}`).toMatch(/^2023-11-1[45] \d\d:13:20$/); // 1_700_000_000 in the machine's zone
      expect(["drwxr-xr-x", "-rwxr-xr-x", "-rw-r--r--", "lrwxrwxrwx"]).toContain(mode);
    }
    expect(lines[2]?.startsWith("-rwxr-xr-x")).toBe(true);
    expect(lines[5]?.startsWith("-rw-r--r--")).toBe(true);
  });

  it("uses mtime 0 unless told otherwise", () => {
    const [line] = listWithTar(writeDeterministicTar([{ type: "directory", path: "etc" }]));
    expect(line).toMatch(/ 19(70-01-01|69-12-31) /);
  });

  it("keeps symlinks as symlinks and file contents intact when extracted", () => {
    const out = extractWithTar(writeDeterministicTar(entries));
    expect(readlinkSync(join(out, "app/node_modules/zod"))).toBe(".pnpm/zod@4.6.7/node_modules/zod");
    expect(readFileSync(join(out, "app/package.json"), "utf8")).toBe('{"name":"x"}\n');
    expect(statSync(join(out, "app/bin/start")).mode & 0o111).not.toBe(0);
  });

  it("stores paths and link targets longer than ustar's 100 bytes through PAX headers", () => {
    const deep = `app/node_modules/.pnpm/${"@scope+a-really-long-package-name@1.2.3/".repeat(5)}index.js`;
    const target = `../${"x".repeat(150)}`;
    const archive = writeDeterministicTar([
      { type: "file", path: deep, executable: false, content: Buffer.from("module.exports = 1;\n") },
      { type: "symlink", path: "app/link", target },
      { type: "file", path: "app/café.txt", executable: false, content: Buffer.from("é") },
    ]);
    const names = listWithTar(archive).map((line) => line.split(/\s+/).slice(5).join(" "));
    expect(names).toContain(deep);
    expect(names).toContain(`app/link -> ${target}`);
    const out = extractWithTar(archive);
    expect(readFileSync(join(out, deep), "utf8")).toBe("module.exports = 1;\n");
    expect(readlinkSync(join(out, "app/link"))).toBe(target);
    expect(readFileSync(join(out, "app/café.txt"), "utf8")).toBe("é");
  });

  it("reads file contents from disk when given a source path", () => {
    const source = join(tempDir(), "main.js");
    writeFileSync(source, "console.log(1)\n");
    const fromDisk = writeDeterministicTar([
      { type: "file", path: "main.js", executable: false, content: { sourcePath: source } },
    ]);
    const inMemory = writeDeterministicTar([
      { type: "file", path: "main.js", executable: false, content: Buffer.from("console.log(1)\n") },
    ]);
    expect(fromDisk.equals(inMemory)).toBe(true);
  });

  it("refuses a path given twice or one that leaves the archive root", () => {
    expect(() =>
      writeDeterministicTar([
        { type: "directory", path: "app" },
        { type: "directory", path: "./app/" },
      ]),
    ).toThrow(TarEntryError);
    expect(() => writeDeterministicTar([{ type: "directory", path: "app/../../etc" }])).toThrow(
      /leaves the archive root/,
    );
  });
});
