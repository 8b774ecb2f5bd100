/**
 * The labels the ops stack's event bus puts around an environment's event (see
 * `labelledEventInputTemplate` in @phoenix/shared): `{ phoenixOps: { environment, repository },
 * event }`. They tell the bot which repository's issues and which environment of its
 * `.github/phoenix-ops.yml` the event concerns, so the bot keeps no table from AWS resources to
 * repositories. The labels are parsed strictly: a label that could not have come from the infra
 * is a malformed event, not a hint to guess from.
 */

import { ENVIRONMENT_LABELS_KEY } from "@phoenix/shared";
import { z } from "zod";
import type { RepositoryRef } from "../../ports/repository-gateway.js";
import { environmentNameProblem } from "../ops-config/environment-name.js";
import { parseOrThrow } from "./parse-error.js";

/** The labels of one environment event, parsed. */
export interface EventLabels {
  /** A name `resourceNames` accepts as an environment; a key of the repository's ops config, if it is right. */
  readonly environment: string;
  readonly repository: RepositoryRef;
}

/** An environment event with its labels taken off: `event` is the original EventBridge event. */
export interface LabelledEvent {
  readonly labels: EventLabels;
  readonly event: Readonly<Record<string, unknown>>;
}

export const LABELLED_EVENT_KIND = "Labelled environment event";

// GitHub's rules: owners (users and organisations) are up to 39 alphanumerics and single
// hyphens, neither first nor last; repository names are up to 100 of alphanumerics, `.`, `-`
// and `_`, and GitHub refuses `.` and `..`.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** `owner/name` as GitHub allows it, or `undefined` for anything else (no trimming, no URL forms). */
export function parseRepositoryFullName(text: string): RepositoryRef | undefined {
  const [owner, repo, ...rest] = text.split("/");
  if (owner === undefined || repo === undefined || rest.length > 0) return undefined;
  if (!OWNER.test(owner) || !REPO.test(repo) || repo === "." || repo === "..") return undefined;
  return { owner, repo };
}

const labelsSchema = z.strictObject({
  environment: z.string().superRefine((name, ctx) => {
    const problem = environmentNameProblem(name);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: `environment name ${problem}` });
  }),
  repository: z
    .string()
    .refine((text) => parseRepositoryFullName(text) !== undefined, "must be a GitHub repository as owner/name"),
});

const labelledEventSchema = z.strictObject({
  [ENVIRONMENT_LABELS_KEY]: labelsSchema,
  event: z.record(z.string(), z.unknown()),
});

/** Whether `input` claims to be labelled (it has the labels key); `parseLabelledEvent` checks the claim. */
export function hasEnvironmentLabels(input: Readonly<Record<string, unknown>>): boolean {
  return Object.hasOwn(input, ENVIRONMENT_LABELS_KEY);
}

/**
 * Parses a labelled environment event: exactly the labels key and `event`, the labels exactly
 * `environment` and `repository`. Throws `EventParseError` naming the bad field; the inner
 * event is only checked to be an object here (its own parser reads it).
 */
export function parseLabelledEvent(input: unknown): LabelledEvent {
  const parsed = parseOrThrow(labelledEventSchema, input, LABELLED_EVENT_KIND);
  const labels = parsed[ENVIRONMENT_LABELS_KEY];
  const repository = parseRepositoryFullName(labels.repository) as RepositoryRef;
  return { labels: { environment: labels.environment, repository }, event: parsed.event };
}

/** The labels as the infra writes them, for logs: `owner/name` and the environment. */
export function describeLabels(labels: EventLabels): { readonly repository: string; readonly environment: string } {
  return { repository: `${labels.repository.owner}/${labels.repository.repo}`, environment: labels.environment };
}
