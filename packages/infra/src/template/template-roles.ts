/**
 * The IAM roles of synthesized templates with every policy that applies to them, resolved: what
 * an evaluator needs to decide what a role may do (`evaluate`) and who may assume it
 * (`resourcePolicyDecision` of its trust policy).
 */
import type { NamedPolicy, PolicyDocument } from "./iam-policy.js";
import { type DeployedTemplate, TemplateResolver } from "./template-resolver.js";

/** A policy as one resource of one template holds it (a role's inline policy: its `inlineName`). */
export interface TemplatePolicy extends NamedPolicy {
  readonly stackName: string;
  readonly logicalId: string;
  readonly inlineName?: string;
}

/** An IAM role a template creates, with its identity policies and trust policy resolved. */
export interface TemplateRole {
  readonly stackName: string;
  readonly logicalId: string;
  readonly account: string;
  /** The role's name (an `unresolvedValue` when CloudFormation would generate it). */
  readonly name: string;
  readonly arn: string;
  /** Inline policies, AWS::IAM::Policy and AWS::IAM::ManagedPolicy resources attached to it. */
  readonly policies: readonly TemplatePolicy[];
  /** Managed policies by ARN that no template defines (AWS managed): not evaluated, only listed. */
  readonly unevaluatedManagedPolicies: readonly string[];
  readonly trustPolicy: PolicyDocument | undefined;
}

interface RoleAttachment {
  readonly stack: DeployedTemplate;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
}

/**
 * Every role of every stack, its policies gathered from wherever the templates attach them:
 * a role's own `Policies`, and `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` resources whose
 * `Roles` name it (in any stack of the same account). A role whose name CloudFormation generates
 * is matched through the reference itself: its unresolved name is the same wherever it is referred to.
 */
export function rolesOfTemplates(
  stacks: readonly DeployedTemplate[],
  resolver: TemplateResolver = new TemplateResolver(stacks),
): TemplateRole[] {
  const attachments: RoleAttachment[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy") {
        attachments.push({ stack, logicalId, type: resource.Type, properties: resource.Properties ?? {} });
      }
    }
  }
  const attachedRoleNames = (attachment: RoleAttachment) =>
    ((resolver.resolve(attachment.stack, attachment.properties.Roles) as unknown[] | undefined) ?? []).map(String);
  const documentOf = (stack: DeployedTemplate, document: unknown) =>
    resolver.resolve(stack, document) as PolicyDocument;

  const roles: TemplateRole[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== "AWS::IAM::Role") continue;
      const properties = resource.Properties ?? {};
      const name = resolver.resolveString(stack, { Ref: logicalId });
      const arn = resolver.resolveString(stack, { "Fn::GetAtt": [logicalId, "Arn"] });
      const policies: TemplatePolicy[] = [];
      const inline =
        (resolver.resolve(stack, properties.Policies) as
          | { PolicyName: string; PolicyDocument: PolicyDocument }[]
          | undefined) ?? [];
      for (const policy of inline) {
        policies.push({
          name: `${stack.stackName}.${logicalId} inline ${policy.PolicyName}`,
          document: policy.PolicyDocument,
          stackName: stack.stackName,
          logicalId,
          inlineName: policy.PolicyName,
        });
      }
      for (const attachment of attachments) {
        if (attachment.stack.account !== stack.account) continue;
        if (!attachedRoleNames(attachment).includes(name)) continue;
        policies.push({
          name: `${attachment.stack.stackName}.${attachment.logicalId}`,
          document: documentOf(attachment.stack, attachment.properties.PolicyDocument),
          stackName: attachment.stack.stackName,
          logicalId: attachment.logicalId,
        });
      }
      const unevaluatedManagedPolicies: string[] = [];
      const managedArns = ((resolver.resolve(stack, properties.ManagedPolicyArns) as unknown[] | undefined) ?? []).map(
        String,
      );
      for (const managedArn of managedArns) {
        const defined = attachments.find(
          (attachment) =>
            attachment.type === "AWS::IAM::ManagedPolicy" &&
            resolver.resolveString(attachment.stack, { Ref: attachment.logicalId }) === managedArn,
        );
        if (defined) {
          policies.push({
            name: `${defined.stack.stackName}.${defined.logicalId}`,
            document: documentOf(defined.stack, defined.properties.PolicyDocument),
            stackName: defined.stack.stackName,
            logicalId: defined.logicalId,
          });
        } else {
          unevaluatedManagedPolicies.push(managedArn);
        }
      }
      roles.push({
        stackName: stack.stackName,
        logicalId,
        account: stack.account,
        name,
        arn,
        policies: dedupe(policies),
        unevaluatedManagedPolicies,
        trustPolicy: resolver.resolve(stack, properties.AssumeRolePolicyDocument) as PolicyDocument | undefined,
      });
    }
  }
  return roles;
}

/** A managed policy listed both in `Roles` and in the role's `ManagedPolicyArns` counts once. */
function dedupe(policies: TemplatePolicy[]): TemplatePolicy[] {
  return policies.filter((policy, index) => policies.findIndex((other) => other.name === policy.name) === index);
}

/** The role an ARN names, among the templates' roles. */
export function roleByArn(roles: readonly TemplateRole[], roleArn: string): TemplateRole | undefined {
  return roles.find((role) => role.arn === roleArn);
}

/** The role a stack creates under a logical id. */
export function roleByLogicalId(
  roles: readonly TemplateRole[],
  stackName: string,
  logicalId: string,
): TemplateRole | undefined {
  return roles.find((role) => role.stackName === stackName && role.logicalId === logicalId);
}
