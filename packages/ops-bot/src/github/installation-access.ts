import type { Probot, ProbotOctokit } from "probot";
import type { TargetRepository } from "../config/target-repository.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

/**
 * The App's installation on the target repository. AWS events carry no installation id, so
 * it is looked up once (GET /repos/{owner}/{repo}/installation) and cached; Probot caches
 * the installation tokens themselves.
 */
export function installationOctokit(probot: Probot, repository: TargetRepository): () => Promise<Octokit> {
  let installationId: Promise<number> | undefined;
  return async () => {
    installationId ??= (async () => {
      const app = await probot.auth();
      const { data } = await app.rest.apps.getRepoInstallation({ owner: repository.owner, repo: repository.repo });
      return data.id;
    })().catch((error: unknown) => {
      installationId = undefined; // try again next time (installed later, GitHub briefly down)
      throw error;
    });
    return probot.auth(await installationId);
  };
}
