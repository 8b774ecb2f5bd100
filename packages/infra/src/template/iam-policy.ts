/**
 * A small evaluator of IAM policies, for the statement forms the Phoenix templates use, following
 * IAM's policy evaluation logic ("Policy evaluation logic" in the IAM User Guide): an explicit Deny
 * wins; otherwise a matching Allow is needed; otherwise the request is implicitly denied.
 * `Action`/`NotAction` and `Resource`/`NotResource` with `*` and `?` wildcards; the condition
 * operators `StringEquals`, `StringNotEquals`, `StringLike`, `ArnEquals`, `ArnLike` and `Bool`
 * (each also `…IfExists`); `Principal` as `*`, an account or an ARN in resource and trust
 * policies. Anything else is refused, not guessed. Permission boundaries, session policies and
 * SCPs are out of its scope.
 */
import { matchesWildcard } from "./iam-wildcard.js";

/** A policy statement with every intrinsic function already resolved to strings. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  /** Who a resource or trust policy's statement is about; identity policies have none. */
  readonly Principal?: "*" | Readonly<Record<string, string | readonly string[]>>;
  readonly NotPrincipal?: unknown;
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

// A `*` in a Resource may span the ARN's colons, as IAM lets a segment's trailing `*` do.
function resourceMatches(pattern: string, resource: string): boolean {
  return pattern === "*" || matchesWildcard(pattern, resource);
}

/** ARN comparison as ArnLike/ArnEquals do it: six colon-separated parts, each matched with wildcards. */
export function arnMatches(pattern: string, arn: string): boolean {
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

const NEGATED: ReadonlySet<string> = new Set(["StringNotEquals"]);

/** Each operator's test of one policy value against one request value; a negated one holds when no pair matches. */
const OPERATORS: Readonly<Record<string, ValueTest>> = {
  StringEquals: (expected, actual) => expected === actual,
  StringNotEquals: (expected, actual) => expected === actual,
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
      const negated = NEGATED.has(base);
      // An absent key matches nothing: a negated operator holds, others only with IfExists.
      if (!entry) {
        if (ifExists || negated) continue;
        return false;
      }
      const actual = asList(entry[1]);
      const expected = asList(expectedValues).map(String);
      const anyPair = actual.some((value) => expected.some((pattern) => test(pattern, value)));
      if (anyPair === negated) return false;
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

/** The statements of a policy document, given as JSON text (as `RepositoryPolicyText` may be) or as an object. */
export function documentStatements(document: unknown): PolicyStatement[] {
  const parsed = typeof document === "string" ? JSON.parse(document) : document;
  return [...asList((parsed as Partial<PolicyDocument> | undefined)?.Statement)];
}

/** The AWS principals (ARNs or account ids) a statement names; `*` for anyone. */
export function awsPrincipals(statement: PolicyStatement): string[] {
  const principal = statement.Principal;
  if (principal === "*") return ["*"];
  return [...asList(principal?.AWS)];
}

/** Whether a principal entry (`*`, an account id, `arn:…:iam::<account>:root`, an ARN) names the caller. */
export function principalAdmits(entry: string, callerArn: string): boolean {
  if (entry === "*") return true;
  const account = callerArn.split(":")[4];
  if (/^\d{12}$/.test(entry)) return entry === account;
  if (/^arn:[^:]+:iam::\d{12}:root$/.test(entry)) return entry.split(":")[4] === account;
  return entry === callerArn;
}

/**
 * Whether a resource's policy (an ECR repository policy, an event bus policy, a role's trust
 * policy) lets `callerArn` do `request`: a Deny naming the caller wins, else an Allow naming it is
 * needed. A statement without `Resource` is about the resource the policy is attached to. For a
 * caller in another account IAM also needs the caller's own identity policy to allow it: check
 * that with {@link evaluate}.
 */
export function resourcePolicyDecision(document: unknown, callerArn: string, request: AuthorizationRequest): Decision {
  const statements = documentStatements(document);
  if (statements.some((statement) => statement.NotPrincipal !== undefined)) {
    throw new UnsupportedPolicyError("a resource policy with NotPrincipal");
  }
  const naming = statements
    .filter((statement) => awsPrincipals(statement).some((entry) => principalAdmits(entry, callerArn)))
    .map(({ Principal: _principal, ...statement }) =>
      statement.Resource === undefined && statement.NotResource === undefined
        ? { ...statement, Resource: request.resource }
        : statement,
    );
  return evaluate([{ name: "resource policy", document: { Statement: naming } }], request);
}
