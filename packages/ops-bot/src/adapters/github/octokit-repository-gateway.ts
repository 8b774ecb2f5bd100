import type { ProbotOctokit } from "probot";
import type {
  DeploymentPayload,
  PullRequestSnapshot,
  RecordedDeployment,
  RepositoryGateway,
  RepositoryPermission,
  RepositoryRef,
} from "../../ports/repository-gateway.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

/** How far back `lastSuccessfulDeployment` looks: older history is not a rollback target. */
const DEPLOYMENTS_SCANNED = 30;
const PERMISSIONS: readonly RepositoryPermission[] = ["admin", "maintain", "write", "triage", "read", "none"];

export function createOctokitRepositoryGateway(octokit: Octokit, repository: RepositoryRef): RepositoryGateway {
  const { owner, repo } = repository;
  return {
    repository,

    async permission(login) {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login });
        // role_name distinguishes maintain and triage; the legacy `permission` field does not.
        const role = (data.role_name ?? data.permission) as RepositoryPermission;
        return PERMISSIONS.includes(role) ? role : "none";
      } catch (error) {
        if (statusOf(error) === 404) return "none";
        throw error;
      }
    },

    async isTeamMember(org, teamSlug, login) {
      try {
        const { data } = await octokit.rest.teams.getMembershipForUserInOrg({
          org,
          team_slug: teamSlug,
          username: login,
        });
        return data.state === "active";
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    },

    async pullRequest(number): Promise<PullRequestSnapshot> {
      const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
      return {
        number: data.number,
        state: data.state === "open" ? "open" : "closed",
        merged: data.merged,
        headSha: data.head.sha,
        headRef: data.head.ref,
        headRepository: data.head.repo?.full_name,
        baseRepository: data.base.repo.full_name,
      };
    },

    async approvers(number) {
      const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
        owner,
        repo,
        pull_number: number,
        per_page: 100,
      });
      // Reviews come oldest first: a later review by the same person replaces the earlier one.
      const latest = new Map<string, string>();
      for (const review of reviews) {
        if (review.user && review.state !== "COMMENTED") latest.set(review.user.login, review.state);
      }
      return [...latest].filter(([, state]) => state === "APPROVED").map(([login]) => login);
    },

    async successfulChecks(sha) {
      const [runs, statuses] = await Promise.all([
        octokit.rest.checks.listForRef({ owner, repo, ref: sha, per_page: 100 }),
        octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha, per_page: 100 }),
      ]);
      return [
        ...runs.data.check_runs.filter((run) => run.conclusion === "success").map((run) => run.name),
        ...statuses.data.statuses.filter((status) => status.state === "success").map((status) => status.context),
      ];
    },

    async commitDate(sha) {
      const { data } = await octokit.rest.repos.getCommit({ owner, repo, ref: sha });
      const date = data.commit.committer?.date ?? data.commit.author?.date;
      if (!date) throw new Error(`commit ${sha} has no committer date`);
      return new Date(date);
    },

    async react(commentId, content) {
      await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content });
    },

    async comment(issueNumber, body) {
      const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
      return data.id;
    },

    async updateComment(commentId, body) {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
    },

    async createDeployment(deployment) {
      const response = await octokit.rest.repos.createDeployment({
        owner,
        repo,
        ref: deployment.sha,
        environment: deployment.environment,
        description: deployment.description.slice(0, 140),
        payload: { ...deployment.payload },
        // The bot checks approvals and required checks itself, per environment.
        auto_merge: false,
        required_contexts: [],
        production_environment: deployment.productionEnvironment,
      });
      if (response.status !== 201 || !("id" in response.data)) {
        throw new Error(`GitHub did not create the deployment: ${JSON.stringify(response.data)}`);
      }
      return response.data.id;
    },

    async setDeploymentStatus(deploymentId, status) {
      await octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: deploymentId,
        state: status.state,
        description: status.description.slice(0, 140),
        ...(status.logUrl ? { log_url: status.logUrl } : {}),
        ...(status.environmentUrl ? { environment_url: status.environmentUrl } : {}),
        auto_inactive: true,
      });
    },

    async findSuccessfulDeployment(environment, wanted = () => true) {
      const { data: deployments } = await octokit.rest.repos.listDeployments({
        owner,
        repo,
        environment,
        per_page: DEPLOYMENTS_SCANNED,
      });
      for (const deployment of deployments) {
        const payload = deployment.payload as unknown as Partial<DeploymentPayload>;
        if (typeof payload?.taskDefinitionArn !== "string") continue;
        const candidate: RecordedDeployment = {
          id: deployment.id,
          sha: deployment.sha,
          payload: payload as DeploymentPayload,
        };
        if (!wanted(candidate)) continue;
        const { data: statuses } = await octokit.rest.repos.listDeploymentStatuses({
          owner,
          repo,
          deployment_id: deployment.id,
          per_page: 1,
        });
        // GitHub marks a successful deployment inactive once a later one succeeds: both ran.
        const latest = statuses[0]?.state;
        if (latest === "success" || latest === "inactive") return candidate;
      }
      return undefined;
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error ? Number(error.status) : undefined;
}
