import { App, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { PhoenixDatabase, type PhoenixDatabaseProps } from "../src/database/phoenix-database.js";
import { PhoenixNetwork } from "../src/network/phoenix-network.js";
import { PropValidationError } from "../src/validation/prop-validation.js";
import { cfnLint, logicalId, synthWithValidation, testApp } from "./support/synth.js";

// An explicit env with the AZs `cdk synth` would look up, as in network.test.ts.
const ENV = { account: "111122223333", region: "eu-west-1" };
const AZ_CONTEXT = {
  [`availability-zones:account=${ENV.account}:region=${ENV.region}`]: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
};

interface DatabaseStack {
  readonly stack: Stack;
  readonly network: PhoenixNetwork;
  readonly database: PhoenixDatabase;
  /** Stands in for the Phoenix service's tasks. */
  readonly service: ec2.SecurityGroup;
}

/** The database in a PhoenixNetwork, with the service admitted unless `admitService` is false. */
function databaseStack(
  props: Partial<PhoenixDatabaseProps> = {},
  { app = new App({ context: AZ_CONTEXT }), admitService = true } = {},
): DatabaseStack {
  const stack = new Stack(app, "Db", { env: ENV });
  const network = new PhoenixNetwork(stack, "Network");
  const database = new PhoenixDatabase(stack, "Database", { vpc: network.vpc, ...props });
  const service = new ec2.SecurityGroup(stack, "Service", { vpc: network.vpc });
  if (admitService) database.allowConnectionsFrom(service);
  return { stack, network, database, service };
}

const clusterRef = ({ database }: DatabaseStack) => ({ Ref: logicalId(database.cluster) });

describe("requirement Database: a DocumentDB cluster only the service can reach", () => {
  it("runs 3 r6g.large instances of DocumentDB 5.0 by default", () => {
    const template = Template.fromStack(databaseStack().stack);
    template.resourceCountIs("AWS::DocDB::DBCluster", 1);
    template.resourceCountIs("AWS::DocDB::DBInstance", 3);
    template.allResourcesProperties("AWS::DocDB::DBInstance", { DBInstanceClass: "db.r6g.large" });
    template.hasResourceProperties("AWS::DocDB::DBCluster", { EngineVersion: "5.0.0" });
  });

  it("runs the configured number and class of instances", () => {
    const { stack } = databaseStack({
      instances: 2,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs("AWS::DocDB::DBInstance", 2);
    template.allResourcesProperties("AWS::DocDB::DBInstance", { DBInstanceClass: "db.t4g.medium" });
  });

  it("places the cluster in the isolated subnets", () => {
    const { stack, network } = databaseStack();
    const isolated = network.vpc.isolatedSubnets.map((subnet) => stack.resolve(subnet.subnetId));
    expect(isolated).toHaveLength(3);
    Template.fromStack(stack).hasResourceProperties("AWS::DocDB::DBSubnetGroup", { SubnetIds: isolated });
  });

  it("encrypts storage with a customer-managed key that rotates", () => {
    const built = databaseStack();
    const template = Template.fromStack(built.stack);
    template.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
    template.hasResourceProperties("AWS::DocDB::DBCluster", {
      StorageEncrypted: true,
      KmsKeyId: { "Fn::GetAtt": [logicalId(built.database.encryptionKey), "Arn"] },
    });
  });

  it("enforces TLS and turns on audit logs through the cluster parameter group", () => {
    const built = databaseStack();
    const template = Template.fromStack(built.stack);
    const groups = template.findResources("AWS::DocDB::DBClusterParameterGroup", {
      Properties: {
        Family: "docdb5.0",
        Parameters: Match.objectLike({ tls: "enabled", audit_logs: "enabled" }),
      },
    });
    const [groupId] = Object.keys(groups);
    expect(groupId).toBeDefined();
    template.hasResourceProperties("AWS::DocDB::DBCluster", { DBClusterParameterGroupName: { Ref: groupId } });
  });

  it("admits only the given peer and the password-rotation function to the database port", () => {
    const built = databaseStack();
    const { stack, database, service } = built;
    const template = Template.fromStack(stack);
    const databaseGroup = { "Fn::GetAtt": [logicalId(database.securityGroup), "GroupId"] };
    const ingress = Object.values(
      template.findResources("AWS::EC2::SecurityGroupIngress", { Properties: { GroupId: databaseGroup } }),
    ).map((rule) => (rule as { Properties: Record<string, unknown> }).Properties);
    const clusterPort = { "Fn::GetAtt": [logicalId(database.cluster), "Port"] };
    const rotationGroup = database.cluster.node.findChild("RotationSingleUser").node.findChild("SecurityGroup");
    expect(ingress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          IpProtocol: "tcp",
          FromPort: clusterPort,
          ToPort: clusterPort,
          SourceSecurityGroupId: { "Fn::GetAtt": [logicalId(service), "GroupId"] },
        }),
        expect.objectContaining({
          FromPort: clusterPort,
          SourceSecurityGroupId: { "Fn::GetAtt": [logicalId(rotationGroup), "GroupId"] },
        }),
      ]),
    );
    expect(ingress).toHaveLength(2);
    template.hasResourceProperties("AWS::EC2::SecurityGroup", {
      GroupDescription: Match.stringLikeRegexp("DocumentDB"),
      SecurityGroupIngress: Match.absent(),
    });
    template.hasResourceProperties("AWS::DocDB::DBCluster", { Port: 27017 });
  });

  it("admits no one but the rotation function until allowConnectionsFrom is called", () => {
    const { stack, database } = databaseStack({}, { admitService: false });
    const databaseGroup = { "Fn::GetAtt": [logicalId(database.securityGroup), "GroupId"] };
    const ingress = Template.fromStack(stack).findResources("AWS::EC2::SecurityGroupIngress", {
      Properties: { GroupId: databaseGroup },
    });
    expect(Object.keys(ingress)).toEqual([expect.stringContaining("RotationSingleUser")]);
  });

  it("generates the master password into Secrets Manager and rotates it every 30 days", () => {
    const built = databaseStack();
    const { stack, database } = built;
    const template = Template.fromStack(stack);
    template.hasResourceProperties("AWS::SecretsManager::Secret", {
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: "password",
        SecretStringTemplate: JSON.stringify({ username: "phoenixadmin" }),
      }),
    });
    // The attachment adds host and port to the secret's JSON.
    template.hasResourceProperties("AWS::SecretsManager::SecretTargetAttachment", {
      TargetId: clusterRef(built),
      TargetType: "AWS::DocDB::DBCluster",
    });
    template.hasResourceProperties("AWS::SecretsManager::RotationSchedule", {
      SecretId: stack.resolve(database.secret.secretArn),
      RotationRules: { ScheduleExpression: "rate(30 days)" },
    });
  });

  it("rotates the password on the configured schedule", () => {
    Template.fromStack(databaseStack({ passwordRotationDays: 7 }).stack).hasResourceProperties(
      "AWS::SecretsManager::RotationSchedule",
      { RotationRules: { ScheduleExpression: "rate(7 days)" } },
    );
  });

  it("never puts a password in the template", () => {
    const template = Template.fromStack(databaseStack().stack).toJSON();
    const secretRef = (field: string) =>
      Match.objectEquals({
        "Fn::Join": ["", ["{{resolve:secretsmanager:", { Ref: Match.anyValue() }, `:SecretString:${field}::}}`]],
      });
    Template.fromJSON(template).hasResourceProperties("AWS::DocDB::DBCluster", {
      MasterUsername: secretRef("username"),
      MasterUserPassword: secretRef("password"),
    });
    // Anything else under a password-like key is a setting such as PasswordLength, never text.
    const passwordTexts = valuesOfKeys(template, /password/i).filter((value) => typeof value !== "number");
    expect(passwordTexts.map((value) => JSON.stringify(value))).toEqual([
      expect.stringContaining("{{resolve:secretsmanager:"),
    ]);
    expect(valuesOfKeys(template, /^SecretString$/)).toEqual([]);
  });

  it("exports audit and profiler logs to log groups kept 7 days, created before any instance writes", () => {
    const built = databaseStack();
    const { stack, database } = built;
    const template = Template.fromStack(stack);
    template.hasResourceProperties("AWS::DocDB::DBCluster", { EnableCloudwatchLogsExports: ["audit", "profiler"] });
    for (const type of ["audit", "profiler"] as const) {
      template.hasResourceProperties("AWS::Logs::LogGroup", {
        LogGroupName: { "Fn::Join": ["", ["/aws/docdb/", clusterRef(built), `/${type}`]] },
        RetentionInDays: 7,
      });
    }
    const logGroupIds = [logicalId(database.logGroups.audit), logicalId(database.logGroups.profiler)];
    for (const instance of Object.values(template.findResources("AWS::DocDB::DBInstance"))) {
      expect((instance as { DependsOn: string[] }).DependsOn).toEqual(expect.arrayContaining(logGroupIds));
    }
  });

  it("protects the cluster from deletion and snapshots it when it is removed, keeping its key and secret", () => {
    const template = Template.fromStack(databaseStack().stack);
    template.hasResource("AWS::DocDB::DBCluster", {
      Properties: Match.objectLike({ DeletionProtection: true }),
      DeletionPolicy: "Snapshot",
      UpdateReplacePolicy: "Snapshot",
    });
    template.hasResource("AWS::KMS::Key", { DeletionPolicy: "Retain" });
    template.hasResource("AWS::SecretsManager::Secret", { DeletionPolicy: "Retain" });
  });

  it("can be made deletable for short-lived environments", () => {
    const template = Template.fromStack(
      databaseStack({ deletionProtection: false, removalPolicy: RemovalPolicy.DESTROY }).stack,
    );
    template.hasResource("AWS::DocDB::DBCluster", {
      Properties: Match.objectLike({ DeletionProtection: false }),
      DeletionPolicy: "Delete",
    });
    template.hasResource("AWS::SecretsManager::Secret", { DeletionPolicy: "Delete" });
  });

  it("gives the app a credential-free TLS connection URI built from the cluster endpoint", () => {
    const { stack, database } = databaseStack();
    const cluster = logicalId(database.cluster);
    expect(renderJoin(stack.resolve(database.connectionUri))).toBe(
      `mongodb://<${cluster}.Endpoint>:<${cluster}.Port>/phoenix` +
        "?tls=true&tlsCAFile=/app/certs/global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false",
    );
  });
});

describe("requirement 3: database backed up with 7-day rotation", () => {
  it("keeps database backups 7 days and in an AWS Backup plan deleting after 7 days", () => {
    const built = databaseStack();
    const template = Template.fromStack(built.stack);
    template.hasResourceProperties("AWS::DocDB::DBCluster", {
      BackupRetentionPeriod: 7,
      PreferredBackupWindow: "02:00-03:00",
    });
    template.hasResourceProperties("AWS::Backup::BackupPlan", {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({ ScheduleExpression: "cron(0 5 * * ? *)", Lifecycle: { DeleteAfterDays: 7 } }),
        ],
      },
    });
    template.hasResourceProperties("AWS::Backup::BackupSelection", {
      BackupSelection: Match.objectLike({
        Resources: [
          {
            "Fn::Join": [
              "",
              ["arn:", { Ref: "AWS::Partition" }, ":rds:eu-west-1:111122223333:cluster:", clusterRef(built)],
            ],
          },
        ],
      }),
    });
  });

  it("applies a configured retention to both DocumentDB's backups and the AWS Backup plan", () => {
    const template = Template.fromStack(databaseStack({ backupRetentionDays: 14 }).stack);
    template.hasResourceProperties("AWS::DocDB::DBCluster", { BackupRetentionPeriod: 14 });
    template.hasResourceProperties("AWS::Backup::BackupPlan", {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 14 } })] },
    });
  });
});

describe("requirement Database: bad props fail at synth with the prop named", () => {
  const build = (props: Partial<PhoenixDatabaseProps>) => () => databaseStack(props);

  it("rejects an instance count outside 1 to 16", () => {
    expect(build({ instances: 0 })).toThrow(PropValidationError);
    expect(build({ instances: 0 })).toThrow("PhoenixDatabase: instances must be a whole number from 1 to 16, got 0");
    expect(build({ instances: 17 })).toThrow(/PhoenixDatabase: instances/);
  });

  it("rejects a backup retention outside 1 to 35 days", () => {
    expect(build({ backupRetentionDays: 40 })).toThrow(
      "PhoenixDatabase: backupRetentionDays must be a whole number from 1 to 35, got 40",
    );
  });

  it("rejects a rotation schedule outside 1 to 1000 days", () => {
    expect(build({ passwordRotationDays: 0 })).toThrow(/PhoenixDatabase: passwordRotationDays/);
  });

  it("rejects a port DocumentDB does not allow", () => {
    expect(build({ port: 80 })).toThrow("PhoenixDatabase: port must be a whole number from 1150 to 65535, got 80");
  });

  it("rejects a log retention CloudWatch does not offer", () => {
    expect(build({ logRetentionDays: 8 })).toThrow(/PhoenixDatabase: logRetentionDays must be one of/);
  });

  it("rejects a master user name DocumentDB does not accept", () => {
    expect(build({ masterUsername: "phoenix-admin" })).toThrow(/PhoenixDatabase: masterUsername must be 1 to 63/);
  });

  it("rejects an engine version it cannot derive a parameter group family from", () => {
    expect(build({ engineVersion: "latest" })).toThrow(
      "PhoenixDatabase: engineVersion must look like 5.0.0, got latest",
    );
  });
});

describe("requirement Database: passes the template checks", () => {
  it("passes cdk-nag AwsSolutions checks with every finding acknowledged", () => {
    const { app, cleanup } = testApp(AZ_CONTEXT);
    try {
      databaseStack({}, { app });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      const { plugins, unacknowledged, error } = synthWithValidation(app);
      expect(plugins).toContain("AwsSolutions");
      expect(unacknowledged).toEqual([]);
      expect(error).toBeUndefined();
    } finally {
      cleanup();
    }
  });

  it("has no cfn-lint errors", async () => {
    const { stack } = databaseStack();
    const findings = await cfnLint(stack, Template.fromStack(stack).toJSON());
    expect(findings.filter((finding) => finding.Level === "Error")).toEqual([]);
  });
});

/** Every value held under a key matching `key`, anywhere in `json`. */
function valuesOfKeys(json: unknown, key: RegExp): unknown[] {
  if (Array.isArray(json)) return json.flatMap((item) => valuesOfKeys(item, key));
  if (json === null || typeof json !== "object") return [];
  return Object.entries(json).flatMap(([name, value]) => [
    ...(key.test(name) ? [value] : []),
    ...valuesOfKeys(value, key),
  ]);
}

/** A resolved string token as text, with `Fn::GetAtt`s shown as `<LogicalId.Attribute>`. */
function renderJoin(resolved: unknown): string {
  if (typeof resolved === "string") return resolved;
  const join = (resolved as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
  if (join) return join[1].map(renderJoin).join(join[0]);
  const getAtt = (resolved as { "Fn::GetAtt"?: [string, string] })["Fn::GetAtt"];
  if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
  throw new Error(`cannot render ${JSON.stringify(resolved)}`);
}
