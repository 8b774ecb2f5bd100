/**
 * "CodeBuild Build State Change" events (AWS CodeBuild User Guide, "Build notifications input
 * format reference"). A terminal state resumes the deploy that waits on the image build.
 */

import { EVENT_DETAIL_TYPES, EVENT_SOURCES } from "@phoenix/shared";
import { z } from "zod";
import { eventBridgeEventSchema } from "./eventbridge-envelope.js";
import { parseOrThrow } from "./parse-error.js";

/**
 * Build statuses of the CodeBuild API. The guide's event pattern lists IN_PROGRESS,
 * SUCCEEDED, FAILED and STOPPED; FAULT and TIMED_OUT are the API's other terminal statuses.
 */
export const CODEBUILD_BUILD_STATUSES = [
  "IN_PROGRESS",
  "SUCCEEDED",
  "FAILED",
  "FAULT",
  "TIMED_OUT",
  "STOPPED",
] as const;
export type CodeBuildBuildStatus = (typeof CODEBUILD_BUILD_STATUSES)[number];

const nameValue = z.looseObject({ name: z.string(), value: z.string() });

export const codeBuildAdditionalInformationSchema = z.looseObject({
  /** Variables the buildspec's `exported-variables` exported, once the build has finished. */
  "exported-environment-variables": z.array(nameValue).optional(),
  /** The commit (or other version) the build ran on, when the build was started with one. */
  "source-version": z.string().optional(),
  "build-complete": z.boolean().optional(),
  initiator: z.string().optional(),
  "build-start-time": z.string().optional(),
  logs: z
    .looseObject({
      "group-name": z.string().optional(),
      "stream-name": z.string().optional(),
      "deep-link": z.string().optional(),
    })
    .optional(),
});

export const codeBuildBuildDetailSchema = z.looseObject({
  "build-status": z.enum(CODEBUILD_BUILD_STATUSES),
  "project-name": z.string().min(1),
  /** The build's ARN (`arn:aws:codebuild:<region>:<account>:build/<project>:<uuid>`). */
  "build-id": z.string().min(1),
  "additional-information": codeBuildAdditionalInformationSchema.optional(),
  "current-phase": z.string().optional(),
  "current-phase-context": z.string().optional(),
  version: z.string().optional(),
});

export type CodeBuildBuildDetail = z.output<typeof codeBuildBuildDetailSchema>;

export const codeBuildBuildStateChangeSchema = eventBridgeEventSchema(
  EVENT_SOURCES.codebuild,
  EVENT_DETAIL_TYPES.codeBuildStateChange,
  codeBuildBuildDetailSchema,
);

export type CodeBuildBuildStateChange = z.output<typeof codeBuildBuildStateChangeSchema>;

/** Parses a "CodeBuild Build State Change" event. Throws `EventParseError` naming the bad field. */
export function parseCodeBuildBuildStateChange(event: unknown): CodeBuildBuildStateChange {
  return parseOrThrow(codeBuildBuildStateChangeSchema, event, EVENT_DETAIL_TYPES.codeBuildStateChange);
}

/** The build's exported variables as a map (empty when the event carries none). */
export function exportedVariablesOf(event: CodeBuildBuildStateChange): Readonly<Record<string, string>> {
  const variables = event.detail["additional-information"]?.["exported-environment-variables"] ?? [];
  return Object.fromEntries(variables.map(({ name, value }) => [name, value]));
}

/** The build id BatchGetBuilds takes, from the build ARN a state-change event carries (an id stays as it is). */
export function buildIdOf(buildIdOrArn: string): string {
  const marker = ":build/";
  const at = buildIdOrArn.startsWith("arn:") ? buildIdOrArn.indexOf(marker) : -1;
  return at === -1 ? buildIdOrArn : buildIdOrArn.slice(at + marker.length);
}
