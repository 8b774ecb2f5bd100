/**
 * Resolves the intrinsic functions of synthesized templates to the strings CloudFormation would
 * produce once they are deployed: pseudo-parameters from each stack's account and region; `Ref`
 * and `Fn::GetAtt` of resources from their explicit names (ARNs built as each service builds
 * them); `Fn::ImportValue` from the other stacks' exports. What the templates cannot tell is the
 * caller's choice ({@link TemplateResolverOptions}): names moto assigned, placeholders for
 * resources played locally, or by default a marker that matches no real ARN.
 */
import type { CloudFormationResource, CloudFormationTemplate } from "../stack/phoenix-app.js";
import {
  type IntrinsicScope,
  isUnresolved,
  resolveIntrinsics,
  type TemplateMappings,
  UnresolvableIntrinsicError,
  unresolvedValue,
} from "./intrinsics.js";
import { namedResourceValue } from "./named-resources.js";

/** A synthesized stack and where it is deployed. */
export interface DeployedTemplate {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: CloudFormationTemplate;
}

/** A `Ref` or `Fn::GetAtt` of one resource, as the options' callbacks see it. */
export interface ResourceReference {
  readonly stack: DeployedTemplate;
  readonly logicalId: string;
  readonly type: string;
  /** The attribute `Fn::GetAtt` asks for; `undefined` for `Ref`. */
  readonly attribute: string | undefined;
  /** One of the resource's properties, resolved. */
  property(key: string): unknown;
}

/** A parameter of a template, as the options' callbacks see it. */
export interface ParameterReference {
  readonly stack: DeployedTemplate;
  readonly name: string;
  readonly type: string;
  readonly default: unknown;
}

export interface TemplateResolverOptions {
  /** @default "aws" */
  readonly partition?: string;
  /** @default "amazonaws.com" */
  readonly urlSuffix?: string;
  /**
   * The value of a reference the caller knows (the name moto assigned, an attribute it
   * returned), asked first; `undefined` leaves it to the template's explicit names.
   * @default - none: every reference is read from the templates
   */
  readonly resourceValue?: (reference: ResourceReference) => unknown;
  /**
   * What a reference resolves to when the template does not name the resource (or the value is
   * one AWS generates). @default - an {@link unresolvedValue} naming the stack, resource and attribute
   */
  readonly unnamedValue?: (reference: ResourceReference) => unknown;
  /**
   * A parameter's value in this deployment; `undefined` takes its `Default`.
   * @default - each parameter's `Default`; `{{ssm:<name>}}` for an `AWS::SSM::Parameter::Value<…>`
   *   one (what CloudFormation would read); an {@link unresolvedValue} without a default
   */
  readonly parameterValue?: (parameter: ParameterReference) => unknown;
}

export class TemplateResolver {
  private readonly scopes = new Map<string, IntrinsicScope>();
  private readonly partition: string;
  private readonly urlSuffix: string;

  /** @param stacks every stack of the installation (for `Fn::ImportValue`) */
  constructor(
    private readonly stacks: readonly DeployedTemplate[],
    private readonly options: TemplateResolverOptions = {},
  ) {
    this.partition = options.partition ?? "aws";
    this.urlSuffix = options.urlSuffix ?? "amazonaws.com";
  }

  /** `value` with every intrinsic function in it resolved, as seen from `stack`; `path` names it in errors. */
  resolve(stack: DeployedTemplate, value: unknown, path: string = stack.stackName): unknown {
    return resolveIntrinsics(value, this.scope(stack), path);
  }

  /** Like {@link resolve}, for a value that must come out a string (a name, an ARN). */
  resolveString(stack: DeployedTemplate, value: unknown, path: string = stack.stackName): string {
    const resolved = this.resolve(stack, value, path);
    if (typeof resolved !== "string") {
      throw new UnresolvableIntrinsicError(`${path}: expected a string, got ${JSON.stringify(resolved)}`);
    }
    return resolved;
  }

  /** The stack's template with every resource's properties resolved (parameters, rules, outputs as written). */
  resolveResources(stack: DeployedTemplate): CloudFormationTemplate {
    const resources = Object.entries(stack.template.Resources).map(([logicalId, resource]) => {
      const path = `${stack.stackName}.${logicalId}.Properties`;
      if (resource.Properties === undefined) return [logicalId, resource] as const;
      const properties = this.resolve(stack, resource.Properties, path) as Record<string, unknown>;
      return [logicalId, { ...resource, Properties: properties }] as const;
    });
    return { ...stack.template, Resources: Object.fromEntries(resources) as Record<string, CloudFormationResource> };
  }

  private scope(stack: DeployedTemplate): IntrinsicScope {
    const cached = this.scopes.get(stack.stackName);
    if (cached) return cached;
    const { template, stackName } = stack;
    const parameters = template.Parameters ?? {};
    const scope: IntrinsicScope = {
      accountId: stack.account,
      region: stack.region,
      stackName,
      partition: this.partition,
      urlSuffix: this.urlSuffix,
      mappings: template.Mappings as TemplateMappings | undefined,
      conditions: template.Conditions as Readonly<Record<string, unknown>> | undefined,
      isParameter: (name) => Object.hasOwn(parameters, name),
      parameter: (name) => this.parameter(stack, name),
      ref: (logicalId) => this.reference(stack, logicalId, undefined),
      getAtt: (logicalId, attribute) => this.reference(stack, logicalId, attribute),
      importValue: (name) => this.importValue(name),
    };
    this.scopes.set(stackName, scope);
    return scope;
  }

  private parameter(stack: DeployedTemplate, name: string): unknown {
    const declared = stack.template.Parameters?.[name] as { Type: string; Default?: unknown };
    const reference = { stack, name, type: declared.Type, default: declared.Default };
    const given = this.options.parameterValue?.(reference);
    if (given !== undefined) return given;
    if (declared.Default === undefined) return unresolvedValue(`parameter ${stack.stackName}.${name}`);
    if (declared.Type.startsWith("AWS::SSM::Parameter::Value<")) return `{{ssm:${String(declared.Default)}}}`;
    return String(declared.Default);
  }

  private reference(stack: DeployedTemplate, logicalId: string, attribute: string | undefined): unknown {
    const resources = stack.template.Resources;
    const what = attribute === undefined ? `Ref ${logicalId}` : `Fn::GetAtt ${logicalId}.${attribute}`;
    if (!Object.hasOwn(resources, logicalId)) {
      throw new UnresolvableIntrinsicError(`${stack.stackName}: ${what}, which the template does not define`);
    }
    const resource = resources[logicalId] as CloudFormationResource;
    const property = (key: string) =>
      this.resolve(stack, resource.Properties?.[key], `${stack.stackName}.${logicalId}.Properties.${key}`);
    const reference: ResourceReference = { stack, logicalId, type: resource.Type, attribute, property };
    const known = this.options.resourceValue?.(reference);
    if (known !== undefined) return known;
    const named = namedResourceValue(
      resource.Type,
      attribute,
      {
        name: (key) => {
          const value = property(key);
          return typeof value === "string" && !isUnresolved(value) ? value : undefined;
        },
      },
      { partition: this.partition, account: stack.account, region: stack.region, urlSuffix: this.urlSuffix },
    );
    if (named !== undefined) return named;
    if (this.options.unnamedValue) return this.options.unnamedValue(reference);
    return unresolvedValue(`${stack.stackName}.${logicalId}${attribute === undefined ? "" : `.${attribute}`}`);
  }

  private importValue(exportName: string): unknown {
    for (const other of this.stacks) {
      for (const [outputId, output] of Object.entries(other.template.Outputs ?? {})) {
        const { Value, Export } = output as { Value: unknown; Export?: { Name: unknown } };
        const path = `${other.stackName}.Outputs.${outputId}`;
        if (Export && this.resolve(other, Export.Name, path) === exportName) return this.resolve(other, Value, path);
      }
    }
    throw new UnresolvableIntrinsicError(`Fn::ImportValue ${exportName}: no stack exports it`);
  }
}
