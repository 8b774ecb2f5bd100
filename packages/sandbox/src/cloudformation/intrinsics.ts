import type { TemplateMappings } from "./template.js";

/**
 * CloudFormation's intrinsic functions, as far as the synthesized Phoenix stacks use them
 * (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`,
 * pseudo-parameters), evaluated the way CloudFormation does at deploy time. What a reference
 * points at is the caller's business ({@link IntrinsicScope}); an intrinsic this file does not
 * know is an error naming where it sits, never a silent pass-through.
 */

/** What the references of one stack resolve to, in one account and region. */
export interface IntrinsicScope {
  readonly accountId: string;
  readonly region: string;
  readonly stackName: string;
  /** Whether `name` is a parameter of the template (otherwise a `Ref` names a resource). */
  isParameter(name: string): boolean;
  /** The value a template parameter has in this deployment. */
  parameter(name: string): unknown;
  /** What `Ref` of a resource returns (its physical id: a name or an ARN, per type). */
  ref(logicalId: string): unknown;
  /** What `Fn::GetAtt` of a resource's attribute returns. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** The template's `Mappings`, for `Fn::FindInMap`. */
  readonly mappings?: TemplateMappings;
}

/** The value of `{ "Ref": "AWS::NoValue" }`: the property or list element it stands for is removed. */
export const NO_VALUE: unique symbol = Symbol("AWS::NoValue");

export class UnresolvableIntrinsicError extends Error {
  override readonly name = "UnresolvableIntrinsicError";
}

const PSEUDO_PARAMETERS = {
  "AWS::AccountId": (scope: IntrinsicScope) => scope.accountId,
  "AWS::Region": (scope: IntrinsicScope) => scope.region,
  "AWS::Partition": () => "aws",
  "AWS::URLSuffix": () => "amazonaws.com",
  "AWS::StackName": (scope: IntrinsicScope) => scope.stackName,
  "AWS::StackId": (scope: IntrinsicScope) =>
    `arn:aws:cloudformation:${scope.region}:${scope.accountId}:stack/${scope.stackName}/sandbox`,
  "AWS::NoValue": () => NO_VALUE,
} as const satisfies Record<string, (scope: IntrinsicScope) => unknown>;

type PseudoParameter = keyof typeof PSEUDO_PARAMETERS;

function isPseudoParameter(name: string): name is PseudoParameter {
  return Object.hasOwn(PSEUDO_PARAMETERS, name);
}

/** `{ "Ref": … }` or `{ "Fn::…": … }`: an object whose only key names an intrinsic. */
function intrinsicOf(value: unknown): readonly [string, unknown] | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  if (keys.length !== 1 || key === undefined || !(key === "Ref" || key.startsWith("Fn::"))) return undefined;
  return [key, (value as Record<string, unknown>)[key]];
}

/**
 * `value` with every intrinsic replaced by its result. Plain objects and arrays are copied;
 * `AWS::NoValue` removes the property or element it stands for.
 */
export function resolveIntrinsics(value: unknown, scope: IntrinsicScope, path = "$"): unknown {
  const intrinsic = intrinsicOf(value);
  if (intrinsic) return resolveIntrinsic(intrinsic[0], intrinsic[1], scope, `${path}.${intrinsic[0]}`);
  if (Array.isArray(value)) {
    return value
      .map((element, index) => resolveIntrinsics(element, scope, `${path}[${index}]`))
      .filter((element) => element !== NO_VALUE);
  }
  if (typeof value === "object" && value !== null) {
    // fromEntries defines own properties: a key such as "__proto__" stays data, as in the JSON.
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, property]) => [key, resolveIntrinsics(property, scope, `${path}.${key}`)] as const)
        .filter(([, result]) => result !== NO_VALUE),
    );
  }
  return value;
}

/** As {@link resolveIntrinsics}, for a value that must come out a string (a name, an ARN). */
export function resolveString(value: unknown, scope: IntrinsicScope, path: string): string {
  const resolved = resolveIntrinsics(value, scope, path);
  if (typeof resolved !== "string") {
    throw new UnresolvableIntrinsicError(`${path}: expected a string, got ${JSON.stringify(resolved)}`);
  }
  return resolved;
}

function resolveIntrinsic(name: string, argument: unknown, scope: IntrinsicScope, path: string): unknown {
  const fail = (problem: string) => new UnresolvableIntrinsicError(`${path}: ${problem}`);
  const list = (expected: number): unknown[] => {
    if (!Array.isArray(argument) || argument.length !== expected) {
      throw fail(`expects a list of ${expected}, got ${JSON.stringify(argument)}`);
    }
    return argument;
  };
  const text = (raw: unknown, what: string): string => {
    const resolved = resolveIntrinsics(raw, scope, path);
    if (typeof resolved !== "string") throw fail(`${what} must be a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  };
  switch (name) {
    case "Ref": {
      if (typeof argument !== "string") throw fail("names a parameter or resource by a string");
      return reference(argument, scope);
    }
    case "Fn::GetAtt": {
      const [logicalId, attribute] = typeof argument === "string" ? splitOnce(argument, ".") : list(2);
      if (typeof logicalId !== "string" || typeof attribute !== "string") throw fail("names a resource and attribute");
      return scope.getAtt(logicalId, attribute);
    }
    case "Fn::Join": {
      const [delimiter, parts] = list(2);
      const resolved = resolveIntrinsics(parts, scope, path);
      if (typeof delimiter !== "string" || !Array.isArray(resolved)) throw fail("expects [delimiter, [values…]]");
      return resolved.map((part, index) => text(part, `element ${index}`)).join(delimiter);
    }
    case "Fn::Sub": {
      const [template, variables] = typeof argument === "string" ? [argument, {}] : list(2);
      if (typeof template !== "string" || typeof variables !== "object" || variables === null) {
        throw fail("expects a string or [string, { variables }]");
      }
      const values = new Map(
        Object.entries(variables).map(([variable, raw]) => [variable, text(raw, `variable ${variable}`)]),
      );
      return substitute(template, values, scope, path);
    }
    case "Fn::Select": {
      const [index, values] = list(2);
      const resolved = resolveIntrinsics(values, scope, path);
      const at = Number(resolveIntrinsics(index, scope, path));
      if (!Array.isArray(resolved) || !Number.isInteger(at) || at < 0 || at >= resolved.length) {
        throw fail(`index ${at} is outside ${JSON.stringify(resolved)}`);
      }
      return resolved[at];
    }
    case "Fn::Split": {
      const [delimiter, source] = list(2);
      if (typeof delimiter !== "string") throw fail("expects [delimiter, string]");
      return text(source, "the source").split(delimiter);
    }
    case "Fn::FindInMap": {
      const [map, top, second] = list(3).map((part, index) => text(part, `key ${index}`));
      const found = scope.mappings?.[map as string]?.[top as string]?.[second as string];
      if (found === undefined) throw fail(`no mapping ${map}.${top}.${second}`);
      return found;
    }
    default:
      throw fail(`${name} is not an intrinsic the sandbox evaluates (add it to cloudformation/intrinsics.ts)`);
  }
}

function reference(name: string, scope: IntrinsicScope): unknown {
  if (isPseudoParameter(name)) return PSEUDO_PARAMETERS[name](scope);
  return scope.isParameter(name) ? scope.parameter(name) : scope.ref(name);
}

/** `Fn::Sub`: `${Name}` (a variable, parameter or resource), `${Resource.Attribute}`, `${!Literal}`. */
function substitute(template: string, variables: ReadonlyMap<string, string>, scope: IntrinsicScope, path: string) {
  return template.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (inner.startsWith("!")) return `\${${inner.slice(1)}}`;
    const variable = variables.get(inner);
    const value =
      variable ??
      (inner.includes(".") && !isPseudoParameter(inner)
        ? scope.getAtt(...splitOnce(inner, "."))
        : reference(inner, scope));
    if (typeof value !== "string" && typeof value !== "number") {
      throw new UnresolvableIntrinsicError(`${path}: ${whole} is not a string (${JSON.stringify(value)})`);
    }
    return String(value);
  });
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + separator.length)];
}

/**
 * The logical ids a value refers to (`Ref`, `Fn::GetAtt`, the names inside `Fn::Sub`), so
 * resources can be created after what they refer to. Parameters and pseudo-parameters are
 * among them when referenced; callers keep the ids they know as resources.
 */
export function referencedLogicalIds(value: unknown, found = new Set<string>()): Set<string> {
  const intrinsic = intrinsicOf(value);
  if (intrinsic) {
    const [name, argument] = intrinsic;
    if (name === "Ref" && typeof argument === "string") found.add(argument);
    else if (name === "Fn::GetAtt") {
      const [logicalId] = typeof argument === "string" ? splitOnce(argument, ".") : (argument as unknown[]);
      if (typeof logicalId === "string") found.add(logicalId);
    } else if (name === "Fn::Sub") {
      const [template, variables] = typeof argument === "string" ? [argument, undefined] : (argument as unknown[]);
      const variableNames = typeof variables === "object" && variables !== null ? Object.keys(variables) : [];
      if (typeof template === "string") {
        for (const [, inner] of template.matchAll(/\$\{([^}!][^}]*)\}/g)) {
          if (inner && !variableNames.includes(inner)) found.add(splitOnce(inner, ".")[0]);
        }
      }
      referencedLogicalIds(variables, found);
    } else referencedLogicalIds(argument, found);
    return found;
  }
  if (Array.isArray(value)) for (const element of value) referencedLogicalIds(element, found);
  else if (typeof value === "object" && value !== null) {
    for (const property of Object.values(value)) referencedLogicalIds(property, found);
  }
  return found;
}
