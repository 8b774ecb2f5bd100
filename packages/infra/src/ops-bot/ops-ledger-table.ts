import { OPS_LEDGER_ATTRIBUTES, opsResourceNames } from "@phoenix/shared";
import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as kms from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { requireExistingOrProps, requireForNewResource } from "../validation/prop-validation.js";

export interface OpsLedgerTableProps {
  /** The app; the table is named `opsResourceNames(app).ledgerTable`. Required unless `existingTable`. @default - none */
  readonly app?: string;
  /**
   * A table created elsewhere with the key and TTL attribute of `OPS_LEDGER_ATTRIBUTES` (`@phoenix/shared`).
   * @default - a new table is created
   */
  readonly existingTable?: dynamodb.ITable;
  /**
   * Overrides for the created table, applied over this construct's choices.
   * @default - on-demand, PITR, deletion protection, AWS managed KMS key
   */
  readonly tableProps?: Partial<dynamodb.TableProps>;
  /**
   * Customer-managed key for the table.
   * @default - the AWS managed key `aws/dynamodb`. The table holds idempotency keys and lock
   *   records, no secrets or personal data, so a customer key (its policy, its cost, kms grants
   *   on the bot's role) buys no protection that the AWS managed key, also KMS and also audited
   *   in CloudTrail, does not give.
   */
  readonly encryptionKey?: kms.IKey;
  /** @default RemovalPolicy.RETAIN — locks of a deploy in flight outlive a stack replacement */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The bot's Ledger (requirement "Bot state"): idempotency keys and locks written with
 * conditional puts, expired by DynamoDB TTL, so duplicate deliveries never double-act and a
 * crashed invocation's lock is released by time.
 */
export class OpsLedgerTable extends Construct {
  public readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: OpsLedgerTableProps) {
    super(scope, id);
    const name = "OpsLedgerTable";
    requireExistingOrProps(name, "existingTable", props.existingTable, "tableProps", props.tableProps);
    if (props.existingTable) {
      this.table = props.existingTable;
      return;
    }
    const app = requireForNewResource(name, "app", props.app, "existingTable");
    this.table = new dynamodb.Table(this, "Table", {
      tableName: opsResourceNames(app).ledgerTable,
      partitionKey: { name: OPS_LEDGER_ATTRIBUTES.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: OPS_LEDGER_ATTRIBUTES.timeToLive,
      // A handful of writes per deploy or alarm: on-demand costs nothing when idle and never throttles a burst.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: props.encryptionKey
        ? dynamodb.TableEncryption.CUSTOMER_MANAGED
        : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: props.encryptionKey,
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...props.tableProps,
    });
  }
}
