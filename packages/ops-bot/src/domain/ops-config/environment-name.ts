import { type DeploymentIdentity, InvalidResourceNameError, resourceNames } from "@phoenix/shared";

/** The rule `resourceNames` applies to app and environment names, as users are told it. */
export const RESOURCE_NAME_RULE =
  "lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen";

/**
 * Why `name` can be no environment of any app, or `undefined` when some app could use it.
 * `resourceNames` owns the rule; asking it with the shortest possible app keeps one source of
 * truth. Whether the name also fits next to a particular app is the config's check.
 */
export function environmentNameProblem(name: string): string | undefined {
  return segmentProblem("environment", { app: "a", environment: name });
}

/** Why `app` can be no app name, or `undefined`; as {@link environmentNameProblem}. */
export function appNameProblem(app: string): string | undefined {
  return segmentProblem("app", { app, environment: "a" });
}

/**
 * `resourceNames`' own message when `identity` cannot name resources, or `undefined`. Its
 * messages quote no user input except when one name breaks the character rule, which the
 * callers above check first.
 */
export function resourceNamesProblem(identity: DeploymentIdentity): string | undefined {
  try {
    resourceNames(identity);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidResourceNameError) return error.message;
    throw error;
  }
}

function segmentProblem(key: keyof DeploymentIdentity, identity: DeploymentIdentity): string | undefined {
  const problem = resourceNamesProblem(identity);
  if (problem === undefined) return undefined;
  // resourceNames reports the character rule as `<key> "…" must …`; anything else is length.
  return problem.startsWith(`${key} `) ? `must be ${RESOURCE_NAME_RULE}` : "is too long for AWS resource names";
}
