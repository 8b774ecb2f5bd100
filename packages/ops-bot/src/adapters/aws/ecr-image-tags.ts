import { DescribeImagesCommand, type ECRClient, ImageNotFoundException } from "@aws-sdk/client-ecr";
import type { ImageTagReader } from "../../ports/image-tag-reader.js";

/**
 * `ImageTagReader` on ECR: the tags of the image with a digest, from DescribeImages. Only images
 * in a private ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com`) have tags to read here;
 * any other registry answers none.
 */
export function createEcrImageTags(client: ECRClient): ImageTagReader {
  return {
    async tagsOf({ registry, repository, digest }) {
      if (!registry.includes(".dkr.ecr.")) return [];
      try {
        const { imageDetails } = await client.send(
          new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageDigest: digest }] }),
        );
        return imageDetails?.[0]?.imageTags ?? [];
      } catch (error) {
        if (error instanceof ImageNotFoundException) return [];
        throw error;
      }
    },
  };
}
