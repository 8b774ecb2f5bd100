import type { ImageReference } from "@phoenix/shared";

/** An image pinned by its manifest digest, in a registry's repository. */
export type PinnedImage = Required<Pick<ImageReference, "registry" | "repository" | "digest">>;

/**
 * Tags a registry holds for one image (ECR DescribeImages, say). Only needed for references
 * pinned by digest alone (`<repo>@sha256:…`, what the deployer registers), which carry no tag.
 */
export interface ImageTagReader {
  tagsOf(image: PinnedImage): Promise<readonly string[]>;
}
