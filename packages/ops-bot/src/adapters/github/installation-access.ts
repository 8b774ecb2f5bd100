import type { Probot, ProbotOctokit } from "probot";
import type { RepositoryRef } from "../../ports/repository-gateway.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

/**
 * The App's installation on the target repository. AWS events carry no installation id, so
 * it is looked up once (GET /repos/{owner}/{repo}/installation) and cached; Probot caches
 * the installation tokens themselves.
 */
export function installationOctokit(probot: Probot, repository: RepositoryRef): () => Promise<Octokit> {
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

/** `installationOctokit` for any repository the App is installed on, one cached lookup per repository. */
export function installationOctokits(probot: Probot): (repository: RepositoryRef) => Promise<Octokit> {
  const byRepository = new Map<string, () => Promise<Octokit>>();
  return (repository) => {
    const key = `${repository.owner}/${repository.repo}`.toLowerCase();
    let octokit = byRepository.get(key);
    if (!octokit) {
      octokit = installationOctokit(probot, repository);
      byRepository.set(key, octokit);
    }
    return octokit();
  };
}
