/**
 * The ops bot's Ledger table as far as DynamoDB knows it: the infrastructure creates the table
 * with this key and TTL attribute, and the bot's DynamoDB Ledger adapter writes items with them.
 */
export const OPS_LEDGER_ATTRIBUTES = {
  /** Partition key (string): the idempotency key or lock name. */
  partitionKey: "pk",
  /** Epoch second after which DynamoDB's TTL may delete the item, releasing a crashed invocation's lock. */
  timeToLive: "expiresAt",
} as const;
