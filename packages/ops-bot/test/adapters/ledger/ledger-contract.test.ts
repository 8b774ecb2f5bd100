import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import { DynamoDbLedger } from "../../../src/adapters/ledger/dynamodb-ledger.js";
import { EmbeddedLedger } from "../../../src/adapters/ledger/embedded-ledger.js";
import type { Clock } from "../../../src/adapters/ledger/ledger-entries.js";
import type { Ledger } from "../../../src/ports/ledger.js";
import { createLedgerTable } from "../../support/ledger-table.js";

/** A clock the test moves by hand, so expiry is tested without sleeping. */
class ManualClock {
  // Starts at the real time so items written to moto carry plausible TTL values.
  private ms = Date.now();
  readonly now: Clock = () => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** The behaviour every Ledger must have; `makeLedger` returns a fresh, empty ledger on the given clock. */
function describeLedgerContract(name: string, makeLedger: (now: Clock) => Promise<Ledger>): void {
  describe(`${name} (Ledger contract)`, () => {
    let clock: ManualClock;
    let ledger: Ledger;

    beforeEach(async () => {
      clock = new ManualClock();
      ledger = await makeLedger(clock.now);
    });

    describe("claim", () => {
      it("is true the first time and false for a duplicate delivery", async () => {
        expect(await ledger.claim("delivery-1", 60)).toBe(true);
        expect(await ledger.claim("delivery-1", 60)).toBe(false);
        expect(await ledger.claim("delivery-2", 60)).toBe(true);
      });

      it("grants exactly one of 50 concurrent claims of one key", async () => {
        const results = await Promise.all(Array.from({ length: 50 }, () => ledger.claim("storm", 60)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it("can be claimed again once expired, and not a moment before", async () => {
        expect(await ledger.claim("delivery-1", 2)).toBe(true);
        clock.advance(1);
        expect(await ledger.claim("delivery-1", 2)).toBe(false);
        clock.advance(2);
        expect(await ledger.claim("delivery-1", 2)).toBe(true);
        expect(await ledger.claim("delivery-1", 2)).toBe(false);
      });

      it("keeps claims, locks, counters and records of the same key apart", async () => {
        expect(await ledger.claim("x", 60)).toBe(true);
        expect(await ledger.acquireLock("x", "deploy-1", 60)).toMatchObject({ acquired: true });
        expect(await ledger.incrementCounter("x", 60)).toBe(1);
        await ledger.putRecord("x", 7, 60);
        expect(await ledger.claim("x", 60)).toBe(false);
        expect(await ledger.getRecord("x")).toBe(7);
      });

      it("rejects a TTL that is not a positive number of seconds", async () => {
        await expect(ledger.claim("k", 0)).rejects.toThrow(/ttlSeconds must be a positive number/);
        await expect(ledger.claim("k", Number.NaN)).rejects.toThrow(/ttlSeconds must be a positive number/);
      });
    });

    describe("locks", () => {
      it("tells a second acquirer who holds the lock and until when", async () => {
        const first = await ledger.acquireLock("deploy/production", "deploy-1", 60);
        expect(first).toMatchObject({ acquired: true });
        const second = await ledger.acquireLock("deploy/production", "deploy-2", 60);
        expect(second).toEqual({ acquired: false, holder: "deploy-1", expiresAt: first.expiresAt });
        expect(first.expiresAt.getTime()).toBeGreaterThanOrEqual(clock.now() + 60_000);
        expect(first.expiresAt.getTime()).toBeLessThan(clock.now() + 61_000);
      });

      it("grants exactly one of 50 concurrent acquirers", async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => ledger.acquireLock("deploy/production", `deploy-${i}`, 60)),
        );
        const winners = results.filter((r) => r.acquired);
        expect(winners).toHaveLength(1);
        const holders = new Set(results.flatMap((r) => (r.acquired ? [] : [r.holder])));
        expect(holders.size).toBe(1);
      });

      it("lets the holder re-acquire with a fresh expiry", async () => {
        const first = await ledger.acquireLock("deploy/production", "deploy-1", 60);
        clock.advance(30);
        const again = await ledger.acquireLock("deploy/production", "deploy-1", 60);
        expect(again.acquired).toBe(true);
        expect(again.expiresAt.getTime()).toBe(first.expiresAt.getTime() + 30_000);
      });

      it("is released only by its holder", async () => {
        await ledger.acquireLock("deploy/production", "deploy-1", 60);
        expect(await ledger.releaseLock("deploy/production", "deploy-2")).toBe(false);
        expect(await ledger.acquireLock("deploy/production", "deploy-2", 60)).toMatchObject({ acquired: false });
        expect(await ledger.releaseLock("deploy/production", "deploy-1")).toBe(true);
        expect(await ledger.releaseLock("deploy/production", "deploy-1")).toBe(false);
        expect(await ledger.acquireLock("deploy/production", "deploy-2", 60)).toMatchObject({ acquired: true });
      });

      it("can be taken over once expired, and the old holder can then neither renew nor release it", async () => {
        await ledger.acquireLock("deploy/production", "crashed", 2);
        clock.advance(1);
        expect(await ledger.acquireLock("deploy/production", "deploy-2", 60)).toMatchObject({
          acquired: false,
          holder: "crashed",
        });
        clock.advance(2);
        expect(await ledger.releaseLock("deploy/production", "crashed")).toBe(false);
        expect(await ledger.acquireLock("deploy/production", "deploy-2", 60)).toMatchObject({ acquired: true });
        expect(await ledger.renewLock("deploy/production", "crashed", 60)).toBe(false);
        expect(await ledger.releaseLock("deploy/production", "crashed")).toBe(false);
        expect(await ledger.releaseLock("deploy/production", "deploy-2")).toBe(true);
      });

      it("is kept past its first expiry by renewing, by the holder only", async () => {
        await ledger.acquireLock("deploy/production", "deploy-1", 10);
        clock.advance(8);
        expect(await ledger.renewLock("deploy/production", "deploy-1", 10)).toBe(true);
        expect(await ledger.renewLock("deploy/production", "deploy-2", 10)).toBe(false);
        clock.advance(8);
        expect(await ledger.acquireLock("deploy/production", "deploy-2", 10)).toMatchObject({
          acquired: false,
          holder: "deploy-1",
        });
        clock.advance(3);
        expect(await ledger.renewLock("deploy/production", "deploy-1", 10)).toBe(false);
      });
    });

    describe("counters", () => {
      it("counts 50 concurrent increments without losing one", async () => {
        const results = await Promise.all(Array.from({ length: 50 }, () => ledger.incrementCounter("family-a", 60)));
        expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      });

      it("restarts at 1 when the window opened by the first increment has passed", async () => {
        expect(await ledger.incrementCounter("family-a", 10)).toBe(1);
        clock.advance(6);
        expect(await ledger.incrementCounter("family-a", 10)).toBe(2);
        clock.advance(5); // 11 s after the first increment: the second did not extend the window
        expect(await ledger.incrementCounter("family-a", 10)).toBe(1);
        expect(await ledger.incrementCounter("family-b", 10)).toBe(1);
      });

      it("reads a counter without changing it, and an absent or expired one as 0", async () => {
        expect(await ledger.readCounter("family-a")).toBe(0);
        await ledger.incrementCounter("family-a", 10);
        await ledger.incrementCounter("family-a", 10);
        expect(await ledger.readCounter("family-a")).toBe(2);
        expect(await ledger.readCounter("family-a")).toBe(2);
        clock.advance(11);
        expect(await ledger.readCounter("family-a")).toBe(0);
      });
    });

    describe("records", () => {
      it("round-trip JSON values and are replaced by a later put", async () => {
        const value = { issue: 42, labels: ["crash", "ops"], closed: false, note: null };
        await ledger.putRecord("fingerprint/abc", value, 60);
        expect(await ledger.getRecord("fingerprint/abc")).toEqual(value);
        await ledger.putRecord("fingerprint/abc", 43, 60);
        expect(await ledger.getRecord("fingerprint/abc")).toBe(43);
        expect(await ledger.getRecord("fingerprint/unknown")).toBeUndefined();
      });

      it("are absent once expired", async () => {
        await ledger.putRecord("fingerprint/abc", 42, 2);
        clock.advance(1);
        expect(await ledger.getRecord("fingerprint/abc")).toBe(42);
        clock.advance(2);
        expect(await ledger.getRecord("fingerprint/abc")).toBeUndefined();
      });
    });
  });
}

// --- EmbeddedLedger: a file in a temporary directory --------------------------------------
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "ledger-contract-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describeLedgerContract(
  "EmbeddedLedger",
  async (now) => new EmbeddedLedger(join(directory, `${randomUUID()}.json`), { now }),
);

// --- DynamoDbLedger: moto server, a fresh table keyed like OpsLedgerTable per test ----------
const tables: string[] = [];
let client: DynamoDBClient | undefined;

function motoClient(): DynamoDBClient {
  client ??= new DynamoDBClient(motoClientConfig());
  return client;
}

afterAll(async () => {
  await Promise.all(tables.map((TableName) => client?.send(new DeleteTableCommand({ TableName }))));
  client?.destroy();
});

describeLedgerContract("DynamoDbLedger on moto", async (now) => {
  const dynamodb = motoClient();
  const tableName = await createLedgerTable(dynamodb);
  tables.push(tableName);
  return new DynamoDbLedger({ client: dynamodb, tableName, now });
});
