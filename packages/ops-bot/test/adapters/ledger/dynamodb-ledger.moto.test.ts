import { randomUUID } from "node:crypto";
import {
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { OPS_LEDGER_ATTRIBUTES } from "@phoenix/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import { DynamoDbLedger } from "../../../src/adapters/ledger/dynamodb-ledger.js";
import { createLedgerTable } from "../../support/ledger-table.js";

describe("DynamoDbLedger items on moto", () => {
  let tableName: string;
  let client: DynamoDBClient;

  beforeAll(async () => {
    client = new DynamoDBClient(motoClientConfig());
    tableName = await createLedgerTable(client);
  });
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    client.destroy();
  });

  it("writes the TTL attribute the table expires on, in epoch seconds, rounded up", async () => {
    const nowMs = 1_790_000_000_400;
    const ledger = new DynamoDbLedger({ client, tableName, now: () => nowMs });
    await ledger.acquireLock("deploy/production", "deploy-1", 60);
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { [OPS_LEDGER_ATTRIBUTES.partitionKey]: { S: "lock#deploy/production" } },
      }),
    );
    expect(Item?.[OPS_LEDGER_ATTRIBUTES.timeToLive]).toEqual({ N: "1790000061" });
    expect(Item?.owner).toEqual({ S: "deploy-1" });
  });

  it("passes on errors other than a failed condition", async () => {
    const ledger = new DynamoDbLedger({ client, tableName: `missing-${randomUUID()}` });
    await expect(ledger.claim("delivery-1", 60)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
