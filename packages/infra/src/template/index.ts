// Reading synthesized templates: one home for the deployability suite, the IAM check of the bot's
// calls and the sandbox (which seeds moto and routes events from the same templates at runtime).
export { matchesEventPattern, UnsupportedEventPatternError } from "./event-pattern.js";
export {
  type AuthorizationRequest,
  arnMatches,
  awsPrincipals,
  type DecidingStatement,
  type Decision,
  documentStatements,
  evaluate,
  type NamedPolicy,
  type PolicyDocument,
  type PolicyStatement,
  principalAdmits,
  resourcePolicyDecision,
  UnsupportedPolicyError,
} from "./iam-policy.js";
export { matchesWildcard } from "./iam-wildcard.js";
export {
  type IntrinsicScope,
  isUnresolved,
  NO_VALUE,
  referencedLogicalIds,
  resolveIntrinsicString,
  resolveIntrinsics,
  type TemplateMappings,
  UnresolvableIntrinsicError,
  unresolvedValue,
} from "./intrinsics.js";
export { namedResourceValue, type ResourcePlace } from "./named-resources.js";
export {
  type DeployedTemplate,
  type ParameterReference,
  type ResourceReference,
  TemplateResolver,
  type TemplateResolverOptions,
} from "./template-resolver.js";
export {
  roleByArn,
  roleByLogicalId,
  rolesOfTemplates,
  type TemplatePolicy,
  type TemplateRole,
} from "./template-roles.js";
