import { createHash, randomUUID } from "node:crypto";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import { createEcrCommitImages, parseEcrRepositoryUri } from "../../../src/adapters/aws/ecr-commit-images.js";
import { DeliveryError } from "../../../src/ports/delivery-error.js";
import { OPS_ACCOUNT } from "../../support/moto-accounts.js";

// An OCI image manifest as the image build pushes it, put through the ECR API into moto.
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", size: 2, digest: `sha256:${"a".repeat(64)}` },
  layers: [],
});

async function repositoryInMoto() {
  const client = new ECRClient(motoClientConfig());
  const repositoryName = `phoenix/commits-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateRepositoryCommand({ repositoryName, imageTagMutability: "IMMUTABLE" }));
  return { client, repositoryName, uri: `${OPS_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${repositoryName}` };
}

describe("a commit's image in the ops ECR repository (moto server)", () => {
  it("finds the image tagged with the commit sha, pinned by its digest", async () => {
    const { client, repositoryName, uri } = await repositoryInMoto();
    const sha = createHash("sha1").update(repositoryName).digest("hex");
    const { image } = await client.send(
      new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag: sha }),
    );
    const digest = image?.imageId?.imageDigest as string;

    expect(await createEcrCommitImages(client, uri).builtAt(sha)).toEqual({
      repositoryUri: uri,
      digest,
      uri: `${uri}@${digest}`,
    });
  });

  it("answers none for a commit never built", async () => {
    const { client, uri } = await repositoryInMoto();
    expect(await createEcrCommitImages(client, uri).builtAt("f".repeat(40))).toBeUndefined();
  });

  it("fails, naming AWS's error, when the repository does not exist", async () => {
    const client = new ECRClient(motoClientConfig());
    const uri = `${OPS_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/phoenix/missing-${randomUUID().slice(0, 8)}`;
    const lookup = createEcrCommitImages(client, uri).builtAt("f".repeat(40));
    await expect(lookup).rejects.toBeInstanceOf(DeliveryError);
    await expect(lookup).rejects.toMatchObject({ code: "RepositoryNotFoundException" });
  });
});

describe("ECR repository URIs", () => {
  it("reads account, region and name, and refuses anything else", () => {
    expect(parseEcrRepositoryUri("111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix")).toEqual({
      registryId: "111122223333",
      region: "eu-west-1",
      repositoryName: "phoenix/phoenix",
    });
    expect(() => parseEcrRepositoryUri("127.0.0.1:5000/phoenix/phoenix")).toThrow(/not a private ECR repository URI/);
  });
});
