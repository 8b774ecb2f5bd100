import { matchesWildcard } from "./wildcard.js";

// A small evaluator of identity policies, for the statement forms the Phoenix templates use.
// It follows IAM's policy evaluation logic for one principal's identity policies: an explicit
// Deny wins; otherwise a matching Allow is needed; otherwise the request is implicitly denied.
// Resource policies, permission boundaries, session policies and SCPs are out of its scope.

/** A policy statement with every intrinsic function already resolved to strings. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, string | boolean | readonly (string | boolean)[]>>>
  >;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** A policy and where it came from, for messages. */
export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

/** Which statement decided: the policy's name and the statement's index in it. */
export interface DecidingStatement {
  readonly by: string;
  readonly policy: string;
  readonly statement: number;
}

/** What is being authorized: one IAM action on one resource, with the request's context keys. */
export interface AuthorizationRequest {
  /** `service:Action`, e.g. `ecs:UpdateService`. */
  readonly action: string;
  /** The resource ARN the Service Authorization Reference names, or `*` for actions without one. */
  readonly resource: string;
  /** Condition keys of the request (`iam:PassedToService`, `ecs:cluster`…); absent keys are absent. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision =
  | ({ readonly effect: "allow" } & DecidingStatement)
  | ({ readonly effect: "explicit-deny" } & DecidingStatement)
  | { readonly effect: "implicit-deny" };

export class UnsupportedPolicyError extends Error {
  override readonly name = "UnsupportedPolicyError";
}

const asList = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];

function actionMatches(pattern: string, action: string): boolean {
  return pattern === "*" || matchesWildcard(pattern, action, { ignoreCase: true });
}

function resourceMatches(pattern: string, resource: string): boolean {
  return pattern === "*" || matchesWildcard(pattern, resource);
}

/** ARN comparison as ArnLike/ArnEquals do it: six colon-separated parts, each matched with wildcards. */
function arnMatches(pattern: string, arn: string): boolean {
  const split = (value: string) => {
    const parts = value.split(":");
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const p = split(pattern);
  const a = split(arn);
  if (!p || !a) return pattern === "*" || matchesWildcard(pattern, arn);
  return p.every((part, i) => matchesWildcard(part, a[i] as string));
}

type ValueTest = (expected: string, actual: string) => boolean;

const OPERATORS: Readonly<Record<string, ValueTest>> = {
  StringEquals: (expected, actual) => expected === actual,
  StringLike: (expected, actual) => matchesWildcard(expected, actual),
  ArnEquals: arnMatches,
  ArnLike: arnMatches,
  Bool: (expected, actual) => expected.toLowerCase() === actual.toLowerCase(),
};

/**
 * One condition block: every operator, and within it every key, must hold; a key holds when
 * one of the request's values matches one of the policy's. `…IfExists` holds for an absent key.
 * Any operator outside the ones the templates use is refused, not guessed.
 */
function conditionHolds(condition: PolicyStatement["Condition"], context: AuthorizationRequest["context"]): boolean {
  for (const [operatorName, keys] of Object.entries(condition ?? {})) {
    const ifExists = operatorName.endsWith("IfExists");
    const base = ifExists ? operatorName.slice(0, -"IfExists".length) : operatorName;
    const test = OPERATORS[base];
    if (!test) {
      throw new UnsupportedPolicyError(
        `condition operator ${operatorName} is not supported by this evaluator (supported: ${Object.keys(OPERATORS).join(", ")}, with or without IfExists)`,
      );
    }
    for (const [key, expectedValues] of Object.entries(keys)) {
      // Condition keys are case-insensitive.
      const entry = Object.entries(context ?? {}).find(([name]) => name.toLowerCase() === key.toLowerCase());
      if (!entry) {
        if (ifExists) continue;
        return false;
      }
      const actual = asList(entry[1]);
      const expected = asList(expectedValues).map(String);
      if (!actual.some((value) => expected.some((pattern) => test(pattern, value)))) return false;
    }
  }
  return true;
}

function statementApplies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  if (statement.Action !== undefined && statement.NotAction !== undefined) {
    throw new UnsupportedPolicyError("a statement has both Action and NotAction");
  }
  if (statement.Resource !== undefined && statement.NotResource !== undefined) {
    throw new UnsupportedPolicyError("a statement has both Resource and NotResource");
  }
  const actionOk =
    statement.NotAction !== undefined
      ? !asList(statement.NotAction).some((pattern) => actionMatches(pattern, request.action))
      : asList(statement.Action).some((pattern) => actionMatches(pattern, request.action));
  if (!actionOk) return false;
  const resourceOk =
    statement.NotResource !== undefined
      ? !asList(statement.NotResource).some((pattern) => resourceMatches(pattern, request.resource))
      : asList(statement.Resource).some((pattern) => resourceMatches(pattern, request.resource));
  if (!resourceOk) return false;
  return conditionHolds(statement.Condition, request.context);
}

function decidingStatement(policy: NamedPolicy, statement: PolicyStatement, index: number): DecidingStatement {
  return { by: `${policy.name} statement ${statement.Sid ?? `#${index}`}`, policy: policy.name, statement: index };
}

/** The decision for `request` under `policies` (all the principal's identity policies). */
export function evaluate(policies: readonly NamedPolicy[], request: AuthorizationRequest): Decision {
  let allowedBy: DecidingStatement | undefined;
  for (const policy of policies) {
    const statements = asList(policy.document.Statement);
    for (const [index, statement] of statements.entries()) {
      if (statement.Effect !== "Allow" && statement.Effect !== "Deny") {
        throw new UnsupportedPolicyError(
          `${decidingStatement(policy, statement, index).by} has Effect ${statement.Effect}`,
        );
      }
      if (!statementApplies(statement, request)) continue;
      if (statement.Effect === "Deny")
        return { effect: "explicit-deny", ...decidingStatement(policy, statement, index) };
      allowedBy ??= decidingStatement(policy, statement, index);
    }
  }
  return allowedBy ? { effect: "allow", ...allowedBy } : { effect: "implicit-deny" };
}

/** A trust-policy statement: an identity-policy statement plus who it names. */
export interface TrustStatement extends PolicyStatement {
  readonly Principal?: "*" | Readonly<Record<string, string | readonly string[]>>;
  readonly NotPrincipal?: unknown;
}

/** Does `principal` match the caller: `*`, its own ARN, or its account (`<id>` or `arn:…:iam::<id>:root`)? */
function principalNames(principal: TrustStatement["Principal"], callerArn: string): boolean {
  if (principal === "*") return true;
  const account = callerArn.split(":")[4] ?? "";
  return asList(principal?.AWS).some(
    (name) => name === "*" || name === callerArn || name === account || name === `arn:aws:iam::${account}:root`,
  );
}

/**
 * Whether a role's trust policy lets `callerArn` call `request.action` (sts:AssumeRole) on it:
 * a Deny naming the caller wins, else an Allow naming it is needed. For a caller in another
 * account, IAM also needs the caller's own identity policy to allow it; check that with `evaluate`.
 */
export function trustPolicyAllows(
  trustPolicy: PolicyDocument | undefined,
  callerArn: string,
  request: AuthorizationRequest,
): Decision {
  const statements = asList(trustPolicy?.Statement) as readonly TrustStatement[];
  if (statements.some((statement) => statement.NotPrincipal !== undefined)) {
    throw new UnsupportedPolicyError("trust policy with NotPrincipal");
  }
  const naming = statements.filter((statement) => principalNames(statement.Principal, callerArn));
  // A trust policy names no Resource: the role it belongs to is the resource.
  const stripped = naming.map(({ Principal: _principal, NotPrincipal: _notPrincipal, ...statement }) => ({
    ...statement,
    Resource: request.resource,
  }));
  return evaluate([{ name: "trust policy", document: { Statement: stripped } }], request);
}
