/**
 * Image layers from files on disk: a deterministic tar, gzipped, with both digests an image
 * needs (the compressed blob's digest for the manifest, the uncompressed tar's diffID for the
 * config). Building is skipped when the input tree's fingerprint (every path, kind, size, mode
 * and mtime) matches a cached layer: the bytes would be the same anyway.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { deterministicTarChunks, normalizeTarPath, type TarEntry } from "./deterministic-tar.js";
import { OCI_LAYER_GZIP } from "./oci-manifest.js";

const gzipAsync = promisify(gzip);

/** Bumped whenever the bytes produced for the same input would change. */
const LAYER_FORMAT = "phoenix-oci-layer/1";

/** What goes into a layer; `to` is the path inside the image. */
export type LayerInput =
  | {
      readonly kind: "tree";
      /** A directory on disk; its whole tree, symlinks kept as symlinks. */
      readonly from: string;
      readonly to: string;
      /** Keeps a path (relative to `from`, `/`-separated) when true; an excluded directory drops its subtree. */
      readonly filter?: (relativePath: string) => boolean;
    }
  | { readonly kind: "file"; readonly from: string; readonly to: string; readonly executable?: boolean }
  | {
      readonly kind: "content";
      readonly to: string;
      readonly content: string | Uint8Array;
      readonly executable?: boolean;
    };

export interface LayerSpec {
  readonly inputs: readonly LayerInput[];
  /** Modification time of every entry, seconds since the epoch. @default 0 */
  readonly mtime?: number;
  /** zlib level; part of the fingerprint, since it changes the blob. @default 6 */
  readonly compressionLevel?: number;
}

/** A built layer: the gzipped blob and the digests that name it. */
export interface ImageLayer {
  readonly mediaType: typeof OCI_LAYER_GZIP;
  /** `sha256:` of the gzipped bytes (the blob, as the manifest lists it). */
  readonly digest: string;
  /** Size of the gzipped bytes. */
  readonly size: number;
  /** `sha256:` of the uncompressed tar (the config's `rootfs.diff_ids`). */
  readonly diffId: string;
  readonly bytes: Buffer;
  /** The input fingerprint the layer was built (or found in the cache) for. */
  readonly fingerprint: string;
  readonly fromCache: boolean;
}

/** Layers by input fingerprint, most recently used kept. One per builder, or shared. */
export class LayerCache {
  private readonly layers = new Map<string, ImageLayer>();

  /** @param maxEntries layers kept; the least recently used goes first. @default 16 */
  constructor(private readonly maxEntries = 16) {}

  get(fingerprint: string): ImageLayer | undefined {
    const layer = this.layers.get(fingerprint);
    if (layer) {
      this.layers.delete(fingerprint);
      this.layers.set(fingerprint, layer);
    }
    return layer;
  }

  set(layer: ImageLayer): void {
    this.layers.delete(layer.fingerprint);
    this.layers.set(layer.fingerprint, layer);
    while (this.layers.size > this.maxEntries) {
      const oldest = this.layers.keys().next().value;
      if (oldest === undefined) break;
      this.layers.delete(oldest);
    }
  }

  clear(): void {
    this.layers.clear();
  }

  get size(): number {
    return this.layers.size;
  }
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Builds the layer, or returns the cached one when the inputs' fingerprint is unchanged. */
export async function buildImageLayer(spec: LayerSpec, cache?: LayerCache): Promise<ImageLayer> {
  const { entries, fingerprint } = scanLayerInputs(spec);
  const cached = cache?.get(fingerprint);
  if (cached) return { ...cached, fromCache: true };

  const tarHash = createHash("sha256");
  const chunks: Buffer[] = [];
  for (const chunk of deterministicTarChunks(entries, { mtime: spec.mtime ?? 0 })) {
    tarHash.update(chunk);
    chunks.push(chunk);
  }
  // zlib writes a gzip header with mtime 0 and no file name: nothing varies between runs.
  const bytes = await gzipAsync(Buffer.concat(chunks), { level: spec.compressionLevel ?? 6 });
  const layer: ImageLayer = {
    mediaType: OCI_LAYER_GZIP,
    digest: sha256Digest(bytes),
    size: bytes.length,
    diffId: `sha256:${tarHash.digest("hex")}`,
    bytes,
    fingerprint,
    fromCache: false,
  };
  cache?.set(layer);
  return layer;
}

/**
 * The tar entries for the inputs (with every parent directory of `to`) and a fingerprint of
 * everything the bytes depend on. Reads metadata only; file contents are read while tarring.
 */
export function scanLayerInputs(spec: LayerSpec): { entries: TarEntry[]; fingerprint: string } {
  const entries = new Map<string, TarEntry>();
  const hash = createHash("sha256");
  hash.update(`${LAYER_FORMAT}\0${spec.mtime ?? 0}\0${spec.compressionLevel ?? 6}\n`);
  const add = (entry: TarEntry) => {
    const path = normalizeTarPath(entry.path);
    const existing = entries.get(path);
    if (existing && !(existing.type === "directory" && entry.type === "directory")) {
      throw new Error(`layer: "${path}" comes from two inputs`);
    }
    entries.set(path, { ...entry, path });
  };
  const addParents = (path: string) => {
    const parts = normalizeTarPath(path).split("/");
    for (let i = 1; i < parts.length; i++) add({ type: "directory", path: parts.slice(0, i).join("/") });
  };

  for (const input of spec.inputs) {
    switch (input.kind) {
      case "content": {
        const content = typeof input.content === "string" ? Buffer.from(input.content, "utf8") : input.content;
        addParents(input.to);
        add({ type: "file", path: input.to, executable: input.executable ?? false, content });
        hash.update(`content\0${input.to}\0${input.executable ?? false}\0${sha256Digest(content)}\n`);
        break;
      }
      case "file": {
        const stats = lstatSync(input.from);
        if (!stats.isFile()) throw new Error(`layer: ${input.from} is not a regular file`);
        addParents(input.to);
        const executable = input.executable ?? isExecutable(stats);
        add({ type: "file", path: input.to, executable, content: { sourcePath: input.from } });
        hash.update(`file\0${input.to}\0${executable}\0${statKey(stats)}\n`);
        break;
      }
      case "tree": {
        const root = lstatSync(input.from);
        if (!root.isDirectory()) throw new Error(`layer: ${input.from} is not a directory`);
        addParents(input.to);
        add({ type: "directory", path: input.to });
        hash.update(`tree\0${input.to}\n`);
        walkTree(input.from, "", input.filter, (relativePath, absolutePath, stats) => {
          const path = `${input.to}/${relativePath}`;
          if (stats.isDirectory()) {
            add({ type: "directory", path });
            hash.update(`d\0${relativePath}\n`);
          } else if (stats.isSymbolicLink()) {
            const target = readlinkSync(absolutePath);
            add({ type: "symlink", path, target });
            hash.update(`l\0${relativePath}\0${target}\n`);
          } else if (stats.isFile()) {
            const executable = isExecutable(stats);
            add({ type: "file", path, executable, content: { sourcePath: absolutePath } });
            hash.update(`f\0${relativePath}\0${statKey(stats)}\n`);
          } else {
            throw new Error(`layer: ${absolutePath} is neither a file, a directory nor a symlink`);
          }
        });
        break;
      }
    }
  }
  return { entries: [...entries.values()], fingerprint: `sha256:${hash.digest("hex")}` };
}

function walkTree(
  root: string,
  relativeDir: string,
  filter: ((relativePath: string) => boolean) | undefined,
  visit: (relativePath: string, absolutePath: string, stats: Stats) => void,
): void {
  const dir = relativeDir === "" ? root : join(root, relativeDir);
  // Sorted so the fingerprint does not depend on the file system's directory order.
  const names = readdirSync(dir).sort();
  for (const name of names) {
    const relativePath = relativeDir === "" ? name : `${relativeDir}/${name}`;
    if (filter && !filter(relativePath)) continue;
    const absolutePath = join(dir, name);
    const stats = lstatSync(absolutePath);
    visit(relativePath, absolutePath, stats);
    if (stats.isDirectory()) walkTree(root, relativePath, filter, visit);
  }
}

function isExecutable(stats: Stats): boolean {
  return (stats.mode & 0o111) !== 0;
}

function statKey(stats: Stats): string {
  return `${stats.size}\0${stats.mode}\0${stats.mtimeMs}\0${stats.ino}`;
}
