import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmbeddedLedger } from "../../../src/adapters/ledger/embedded-ledger.js";
import { LedgerError } from "../../../src/adapters/ledger/ledger-entries.js";

describe("EmbeddedLedger on disk", () => {
  let directory: string;
  let file: string;
  let nowMs: number;
  const now = () => nowMs;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "embedded-ledger-"));
    file = join(directory, "state", "ledger.json");
    nowMs = Date.now();
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("keeps claims, locks, counters and records across a restart", async () => {
    const before = new EmbeddedLedger(file, { now });
    await before.claim("delivery-1", 60);
    await before.acquireLock("deploy/production", "deploy-1", 60);
    await before.incrementCounter("family-a", 60);
    await before.putRecord("fingerprint/abc", { issue: 42 }, 60);

    const after = new EmbeddedLedger(file, { now });
    expect(await after.claim("delivery-1", 60)).toBe(false);
    expect(await after.acquireLock("deploy/production", "deploy-2", 60)).toMatchObject({
      acquired: false,
      holder: "deploy-1",
    });
    expect(await after.incrementCounter("family-a", 60)).toBe(2);
    expect(await after.getRecord("fingerprint/abc")).toEqual({ issue: 42 });
  });

  it("ignores a temporary file left by a crash mid-write and replaces it on the next write", async () => {
    const before = new EmbeddedLedger(file, { now });
    await before.claim("delivery-1", 60);
    // What a crash between opening the temporary file and renaming it leaves behind.
    await writeFile(`${file}.tmp`, '{"version":1,"entries":{"claim#deliv');

    const after = new EmbeddedLedger(file, { now });
    expect(await after.claim("delivery-1", 60)).toBe(false);
    expect(await after.claim("delivery-2", 60)).toBe(true);
    expect(await readdir(join(directory, "state"))).toEqual(["ledger.json"]);
    expect(await new EmbeddedLedger(file, { now }).claim("delivery-2", 60)).toBe(false);
  });

  it("refuses to start over a damaged ledger file instead of forgetting its locks", async () => {
    const ledger = new EmbeddedLedger(file, { now });
    await ledger.claim("delivery-1", 60);
    await writeFile(file, "not json");
    await expect(ledger.claim("delivery-1", 60)).rejects.toThrow(LedgerError);
    await expect(ledger.claim("delivery-1", 60)).rejects.toThrow(/is not a ledger file .* move it away/);
  });

  it("drops expired entries from the file when it next writes", async () => {
    const ledger = new EmbeddedLedger(file, { now });
    await ledger.claim("short", 1);
    await ledger.claim("long", 60);
    nowMs += 2000;
    await ledger.claim("new", 60);
    const { entries } = JSON.parse(await readFile(file, "utf8")) as { entries: Record<string, unknown> };
    expect(Object.keys(entries).sort()).toEqual(["claim#long", "claim#new"]);
  });

  it("serializes operations of two instances on one file in the same process", async () => {
    const first = new EmbeddedLedger(file, { now });
    const second = new EmbeddedLedger(join(directory, "state", "..", "state", "ledger.json"), { now });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).incrementCounter("family-a", 60)),
    );
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
