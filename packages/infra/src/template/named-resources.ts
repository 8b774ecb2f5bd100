/**
 * What `Ref` and `Fn::GetAtt` of a resource return, worked out from the explicit name the
 * template gives it, as each service builds its ARNs and CloudFormation documents each type's
 * return values ("Return values" of each resource in the CloudFormation User Guide). A resource
 * without its name in the template, or a value AWS generates (a role id), has no entry: the
 * resolver's caller decides what it stands for.
 */

/** Where the stack is deployed. */
export interface ResourcePlace {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  readonly urlSuffix: string;
}

/** A resource's resolved properties, read by the derivations below. */
export interface NamedResourceProperties {
  /** The property as a known string (not a placeholder for a generated value). */
  name(key: string): string | undefined;
}

/** The `Ref` (key "Ref") and attribute values of a resource, where its name tells them. */
type ReturnValues = Readonly<Record<string, string | undefined>>;

type Derivation = (properties: NamedResourceProperties, place: ResourcePlace) => ReturnValues | undefined;

const arn = (place: ResourcePlace, service: string, resource: string, regional = true) =>
  `arn:${place.partition}:${service}:${regional ? place.region : ""}:${place.account}:${resource}`;

/** A derivation for a type whose return values need only its name. */
const byName =
  (property: string, values: (name: string, place: ResourcePlace) => ReturnValues): Derivation =>
  (properties, place) => {
    const name = properties.name(property);
    return name === undefined ? undefined : values(name, place);
  };

const DERIVATIONS: Readonly<Record<string, Derivation>> = {
  "AWS::IAM::Role": (properties, place) => {
    const name = properties.name("RoleName");
    if (name === undefined) return undefined;
    return { Ref: name, Arn: arn(place, "iam", `role${properties.name("Path") ?? "/"}${name}`, false) };
  },
  "AWS::IAM::ManagedPolicy": (properties, place) => {
    const name = properties.name("ManagedPolicyName");
    if (name === undefined) return undefined;
    const policyArn = arn(place, "iam", `policy${properties.name("Path") ?? "/"}${name}`, false);
    return { Ref: policyArn, PolicyArn: policyArn };
  },
  "AWS::ECR::Repository": byName("RepositoryName", (name, place) => ({
    Ref: name,
    Arn: arn(place, "ecr", `repository/${name}`),
    RepositoryUri: `${place.account}.dkr.ecr.${place.region}.${place.urlSuffix}/${name}`,
  })),
  "AWS::ECS::Cluster": byName("ClusterName", (name, place) => ({
    Ref: name,
    Arn: arn(place, "ecs", `cluster/${name}`),
  })),
  "AWS::ECS::Service": (properties, place) => {
    const name = properties.name("ServiceName");
    // A service without `Cluster` runs in the account's cluster named "default".
    const cluster = properties.name("Cluster") ?? "default";
    if (name === undefined) return undefined;
    const clusterName = cluster.startsWith("arn:") ? cluster.slice(cluster.indexOf(":cluster/") + 9) : cluster;
    const serviceArn = arn(place, "ecs", `service/${clusterName}/${name}`);
    return { Ref: serviceArn, ServiceArn: serviceArn, Name: name };
  },
  // The revision is ECS's: the first registration of a family is revision 1.
  "AWS::ECS::TaskDefinition": byName("Family", (family, place) => {
    const taskDefinitionArn = arn(place, "ecs", `task-definition/${family}:1`);
    return { Ref: taskDefinitionArn, TaskDefinitionArn: taskDefinitionArn };
  }),
  "AWS::Logs::LogGroup": byName("LogGroupName", (name, place) => ({
    Ref: name,
    Arn: arn(place, "logs", `log-group:${name}:*`),
  })),
  "AWS::Events::EventBus": byName("Name", (name, place) => ({
    Ref: name,
    Name: name,
    Arn: arn(place, "events", `event-bus/${name}`),
  })),
  "AWS::Lambda::Function": byName("FunctionName", (name, place) => ({
    Ref: name,
    Arn: arn(place, "lambda", `function:${name}`),
  })),
  "AWS::SSM::Parameter": byName("Name", (name) => ({ Ref: name, Name: name })),
  "AWS::CloudWatch::Alarm": byName("AlarmName", (name, place) => ({
    Ref: name,
    Arn: arn(place, "cloudwatch", `alarm:${name}`),
  })),
  "AWS::DynamoDB::Table": byName("TableName", (name, place) => ({
    Ref: name,
    Arn: arn(place, "dynamodb", `table/${name}`),
  })),
  "AWS::CodeBuild::Project": byName("Name", (name, place) => ({
    Ref: name,
    Arn: arn(place, "codebuild", `project/${name}`),
  })),
  "AWS::SNS::Topic": byName("TopicName", (name, place) => {
    const topicArn = arn(place, "sns", name);
    return { Ref: topicArn, TopicArn: topicArn, TopicName: name };
  }),
  "AWS::SQS::Queue": byName("QueueName", (name, place) => ({
    Ref: `https://sqs.${place.region}.${place.urlSuffix}/${place.account}/${name}`,
    Arn: arn(place, "sqs", name),
    QueueName: name,
  })),
};

/**
 * What `Ref` (`attribute` undefined) or `Fn::GetAtt` of `attribute` returns for a resource of
 * `type` with these properties, or `undefined` when the template does not tell.
 */
export function namedResourceValue(
  type: string,
  attribute: string | undefined,
  properties: NamedResourceProperties,
  place: ResourcePlace,
): string | undefined {
  const derive = Object.hasOwn(DERIVATIONS, type) ? DERIVATIONS[type] : undefined;
  const values = derive?.(properties, place);
  const key = attribute ?? "Ref";
  return values && Object.hasOwn(values, key) ? values[key] : undefined;
}
