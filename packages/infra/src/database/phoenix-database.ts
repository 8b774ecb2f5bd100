import { PHOENIX_APP } from "@phoenix/shared";
import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import * as backup from "aws-cdk-lib/aws-backup";
import * as docdb from "aws-cdk-lib/aws-docdb";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as events from "aws-cdk-lib/aws-events";
import * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { ALLOWED_RETENTION_DAYS } from "../observability/app-log-group.js";
import { PropValidationError, requireIntegerInRange, requireOneOf } from "../validation/prop-validation.js";

export interface PhoenixDatabaseProps {
  /**
   * The VPC the cluster runs in. Its `vpcSubnets` must reach Secrets Manager (an interface
   * endpoint, as `PhoenixNetwork` creates), or the password rotation cannot run.
   */
  readonly vpc: ec2.IVpc;
  /** @default - the VPC's isolated subnets: no route in or out of the VPC */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Instances in the cluster (1 to 16): one primary, the rest replicas in other AZs. @default 3 */
  readonly instances?: number;
  /** @default r6g.large */
  readonly instanceType?: ec2.InstanceType;
  /**
   * DocumentDB engine version; the cluster parameter group's family follows its major version.
   * @default "5.0.0"
   */
  readonly engineVersion?: string;
  /**
   * Port the cluster listens on (1150 to 65535).
   * @default 27017 — DocumentDB's own; see the DOC2 acknowledgement below for why
   */
  readonly port?: number;
  /**
   * Name of the master user; its password is generated into Secrets Manager.
   * @default "phoenixadmin"
   */
  readonly masterUsername?: string;
  /** Days between automatic rotations of the master password (1 to 1000). @default 30 */
  readonly passwordRotationDays?: number;
  /**
   * Customer-managed key the cluster's storage (and so its snapshots) is encrypted with.
   * @default - a new key with yearly automatic rotation, kept when the stack is deleted
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Days database backups are kept (1 to 35): both DocumentDB's continuous backups and the
   * AWS Backup plan's daily recovery points (requirement 3).
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /** Daily UTC window for DocumentDB's automated backup, 30 minutes or more. @default "02:00-03:00" */
  readonly preferredBackupWindow?: string;
  /** Weekly UTC maintenance window, clear of the backup window. @default "sun:04:00-sun:04:30" */
  readonly preferredMaintenanceWindow?: string;
  /** Days CloudWatch keeps the audit and profiler logs (a value CloudWatch accepts). @default 7 */
  readonly logRetentionDays?: number;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** What happens to the cluster when it leaves the stack. @default RemovalPolicy.SNAPSHOT */
  readonly removalPolicy?: RemovalPolicy;
}

/** DocumentDB's own port; kept unless `port` says otherwise. */
const DOCUMENTDB_DEFAULT_PORT = 27017;
/** The database the app uses, named in the URI path. */
const DATABASE_NAME = "phoenix";

/**
 * The Phoenix database (requirement "Database"; backups for requirement 3): a DocumentDB
 * cluster in the isolated subnets, encrypted with a customer-managed key, TLS-only, audited,
 * its master password generated and rotated by Secrets Manager, backed up daily for a week,
 * and reachable only from what `allowConnectionsFrom` admits.
 */
export class PhoenixDatabase extends Construct {
  public readonly cluster: docdb.DatabaseCluster;
  /** The master credentials: JSON with username, password, host and port (and engine). */
  public readonly secret: secretsmanager.ISecret;
  /** The cluster's security group; admits nothing until `allowConnectionsFrom` is called. */
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly encryptionKey: kms.IKey;
  /** Daily recovery points of the cluster, deleted after `backupRetentionDays`. */
  public readonly backupPlan: backup.BackupPlan;
  /** Where the cluster's audit and profiler logs go, keyed by log type. */
  public readonly logGroups: { readonly audit: logs.LogGroup; readonly profiler: logs.LogGroup };
  /**
   * The app's `DB_CONNECTION_STRING`: no credentials (the app gets those from `secret` as
   * DB_USERNAME / DB_PASSWORD, so a rotation never rewrites it), TLS with the CA bundle the
   * app image ships, and the options DocumentDB needs (it has no retryable writes).
   */
  public readonly connectionUri: string;

  constructor(scope: Construct, id: string, props: PhoenixDatabaseProps) {
    super(scope, id);
    const settings = validatedSettings(props);

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, "EncryptionKey", {
        description: "Encrypts the Phoenix DocumentDB cluster's storage and snapshots",
        enableKeyRotation: true,
        // Snapshots outlive the cluster and are unreadable without their key.
        removalPolicy: RemovalPolicy.RETAIN,
      });

    // Nothing is admitted by default; DocumentDB needs no outbound traffic.
    this.securityGroup = new ec2.SecurityGroup(this, "SecurityGroup", {
      vpc: props.vpc,
      description: "Phoenix DocumentDB cluster: admits only peers given to allowConnectionsFrom",
      allowAllOutbound: false,
    });

    this.cluster = new docdb.DatabaseCluster(this, "Cluster", {
      engineVersion: settings.engineVersion,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroup: this.securityGroup,
      instances: settings.instances,
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
      port: settings.port,
      // No password given: CDK generates one into a Secrets Manager secret.
      masterUser: { username: settings.masterUsername },
      storageEncrypted: true,
      kmsKey: this.encryptionKey,
      parameterGroup: new docdb.ClusterParameterGroup(this, "Parameters", {
        family: settings.parameterGroupFamily,
        description: "Phoenix: TLS required, audit and profiler logs on",
        parameters: {
          tls: "enabled",
          audit_logs: "enabled",
          // Without it the exported profiler log stays empty; logs operations over 100 ms.
          profiler: "enabled",
        },
      }),
      backup: { retention: Duration.days(settings.backupRetentionDays), preferredWindow: settings.backupWindow },
      preferredMaintenanceWindow: settings.maintenanceWindow,
      exportAuditLogsToCloudWatch: true,
      exportProfilerLogsToCloudWatch: true,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
    });
    if (settings.port === DOCUMENTDB_DEFAULT_PORT) {
      // Kept: a non-default port only hides the service from scanners, and nothing can scan
      // it: isolated subnets, and a security group admitting named peers only.
      Validations.of(this.cluster).acknowledge({
        id: "AwsSolutions::AwsSolutions-DOC2",
        reason:
          "Default port 27017 kept on purpose: the cluster is in isolated subnets and its security group admits only the Phoenix service and the rotation function, so a non-default port adds no protection.",
      });
    }

    Validations.of(this.cluster).acknowledge({
      id: "AwsSolutions::AwsSolutions-DOC3",
      reason:
        "Master username and password are Secrets Manager dynamic references to the generated secret; cdk-nag cannot read them because CDK builds them with Fn::Join (the tests assert the references).",
    });

    const generated = this.cluster.node.tryFindChild("Secret");
    if (!this.cluster.secret || !(generated instanceof secretsmanager.Secret)) {
      throw new Error("PhoenixDatabase: DocumentDB did not generate the master secret");
    }
    this.secret = this.cluster.secret;
    // A kept cluster or a restored snapshot still has this password: keep the secret with it.
    generated.applyRemovalPolicy(
      (props.removalPolicy ?? RemovalPolicy.SNAPSHOT) === RemovalPolicy.DESTROY
        ? RemovalPolicy.DESTROY
        : RemovalPolicy.RETAIN,
    );
    this.cluster.addRotationSingleUser(Duration.days(settings.passwordRotationDays));

    this.logGroups = this.exportedLogGroups(settings.logRetentionDays);
    this.backupPlan = this.dailyBackupPlan(settings.backupRetentionDays);
    this.connectionUri =
      `mongodb://${this.cluster.clusterEndpoint.socketAddress}/${DATABASE_NAME}` +
      `?tls=true&tlsCAFile=${PHOENIX_APP.documentDbCaBundlePath}` +
      "&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false";
  }

  /** Admits `peer` (the Phoenix service) to the cluster port, and nothing else. */
  public allowConnectionsFrom(peer: ec2.IConnectable): void {
    this.cluster.connections.allowDefaultPortFrom(peer, "Phoenix service to DocumentDB");
  }

  /**
   * The log groups DocumentDB exports to, created here rather than by CDK's log-retention
   * Lambda, so retention is plain CloudFormation. Instances, which write the logs, wait for
   * them, so DocumentDB never creates a group of the same name first.
   */
  private exportedLogGroups(retentionDays: logs.RetentionDays): PhoenixDatabase["logGroups"] {
    const logGroup = (type: "audit" | "profiler") =>
      new logs.LogGroup(this, `${type === "audit" ? "Audit" : "Profiler"}LogGroup`, {
        logGroupName: `/aws/docdb/${this.cluster.clusterIdentifier}/${type}`,
        retention: retentionDays,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const groups = { audit: logGroup("audit"), profiler: logGroup("profiler") };
    for (const instance of this.cluster.node.children.filter((child) => child instanceof docdb.CfnDBInstance)) {
      instance.node.addDependency(groups.audit, groups.profiler);
    }
    // DocumentDB exports only audit and profiler logs; DOC5 asks for operation-level exports
    // (authenticate, createIndex, dropCollection) that it does not accept. The audit log
    // (audit_logs enabled above) records authentication and DDL events such as these.
    for (const operation of ["authenticate", "createIndex", "dropCollection"]) {
      Validations.of(this.cluster).acknowledge({
        id: `AwsSolutions::AwsSolutions-DOC5[LogExport::${operation}]`,
        reason: `DocumentDB cannot export a '${operation}' log; audit_logs=enabled exports authentication and DDL events to the audit log group instead.`,
      });
    }
    return groups;
  }

  /** AWS Backup on top of DocumentDB's own backups: daily recovery points in a vault. */
  private dailyBackupPlan(retentionDays: number): backup.BackupPlan {
    const plan = new backup.BackupPlan(this, "BackupPlan", {
      // Plan names are unique per account and region; the CDK default is the construct id.
      backupPlanName: Names.uniqueResourceName(this, { maxLength: 50, separator: "-" }),
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: "Daily",
          // After DocumentDB's own backup window (02:00-03:00 UTC by default).
          scheduleExpression: events.Schedule.cron({ hour: "5", minute: "0" }),
          deleteAfter: Duration.days(retentionDays),
        }),
      ],
    });
    const clusterArn = Stack.of(this).formatArn({
      service: "rds",
      resource: "cluster",
      resourceName: this.cluster.clusterIdentifier,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const selection = plan.addSelection("Cluster", { resources: [backup.BackupResource.fromArn(clusterArn)] });
    Validations.of(selection).acknowledge({
      id: "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]",
      reason:
        "AWS Backup's own service-role policy, maintained by AWS for the backup jobs this role runs; a hand-written copy would drift from what AWS Backup needs.",
    });
    return plan;
  }
}

interface DatabaseSettings {
  readonly instances: number;
  readonly engineVersion: string;
  readonly parameterGroupFamily: string;
  readonly port: number;
  readonly masterUsername: string;
  readonly passwordRotationDays: number;
  readonly backupRetentionDays: number;
  readonly backupWindow: string;
  readonly maintenanceWindow: string;
  readonly logRetentionDays: logs.RetentionDays;
}

/** Defaults applied and every prop checked, so a bad value fails at synth with its name. */
function validatedSettings(props: PhoenixDatabaseProps): DatabaseSettings {
  const name = "PhoenixDatabase";
  const engineVersion = props.engineVersion ?? "5.0.0";
  const major = /^(\d+)\.\d+\.\d+$/.exec(engineVersion)?.[1];
  if (!major) throw new PropValidationError(`${name}: engineVersion must look like 5.0.0, got ${engineVersion}`);
  const masterUsername = props.masterUsername ?? "phoenixadmin";
  // DocumentDB's rule for master user names.
  if (!Token.isUnresolved(masterUsername) && !/^[A-Za-z][A-Za-z0-9]{0,62}$/.test(masterUsername)) {
    throw new PropValidationError(
      `${name}: masterUsername must be 1 to 63 letters and digits starting with a letter, got ${masterUsername}`,
    );
  }
  return {
    instances: requireIntegerInRange(name, "instances", props.instances ?? 3, 1, 16),
    engineVersion,
    parameterGroupFamily: `docdb${major}.0`,
    port: requireIntegerInRange(name, "port", props.port ?? DOCUMENTDB_DEFAULT_PORT, 1150, 65535),
    masterUsername,
    passwordRotationDays: requireIntegerInRange(
      name,
      "passwordRotationDays",
      props.passwordRotationDays ?? 30,
      1,
      1000,
    ),
    backupRetentionDays: requireIntegerInRange(name, "backupRetentionDays", props.backupRetentionDays ?? 7, 1, 35),
    backupWindow: props.preferredBackupWindow ?? "02:00-03:00",
    maintenanceWindow: props.preferredMaintenanceWindow ?? "sun:04:00-sun:04:30",
    logRetentionDays: requireOneOf(name, "logRetentionDays", props.logRetentionDays ?? 7, ALLOWED_RETENTION_DAYS),
  };
}
