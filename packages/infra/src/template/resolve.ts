/**
 * Turns the intrinsic functions of a synthesized template into the strings CloudFormation would
 * produce, from the stack's account and region and the explicit names in the template: `Ref`,
 * `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` (with the template's
 * conditions) and the pseudo parameters. A reference whose value AWS generates (a KMS key id, a
 * load balancer ARN) becomes a placeholder `<LogicalId>` / `<LogicalId.Attribute>`, unless the
 * caller gives the value (for example the name moto assigned).
 */
import type { CloudFormationTemplate } from "../stack/phoenix-app.js";

export interface TemplateResolutionContext {
  readonly template: CloudFormationTemplate;
  readonly account: string;
  readonly region: string;
  /** @default "aws" */
  readonly partition?: string;
  /** @default "amazonaws.com" */
  readonly urlSuffix?: string;
  /** @default "<AWS::StackName>" */
  readonly stackName?: string;
  /**
   * Values of resources that the template cannot tell (generated ids), or overrides of those it
   * can: by logical id, `ref` for `Ref` and `attributes` for `Fn::GetAtt`.
   * @default - none
   */
  readonly resources?: Readonly<
    Record<string, { readonly ref?: string; readonly attributes?: Readonly<Record<string, string>> }>
  >;
  /**
   * Values of the template's parameters. @default - each parameter's `Default`; for an
   * `AWS::SSM::Parameter::Value<…>` parameter, `{{ssm:<name>}}`
   */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** A placeholder stands in for a reference the resolver could not turn into a value. */
export function isPlaceholder(value: unknown): boolean {
  return typeof value === "string" && /<[A-Za-z0-9:.]+>/.test(value);
}

/** Thrown in strict mode for a reference whose value is unknown. */
export class UnresolvedTemplateReferenceError extends Error {
  override readonly name = "UnresolvedTemplateReferenceError";
}

const NO_VALUE = Symbol("AWS::NoValue");

/**
 * `value` with every intrinsic function replaced by its value. `AWS::NoValue` removes the key or
 * list item, as CloudFormation does. With `strict`, an unknown reference throws instead of
 * becoming a placeholder.
 */
export function resolveTemplateValue(
  value: unknown,
  context: TemplateResolutionContext,
  options: { readonly strict?: boolean } = {},
): unknown {
  const resolver = new Resolver(context, options.strict ?? false);
  const resolved = resolver.resolve(value);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** `resolveTemplateValue` for a value that must come out a string (a name, an ARN). */
export function resolveTemplateString(
  value: unknown,
  context: TemplateResolutionContext,
  options: { readonly strict?: boolean } = {},
): string {
  const resolved = resolveTemplateValue(value, context, options);
  if (typeof resolved !== "string") {
    throw new UnresolvedTemplateReferenceError(`expected a string, got ${JSON.stringify(resolved)}`);
  }
  return resolved;
}

class Resolver {
  private readonly partition: string;
  private readonly urlSuffix: string;

  constructor(
    private readonly context: TemplateResolutionContext,
    private readonly strict: boolean,
  ) {
    this.partition = context.partition ?? "aws";
    this.urlSuffix = context.urlSuffix ?? "amazonaws.com";
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item)).filter((item) => item !== NO_VALUE);
    }
    if (!value || typeof value !== "object") return value;
    const node = value as Record<string, unknown>;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const argument = node[key];
      switch (key) {
        case "Ref":
          return this.ref(String(argument));
        case "Fn::GetAtt":
          return this.getAtt(argument);
        case "Fn::Join":
          return this.join(argument);
        case "Fn::Sub":
          return this.sub(argument);
        case "Fn::Select":
          return this.select(argument);
        case "Fn::Split":
          return this.split(argument);
        case "Fn::If":
          return this.fnIf(argument);
        case "Fn::ImportValue":
          return this.unknown(`Fn::ImportValue ${JSON.stringify(argument)}`, "<Fn::ImportValue>");
        case "Fn::GetAZs":
          return this.unknown("Fn::GetAZs", "<Fn::GetAZs>");
      }
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(node)) {
      const resolved = this.resolve(item);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private unknown(what: string, placeholder: string): string {
    if (this.strict) throw new UnresolvedTemplateReferenceError(`cannot resolve ${what}`);
    return placeholder;
  }

  private ref(name: string): unknown {
    switch (name) {
      case "AWS::Partition":
        return this.partition;
      case "AWS::AccountId":
        return this.context.account;
      case "AWS::Region":
        return this.context.region;
      case "AWS::URLSuffix":
        return this.urlSuffix;
      case "AWS::StackName":
        return this.context.stackName ?? this.unknown("AWS::StackName", "<AWS::StackName>");
      case "AWS::NoValue":
        return NO_VALUE;
    }
    const parameter = this.context.template.Parameters?.[name];
    if (parameter) return this.parameter(name, parameter);
    const given = this.context.resources?.[name]?.ref;
    if (given !== undefined) return given;
    return this.physical(name, "Ref") ?? this.unknown(`Ref ${name}`, `<${name}>`);
  }

  private parameter(name: string, parameter: { readonly Type: string; readonly Default?: unknown }): string {
    const given = this.context.parameters?.[name];
    if (given !== undefined) return given;
    if (parameter.Type.startsWith("AWS::SSM::Parameter::Value<")) return `{{ssm:${String(parameter.Default)}}}`;
    if (parameter.Default !== undefined) return String(parameter.Default);
    return this.unknown(`parameter ${name}`, `<${name}>`);
  }

  private getAtt(argument: unknown): unknown {
    const [logicalId, attribute] = (typeof argument === "string" ? argument.split(/\.(.*)/s) : argument) as [
      string,
      unknown,
    ];
    const name = String(this.resolve(attribute));
    const given = this.context.resources?.[logicalId]?.attributes?.[name];
    if (given !== undefined) return given;
    return this.physical(logicalId, name) ?? this.unknown(`${logicalId}.${name}`, `<${logicalId}.${name}>`);
  }

  private join(argument: unknown): unknown {
    const [separator, items] = argument as [string, unknown];
    const resolved = this.resolve(items);
    if (!Array.isArray(resolved)) return this.unknown("Fn::Join of a non-list", "<Fn::Join>");
    return resolved.map(String).join(separator);
  }

  private sub(argument: unknown): unknown {
    const [text, variables] = (typeof argument === "string" ? [argument, {}] : argument) as [
      string,
      Record<string, unknown>,
    ];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, expression: string) => {
      if (expression in variables) return String(this.resolve(variables[expression]));
      const [logicalId, attribute] = expression.split(/\.(.*)/s) as [string, string | undefined];
      return String(attribute === undefined ? this.ref(logicalId) : this.getAtt([logicalId, attribute]));
    });
  }

  private select(argument: unknown): unknown {
    const [index, list] = argument as [unknown, unknown];
    const resolved = this.resolve(list);
    const position = Number(this.resolve(index));
    if (!Array.isArray(resolved) || resolved.some(isPlaceholder)) {
      return this.unknown("Fn::Select of an unknown list", "<Fn::Select>");
    }
    return resolved[position];
  }

  private split(argument: unknown): unknown {
    const [separator, text] = argument as [string, unknown];
    const resolved = this.resolve(text);
    return typeof resolved === "string" ? resolved.split(separator) : this.unknown("Fn::Split", "<Fn::Split>");
  }

  private fnIf(argument: unknown): unknown {
    const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
    return this.resolve(this.condition(condition) ? whenTrue : whenFalse);
  }

  private condition(name: string): boolean {
    const conditions = (this.context.template.Conditions ?? {}) as Record<string, unknown>;
    return this.evaluate(conditions[name]);
  }

  private evaluate(expression: unknown): boolean {
    const node = (expression ?? {}) as Record<string, unknown>;
    if ("Condition" in node) return this.condition(String(node.Condition));
    if ("Fn::Equals" in node) {
      const [left, right] = node["Fn::Equals"] as [unknown, unknown];
      return JSON.stringify(this.resolve(left)) === JSON.stringify(this.resolve(right));
    }
    if ("Fn::Not" in node) return !this.evaluate((node["Fn::Not"] as unknown[])[0]);
    if ("Fn::And" in node) return (node["Fn::And"] as unknown[]).every((item) => this.evaluate(item));
    if ("Fn::Or" in node) return (node["Fn::Or"] as unknown[]).some((item) => this.evaluate(item));
    throw new UnresolvedTemplateReferenceError(`cannot evaluate condition ${JSON.stringify(expression)}`);
  }

  /** What `Ref` or `Fn::GetAtt` gives for a resource named explicitly in the template. */
  private physical(logicalId: string, attribute: string): string | undefined {
    const resource = this.context.template.Resources[logicalId];
    if (!resource) return undefined;
    const properties = (resource.Properties ?? {}) as Record<string, unknown>;
    const name = (key: string): string | undefined => {
      const value = this.resolve(properties[key]);
      return typeof value === "string" && !isPlaceholder(value) ? value : undefined;
    };
    const { account, region } = this.context;
    const arn = (service: string, rest: string, regional = true) =>
      `arn:${this.partition}:${service}:${regional ? region : ""}:${account}:${rest}`;
    const pick = (values: Record<string, string | undefined>): string | undefined => values[attribute];
    switch (resource.Type) {
      case "AWS::IAM::Role": {
        const roleName = name("RoleName");
        if (!roleName) return undefined;
        const path = name("Path") ?? "/";
        return pick({ Ref: roleName, Arn: arn("iam", `role${path}${roleName}`, false), RoleId: undefined });
      }
      case "AWS::ECR::Repository": {
        const repositoryName = name("RepositoryName");
        if (!repositoryName) return undefined;
        return pick({
          Ref: repositoryName,
          Arn: arn("ecr", `repository/${repositoryName}`),
          RepositoryUri: `${account}.dkr.ecr.${region}.${this.urlSuffix}/${repositoryName}`,
        });
      }
      case "AWS::ECS::Cluster": {
        const clusterName = name("ClusterName");
        if (!clusterName) return undefined;
        return pick({ Ref: clusterName, Arn: arn("ecs", `cluster/${clusterName}`) });
      }
      case "AWS::ECS::Service": {
        const serviceName = name("ServiceName");
        const cluster = this.resolve(properties.Cluster);
        if (!serviceName || typeof cluster !== "string" || isPlaceholder(cluster)) return undefined;
        const clusterName = cluster.startsWith("arn:") ? cluster.split("/").at(-1) : cluster;
        const serviceArn = arn("ecs", `service/${clusterName}/${serviceName}`);
        return pick({ Ref: serviceArn, ServiceArn: serviceArn, Name: serviceName });
      }
      case "AWS::Logs::LogGroup": {
        const logGroupName = name("LogGroupName");
        if (!logGroupName) return undefined;
        return pick({ Ref: logGroupName, Arn: arn("logs", `log-group:${logGroupName}:*`) });
      }
      case "AWS::Events::EventBus": {
        const busName = name("Name");
        if (!busName) return undefined;
        return pick({ Ref: busName, Name: busName, Arn: arn("events", `event-bus/${busName}`) });
      }
      case "AWS::Lambda::Function": {
        const functionName = name("FunctionName");
        if (!functionName) return undefined;
        return pick({ Ref: functionName, Arn: arn("lambda", `function:${functionName}`) });
      }
      case "AWS::SSM::Parameter": {
        const parameterName = name("Name");
        return parameterName ? pick({ Ref: parameterName }) : undefined;
      }
      case "AWS::CloudWatch::Alarm": {
        const alarmName = name("AlarmName");
        if (!alarmName) return undefined;
        return pick({ Ref: alarmName, Arn: arn("cloudwatch", `alarm:${alarmName}`) });
      }
      case "AWS::DynamoDB::Table": {
        const tableName = name("TableName");
        if (!tableName) return undefined;
        return pick({ Ref: tableName, Arn: arn("dynamodb", `table/${tableName}`) });
      }
      case "AWS::CodeBuild::Project": {
        const projectName = name("Name");
        if (!projectName) return undefined;
        return pick({ Ref: projectName, Arn: arn("codebuild", `project/${projectName}`) });
      }
      case "AWS::SNS::Topic": {
        const topicName = name("TopicName");
        if (!topicName) return undefined;
        const topicArn = arn("sns", topicName);
        return pick({ Ref: topicArn, TopicArn: topicArn, TopicName: topicName });
      }
      case "AWS::SQS::Queue": {
        const queueName = name("QueueName");
        if (!queueName) return undefined;
        return pick({
          Ref: `https://sqs.${region}.${this.urlSuffix}/${account}/${queueName}`,
          Arn: arn("sqs", queueName),
          QueueName: queueName,
        });
      }
      case "AWS::ECS::TaskDefinition": {
        const family = name("Family");
        // The revision is ECS's; the first registration of a family is revision 1.
        return family ? pick({ Ref: arn("ecs", `task-definition/${family}:1`) }) : undefined;
      }
      default:
        return undefined;
    }
  }
}
