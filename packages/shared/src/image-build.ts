/**
 * Variables each image build exports (`BatchGetBuilds` → `exportedEnvironmentVariables`): the
 * infrastructure's buildspec exports them and the bot reads them, so it deploys the image by
 * digest, never by a tag that could be re-pointed.
 */
export const IMAGE_BUILD_EXPORTED_VARIABLES = {
  /** The full commit sha the image was built from; also its tag. */
  imageTag: "IMAGE_TAG",
  /** `sha256:…` digest of the pushed image manifest. */
  imageDigest: "IMAGE_DIGEST",
  /** `<repository uri>@<digest>`: what a task definition should reference. */
  imageUri: "IMAGE_URI",
} as const;
