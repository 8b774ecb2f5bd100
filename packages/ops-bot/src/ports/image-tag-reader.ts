/**
 * Tags a registry holds for one image (ECR DescribeImages, say). Only needed for references
 * pinned by digest alone (`<repo>@sha256:…`, what the deployer registers), which carry no tag.
 */
export interface ImageTagReader {
  tagsOf(image: { readonly name: string; readonly digest: string }): Promise<readonly string[]>;
}
