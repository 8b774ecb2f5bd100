import type { LiveRevision } from "../../ports/deployer.js";
import type { PullRequestSnapshot, RecordedDeployment } from "../../ports/repository-gateway.js";
import type { ScalingBounds } from "../../ports/scaler.js";
import { code, codeCell, factTable, shortSha } from "../rendering/markdown.js";

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
        ? `This PR's head ${code(shortSha(pullRequest.headSha))} is live.`
        : `This PR's head ${code(shortSha(pullRequest.headSha))} is not live; ${code(shortSha(liveSha))} is.`;
  const rows = factTable([
    ["Task definition", codeCell(live.taskDefinitionArn.split("/").pop() ?? live.taskDefinitionArn)],
    ["Image", codeCell(live.image)],
    ["Tasks", `${live.runningCount} running of ${live.desiredCount} desired`],
    ["Scaling bounds", facts.bounds ? `${facts.bounds.min}-${facts.bounds.max}` : "no scalable target"],
    [
      "Last deploy by the bot",
      lastDeployment ? `#${lastDeployment.id}: ${codeCell(shortSha(lastDeployment.sha))}` : "none",
    ],
  ]);
  return [`**${facts.environment}**: ${verdict}`, "", rows].join("\n");
}
