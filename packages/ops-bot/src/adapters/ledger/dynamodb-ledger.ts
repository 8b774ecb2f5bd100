import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { OPS_LEDGER_ATTRIBUTES } from "@phoenix/shared";
import type { Ledger, LedgerValue, LockAcquisition } from "../../ports/ledger.js";
import { type Clock, entryKey, expiryEpochSeconds, isLive, LedgerError, systemClock } from "./ledger-entries.js";

export interface DynamoDbLedgerOptions {
  /** A client for the table's region; give it an `endpoint` to talk to a stand-in. */
  readonly client: DynamoDBClient;
  /** The table `OpsLedgerTable` created (`resourceNames(identity).ledgerTable`). */
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: Clock;
}

/**
 * The Ledger in AWS: one item per entry in the table `OpsLedgerTable` creates. Every decision
 * is a single conditional write, so concurrent invocations cannot both win; expiry is part of
 * each condition (`expiresAt <= :now` counts as absent) because TTL deletion runs late.
 */
export class DynamoDbLedger implements Ledger {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly now: Clock;

  constructor(options: DynamoDbLedgerOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? systemClock;
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    return succeeds(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { [PK]: s(entryKey("claim", key)), [EXPIRES_AT]: n(expiryEpochSeconds(now, ttlSeconds)) },
          ConditionExpression: "attribute_not_exists(#pk) OR #expiresAt <= :now",
          ExpressionAttributeNames: { "#pk": PK, "#expiresAt": EXPIRES_AT },
          ExpressionAttributeValues: { ":now": n(epochSeconds(now)) },
        }),
      ),
    );
  }

  async acquireLock(name: string, owner: string, ttlSeconds: number): Promise<LockAcquisition> {
    const id = entryKey("lock", name);
    for (;;) {
      const now = this.now();
      const expiresAt = expiryEpochSeconds(now, ttlSeconds);
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { [PK]: s(id), [EXPIRES_AT]: n(expiresAt), [OWNER]: s(owner) },
            ConditionExpression: "attribute_not_exists(#pk) OR #expiresAt <= :now OR #owner = :owner",
            ExpressionAttributeNames: { "#pk": PK, "#expiresAt": EXPIRES_AT, "#owner": OWNER },
            ExpressionAttributeValues: { ":now": n(epochSeconds(now)), ":owner": s(owner) },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
        return { acquired: true, expiresAt: new Date(expiresAt * 1000) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const holder = error.Item ?? (await this.getItem(id));
        // Released between our write and our read: try again.
        if (!holder || !isLive(number(holder, EXPIRES_AT), this.now())) continue;
        return {
          acquired: false,
          holder: string(holder, OWNER),
          expiresAt: new Date(number(holder, EXPIRES_AT) * 1000),
        };
      }
    }
  }

  async renewLock(name: string, owner: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    return succeeds(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: s(entryKey("lock", name)) },
          UpdateExpression: "SET #expiresAt = :expiresAt",
          ConditionExpression: "#owner = :owner AND #expiresAt > :now",
          ExpressionAttributeNames: { "#expiresAt": EXPIRES_AT, "#owner": OWNER },
          ExpressionAttributeValues: {
            ":expiresAt": n(expiryEpochSeconds(now, ttlSeconds)),
            ":owner": s(owner),
            ":now": n(epochSeconds(now)),
          },
        }),
      ),
    );
  }

  async releaseLock(name: string, owner: string): Promise<boolean> {
    return succeeds(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [PK]: s(entryKey("lock", name)) },
          ConditionExpression: "#owner = :owner AND #expiresAt > :now",
          ExpressionAttributeNames: { "#expiresAt": EXPIRES_AT, "#owner": OWNER },
          ExpressionAttributeValues: { ":owner": s(owner), ":now": n(epochSeconds(this.now())) },
        }),
      ),
    );
  }

  async incrementCounter(key: string, ttlSeconds: number): Promise<number> {
    const id = entryKey("counter", key);
    for (;;) {
      const now = this.now();
      // Within the window: add one, keeping the window's expiry.
      try {
        const { Attributes } = await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [PK]: s(id) },
            UpdateExpression: "ADD #count :one",
            ConditionExpression: "#expiresAt > :now",
            ExpressionAttributeNames: { "#count": COUNT, "#expiresAt": EXPIRES_AT },
            ExpressionAttributeValues: { ":one": n(1), ":now": n(epochSeconds(now)) },
            ReturnValues: "UPDATED_NEW",
          }),
        );
        return number(Attributes, COUNT);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      // Absent or expired: start a new window at 1, unless a concurrent call just did.
      const started = await succeeds(
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { [PK]: s(id), [EXPIRES_AT]: n(expiryEpochSeconds(now, ttlSeconds)), [COUNT]: n(1) },
            ConditionExpression: "attribute_not_exists(#pk) OR #expiresAt <= :now",
            ExpressionAttributeNames: { "#pk": PK, "#expiresAt": EXPIRES_AT },
            ExpressionAttributeValues: { ":now": n(epochSeconds(now)) },
          }),
        ),
      );
      if (started) return 1;
    }
  }

  async readCounter(key: string): Promise<number> {
    const item = await this.getItem(entryKey("counter", key));
    if (!item || !isLive(number(item, EXPIRES_AT), this.now())) return 0;
    return number(item, COUNT);
  }

  async putRecord(key: string, value: LedgerValue, ttlSeconds: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          [PK]: s(entryKey("record", key)),
          [EXPIRES_AT]: n(expiryEpochSeconds(this.now(), ttlSeconds)),
          [VALUE]: s(JSON.stringify(value)),
        },
      }),
    );
  }

  async getRecord(key: string): Promise<LedgerValue | undefined> {
    const item = await this.getItem(entryKey("record", key));
    if (!item || !isLive(number(item, EXPIRES_AT), this.now())) return undefined;
    return JSON.parse(string(item, VALUE)) as LedgerValue;
  }

  private async getItem(id: string): Promise<Record<string, AttributeValue> | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { [PK]: s(id) }, ConsistentRead: true }),
    );
    return Item;
  }
}

const PK = OPS_LEDGER_ATTRIBUTES.partitionKey;
const EXPIRES_AT = OPS_LEDGER_ATTRIBUTES.timeToLive;
// Attributes only this adapter reads and writes.
const OWNER = "owner";
const COUNT = "count";
const VALUE = "value";

/** True if the conditional write went through, false if its condition failed. */
async function succeeds(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

function epochSeconds(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}

function s(value: string): AttributeValue {
  return { S: value };
}

function n(value: number): AttributeValue {
  return { N: String(value) };
}

function string(item: Record<string, AttributeValue> | undefined, name: string): string {
  const value = item?.[name]?.S;
  if (value === undefined) throw new LedgerError(`ledger: item attribute ${name} is missing or not a string`);
  return value;
}

function number(item: Record<string, AttributeValue> | undefined, name: string): number {
  const value = item?.[name]?.N;
  if (value === undefined) throw new LedgerError(`ledger: item attribute ${name} is missing or not a number`);
  return Number(value);
}
