import { createHash } from "node:crypto";

// Resolves CloudFormation intrinsic functions in a synthesized template to the strings they
// would have once deployed: pseudo parameters from the stack's account and region, `Ref` and
// `Fn::GetAtt` of resources from their explicit names (ARNs derived the way each service
// builds them), `Fn::ImportValue` from the other stacks' exports. What cannot be known before
// a deploy (a generated name, a KMS key id) resolves to a marker that no ARN matches.

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, unknown>>;
  readonly Parameters?: Readonly<Record<string, { readonly Type?: string; readonly Default?: unknown }>>;
}

/** A synthesized stack and where it is deployed. */
export interface DeployedTemplate {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
}

export const PARTITION = "aws";
const URL_SUFFIX = "amazonaws.com";

/** A value only a deploy would tell; it contains no wildcard, so no ARN pattern built from it matches anything real. */
const UNKNOWN_PREFIX = "⟨unknown: ";
export const unknownValue = (why: string) => `${UNKNOWN_PREFIX}${why}⟩`;
export const isUnknown = (value: string) => value.includes(UNKNOWN_PREFIX);

/**
 * A scalable target's ARN ends in an id Application Auto Scaling makes up (and moto does not
 * return); both sides of the check derive this stand-in from what identifies the target.
 */
export function scalableTargetArn(
  region: string,
  account: string,
  serviceNamespace: string,
  resourceId: string,
  scalableDimension: string,
): string {
  const id = createHash("sha256").update(`${serviceNamespace}|${resourceId}|${scalableDimension}`).digest("hex");
  return `arn:${PARTITION}:application-autoscaling:${region}:${account}:scalable-target/${id.slice(0, 36)}`;
}

export class IntrinsicResolutionError extends Error {
  override readonly name = "IntrinsicResolutionError";
}

/** Removes the property or list element it stands in (`Ref: AWS::NoValue`). */
const NO_VALUE = Symbol("AWS::NoValue");

export class TemplateResolver {
  constructor(private readonly stacks: readonly DeployedTemplate[]) {}

  /** `value` with every intrinsic function in it resolved, as seen from `stack`. */
  resolve(stack: DeployedTemplate, value: unknown): unknown {
    const resolved = this.resolveValue(stack, value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Like `resolve`, for a value that must be a string. */
  resolveString(stack: DeployedTemplate, value: unknown): string {
    const resolved = this.resolve(stack, value);
    if (typeof resolved !== "string" && typeof resolved !== "number") {
      throw new IntrinsicResolutionError(`${stack.stackName}: expected a string, got ${JSON.stringify(resolved)}`);
    }
    return String(resolved);
  }

  private resolveValue(stack: DeployedTemplate, value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolveValue(stack, item)).filter((item) => item !== NO_VALUE);
    }
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === "Ref" || first[0].startsWith("Fn::"))) {
      return this.intrinsic(stack, first[0], first[1]);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.resolveValue(stack, item);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private intrinsic(stack: DeployedTemplate, name: string, argument: unknown): unknown {
    switch (name) {
      case "Ref":
        return this.ref(stack, String(argument));
      case "Fn::GetAtt": {
        const [logicalId, attribute] = Array.isArray(argument)
          ? argument.map((part) => this.resolveString(stack, part))
          : String(argument).split(/\.(.*)/s);
        return this.getAtt(stack, String(logicalId), String(attribute));
      }
      case "Fn::Join": {
        const [separator, parts] = argument as [string, unknown];
        const list = this.resolveValue(stack, parts);
        if (!Array.isArray(list)) throw new IntrinsicResolutionError(`${stack.stackName}: Fn::Join of a non-list`);
        return list.map(String).join(separator);
      }
      case "Fn::Sub": {
        const [text, variables] = Array.isArray(argument)
          ? (argument as [string, Record<string, unknown>])
          : [argument];
        return String(text).replace(/\$\{([^}!][^}]*)\}/g, (_, reference: string) => {
          if (variables && reference in variables) return this.resolveString(stack, variables[reference]);
          const [logicalId, attribute] = reference.split(/\.(.*)/s);
          return String(
            attribute ? this.getAtt(stack, String(logicalId), attribute) : this.ref(stack, String(logicalId)),
          );
        });
      }
      case "Fn::Select": {
        const [index, list] = argument as [unknown, unknown];
        const items = this.resolveValue(stack, list);
        if (!Array.isArray(items)) throw new IntrinsicResolutionError(`${stack.stackName}: Fn::Select of a non-list`);
        return items[Number(this.resolveValue(stack, index))];
      }
      case "Fn::Split": {
        const [separator, text] = argument as [string, unknown];
        return this.resolveString(stack, text).split(separator);
      }
      case "Fn::ImportValue":
        return this.importValue(this.resolveString(stack, argument));
      default:
        throw new IntrinsicResolutionError(`${stack.stackName}: intrinsic function ${name} is not supported here`);
    }
  }

  private ref(stack: DeployedTemplate, name: string): unknown {
    switch (name) {
      case "AWS::Partition":
        return PARTITION;
      case "AWS::AccountId":
        return stack.account;
      case "AWS::Region":
        return stack.region;
      case "AWS::URLSuffix":
        return URL_SUFFIX;
      case "AWS::StackName":
        return stack.stackName;
      case "AWS::NoValue":
        return NO_VALUE;
    }
    const resource = stack.template.Resources?.[name];
    if (resource) return this.resourceRef(stack, name, resource);
    if (stack.template.Parameters?.[name]) return unknownValue(`parameter ${stack.stackName}.${name}`);
    throw new IntrinsicResolutionError(`${stack.stackName}: Ref to ${name}, which the template does not define`);
  }

  private importValue(exportName: string): unknown {
    for (const other of this.stacks) {
      const outputs = Object.values(other.template.Outputs ?? {}) as { Value: unknown; Export?: { Name: unknown } }[];
      for (const output of outputs) {
        if (output.Export && this.resolve(other, output.Export.Name) === exportName) {
          return this.resolve(other, output.Value);
        }
      }
    }
    throw new IntrinsicResolutionError(`Fn::ImportValue ${exportName}: no stack exports it`);
  }

  /** The explicit physical name of a resource, or a marker when CloudFormation would generate it. */
  private named(stack: DeployedTemplate, logicalId: string, resource: CfnResource, property: string): string {
    const name = resource.Properties?.[property];
    if (name === undefined) return unknownValue(`generated name of ${stack.stackName}.${logicalId}`);
    return this.resolveString(stack, name);
  }

  private arn(stack: DeployedTemplate, service: string, resource: string, global = false): string {
    return `arn:${PARTITION}:${service}:${global ? "" : stack.region}:${stack.account}:${resource}`;
  }

  private resourceRef(stack: DeployedTemplate, logicalId: string, resource: CfnResource): unknown {
    const named = (property: string) => this.named(stack, logicalId, resource, property);
    switch (resource.Type) {
      case "AWS::IAM::Role":
        return named("RoleName");
      case "AWS::IAM::ManagedPolicy":
        return this.arn(stack, "iam", `policy${this.path(stack, resource)}${named("ManagedPolicyName")}`, true);
      case "AWS::IAM::Policy":
        return named("PolicyName");
      case "AWS::ECS::Cluster":
        return named("ClusterName");
      case "AWS::ECS::Service":
        return this.getAtt(stack, logicalId, "ServiceArn");
      case "AWS::Logs::LogGroup":
        return named("LogGroupName");
      case "AWS::DynamoDB::Table":
        return named("TableName");
      case "AWS::ECR::Repository":
        return named("RepositoryName");
      case "AWS::CodeBuild::Project":
        return named("Name");
      case "AWS::SSM::Parameter":
        return named("Name");
      case "AWS::Events::EventBus":
        return named("Name");
      case "AWS::Lambda::Function":
        return named("FunctionName");
      case "AWS::CloudWatch::Alarm":
        return named("AlarmName");
      case "AWS::SNS::Topic":
        return this.arn(stack, "sns", named("TopicName"));
      default:
        return unknownValue(`Ref of ${resource.Type} ${stack.stackName}.${logicalId}`);
    }
  }

  private path(stack: DeployedTemplate, resource: CfnResource): string {
    const path = resource.Properties?.Path;
    return path === undefined ? "/" : this.resolveString(stack, path);
  }

  private getAtt(stack: DeployedTemplate, logicalId: string, attribute: string): string {
    const resource = stack.template.Resources?.[logicalId];
    if (!resource) {
      throw new IntrinsicResolutionError(
        `${stack.stackName}: GetAtt of ${logicalId}, which the template does not define`,
      );
    }
    const named = (property: string) => this.named(stack, logicalId, resource, property);
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case "AWS::IAM::Role.Arn":
        return this.arn(stack, "iam", `role${this.path(stack, resource)}${named("RoleName")}`, true);
      case "AWS::ECS::Cluster.Arn":
        return this.arn(stack, "ecs", `cluster/${named("ClusterName")}`);
      case "AWS::ECS::Service.Name":
        return named("ServiceName");
      case "AWS::ECS::Service.ServiceArn": {
        const cluster = resource.Properties?.Cluster;
        const clusterName =
          cluster === undefined ? "default" : this.resolveString(stack, cluster).replace(/^arn:.*:cluster\//, "");
        return this.arn(stack, "ecs", `service/${clusterName}/${named("ServiceName")}`);
      }
      case "AWS::Logs::LogGroup.Arn":
        return this.arn(stack, "logs", `log-group:${named("LogGroupName")}:*`);
      case "AWS::DynamoDB::Table.Arn":
        return this.arn(stack, "dynamodb", `table/${named("TableName")}`);
      case "AWS::ECR::Repository.Arn":
        return this.arn(stack, "ecr", `repository/${named("RepositoryName")}`);
      case "AWS::CodeBuild::Project.Arn":
        return this.arn(stack, "codebuild", `project/${named("Name")}`);
      case "AWS::Events::EventBus.Arn":
        return this.arn(stack, "events", `event-bus/${named("Name")}`);
      case "AWS::Lambda::Function.Arn":
        return this.arn(stack, "lambda", `function:${named("FunctionName")}`);
      case "AWS::CloudWatch::Alarm.Arn":
        return this.arn(stack, "cloudwatch", `alarm:${named("AlarmName")}`);
      case "AWS::SNS::Topic.TopicArn":
        return this.arn(stack, "sns", named("TopicName"));
      case "AWS::SSM::Parameter.Name":
        return named("Name");
      case "AWS::ApplicationAutoScaling::ScalableTarget.Arn": {
        const property = (field: string) => this.resolveString(stack, resource.Properties?.[field]);
        return scalableTargetArn(
          stack.region,
          stack.account,
          property("ServiceNamespace"),
          property("ResourceId"),
          property("ScalableDimension"),
        );
      }
      default:
        return unknownValue(`GetAtt ${stack.stackName}.${logicalId}.${attribute} (${resource.Type})`);
    }
  }
}
