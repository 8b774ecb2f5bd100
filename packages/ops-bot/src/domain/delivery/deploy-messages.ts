import { code, fitBody, quoteLine, shortSha } from "../rendering/markdown.js";
import type { DeployTrigger, InFlightDeploy } from "./in-flight-deploy.js";

export type DeployPhase = "running" | "succeeded" | "failed";

/** The PR comment a deploy keeps updated in place: a header that ends in 🚀 or 😕, then its steps. */
export function renderDeployComment(deploy: InFlightDeploy, phase: DeployPhase, reason?: string): string {
  const what = deploy.rollbackOf
    ? `Rollback of **${deploy.environment}** to \`${shortSha(deploy.sha)}\``
    : `Deploy of \`${shortSha(deploy.sha)}\` to **${deploy.environment}**`;
  const header =
    phase === "running"
      ? `### ⏳ ${what} in progress`
      : phase === "succeeded"
        ? `### 🚀 ${what} succeeded`
        : `### 😕 ${what} failed`;
  const lines = [header, "", `Started by ${describeTrigger(deploy.trigger)}.`, ""];
  for (const step of deploy.steps) lines.push(`- ${step}`);
  if (reason) lines.push("", quoteLine(reason));
  if (deploy.environmentUrl && phase === "succeeded") lines.push("", `Live at ${deploy.environmentUrl}`);
  return fitBody(lines.join("\n"));
}

export function describeTrigger(trigger: DeployTrigger): string {
  const pr = trigger.pullRequest ? ` on #${trigger.pullRequest}` : "";
  switch (trigger.kind) {
    case "merge":
      return `the merge of #${trigger.pullRequest ?? "?"} by @${trigger.actor}`;
    case "push":
      return `a push by @${trigger.actor}`;
    case "deploy":
      return `@${trigger.actor}'s \`/deploy\`${pr}`;
    case "rollback":
      return `@${trigger.actor}'s \`/rollback\`${pr}`;
  }
}

/** Told to whoever asks while another deploy holds the environment. */
export function renderLockedMessage(environment: string, holder: InFlightDeploy | undefined, expiresAt: Date): string {
  const since = holder ? ` since ${holder.startedAt.replace(/\.\d+Z$/, "Z")}` : "";
  const who = holder ? `${describeTrigger(holder.trigger)} (\`${shortSha(holder.sha)}\`)` : "another deploy";
  return `**${environment}** is locked by ${who}${since}. The lock is released when that deploy ends, at the latest at ${expiresAt.toISOString().replace(/\.\d+Z$/, "Z")}; try again then.`;
}

/** The step a deploy shows when the commit already had an image: no second build happened. */
export function renderReusedImageStep(sha: string, digest: string): string {
  return `♻️ Reused the image built for ${code(shortSha(sha))} (${code(digest)}); nothing rebuilt`;
}

/** Told when a deploy could not find out whether its commit already has an image. */
export function renderImageLookupFailure(sha: string, reason: string): string {
  return `Could not find out whether ${code(shortSha(sha))} already has an image, so nothing was deployed: ${reason}`;
}
