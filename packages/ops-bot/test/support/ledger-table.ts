import { randomUUID } from "node:crypto";
import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { OPS_LEDGER_ATTRIBUTES } from "@phoenix/shared";

/** A Ledger table as `OpsLedgerTable` creates it (partition key, TTL attribute), under a fresh name. */
export async function createLedgerTable(dynamodb: DynamoDBClient): Promise<string> {
  const tableName = `ops-ledger-test-${randomUUID()}`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: OPS_LEDGER_ATTRIBUTES.partitionKey, KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: OPS_LEDGER_ATTRIBUTES.partitionKey, AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: tableName });
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: OPS_LEDGER_ATTRIBUTES.timeToLive, Enabled: true },
    }),
  );
  return tableName;
}
