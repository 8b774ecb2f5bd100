import { createHash } from "node:crypto";

/**
 * Resource types of the synthesized stacks that the sandbox does not create in moto, each with
 * why: something on this machine plays its part, or nothing the bot does touches it. A type in
 * neither this table nor the seeders (`seed-from-template.ts`) stops the seed, so a new kind of
 * resource in the stacks is a decision, not a silent gap.
 *
 * References to these resources resolve to stable placeholders (the same stack and logical id
 * give the same value on every run), shaped as AWS shapes them where a seeded resource reads
 * them: the load balancer's and target group's full names in the 5xx alarms' dimensions.
 */
export const PLAYED_LOCALLY: Readonly<Record<string, string>> = {
  // Network: the app listens on 127.0.0.1.
  "AWS::EC2::VPC": "network: the app listens on 127.0.0.1",
  "AWS::EC2::Subnet": "network: the app listens on 127.0.0.1",
  "AWS::EC2::RouteTable": "network: the app listens on 127.0.0.1",
  "AWS::EC2::SubnetRouteTableAssociation": "network: the app listens on 127.0.0.1",
  "AWS::EC2::Route": "network: the app listens on 127.0.0.1",
  "AWS::EC2::EIP": "network: the app listens on 127.0.0.1",
  "AWS::EC2::NatGateway": "network: the app listens on 127.0.0.1",
  "AWS::EC2::InternetGateway": "network: the app listens on 127.0.0.1",
  "AWS::EC2::VPCGatewayAttachment": "network: the app listens on 127.0.0.1",
  "AWS::EC2::VPCEndpoint": "network: the app listens on 127.0.0.1",
  "AWS::EC2::FlowLog": "network: the app listens on 127.0.0.1",
  "AWS::EC2::SecurityGroup": "network: the app listens on 127.0.0.1",
  "AWS::EC2::SecurityGroupIngress": "network: the app listens on 127.0.0.1",
  "AWS::EC2::SecurityGroupEgress": "network: the app listens on 127.0.0.1",
  "Custom::VpcRestrictDefaultSG": "network: the app listens on 127.0.0.1",
  // Load balancer: the app answers on its own port; the local platform checks its health.
  "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancer: the app answers on its own port",
  "AWS::ElasticLoadBalancingV2::Listener": "load balancer: the app answers on its own port",
  "AWS::ElasticLoadBalancingV2::TargetGroup": "load balancer: the app answers on its own port",
  "AWS::S3::Bucket": "the load balancer's access logs: there is no load balancer",
  "AWS::S3::BucketPolicy": "the load balancer's access logs: there is no load balancer",
  // Database: FerretDB (scripts/test-services.sh) plays DocumentDB.
  "AWS::DocDB::DBCluster": "database: FerretDB plays DocumentDB",
  "AWS::DocDB::DBInstance": "database: FerretDB plays DocumentDB",
  "AWS::DocDB::DBSubnetGroup": "database: FerretDB plays DocumentDB",
  "AWS::DocDB::DBClusterParameterGroup": "database: FerretDB plays DocumentDB",
  "AWS::SecretsManager::Secret": "database credentials: FerretDB's SQLite backend has no authentication",
  "AWS::SecretsManager::SecretTargetAttachment": "database credentials: FerretDB has no authentication",
  "AWS::SecretsManager::RotationSchedule": "database credentials: FerretDB has no authentication",
  "AWS::SecretsManager::ResourcePolicy": "database credentials: FerretDB has no authentication",
  "AWS::Serverless::Application": "database credential rotation: FerretDB has no authentication",
  "AWS::Backup::BackupPlan": "database backups: the sandbox's database is thrown away",
  "AWS::Backup::BackupVault": "database backups: the sandbox's database is thrown away",
  "AWS::Backup::BackupSelection": "database backups: the sandbox's database is thrown away",
  "AWS::KMS::Key": "encryption at rest: moto stores everything in memory",
  "AWS::KMS::Alias": "encryption at rest: moto stores everything in memory",
  // Scaling policies: moto runs no autoscaler; /scale moves the scalable target, which is seeded.
  "AWS::ApplicationAutoScaling::ScalingPolicy": "scaling policies: moto runs no autoscaler",
  // Events: the sandbox's event router applies the rules of the templates itself (events/).
  "AWS::Events::EventBus": "event bus: the sandbox's event router applies its rules",
  "AWS::Events::EventBusPolicy": "event bus: the sandbox's event router applies its rules",
  "AWS::Events::Rule": "event rules: the sandbox's event router applies them",
  "AWS::Events::Connection": "API destinations: the sandbox posts events to the bot itself",
  "AWS::Events::ApiDestination": "API destinations: the sandbox posts events to the bot itself",
  // The bot and its plumbing: the bot runs as a local process (sandbox-bot.ts).
  "AWS::Lambda::Function": "the ops bot runs as a local process",
  "AWS::Lambda::Permission": "the ops bot runs as a local process",
  "AWS::Lambda::Url": "the ops bot runs as a local process, with its own URL",
  "AWS::Lambda::EventInvokeConfig": "the ops bot runs as a local process",
  "AWS::SQS::Queue": "the bot's dead letters: the local bot logs what it cannot handle",
  "AWS::SQS::QueuePolicy": "the bot's dead letters: the local bot logs what it cannot handle",
  "AWS::DynamoDB::Table": "the bot's Ledger: a file per sandbox run",
  "AWS::DynamoDB::GlobalTable": "the bot's Ledger: a file per sandbox run",
  "AWS::SNS::Subscription": "alarm e-mails: the bot hears alarms through the event router",
  "AWS::SNS::TopicPolicy": "topic policies: moto does not enforce them",
  "AWS::CodeBuild::Project": "image builds: the daemonless OCI builder runs in process",
  "AWS::ECR::PullThroughCacheRule": "base images: the sandbox builds on the local Node",
  "AWS::ECR::RegistryPolicy": "registry replication and pulls: the local registry plays ECR's",
  "AWS::ECR::ReplicationConfiguration": "registry replication and pulls: the local registry plays ECR's",
  "AWS::CDK::Metadata": "CDK's own bookkeeping",
  "AWS::CloudFormation::CustomResource": "custom resources run Lambda functions; the bot's is local",
};

/** A skipped resource, and why (for the seed's report). */
export interface SkippedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly reason: string;
}

export function playedLocallyReason(type: string): string | undefined {
  return Object.hasOwn(PLAYED_LOCALLY, type) ? PLAYED_LOCALLY[type] : undefined;
}

/** Where a placeholder is minted: the stack, the account and region it would live in. */
export interface PlaceholderOrigin {
  readonly stackName: string;
  readonly accountId: string;
  readonly region: string;
}

/** `Ref` and `Fn::GetAtt` of a skipped resource: stable values, shaped like AWS's where it matters. */
export interface Placeholder {
  readonly ref: string;
  attribute(name: string): string;
}

/**
 * @param property one of the resource's properties, resolved (only the ones naming it are read,
 *   when a reference asks)
 */
export function placeholderFor(
  logicalId: string,
  type: string,
  property: (key: string) => unknown,
  origin: PlaceholderOrigin,
): Placeholder {
  const { accountId, region, stackName } = origin;
  const hash = createHash("sha256").update(`${stackName}/${logicalId}`).digest("hex");
  const declared = (key: string) => {
    const value = property(key);
    return typeof value === "string" ? value : undefined;
  };
  // CloudFormation names unnamed resources after the stack and logical id.
  const generated = (limit: number) => `${stackName}-${logicalId}`.slice(0, limit).replace(/-+$/, "");
  const generic = (ref: string, arnResource: string, service: string): Placeholder => ({
    ref,
    attribute: (name) =>
      name === "Arn" ? `arn:aws:${service}:${region}:${accountId}:${arnResource}` : `${ref}-${name.toLowerCase()}`,
  });
  switch (type) {
    case "AWS::ElasticLoadBalancingV2::LoadBalancer": {
      const name = declared("Name") ?? generated(32);
      const fullName = `app/${name}/${hash.slice(0, 16)}`;
      const arn = `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/${fullName}`;
      const attributes: Record<string, string> = {
        LoadBalancerArn: arn,
        LoadBalancerFullName: fullName,
        LoadBalancerName: name,
        DNSName: `${name}-${Number.parseInt(hash.slice(0, 8), 16)}.${region}.elb.amazonaws.com`,
        CanonicalHostedZoneID: "Z32O12XQLNTSW2",
      };
      return { ref: arn, attribute: (attribute) => attributes[attribute] ?? `${arn}/${attribute}` };
    }
    case "AWS::ElasticLoadBalancingV2::TargetGroup": {
      const name = declared("Name") ?? generated(32);
      const fullName = `targetgroup/${name}/${hash.slice(0, 16)}`;
      const arn = `arn:aws:elasticloadbalancing:${region}:${accountId}:${fullName}`;
      const attributes: Record<string, string> = {
        TargetGroupArn: arn,
        TargetGroupFullName: fullName,
        TargetGroupName: name,
      };
      return { ref: arn, attribute: (attribute) => attributes[attribute] ?? `${arn}/${attribute}` };
    }
    case "AWS::ElasticLoadBalancingV2::Listener": {
      const loadBalancer = declared("LoadBalancerArn") ?? `loadbalancer/app/${generated(32)}/${hash.slice(16, 32)}`;
      const arn = `${loadBalancer.replace(":loadbalancer/", ":listener/")}/${hash.slice(0, 16)}`;
      return { ref: arn, attribute: (attribute) => (attribute === "ListenerArn" ? arn : `${arn}/${attribute}`) };
    }
    case "AWS::Lambda::Function": {
      const name = declared("FunctionName") ?? generated(64);
      return generic(name, `function:${name}`, "lambda");
    }
    case "AWS::Events::EventBus": {
      const name = declared("Name") ?? generated(256);
      const bus = generic(name, `event-bus/${name}`, "events");
      return { ref: name, attribute: (attribute) => (attribute === "Name" ? name : bus.attribute(attribute)) };
    }
    case "AWS::Events::Rule": {
      const name = declared("Name") ?? generated(64);
      return generic(name, `rule/${name}`, "events");
    }
    case "AWS::SQS::Queue": {
      const name = declared("QueueName") ?? generated(80);
      const arn = `arn:aws:sqs:${region}:${accountId}:${name}`;
      const url = `https://sqs.${region}.amazonaws.com/${accountId}/${name}`;
      return {
        ref: url,
        attribute: (attribute) => (attribute === "QueueName" ? name : attribute === "Arn" ? arn : url),
      };
    }
    case "AWS::DynamoDB::Table": {
      const name = declared("TableName") ?? generated(255);
      return generic(name, `table/${name}`, "dynamodb");
    }
    case "AWS::DocDB::DBCluster": {
      const ref = declared("DBClusterIdentifier") ?? generated(63).toLowerCase();
      const attributes: Record<string, string> = {
        Endpoint: `${ref}.cluster-${hash.slice(0, 12)}.${region}.docdb.amazonaws.com`,
        ReadEndpoint: `${ref}.cluster-ro-${hash.slice(0, 12)}.${region}.docdb.amazonaws.com`,
        Port: "27017",
      };
      return { ref, attribute: (attribute) => attributes[attribute] ?? `${ref}-${attribute.toLowerCase()}` };
    }
    case "AWS::SecretsManager::Secret":
    case "AWS::SecretsManager::SecretTargetAttachment": {
      const arn = `arn:aws:secretsmanager:${region}:${accountId}:secret:${generated(64)}-${hash.slice(0, 6)}`;
      return { ref: arn, attribute: () => arn };
    }
    default: {
      // Ids such as sg-…, subnet-…, vpc-…: a short type prefix and a stable hex id.
      const ref = `${type.split("::").at(-1)?.toLowerCase()}-${hash.slice(0, 17)}`;
      return generic(ref, `${type.split("::")[2]?.toLowerCase()}/${ref}`, type.split("::")[1]?.toLowerCase() ?? "x");
    }
  }
}
