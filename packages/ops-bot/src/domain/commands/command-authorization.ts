import type { RepositoryPermission } from "../../ports/repository-gateway.js";
import type { EnvironmentConfig } from "../ops-config/ops-config-schema.js";

export type Authorization = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const WRITERS: readonly RepositoryPermission[] = ["admin", "maintain", "write"];

/** Whether the person may run commands at all: write access or higher on the repository. */
export function authorizeCollaborator(login: string, permission: RepositoryPermission): Authorization {
  if (WRITERS.includes(permission)) return { allowed: true };
  return {
    allowed: false,
    reason: `@${login}, only collaborators with write access or higher can run ops commands here (your access: ${permission}).`,
  };
}

/**
 * Per-environment rule: when the environment names users or teams, the person must be one
 * of those users or a member of one of those teams. `memberOf` answers team membership.
 */
export async function authorizeForEnvironment(
  login: string,
  environment: Pick<EnvironmentConfig, "name" | "allowedUsers" | "allowedTeams">,
  memberOf: (org: string, teamSlug: string) => Promise<boolean>,
): Promise<Authorization> {
  const { allowedUsers, allowedTeams } = environment;
  if (allowedUsers.length === 0 && allowedTeams.length === 0) return { allowed: true };
  if (allowedUsers.some((user) => user.toLowerCase() === login.toLowerCase())) return { allowed: true };
  for (const team of allowedTeams) {
    const [org, slug] = team.split("/");
    if (org && slug && (await memberOf(org, slug))) return { allowed: true };
  }
  const who = [...allowedUsers.map((user) => `@${user}`), ...allowedTeams.map((team) => `@${team}`)].join(", ");
  return { allowed: false, reason: `@${login}, only ${who} may act on **${environment.name}**.` };
}
