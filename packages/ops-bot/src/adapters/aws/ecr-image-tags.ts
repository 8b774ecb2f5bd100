import { DescribeImagesCommand, type ECRClient, ImageNotFoundException } from "@aws-sdk/client-ecr";
import type { ImageTagReader } from "../../ports/image-tag-reader.js";

/**
 * `ImageTagReader` on ECR: the tags of the image with a digest, from DescribeImages. The
 * repository is the part of the image name after the registry host
 * (`111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix` → `phoenix/phoenix`).
 */
export function createEcrImageTags(client: ECRClient): ImageTagReader {
  return {
    async tagsOf({ name, digest }) {
      const slash = name.indexOf("/");
      if (slash === -1 || !name.slice(0, slash).includes(".dkr.ecr.")) return [];
      try {
        const { imageDetails } = await client.send(
          new DescribeImagesCommand({ repositoryName: name.slice(slash + 1), imageIds: [{ imageDigest: digest }] }),
        );
        return imageDetails?.[0]?.imageTags ?? [];
      } catch (error) {
        if (error instanceof ImageNotFoundException) return [];
        throw error;
      }
    },
  };
}
