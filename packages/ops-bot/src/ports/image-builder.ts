// Builds the app image at a commit and pushes it: CodeBuild in AWS, an in-process build in the
// sandbox and the tests. The deploy workflow decides; this port acts.

/** An image pinned by digest: what a task definition should reference. */
export interface BuiltImage {
  /** `<registry>/<repository>` without tag or digest. */
  readonly repositoryUri: string;
  /** `sha256:<hex>` of the image manifest. */
  readonly digest: string;
  /** `<repositoryUri>@<digest>`. */
  readonly uri: string;
}

export interface ImageBuildRequest {
  /** Full 40-character commit sha; the image is tagged with it. */
  readonly sha: string;
  /** `owner/name` of the repository the sha belongs to. */
  readonly repository: string;
}

/**
 * A build either finishes inside the call (the OCI builder) or continues elsewhere
 * (CodeBuild): then its completion arrives as a CodeBuild state-change event, or the
 * reconciler asks `outcome(buildId)`.
 */
export type ImageBuildStart =
  | { readonly status: "ready"; readonly image: BuiltImage }
  | { readonly status: "started"; readonly buildId: string };

export type ImageBuildOutcome =
  | { readonly status: "in-progress" }
  | { readonly status: "succeeded"; readonly image: BuiltImage }
  | { readonly status: "failed"; readonly reason: string };

export interface ImageBuilder {
  start(request: ImageBuildRequest): Promise<ImageBuildStart>;
  outcome(buildId: string): Promise<ImageBuildOutcome>;
}
