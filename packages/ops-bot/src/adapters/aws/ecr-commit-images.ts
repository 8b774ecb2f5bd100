import { DescribeImagesCommand, type ECRClient } from "@aws-sdk/client-ecr";
import type { CommitImages } from "../../ports/commit-images.js";
import { DeliveryError } from "../../ports/delivery-error.js";
import { awsCall } from "./aws-call.js";

// `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository name>`
const ECR_REPOSITORY_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+)$/;

/** The registry id, region and repository name of a private ECR repository URI. */
export function parseEcrRepositoryUri(repositoryUri: string): {
  readonly registryId: string;
  readonly region: string;
  readonly repositoryName: string;
} {
  const match = ECR_REPOSITORY_URI.exec(repositoryUri);
  if (!match) {
    throw new DeliveryError(
      `"${repositoryUri}" is not a private ECR repository URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>)`,
      "InvalidRepositoryUri",
    );
  }
  const [, registryId = "", region = "", repositoryName = ""] = match;
  return { registryId, region, repositoryName };
}

/**
 * `CommitImages` on the ECR repository the image build pushes to: DescribeImages by the
 * commit-sha tag. Tags there are immutable, so a tag found names the one image of that commit.
 * A missing repository is an error, not "never built": the bot would otherwise build into it.
 */
export function createEcrCommitImages(client: ECRClient, repositoryUri: string): CommitImages {
  const { registryId, repositoryName } = parseEcrRepositoryUri(repositoryUri);
  return {
    async builtAt(sha) {
      try {
        const { imageDetails } = await awsCall(() =>
          client.send(new DescribeImagesCommand({ registryId, repositoryName, imageIds: [{ imageTag: sha }] })),
        );
        const digest = imageDetails?.[0]?.imageDigest;
        return digest ? { repositoryUri, digest, uri: `${repositoryUri}@${digest}` } : undefined;
      } catch (error) {
        if (error instanceof DeliveryError && error.code === "ImageNotFoundException") return undefined;
        throw error;
      }
    },
  };
}
