import { RemovalPolicy } from "aws-cdk-lib";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

export interface AppLogGroupProps {
  /** @default - a name chosen by CloudFormation */
  readonly logGroupName?: string;
  /**
   * Days CloudWatch keeps the container logs. Must be one of the values CloudWatch Logs
   * accepts (1, 3, 5, 7, 14, 30, …).
   * @default 7
   */
  readonly retentionDays?: number;
  /** @default RemovalPolicy.RETAIN — logs outlive a deleted stack */
  readonly removalPolicy?: RemovalPolicy;
}

/** The container log group: a week of logs, kept when the stack goes (requirement 3). */
export class AppLogGroup extends Construct {
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AppLogGroupProps = {}) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, "LogGroup", {
      logGroupName: props.logGroupName,
      retention: toRetention(props.retentionDays ?? 7),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}

const allowedRetentionDays = Object.values(logs.RetentionDays).filter(
  (value): value is logs.RetentionDays => typeof value === "number" && value !== logs.RetentionDays.INFINITE,
);

function toRetention(days: number): logs.RetentionDays {
  const match = allowedRetentionDays.find((allowed) => allowed === days);
  if (match === undefined) {
    throw new Error(
      `AppLogGroup: retentionDays ${days} is not a value CloudWatch Logs accepts (${allowedRetentionDays.join(", ")})`,
    );
  }
  return match;
}
