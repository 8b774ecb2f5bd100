import { RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { PutMetricAlarmCommand, type PutMetricAlarmCommandInput } from "@aws-sdk/client-cloudwatch";
import { CreateLogGroupCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, PutLifecyclePolicyCommand, SetRepositoryPolicyCommand } from "@aws-sdk/client-ecr";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { type DeployedTemplate, type ResourceReference, referencedLogicalIds, TemplateResolver } from "@phoenix/infra";
import type { MotoAccountClients } from "../aws/moto-accounts.js";
import { type Placeholder, placeholderFor, playedLocallyReason, type SkippedResource } from "./played-locally.js";
import { type CloudFormationResource, type CloudFormationTemplate, SSM_STRING_PARAMETER_TYPE } from "./template.js";

/** One synthesized stack, to be created in one moto account as `cdk deploy` would create it in AWS. */
export interface StackToSeed {
  readonly stackName: string;
  readonly template: CloudFormationTemplate;
  /**
   * Values of template parameters, as `cdk deploy --parameters` gives them. Parameters not
   * named here take their defaults; those of type `AWS::SSM::Parameter::Value<String>` are read
   * from SSM Parameter Store in the stack's account, as CloudFormation reads them.
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Properties the sandbox sets in place of the template's, by logical id; only for values
   * the template leaves to the operator (the first live image, which AWS gets from the
   * operator's first `cdk deploy`).
   */
  readonly propertyOverrides?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** What one resource became in moto. */
export interface SeededResource {
  readonly logicalId: string;
  readonly type: string;
  /** What `Ref` returns. */
  readonly physicalId: string;
  /** What `Fn::GetAtt` returns, by attribute. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The properties as created: every intrinsic resolved. */
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface SeededStack {
  readonly stackName: string;
  readonly template: CloudFormationTemplate;
  readonly account: string;
  readonly region: string;
  readonly resources: ReadonlyMap<string, SeededResource>;
  /** What was not created, and why (`PLAYED_LOCALLY`). */
  readonly skipped: readonly SkippedResource[];
  /** Resolves a value of this template (an event rule's pattern, say) as the seed resolved its resources. */
  resolve(value: unknown): unknown;
  /** The seeded resources of one type. */
  ofType(type: string): readonly SeededResource[];
}

export class TemplateSeedError extends Error {
  override readonly name = "TemplateSeedError";
}

type Properties = Readonly<Record<string, unknown>>;

interface Created {
  readonly physicalId: string;
  readonly attributes: Readonly<Record<string, string>>;
}

interface SeedContext {
  readonly clients: MotoAccountClients;
  readonly stackName: string;
  readonly logicalId: string;
}

type Seeder = (properties: Properties, context: SeedContext) => Promise<Created>;

/**
 * Creates in moto, in `clients`' account, every resource of `stack` that the sandbox models
 * (the seeders below), in dependency order, with the properties the template gives them and
 * every intrinsic resolved against what was created. The other types are skipped with their
 * reason ({@link PLAYED_LOCALLY}); a type in neither list stops the seed. Safe to run again:
 * what exists is brought to the template's state.
 */
export async function seedStackFromTemplate(stack: StackToSeed, clients: MotoAccountClients): Promise<SeededStack> {
  const { stackName, template } = stack;
  const { account, region } = clients;
  const seeded = new Map<string, SeededResource>();
  const placeholders = new Map<string, Placeholder>();
  const skipped: SkippedResource[] = [];
  const parameterValues = await templateParameterValues(stack, clients);
  const deployed: DeployedTemplate = { stackName, account, region, template };
  // Every reference resolves to what moto created, or to a placeholder for a resource played
  // locally; the seed order guarantees the former exists when it is referred to.
  const resolver = new TemplateResolver([deployed], {
    parameterValue: ({ name }) => {
      const value = parameterValues.get(name);
      if (value === undefined) throw new TemplateSeedError(`${stackName}: parameter ${name} has no value`);
      if (value instanceof Error) throw value;
      return value;
    },
    resourceValue: (reference) => sandboxValue(reference),
  });
  function sandboxValue({ logicalId, type, attribute, property }: ResourceReference): string {
    const created = seeded.get(logicalId);
    if (created) {
      if (attribute === undefined) return created.physicalId;
      const found = created.attributes[attribute];
      if (found === undefined) {
        throw new TemplateSeedError(`${stackName}: ${logicalId} has no attribute ${attribute} in the sandbox`);
      }
      return found;
    }
    if (playedLocallyReason(type) !== undefined && !Object.hasOwn(SEEDERS, type)) {
      // Made when first referred to, so its names may refer to what is seeded before that.
      let placeholder = placeholders.get(logicalId);
      if (!placeholder) {
        placeholder = placeholderFor(logicalId, type, property, { stackName, accountId: account, region });
        placeholders.set(logicalId, placeholder);
      }
      return attribute === undefined ? placeholder.ref : placeholder.attribute(attribute);
    }
    throw new TemplateSeedError(
      `${stackName}: ${logicalId} is referred to before it was created (a dependency cycle?)`,
    );
  }

  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (Object.hasOwn(SEEDERS, resource.Type)) continue;
    const reason = playedLocallyReason(resource.Type);
    if (reason === undefined) {
      throw new TemplateSeedError(
        `${stackName}: ${logicalId} is a ${resource.Type}, which the sandbox neither creates in moto nor plays locally; add a seeder (cloudformation/seed-from-template.ts) or a reason (cloudformation/played-locally.ts)`,
      );
    }
    skipped.push({ logicalId, type: resource.Type, reason });
  }

  for (const logicalId of creationOrder(template, (type) => Object.hasOwn(SEEDERS, type), stackName)) {
    const resource = template.Resources[logicalId] as CloudFormationResource;
    const raw = { ...resource.Properties, ...stack.propertyOverrides?.[logicalId] };
    const properties = resolver.resolve(deployed, raw, `${stackName}.${logicalId}.Properties`) as Properties;
    const seeder = SEEDERS[resource.Type] as Seeder;
    const created = await seeder(properties, { clients, stackName, logicalId });
    seeded.set(logicalId, { logicalId, type: resource.Type, ...created, properties });
  }
  return {
    stackName,
    template,
    account,
    region,
    resources: seeded,
    skipped,
    resolve: (value) => resolver.resolve(deployed, value, stackName),
    ofType: (type) => [...seeded.values()].filter((resource) => resource.type === type),
  };
}

/** Template order, except that a resource comes after every seeded resource it refers to or depends on. */
function creationOrder(
  template: CloudFormationTemplate,
  isSeeded: (type: string) => boolean,
  stackName: string,
): string[] {
  const ids = Object.entries(template.Resources)
    .filter(([, resource]) => isSeeded(resource.Type))
    .map(([id]) => id);
  const seededIds = new Set(ids);
  const dependencies = new Map(
    ids.map((id) => {
      const resource = template.Resources[id] as CloudFormationResource;
      const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
      const referenced = [...referencedLogicalIds(resource.Properties ?? {}), ...dependsOn];
      return [id, new Set(referenced.filter((other) => seededIds.has(other) && other !== id))];
    }),
  );
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < ids.length) {
    const next = ids.find((id) => !placed.has(id) && [...(dependencies.get(id) ?? [])].every((d) => placed.has(d)));
    if (next === undefined) {
      const stuck = ids.filter((id) => !placed.has(id));
      throw new TemplateSeedError(`${stackName}: a dependency cycle among ${stuck.join(", ")}`);
    }
    order.push(next);
    placed.add(next);
  }
  return order;
}

/** Every template parameter's value, or the error its use would raise (an SSM parameter that does not exist yet). */
async function templateParameterValues(
  stack: StackToSeed,
  clients: MotoAccountClients,
): Promise<Map<string, string | Error>> {
  const values = new Map<string, string | Error>();
  for (const [name, parameter] of Object.entries(stack.template.Parameters ?? {})) {
    const given = stack.parameters?.[name];
    if (given !== undefined) values.set(name, given);
    else if (parameter.Type === SSM_STRING_PARAMETER_TYPE && typeof parameter.Default === "string") {
      values.set(name, await ssmValue(clients, parameter.Default, `${stack.stackName}: parameter ${name}`));
    } else if (parameter.Default !== undefined) values.set(name, String(parameter.Default));
  }
  return values;
}

async function ssmValue(clients: MotoAccountClients, name: string, what: string): Promise<string | Error> {
  try {
    const { Parameter } = await clients.ssm.send(new GetParameterCommand({ Name: name }));
    return Parameter?.Value ?? new TemplateSeedError(`${what}: SSM parameter ${name} has no value`);
  } catch (error) {
    if (error instanceof Error && error.name === "ParameterNotFound") {
      return new TemplateSeedError(
        `${what}: SSM parameter ${name} does not exist in account ${clients.account}; seed the stack that creates it first`,
      );
    }
    throw error;
  }
}

/** CloudFormation's name for an unnamed resource: the stack's, then the logical id, within `limit`. */
function generatedName(context: SeedContext, limit: number): string {
  return `${context.stackName}-${context.logicalId}`.slice(0, limit);
}

function text(properties: Properties, key: string): string | undefined {
  const value = properties[key];
  return typeof value === "string" ? value : undefined;
}

function json(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

async function ignoringExisting<T>(create: () => Promise<T>): Promise<T | undefined> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof Error && /AlreadyExists|EntityAlreadyExists/.test(error.name)) return undefined;
    throw error;
  }
}

/** Keys whose values are maps of user data (`awslogs-group`, labels): their keys are kept as written. */
const USER_DATA_MAPS = new Set(["Options", "DockerLabels", "DriverOpts", "Labels", "SecretOptions"]);

/**
 * A CloudFormation ECS property value as the ECS API spells it: the same structure, keys in
 * camelCase (`ContainerDefinitions` → `containerDefinitions`), user-data maps untouched.
 */
export function ecsApiShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ecsApiShape);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      `${key.charAt(0).toLowerCase()}${key.slice(1)}`,
      USER_DATA_MAPS.has(key) ? inner : ecsApiShape(inner),
    ]),
  );
}

const SEEDERS: Readonly<Record<string, Seeder>> = {
  "AWS::ECS::Cluster": async (properties, context) => {
    const { ecs, region, account } = context.clients;
    const name = text(properties, "ClusterName") ?? generatedName(context, 255);
    const settings = (properties.ClusterSettings as { Name: "containerInsights"; Value: string }[] | undefined) ?? [];
    await ecs.send(
      new CreateClusterCommand({
        clusterName: name,
        settings: settings.map((setting) => ({ name: setting.Name, value: setting.Value })),
      }),
    );
    return { physicalId: name, attributes: { Arn: `arn:aws:ecs:${region}:${account}:cluster/${name}` } };
  },

  "AWS::Logs::LogGroup": async (properties, context) => {
    const { logs, region, account } = context.clients;
    const name = text(properties, "LogGroupName") ?? generatedName(context, 512);
    await ignoringExisting(() => logs.send(new CreateLogGroupCommand({ logGroupName: name })));
    const retention = properties.RetentionInDays;
    if (typeof retention === "number") {
      await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: retention }));
    }
    return { physicalId: name, attributes: { Arn: `arn:aws:logs:${region}:${account}:log-group:${name}:*` } };
  },

  "AWS::ECS::TaskDefinition": async (properties, context) => {
    const input = ecsApiShape(properties) as RegisterTaskDefinitionCommandInput;
    const { taskDefinition } = await context.clients.ecs.send(new RegisterTaskDefinitionCommand(input));
    const arn = taskDefinition?.taskDefinitionArn;
    if (!arn)
      throw new TemplateSeedError(`${context.stackName}.${context.logicalId}: moto returned no task definition`);
    return { physicalId: arn, attributes: { TaskDefinitionArn: arn } };
  },

  "AWS::ECS::Service": async (properties, context) => {
    const { ecs } = context.clients;
    // The network is played locally (PLAYED_LOCALLY), and moto checks that a service's subnets exist.
    const { NetworkConfiguration: _playedLocally, ...seeded } = properties;
    const input = ecsApiShape(seeded) as CreateServiceCommandInput & { serviceName?: string };
    const serviceName = input.serviceName ?? generatedName(context, 255);
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: input.cluster, services: [serviceName] }),
    );
    const existing = services?.[0];
    let arn = existing?.serviceArn;
    if (existing?.status === "ACTIVE") {
      // As CloudFormation updates a service: a count the template leaves out is left alone.
      await ecs.send(
        new UpdateServiceCommand({
          cluster: input.cluster,
          service: serviceName,
          taskDefinition: input.taskDefinition,
          ...(input.desiredCount === undefined ? {} : { desiredCount: input.desiredCount }),
        }),
      );
    } else {
      // ECS creates a replica service without a count with one task.
      const { service } = await ecs.send(
        new CreateServiceCommand({ ...input, serviceName, desiredCount: input.desiredCount ?? 1 }),
      );
      arn = service?.serviceArn;
    }
    if (!arn) throw new TemplateSeedError(`${context.stackName}.${context.logicalId}: moto returned no service`);
    return { physicalId: arn, attributes: { Name: serviceName, ServiceArn: arn } };
  },

  "AWS::ApplicationAutoScaling::ScalableTarget": async (properties, context) => {
    const { ServiceNamespace, ResourceId, ScalableDimension, MinCapacity, MaxCapacity, RoleARN, SuspendedState } =
      properties as {
        ServiceNamespace: "ecs";
        ResourceId: string;
        ScalableDimension: "ecs:service:DesiredCount";
        MinCapacity: number;
        MaxCapacity: number;
        RoleARN?: string;
        SuspendedState?: Record<string, boolean>;
      };
    const { ScalableTargetARN } = await context.clients.autoScaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace,
        ResourceId,
        ScalableDimension,
        MinCapacity,
        MaxCapacity,
        RoleARN,
        SuspendedState,
      }),
    );
    if (!ScalableTargetARN) {
      throw new TemplateSeedError(`${context.stackName}.${context.logicalId}: moto returned no scalable target ARN`);
    }
    // CloudFormation's Ref of a scalable target.
    return {
      physicalId: `${ResourceId}|${ScalableDimension}|${ServiceNamespace}`,
      attributes: { Arn: ScalableTargetARN },
    };
  },

  "AWS::SNS::Topic": async (properties, context) => {
    const name = text(properties, "TopicName") ?? generatedName(context, 256);
    const { TopicArn } = await context.clients.sns.send(new CreateTopicCommand({ Name: name }));
    if (!TopicArn) throw new TemplateSeedError(`${context.stackName}.${context.logicalId}: moto returned no topic`);
    return { physicalId: TopicArn, attributes: { TopicArn, TopicName: name } };
  },

  "AWS::CloudWatch::Alarm": async (properties, context) => {
    const { cloudWatch, region, account } = context.clients;
    const name = text(properties, "AlarmName") ?? generatedName(context, 255);
    await cloudWatch.send(
      new PutMetricAlarmCommand({ ...(properties as Omit<PutMetricAlarmCommandInput, "AlarmName">), AlarmName: name }),
    );
    return { physicalId: name, attributes: { Arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${name}` } };
  },

  "AWS::SSM::Parameter": async (properties, context) => {
    const { ssm, region, account } = context.clients;
    const name = text(properties, "Name") ?? `CFN-${generatedName(context, 2000)}`;
    const type = text(properties, "Type") ?? "String";
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Type: type as "String" | "StringList",
        Value: json(properties.Value),
        Description: text(properties, "Description"),
        Overwrite: true,
      }),
    );
    const path = name.startsWith("/") ? name : `/${name}`;
    return {
      physicalId: name,
      attributes: {
        Type: type,
        Value: json(properties.Value),
        Arn: `arn:aws:ssm:${region}:${account}:parameter${path}`,
      },
    };
  },

  "AWS::IAM::Role": async (properties, context) => {
    const { iam } = context.clients;
    const name = text(properties, "RoleName") ?? generatedName(context, 64);
    const trust = json(properties.AssumeRolePolicyDocument);
    const created = await ignoringExisting(() =>
      iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: trust,
          Path: text(properties, "Path"),
          Description: text(properties, "Description"),
          MaxSessionDuration:
            typeof properties.MaxSessionDuration === "number" ? properties.MaxSessionDuration : undefined,
        }),
      ),
    );
    if (!created) await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trust }));
    for (const policy of (properties.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: name,
          PolicyName: policy.PolicyName,
          PolicyDocument: json(policy.PolicyDocument),
        }),
      );
    }
    for (const arn of (properties.ManagedPolicyArns as string[] | undefined) ?? []) {
      try {
        await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
      } catch (error) {
        // moto knows AWS's own managed policies only when started with MOTO_IAM_LOAD_MANAGED_POLICIES;
        // it enforces no policy anyway, so an unknown AWS-managed one changes nothing the sandbox checks.
        const awsManaged = arn.startsWith("arn:aws:iam::aws:policy/");
        if (!(awsManaged && error instanceof Error && error.name === "NoSuchEntityException")) throw error;
      }
    }
    const role = created?.Role ?? (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
    if (!role?.Arn) throw new TemplateSeedError(`${context.stackName}.${context.logicalId}: moto returned no role`);
    return { physicalId: name, attributes: { Arn: role.Arn, RoleId: role.RoleId ?? name } };
  },

  // CDK writes a role's grants as separate policies attached to it.
  "AWS::IAM::Policy": async (properties, context) => {
    const name = text(properties, "PolicyName") ?? generatedName(context, 128);
    for (const role of (properties.Roles as string[] | undefined) ?? []) {
      await context.clients.iam.send(
        new PutRolePolicyCommand({ RoleName: role, PolicyName: name, PolicyDocument: json(properties.PolicyDocument) }),
      );
    }
    if (properties.Users || properties.Groups) {
      throw new TemplateSeedError(
        `${context.stackName}.${context.logicalId}: policies of users or groups are not seeded`,
      );
    }
    return { physicalId: name, attributes: {} };
  },

  "AWS::ECR::Repository": async (properties, context) => {
    const { ecr, region, account } = context.clients;
    const name = text(properties, "RepositoryName") ?? generatedName(context, 256).toLowerCase();
    await ignoringExisting(() =>
      ecr.send(
        new CreateRepositoryCommand({
          repositoryName: name,
          imageTagMutability: text(properties, "ImageTagMutability") as "IMMUTABLE" | "MUTABLE" | undefined,
          imageScanningConfiguration: ecsApiShape(properties.ImageScanningConfiguration) as { scanOnPush?: boolean },
        }),
      ),
    );
    if (properties.RepositoryPolicyText !== undefined) {
      await ecr.send(
        new SetRepositoryPolicyCommand({ repositoryName: name, policyText: json(properties.RepositoryPolicyText) }),
      );
    }
    const lifecycle = (properties.LifecyclePolicy as { LifecyclePolicyText?: unknown } | undefined)
      ?.LifecyclePolicyText;
    if (lifecycle !== undefined) {
      await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: json(lifecycle) }));
    }
    return {
      physicalId: name,
      attributes: {
        Arn: `arn:aws:ecr:${region}:${account}:repository/${name}`,
        RepositoryUri: `${account}.dkr.ecr.${region}.amazonaws.com/${name}`,
      },
    };
  },
};

/** The resource types the sandbox creates in moto. */
export const SEEDED_TYPES: readonly string[] = Object.keys(SEEDERS);
