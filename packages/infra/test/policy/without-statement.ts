import type { DeployedTemplate, TemplatePolicy } from "../../src/template/index.js";

/**
 * The stacks with one statement of one policy removed (the templates are copied, not changed):
 * what a template that forgot that grant would deploy.
 */
export function withoutStatement(
  stacks: readonly DeployedTemplate[],
  policy: TemplatePolicy,
  statementIndex: number,
): DeployedTemplate[] {
  return stacks.map((stack) => {
    if (stack.stackName !== policy.stackName) return stack;
    const template = structuredClone(stack.template);
    const properties = template.Resources?.[policy.logicalId]?.Properties as Record<string, unknown>;
    const holder =
      policy.inlineName === undefined
        ? properties
        : (properties.Policies as { PolicyName: string }[]).find((inline) => inline.PolicyName === policy.inlineName);
    const document = (holder as { PolicyDocument: { Statement: unknown } }).PolicyDocument;
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    document.Statement = statements.filter((_, index) => index !== statementIndex);
    return { ...stack, template };
  });
}
