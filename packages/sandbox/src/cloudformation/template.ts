// The template shape is @phoenix/infra's (what `synthesizePhoenixTemplates` returns); this file
// adds only what the sandbox reads of it.
import type { CloudFormationResource, CloudFormationTemplate } from "@phoenix/infra";

export type { CloudFormationResource, CloudFormationTemplate };

/** CloudFormation's parameter type that CloudFormation itself reads from SSM Parameter Store at deploy time. */
export const SSM_STRING_PARAMETER_TYPE = "AWS::SSM::Parameter::Value<String>";

/** The resources of one type, by logical id, in template order. */
export function resourcesOfType(
  template: CloudFormationTemplate,
  type: string,
): readonly (readonly [string, CloudFormationResource])[] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}
