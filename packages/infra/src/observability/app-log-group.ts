import { RemovalPolicy } from "aws-cdk-lib";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { requireOneOf } from "../validation/prop-validation.js";

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
      retention: requireOneOf("AppLogGroup", "retentionDays", props.retentionDays ?? 7, ALLOWED_RETENTION_DAYS),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}

/** The retention periods CloudWatch Logs accepts, from the CDK's own enum (never-expire excluded). */
export const ALLOWED_RETENTION_DAYS: readonly logs.RetentionDays[] = Object.values(logs.RetentionDays).filter(
  (value): value is logs.RetentionDays => typeof value === "number" && value !== logs.RetentionDays.INFINITE,
);
