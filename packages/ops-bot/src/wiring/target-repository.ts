import { OPS_BOT_ENV } from "@phoenix/shared";
import type { RepositoryRef } from "../ports/repository-gateway.js";

export class BotConfigError extends Error {
  override readonly name = "BotConfigError";
}

// GitHub's rules: owners are alphanumerics and single hyphens; repository names add `.` and `_`.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** The repository AWS events are reported to (they carry no repository of their own). */
export function readTargetRepository(env: Readonly<Record<string, string | undefined>>): RepositoryRef {
  const name = OPS_BOT_ENV.targetRepository;
  const value = env[name]?.trim();
  if (!value) throw new BotConfigError(`config: ${name} is required (owner/name of the repository to report to)`);
  const [owner, repo, ...rest] = value.split("/");
  if (!owner || !repo || rest.length > 0 || !OWNER.test(owner) || !REPO.test(repo) || repo === "." || repo === "..") {
    throw new BotConfigError(`config: ${name} must look like owner/name, got "${value}"`);
  }
  return { owner, repo };
}
