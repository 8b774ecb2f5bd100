import { Stack, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * Acknowledges cdk-nag's IAM5 finding for one wildcard resource of the construct's policies.
 * cdk-nag names such a finding after the resolved ARN, with references written `<LogicalId>`
 * or `<LogicalId.Attribute>`; this renders the ARN the same way, so the acknowledgement covers
 * that one resource and nothing else.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenReference(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}

function flattenReference(value: unknown): string {
  if (typeof value === "string") return value.replace(/\$\{/g, "<").replace(/}/g, ">");
  if (value && typeof value === "object") {
    const node = value as Record<string, unknown>;
    const join = node["Fn::Join"] as [string, unknown[]] | undefined;
    if (join) return join[1].map(flattenReference).join(join[0]);
    const getAtt = node["Fn::GetAtt"] as [string, string] | undefined;
    if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
    if ("Ref" in node) return `<${String(node.Ref)}>`;
  }
  return JSON.stringify(value);
}
