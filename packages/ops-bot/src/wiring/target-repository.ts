import { OPS_BOT_ENV } from "@phoenix/shared";
import { parseRepositoryFullName } from "../domain/events/environment-labels.js";
import type { RepositoryRef } from "../ports/repository-gateway.js";

export class BotConfigError extends Error {
  override readonly name = "BotConfigError";
}

/**
 * The plain server's default repository: SNS alarm messages carry no labels and are reported
 * to it, and the reconciler scans its environments.
 */
export function readTargetRepository(env: Readonly<Record<string, string | undefined>>): RepositoryRef {
  const name = OPS_BOT_ENV.targetRepository;
  const value = env[name]?.trim();
  if (!value) throw new BotConfigError(`config: ${name} is required (owner/name of the repository to report to)`);
  const repository = parseRepositoryFullName(value);
  if (!repository) throw new BotConfigError(`config: ${name} must look like owner/name, got "${value}"`);
  return repository;
}
