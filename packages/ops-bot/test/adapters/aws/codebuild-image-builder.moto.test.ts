import { randomUUID } from "node:crypto";
import {
  CodeBuildClient,
  CreateProjectCommand,
  ListBuildsForProjectCommand,
  StartBuildCommand,
} from "@aws-sdk/client-codebuild";
import { describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import { CodeBuildImageBuilder } from "../../../src/adapters/aws/codebuild-image-builder.js";
import { DeliveryError } from "../../../src/ports/delivery-error.js";

const REPOSITORY_URI = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix";
const sha = () => randomUUID().replaceAll("-", "").padEnd(40, "0");

/** A project as the infrastructure creates it (moto wants a role in its own account 123456789012). */
async function projectInMoto(): Promise<{ client: CodeBuildClient; projectName: string }> {
  const client = new CodeBuildClient(motoClientConfig());
  const projectName = `phoenix-image-build-${randomUUID().slice(0, 8)}`;
  await client.send(
    new CreateProjectCommand({
      name: projectName,
      source: { type: "GITHUB", location: "https://github.com/example/phoenix.git" },
      artifacts: { type: "NO_ARTIFACTS" },
      environment: {
        type: "LINUX_CONTAINER",
        image: "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
        computeType: "BUILD_GENERAL1_SMALL",
        privilegedMode: true,
      },
      serviceRole: "arn:aws:iam::123456789012:role/phoenix-image-build",
    }),
  );
  return { client, projectName };
}

describe("CodeBuildImageBuilder (moto server)", () => {
  it("starts one build per commit: a repeated start answers the build already there", async () => {
    const { client, projectName } = await projectInMoto();
    const builder = new CodeBuildImageBuilder(client, { projectName, repositoryUri: REPOSITORY_URI });
    const commit = sha();

    const first = await builder.start({ sha: commit, repository: "example/phoenix" });
    const second = await builder.start({ sha: commit, repository: "example/phoenix" });
    const other = await builder.start({ sha: sha(), repository: "example/phoenix" });

    expect(first.status).toBe("started");
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
    const { ids } = await client.send(new ListBuildsForProjectCommand({ projectName }));
    expect(ids).toHaveLength(2);
  });

  it("moto ignores StartBuild's idempotencyToken (AWS honours it for 5 minutes), so the adapter looks for the build itself", async () => {
    const { client, projectName } = await projectInMoto();
    const start = () =>
      client.send(new StartBuildCommand({ projectName, sourceVersion: sha(), idempotencyToken: "same-token" }));
    const [a, b] = [await start(), await start()];
    expect(a.build?.id).not.toBe(b.build?.id);
  });

  it("fails a build that succeeded without exporting the image digest (moto's builds export no variables)", async () => {
    const { client, projectName } = await projectInMoto();
    const builder = new CodeBuildImageBuilder(client, { projectName, repositoryUri: REPOSITORY_URI });
    const started = await builder.start({ sha: sha(), repository: "example/phoenix" });
    if (started.status !== "started") throw new Error("CodeBuild builds continue elsewhere");

    // moto marks every build SUCCEEDED on its first BatchGetBuilds.
    const outcome = await builder.outcome(started.buildId);

    expect(outcome).toEqual({
      status: "failed",
      reason: `build ${started.buildId} succeeded but it exported no IMAGE_DIGEST; the buildspec must export IMAGE_DIGEST (sha256:…)`,
    });
  });

  it("reports a missing project as ResourceNotFoundException with AWS's message", async () => {
    const builder = new CodeBuildImageBuilder(new CodeBuildClient(motoClientConfig()), {
      projectName: `no-such-project-${randomUUID().slice(0, 8)}`,
      repositoryUri: REPOSITORY_URI,
    });
    const error = await builder.start({ sha: sha(), repository: "example/phoenix" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({
      code: "ResourceNotFoundException",
      message: expect.stringContaining("does not exist"),
    });
  });
});
