import { createHash, randomUUID } from "node:crypto";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import { createEcrImageTags } from "../../../src/adapters/aws/ecr-image-tags.js";

// An OCI image manifest as the image build pushes it, put through the ECR API into moto.
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", size: 2, digest: `sha256:${"a".repeat(64)}` },
  layers: [],
});

describe("image tags from ECR (moto server)", () => {
  it("finds the commit-sha tag of an image deployed by digest", async () => {
    const client = new ECRClient(motoClientConfig());
    const repositoryName = `phoenix/flow-${randomUUID().slice(0, 8)}`;
    await client.send(new CreateRepositoryCommand({ repositoryName }));
    const sha = createHash("sha1").update(repositoryName).digest("hex");
    const { image } = await client.send(
      new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag: sha }),
    );
    const digest = image?.imageId?.imageDigest as string;

    const tags = await createEcrImageTags(client).tagsOf({
      registry: "111122223333.dkr.ecr.eu-west-1.amazonaws.com",
      repository: repositoryName,
      digest,
    });
    expect(tags).toEqual([sha]);
  });

  it("answers no tags for an unknown digest or an image outside ECR", async () => {
    const client = new ECRClient(motoClientConfig());
    const repositoryName = `phoenix/flow-${randomUUID().slice(0, 8)}`;
    await client.send(new CreateRepositoryCommand({ repositoryName }));
    const reader = createEcrImageTags(client);
    expect(
      await reader.tagsOf({
        registry: "111122223333.dkr.ecr.eu-west-1.amazonaws.com",
        repository: repositoryName,
        digest: `sha256:${"b".repeat(64)}`,
      }),
    ).toEqual([]);
    expect(
      await reader.tagsOf({
        registry: "public.ecr.aws",
        repository: "docker/library/node",
        digest: `sha256:${"b".repeat(64)}`,
      }),
    ).toEqual([]);
  });
});
