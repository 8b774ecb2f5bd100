/**
 * CloudFormation's intrinsic functions, evaluated as CloudFormation evaluates them at deploy time,
 * for the forms synthesized templates use: `Ref` (parameters, resources, pseudo-parameters,
 * `AWS::NoValue`), `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`,
 * `Fn::FindInMap`, `Fn::If` with the template's conditions, and `Fn::ImportValue`. What a reference
 * points at is the caller's business ({@link IntrinsicScope}; {@link TemplateResolver} builds one
 * from the template's explicit names). An intrinsic outside these is an error naming where it
 * sits, never a silent pass-through.
 */

/** What the references of one stack resolve to, in one account and region. */
export interface IntrinsicScope {
  readonly accountId: string;
  readonly region: string;
  readonly stackName: string;
  /** @default "aws" */
  readonly partition?: string;
  /** @default "amazonaws.com" */
  readonly urlSuffix?: string;
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
  /** The template's `Conditions`, for `Fn::If`. */
  readonly conditions?: Readonly<Record<string, unknown>>;
  /** The value another stack exports under `name`, for `Fn::ImportValue`. @default - imports fail */
  importValue?(name: string): unknown;
}

/** `Fn::FindInMap`'s tables: map → top-level key → second-level key → value. */
export type TemplateMappings = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;

/** The value of `{ "Ref": "AWS::NoValue" }`: the property or list element it stands for is removed. */
export const NO_VALUE: unique symbol = Symbol("AWS::NoValue");

export class UnresolvableIntrinsicError extends Error {
  override readonly name = "UnresolvableIntrinsicError";
}

const UNRESOLVED_PREFIX = "⟨unresolved: ";

/**
 * A value only a deploy would tell (a generated name, a key id), described by `what`. It holds no
 * IAM wildcard and characters no ARN has, so no policy pattern built from it matches a real
 * resource, and only the same reference resolves to it again.
 */
export const unresolvedValue = (what: string): string => `${UNRESOLVED_PREFIX}${what}⟩`;

/** Whether a resolved value is, or was built from, an {@link unresolvedValue}. */
export const isUnresolved = (value: unknown): boolean => typeof value === "string" && value.includes(UNRESOLVED_PREFIX);

const PSEUDO_PARAMETERS = {
  "AWS::AccountId": (scope: IntrinsicScope) => scope.accountId,
  "AWS::Region": (scope: IntrinsicScope) => scope.region,
  "AWS::Partition": (scope: IntrinsicScope) => scope.partition ?? "aws",
  "AWS::URLSuffix": (scope: IntrinsicScope) => scope.urlSuffix ?? "amazonaws.com",
  "AWS::StackName": (scope: IntrinsicScope) => scope.stackName,
  "AWS::StackId": (scope: IntrinsicScope) =>
    `arn:${scope.partition ?? "aws"}:cloudformation:${scope.region}:${scope.accountId}:stack/${scope.stackName}/${unresolvedValue(`id of ${scope.stackName}`)}`,
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
 * `AWS::NoValue` removes the property or element it stands for. `path` names where `value` sits,
 * for errors.
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
export function resolveIntrinsicString(value: unknown, scope: IntrinsicScope, path = "$"): string {
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
    if (typeof resolved === "number") return String(resolved);
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
      if (typeof logicalId !== "string") throw fail("names a resource and attribute");
      return scope.getAtt(logicalId, text(attribute, "the attribute"));
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
      const outside = !Number.isInteger(at) || at < 0 || !Array.isArray(resolved) || at >= resolved.length;
      // A list split from a value only a deploy tells has parts only a deploy tells.
      if (outside && Array.isArray(resolved) && resolved.some(isUnresolved)) {
        return unresolvedValue(`element ${at} of ${resolved.join(",")}`);
      }
      if (!Array.isArray(resolved) || outside) {
        throw fail(`index ${at} is outside ${JSON.stringify(resolved)}`);
      }
      return resolved[at];
    }
    case "Fn::Split": {
      const [delimiter, source] = list(2);
      if (typeof delimiter !== "string") throw fail("expects [delimiter, string]");
      const whole = text(source, "the source");
      return isUnresolved(whole) ? [whole] : whole.split(delimiter);
    }
    case "Fn::FindInMap": {
      const [map, top, second] = list(3).map((part, index) => text(part, `key ${index}`)) as [string, string, string];
      const found = own(own(own(scope.mappings, map), top), second);
      if (found === undefined) throw fail(`no mapping ${map}.${top}.${second}`);
      return found;
    }
    case "Fn::If": {
      const [condition, whenTrue, whenFalse] = list(3);
      if (typeof condition !== "string") throw fail("names a condition by a string");
      return resolveIntrinsics(conditionHolds(condition, scope, path) ? whenTrue : whenFalse, scope, path);
    }
    case "Fn::ImportValue": {
      const exportName = text(argument, "the export name");
      if (!scope.importValue) throw fail(`no other stack is known to import ${exportName} from`);
      return scope.importValue(exportName);
    }
    default:
      throw fail(
        `${name} is not an intrinsic this resolver evaluates (add it to @phoenix/infra's template/intrinsics.ts)`,
      );
  }
}

/** `table[key]` when `table` has it as its own property (a key such as "__proto__" finds nothing inherited). */
function own(table: unknown, key: string): unknown {
  return typeof table === "object" && table !== null && Object.hasOwn(table, key)
    ? (table as Record<string, unknown>)[key]
    : undefined;
}

function reference(name: string, scope: IntrinsicScope): unknown {
  if (isPseudoParameter(name)) return PSEUDO_PARAMETERS[name](scope);
  return scope.isParameter(name) ? scope.parameter(name) : scope.ref(name);
}

/** A named condition of the template (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`). */
function conditionHolds(name: string, scope: IntrinsicScope, path: string): boolean {
  const conditions = scope.conditions ?? {};
  if (!Object.hasOwn(conditions, name)) throw new UnresolvableIntrinsicError(`${path}: no condition ${name}`);
  return evaluateCondition(conditions[name], scope, `${path}(${name})`);
}

function evaluateCondition(expression: unknown, scope: IntrinsicScope, path: string): boolean {
  const operands = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
  const [operator, argument] =
    intrinsicOf(expression) ??
    (typeof expression === "object" && expression !== null && Object.hasOwn(expression, "Condition")
      ? ["Condition", (expression as { Condition: unknown }).Condition]
      : [undefined, undefined]);
  switch (operator) {
    case "Condition":
      return conditionHolds(String(argument), scope, path);
    case "Fn::Equals": {
      const [left, right] = operands(argument).map((side) => resolveIntrinsics(side, scope, path));
      return JSON.stringify(left) === JSON.stringify(right);
    }
    case "Fn::Not":
      return !evaluateCondition(operands(argument)[0], scope, path);
    case "Fn::And":
      return operands(argument).every((item) => evaluateCondition(item, scope, path));
    case "Fn::Or":
      return operands(argument).some((item) => evaluateCondition(item, scope, path));
    default:
      throw new UnresolvableIntrinsicError(`${path}: cannot evaluate condition ${JSON.stringify(expression)}`);
  }
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
