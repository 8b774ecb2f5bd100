import { readFileSync } from "node:fs";
import {
  BatchGetBuildsCommand,
  type BatchGetBuildsCommandOutput,
  type Build,
  type CodeBuildClient,
  ListBuildsForProjectCommand,
  StartBuildCommand,
} from "@aws-sdk/client-codebuild";
import { describe, expect, it } from "vitest";
import {
  buildOutcomeOf,
  CodeBuildImageBuilder,
  idempotencyTokenFor,
} from "../../../src/adapters/aws/codebuild-image-builder.js";
import { DeliveryError } from "../../../src/ports/delivery-error.js";

type Responses = Record<"succeeded" | "failed" | "inProgress", BatchGetBuildsCommandOutput>;
const responses = JSON.parse(
  readFileSync(new URL("../../fixtures/aws-api/codebuild-batch-get-builds.json", import.meta.url), "utf8"),
) as Responses;

const REPOSITORY_URI = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix";
const PROJECT = "phoenix-staging-image-build";
const SHA = "4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d";
const DIGEST = "sha256:3b1f8e4c9d2a7b6e5f0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a";

const only = (response: BatchGetBuildsCommandOutput): Build => response.builds?.[0] as Build;

/** A CodeBuild double: the project's builds, newest first; StartBuild adds one. */
function codeBuild(builds: Build[] = []) {
  const started: StartBuildCommand["input"][] = [];
  const client = {
    async send(command: unknown) {
      if (command instanceof ListBuildsForProjectCommand) return { ids: builds.map((b) => b.id) };
      if (command instanceof BatchGetBuildsCommand) {
        return { builds: builds.filter((b) => command.input.ids?.includes(b.id as string)) };
      }
      if (command instanceof StartBuildCommand) {
        started.push(command.input);
        const build = { id: `${PROJECT}:new-${started.length}`, buildStatus: "IN_PROGRESS" as const };
        builds.unshift({ ...build, sourceVersion: command.input.sourceVersion });
        return { build };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  } as unknown as CodeBuildClient;
  return {
    builder: new CodeBuildImageBuilder(client, { projectName: PROJECT, repositoryUri: REPOSITORY_URI }),
    started,
  };
}

describe("CodeBuildImageBuilder.start (CodeBuild double)", () => {
  it("starts the project at the commit with an idempotency token derived from project and sha", async () => {
    const { builder, started } = codeBuild();
    expect(await builder.start({ sha: SHA, repository: "example/phoenix" })).toEqual({
      status: "started",
      buildId: `${PROJECT}:new-1`,
    });
    expect(started).toEqual([
      { projectName: PROJECT, sourceVersion: SHA, idempotencyToken: idempotencyTokenFor(PROJECT, SHA) },
    ]);
    expect(idempotencyTokenFor(PROJECT, SHA)).toBe(idempotencyTokenFor(PROJECT, SHA));
    expect(idempotencyTokenFor(PROJECT, SHA)).not.toBe(idempotencyTokenFor(PROJECT, "0".repeat(40)));
    expect(idempotencyTokenFor(PROJECT, SHA)).not.toBe(idempotencyTokenFor("other-project", SHA));
  });

  it("answers a repeated start with the build already running or built at that commit", async () => {
    for (const existing of [only(responses.inProgress), only(responses.succeeded)]) {
      const { builder, started } = codeBuild([existing]);
      expect(await builder.start({ sha: SHA, repository: "example/phoenix" })).toEqual({
        status: "started",
        buildId: existing.id,
      });
      expect(started).toEqual([]);
    }
  });

  it("starts again after a failed build at that commit", async () => {
    const { builder, started } = codeBuild([only(responses.failed)]);
    await builder.start({ sha: SHA, repository: "example/phoenix" });
    expect(started).toHaveLength(1);
  });

  it("refuses an abbreviated sha", async () => {
    const { builder, started } = codeBuild();
    await expect(builder.start({ sha: SHA.slice(0, 7), repository: "example/phoenix" })).rejects.toBeInstanceOf(
      DeliveryError,
    );
    expect(started).toEqual([]);
  });
});

describe("CodeBuildImageBuilder.outcome (BatchGetBuilds responses)", () => {
  it("reads the pinned image of a succeeded build from its exported variables", async () => {
    const { builder } = codeBuild([only(responses.succeeded)]);
    expect(await builder.outcome(only(responses.succeeded).id as string)).toEqual({
      status: "succeeded",
      image: { repositoryUri: REPOSITORY_URI, digest: DIGEST, uri: `${REPOSITORY_URI}@${DIGEST}` },
    });
  });

  it("reports a running build as in progress", async () => {
    expect(buildOutcomeOf(only(responses.inProgress), REPOSITORY_URI)).toEqual({ status: "in-progress" });
  });

  it("reports a failed build with its failed phase and that phase's context", () => {
    expect(buildOutcomeOf(only(responses.failed), REPOSITORY_URI)).toEqual({
      status: "failed",
      reason: `build ${only(responses.failed).id} FAILED in phase BUILD: COMMAND_EXECUTION_ERROR: Error while executing command: docker build -t "$IMAGE_REPO:$IMAGE_TAG" .. Reason: exit status 1`,
    });
  });

  it("reports FAULT, STOPPED and TIMED_OUT builds as failed", () => {
    for (const buildStatus of ["FAULT", "STOPPED", "TIMED_OUT"] as const) {
      const outcome = buildOutcomeOf({ ...only(responses.inProgress), buildStatus }, REPOSITORY_URI);
      expect(outcome).toEqual({ status: "failed", reason: `build ${only(responses.inProgress).id} ${buildStatus}` });
    }
  });

  it("fails a succeeded build that exported no digest, a malformed one, or an image in another repository", () => {
    const succeeded = only(responses.succeeded);
    const withVariables = (variables: Record<string, string>) =>
      buildOutcomeOf(
        {
          ...succeeded,
          exportedEnvironmentVariables: Object.entries(variables).map(([name, value]) => ({ name, value })),
        },
        REPOSITORY_URI,
      );
    expect(withVariables({ IMAGE_TAG: SHA })).toMatchObject({
      status: "failed",
      reason: expect.stringContaining("exported no IMAGE_DIGEST"),
    });
    expect(withVariables({ IMAGE_DIGEST: "sha256:abc" })).toMatchObject({
      status: "failed",
      reason: expect.stringContaining('IMAGE_DIGEST "sha256:abc" is not a sha256:<64 hex> digest'),
    });
    expect(withVariables({ IMAGE_DIGEST: DIGEST, IMAGE_URI: `registry.example/other@${DIGEST}` })).toMatchObject({
      status: "failed",
      reason: expect.stringContaining(`is not ${REPOSITORY_URI}@${DIGEST}`),
    });
    // IMAGE_URI is optional: the digest and the configured repository make the image.
    expect(withVariables({ IMAGE_DIGEST: DIGEST })).toMatchObject({ status: "succeeded" });
  });

  it("names a build CodeBuild does not know", async () => {
    const { builder } = codeBuild([]);
    await expect(builder.outcome(`${PROJECT}:missing`)).rejects.toMatchObject({ code: "ResourceNotFoundException" });
  });
});
