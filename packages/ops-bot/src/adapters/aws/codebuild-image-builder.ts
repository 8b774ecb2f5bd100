import { createHash } from "node:crypto";
import {
  BatchGetBuildsCommand,
  type Build,
  type CodeBuildClient,
  ListBuildsForProjectCommand,
  StartBuildCommand,
} from "@aws-sdk/client-codebuild";
import { IMAGE_BUILD_EXPORTED_VARIABLES } from "@phoenix/shared";
import { DeliveryError } from "../../ports/delivery-error.js";
import type {
  BuiltImage,
  ImageBuilder,
  ImageBuildOutcome,
  ImageBuildRequest,
  ImageBuildStart,
} from "../../ports/image-builder.js";
import { awsCall } from "./aws-call.js";

export interface CodeBuildImageBuilderOptions {
  /** The CodeBuild project that builds the app image (`resourceNames(...).buildProject`). */
  readonly projectName: string;
  /** `<registry>/<repository>` the project pushes to; an exported image elsewhere is refused. */
  readonly repositoryUri: string;
  /**
   * How many of the project's latest builds `start` looks through for one already building
   * or built at the same commit.
   * @default 25
   */
  readonly recentBuilds?: number;
}

const SHA = /^[0-9a-f]{40}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TERMINAL_FAILURES = new Set(["FAILED", "FAULT", "STOPPED", "TIMED_OUT"]);

/**
 * `ImageBuilder` on a CodeBuild project whose buildspec exports the image's digest
 * (`IMAGE_BUILD_EXPORTED_VARIABLES`). The build runs on: its end arrives as a CodeBuild state
 * change event, or the reconciler asks `outcome(buildId)`.
 *
 * A repeated `start` for one commit does not start a second build, in two ways: the request's
 * idempotency token is derived from project and sha (CodeBuild honours it for 5 minutes; moto
 * ignores it), and before starting, the project's recent builds are searched for one at that
 * commit that is in progress or succeeded. Two starts racing past both checks beyond the token's
 * window are prevented by the caller's Ledger lock on the deploy.
 */
export class CodeBuildImageBuilder implements ImageBuilder {
  private readonly client: CodeBuildClient;
  private readonly options: CodeBuildImageBuilderOptions;

  constructor(client: CodeBuildClient, options: CodeBuildImageBuilderOptions) {
    this.client = client;
    this.options = options;
  }

  async start(request: ImageBuildRequest): Promise<ImageBuildStart> {
    if (!SHA.test(request.sha)) {
      throw new DeliveryError(`image builds need a full 40-character commit sha, got "${request.sha}"`, "InvalidInput");
    }
    const existing = await this.buildAt(request.sha);
    if (existing?.id) return { status: "started", buildId: existing.id };
    const { build } = await awsCall(() =>
      this.client.send(
        new StartBuildCommand({
          projectName: this.options.projectName,
          sourceVersion: request.sha,
          idempotencyToken: idempotencyTokenFor(this.options.projectName, request.sha),
        }),
      ),
    );
    if (!build?.id) {
      throw new DeliveryError(
        `CodeBuild started ${this.options.projectName} without returning a build id`,
        "InvalidOutput",
      );
    }
    return { status: "started", buildId: build.id };
  }

  async outcome(buildId: string): Promise<ImageBuildOutcome> {
    const { builds } = await awsCall(() => this.client.send(new BatchGetBuildsCommand({ ids: [buildId] })));
    const build = builds?.find((b) => b.id === buildId);
    if (!build) throw new DeliveryError(`CodeBuild has no build ${buildId}`, "ResourceNotFoundException");
    return buildOutcomeOf(build, this.options.repositoryUri);
  }

  /** The latest build of the project at `sha` that is running or succeeded, if any. */
  private async buildAt(sha: string): Promise<Build | undefined> {
    const { ids } = await awsCall(() =>
      this.client.send(
        new ListBuildsForProjectCommand({ projectName: this.options.projectName, sortOrder: "DESCENDING" }),
      ),
    );
    const recent = (ids ?? []).slice(0, this.options.recentBuilds ?? 25);
    if (recent.length === 0) return undefined;
    const { builds } = await awsCall(() => this.client.send(new BatchGetBuildsCommand({ ids: recent })));
    return (builds ?? []).find(
      (b) =>
        (b.resolvedSourceVersion === sha || b.sourceVersion === sha) &&
        (b.buildStatus === "IN_PROGRESS" || b.buildStatus === "SUCCEEDED"),
    );
  }
}

/** Same project and sha, same token: CodeBuild answers a repeated StartBuild with the first build. */
export function idempotencyTokenFor(projectName: string, sha: string): string {
  return createHash("sha256").update(`${projectName}\n${sha}`).digest("hex");
}

/** What a BatchGetBuilds build means for the deploy waiting on it. */
export function buildOutcomeOf(build: Build, repositoryUri: string): ImageBuildOutcome {
  const status = build.buildStatus;
  if (status === "SUCCEEDED") {
    const variables = Object.fromEntries(
      (build.exportedEnvironmentVariables ?? []).map((v) => [v.name ?? "", v.value ?? ""]),
    );
    const image = builtImageFrom(variables, repositoryUri);
    if (typeof image === "string") return { status: "failed", reason: `build ${build.id} succeeded but ${image}` };
    return { status: "succeeded", image };
  }
  if (status && TERMINAL_FAILURES.has(status)) {
    return { status: "failed", reason: failureReasonOf(build) };
  }
  return { status: "in-progress" };
}

/** The pinned image from the exported variables, or what is wrong with them. */
function builtImageFrom(variables: Readonly<Record<string, string>>, repositoryUri: string): BuiltImage | string {
  const { imageDigest, imageUri } = IMAGE_BUILD_EXPORTED_VARIABLES;
  const digest = variables[imageDigest];
  if (!digest) return `it exported no ${imageDigest}; the buildspec must export ${imageDigest} (sha256:…)`;
  if (!DIGEST.test(digest)) return `its ${imageDigest} "${digest}" is not a sha256:<64 hex> digest`;
  const uri = `${repositoryUri}@${digest}`;
  const exportedUri = variables[imageUri];
  if (exportedUri && exportedUri !== uri) return `its ${imageUri} "${exportedUri}" is not ${uri}`;
  return { repositoryUri, digest, uri };
}

function failureReasonOf(build: Build): string {
  const phases = build.phases ?? [];
  const failed = phases.find((p) => p.phaseStatus && p.phaseStatus !== "SUCCEEDED");
  const context = failed?.contexts
    ?.map((c) => [c.statusCode, c.message].filter(Boolean).join(": "))
    .filter(Boolean)
    .join("; ");
  const where = failed?.phaseType ? ` in phase ${failed.phaseType}` : "";
  return `build ${build.id} ${build.buildStatus}${where}${context ? `: ${context}` : ""}`;
}
