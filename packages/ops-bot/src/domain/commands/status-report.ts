import type { LiveRevision } from "../../ports/deployer.js";
import type { PullRequestSnapshot, RecordedDeployment } from "../../ports/repository-gateway.js";
import type { ScalingBounds } from "../../ports/scaler.js";

export interface StatusFacts {
  readonly environment: string;
  readonly live: LiveRevision;
  readonly lastDeployment: RecordedDeployment | undefined;
  readonly pullRequest: PullRequestSnapshot;
  readonly bounds: ScalingBounds | undefined;
}

/** `/status`: what runs in the environment next to what this PR would deploy. */
export function renderStatus(facts: StatusFacts): string {
  const { live, lastDeployment, pullRequest } = facts;
  const liveSha = lastDeployment?.payload.taskDefinitionArn === live.taskDefinitionArn ? lastDeployment.sha : undefined;
  const verdict =
    liveSha === undefined
      ? "The live task definition is not one this bot deployed (or its record is older than the last 30 deployments)."
      : liveSha === pullRequest.headSha
        ? `This PR's head \`${short(pullRequest.headSha)}\` is live.`
        : `This PR's head \`${short(pullRequest.headSha)}\` is not live; \`${short(liveSha)}\` is.`;
  const rows = [
    "| | |",
    "|---|---|",
    `| Task definition | \`${live.taskDefinitionArn.split("/").pop()}\` |`,
    `| Image | \`${live.image}\` |`,
    `| Tasks | ${live.runningCount} running of ${live.desiredCount} desired |`,
    `| Scaling bounds | ${facts.bounds ? `${facts.bounds.min}-${facts.bounds.max}` : "no scalable target"} |`,
    `| Last deploy by the bot | ${lastDeployment ? `#${lastDeployment.id}: \`${short(lastDeployment.sha)}\`` : "none"} |`,
  ];
  return [`**${facts.environment}**: ${verdict}`, "", ...rows].join("\n");
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
