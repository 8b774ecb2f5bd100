/**
 * Reading and evaluating the IAM policies of a (resolved) template, for the statement forms the
 * Phoenix templates use: Allow and Deny; `Action` with `*` / `?` wildcards; `Resource` ARNs
 * with wildcards (each of an ARN's six colon-separated parts matched on its own, as IAM does);
 * `Principal` as `*`, an account, or an ARN; and the condition operators `StringEquals`,
 * `StringNotEquals`, `StringLike`, `ArnEquals`, `ArnLike`, `Bool` (with `…IfExists`).
 */
import type { CloudFormationTemplate } from "../stack/phoenix-app.js";

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface AccessRequest {
  readonly action: string;
  /** The resource's ARN; `*` for actions without a resource type. */
  readonly resource: string;
  /** Values of condition keys (`iam:PassedToService`, `ecs:CreateAction`, …) for this request. */
  readonly conditionKeys?: Readonly<Record<string, string | readonly string[]>>;
}

export type AccessDecision = "allowed" | "explicitly-denied" | "implicitly-denied";

export class UnsupportedPolicyError extends Error {
  override readonly name = "UnsupportedPolicyError";
}

const list = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...(value as T[])] : [value as T];

/** IAM's wildcard match: `*` any run of characters, `?` one. */
export function wildcardMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${expression}$`, ignoreCase ? "is" : "s").test(value);
}

/** ARN match: `*` alone matches everything; otherwise part by part, the last part taking the rest. */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === "*") return true;
  const parts = (text: string) => {
    const split = text.split(":");
    return [...split.slice(0, 5), split.slice(5).join(":")];
  };
  const expected = parts(pattern);
  const actual = parts(arn);
  return (
    expected.length === actual.length && expected.every((part, index) => wildcardMatches(part, actual[index] ?? ""))
  );
}

function conditionHolds(operator: string, key: string, expected: unknown, request: AccessRequest): boolean {
  const ifExists = operator.endsWith("IfExists");
  const base = ifExists ? operator.slice(0, -"IfExists".length) : operator;
  const actualValue = request.conditionKeys?.[key];
  if (actualValue === undefined) return ifExists || base === "StringNotEquals";
  const actuals = list(actualValue as string | readonly string[]);
  const expecteds = list(expected as string | readonly string[]).map(String);
  const anyMatch = (match: (pattern: string, value: string) => boolean) =>
    actuals.some((value) => expecteds.some((pattern) => match(pattern, value)));
  switch (base) {
    case "StringEquals":
    case "ArnEquals":
      return anyMatch((pattern, value) => pattern === value);
    case "StringNotEquals":
      return !anyMatch((pattern, value) => pattern === value);
    case "StringLike":
      return anyMatch((pattern, value) => wildcardMatches(pattern, value));
    case "ArnLike":
      return anyMatch((pattern, value) => arnMatches(pattern, value));
    case "Bool":
      return anyMatch((pattern, value) => pattern.toLowerCase() === value.toLowerCase());
    default:
      throw new UnsupportedPolicyError(`condition operator ${operator} is not supported`);
  }
}

/** Whether the statement covers the request: action, resource and every condition. */
export function statementMatches(statement: PolicyStatement, request: AccessRequest): boolean {
  if ("NotAction" in statement || "NotResource" in statement) {
    throw new UnsupportedPolicyError("NotAction and NotResource are not supported");
  }
  const actionMatches = list(statement.Action).some((action) => wildcardMatches(action, request.action, true));
  const resources = list(statement.Resource);
  const resourceMatches =
    resources.length === 0 || resources.some((resource) => arnMatches(resource, request.resource));
  const conditions = Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, expected, request)),
  );
  return actionMatches && resourceMatches && conditions;
}

/** The decision of a set of identity-policy statements: an explicit Deny wins, then any Allow. */
export function evaluateStatements(statements: readonly PolicyStatement[], request: AccessRequest): AccessDecision {
  const matching = statements.filter((statement) => statementMatches(statement, request));
  if (matching.some((statement) => statement.Effect === "Deny")) return "explicitly-denied";
  return matching.some((statement) => statement.Effect === "Allow") ? "allowed" : "implicitly-denied";
}

/** The AWS principals (ARNs or account ids) a resolved statement names; `*` for anyone. */
export function awsPrincipals(statement: PolicyStatement): string[] {
  const principal = statement.Principal;
  if (principal === "*") return ["*"];
  if (!principal || typeof principal !== "object") return [];
  return list((principal as { AWS?: string | string[] }).AWS);
}

/** Whether a principal entry (`*`, an account id, `arn:…:iam::<account>:root`, a role ARN) admits the principal ARN. */
export function principalAdmits(entry: string, principalArn: string): boolean {
  if (entry === "*") return true;
  const account = principalArn.split(":")[4];
  if (/^\d{12}$/.test(entry)) return entry === account;
  if (/^arn:[^:]+:iam::\d{12}:root$/.test(entry)) return entry.split(":")[4] === account;
  return entry === principalArn;
}

/**
 * The identity-policy statements of a role in a resolved template: its inline `Policies` and
 * every `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` of the template attached to it (by
 * `Roles` naming the role's logical id, name or ARN).
 */
export function roleStatements(resolvedTemplate: CloudFormationTemplate, roleLogicalId: string): PolicyStatement[] {
  const role = resolvedTemplate.Resources[roleLogicalId];
  if (role?.Type !== "AWS::IAM::Role") throw new UnsupportedPolicyError(`${roleLogicalId} is not an AWS::IAM::Role`);
  const properties = (role.Properties ?? {}) as { RoleName?: string; Policies?: { PolicyDocument: unknown }[] };
  const inline = (properties.Policies ?? []).flatMap((policy) => documentStatements(policy.PolicyDocument));
  const attached = Object.values(resolvedTemplate.Resources)
    .filter((resource) => resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy")
    .filter((resource) =>
      list((resource.Properties as { Roles?: unknown }).Roles).some(
        (name) =>
          name === roleLogicalId ||
          name === `<${roleLogicalId}>` ||
          (properties.RoleName !== undefined && name === properties.RoleName),
      ),
    )
    .flatMap((resource) => documentStatements((resource.Properties as { PolicyDocument: unknown }).PolicyDocument));
  return [...inline, ...attached];
}

/** The statements of a policy document (a trust policy, a resource policy, an identity policy). */
export function documentStatements(document: unknown): PolicyStatement[] {
  const parsed = typeof document === "string" ? JSON.parse(document) : document;
  return list((parsed as { Statement?: PolicyStatement | PolicyStatement[] } | undefined)?.Statement);
}
