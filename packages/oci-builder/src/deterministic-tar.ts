/**
 * A tar writer whose output depends only on the entries' paths, kinds, executable bits and
 * contents: the same tree gives the same bytes on any machine, so an image layer built twice
 * has one digest. Everything a file system adds (owners, times, umask, directory order) is
 * replaced by fixed values. Format: POSIX ustar, with a PAX extended header for a path or link
 * target that does not fit ustar's 100-byte fields (or is not ASCII).
 */
import { readFileSync } from "node:fs";

export type TarEntry =
  | { readonly type: "directory"; readonly path: string }
  | {
      readonly type: "file";
      readonly path: string;
      /** Written 0755 when true, 0644 otherwise. */
      readonly executable: boolean;
      /** The bytes, or the file on disk to read them from when the entry is written. */
      readonly content: Uint8Array | { readonly sourcePath: string };
    }
  | { readonly type: "symlink"; readonly path: string; readonly target: string };

export interface DeterministicTarOptions {
  /** Modification time of every entry, in seconds since the epoch (SOURCE_DATE_EPOCH). @default 0 */
  readonly mtime?: number;
}

/** Thrown for an entry list that cannot become a well-formed, reproducible archive. */
export class TarEntryError extends Error {
  override readonly name = "TarEntryError";
}

const BLOCK = 512;
const USTAR_NAME_BYTES = 100;
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

/** Archive path without leading `./` or `/` and without a trailing slash; rejects `..`. */
export function normalizeTarPath(path: string): string {
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.length === 0) throw new TarEntryError(`tar: empty path "${path}"`);
  if (parts.includes("..")) throw new TarEntryError(`tar: path "${path}" leaves the archive root`);
  return parts.join("/");
}

/** The entries in archive order: by normalized path, so parents precede their children. */
export function sortTarEntries(entries: readonly TarEntry[]): TarEntry[] {
  const keyed = entries.map((entry) => {
    const key = normalizeTarPath(entry.path);
    return { key, bytes: Buffer.from(key), entry };
  });
  keyed.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  for (let i = 1; i < keyed.length; i++) {
    if (keyed[i]?.key === keyed[i - 1]?.key) throw new TarEntryError(`tar: "${keyed[i]?.key}" appears twice`);
  }
  return keyed.map(({ key, entry }) => ({ ...entry, path: key }));
}

/**
 * The archive as a sequence of chunks (headers, contents, padding, the closing zero blocks).
 * File contents given by `sourcePath` are read one at a time, as the chunk is produced.
 */
export function* deterministicTarChunks(
  entries: readonly TarEntry[],
  options: DeterministicTarOptions = {},
): Generator<Buffer> {
  const mtime = options.mtime ?? 0;
  for (const entry of sortTarEntries(entries)) {
    switch (entry.type) {
      case "directory":
        yield* headerBlocks({ path: `${entry.path}/`, mode: 0o755, size: 0, typeflag: "5", linkname: "", mtime });
        break;
      case "symlink":
        yield* headerBlocks({ path: entry.path, mode: 0o777, size: 0, typeflag: "2", linkname: entry.target, mtime });
        break;
      case "file": {
        const content =
          entry.content instanceof Uint8Array ? Buffer.from(entry.content) : readFileSync(entry.content.sourcePath);
        const mode = entry.executable ? 0o755 : 0o644;
        yield* headerBlocks({ path: entry.path, mode, size: content.length, typeflag: "0", linkname: "", mtime });
        if (content.length > 0) yield content;
        const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
        if (padding > 0) yield Buffer.alloc(padding);
        break;
      }
    }
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** The whole archive in one buffer. */
export function writeDeterministicTar(entries: readonly TarEntry[], options: DeterministicTarOptions = {}): Buffer {
  return Buffer.concat([...deterministicTarChunks(entries, options)]);
}

interface HeaderFields {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  readonly typeflag: string;
  readonly linkname: string;
  readonly mtime: number;
}

function* headerBlocks(fields: HeaderFields): Generator<Buffer> {
  if (fields.size > MAX_OCTAL_SIZE) throw new TarEntryError(`tar: "${fields.path}" is larger than 8 GiB`);
  const pathFits = fitsUstarField(fields.path);
  const linkFits = fitsUstarField(fields.linkname);
  if (!pathFits || !linkFits) {
    const records = [
      ...(linkFits ? [] : [paxRecord("linkpath", fields.linkname)]),
      ...(pathFits ? [] : [paxRecord("path", fields.path)]),
    ].join("");
    const body = Buffer.from(records, "utf8");
    const baseName = fields.path.replace(/\/$/, "").split("/").pop() ?? "entry";
    yield ustarHeader({
      path: asciiPrefix(`PaxHeaders/${baseName}`),
      mode: 0o644,
      size: body.length,
      typeflag: "x",
      linkname: "",
      mtime: fields.mtime,
    });
    yield body;
    const padding = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (padding > 0) yield Buffer.alloc(padding);
  }
  yield ustarHeader({
    ...fields,
    path: pathFits ? fields.path : asciiPrefix(fields.path),
    linkname: linkFits ? fields.linkname : asciiPrefix(fields.linkname),
  });
}

function fitsUstarField(value: string): boolean {
  return Buffer.byteLength(value) <= USTAR_NAME_BYTES && /^[\x20-\x7e]*$/.test(value);
}

/** A stand-in for readers without PAX support: the value cut to what ustar holds. */
function asciiPrefix(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, "_").slice(0, USTAR_NAME_BYTES);
}

/** `"<length> <key>=<value>\n"`, where length counts the whole record including its own digits. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  const restBytes = Buffer.byteLength(rest);
  let length = restBytes + String(restBytes).length;
  if (String(length).length !== String(restBytes).length) length = restBytes + String(length).length;
  return `${length}${rest}`;
}

function ustarHeader(fields: HeaderFields): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(fields.path, 0, 100, "utf8");
  writeOctal(header, 100, 8, fields.mode);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, fields.size);
  writeOctal(header, 136, 12, fields.mtime);
  header.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  header.write(fields.typeflag, 156, 1, "ascii");
  header.write(fields.linkname, 157, 100, "utf8");
  header.write("ustar\u000000", 257, 8, "ascii");
  // uname (265) and gname (297) stay empty: no names, only the numeric ids.
  writeOctal(header, 329, 8, 0); // devmajor
  writeOctal(header, 337, 8, 0); // devminor
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "ascii");
  return header;
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, "0")}\u0000`, offset, length, "ascii");
}
