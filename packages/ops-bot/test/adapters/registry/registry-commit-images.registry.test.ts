import { OciImageBuilder, RegistryClient } from "@phoenix/oci-builder";
import { deployableFixture, freshRepository, localRegistryUrl, skopeoInspect } from "@phoenix/oci-builder/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registryCommitImages } from "../../../src/adapters/registry/registry-commit-images.js";

describe("a commit's image in an OCI distribution registry (local docker-registry)", () => {
  let app: ReturnType<typeof deployableFixture>;
  beforeAll(() => {
    app = deployableFixture();
  });
  afterAll(() => app.cleanup());

  it("finds the image the daemonless builder pushed under the commit sha, by the digest the registry holds", async () => {
    const repository = freshRepository("commit-images");
    const sha = "c".repeat(40);
    const builder = new OciImageBuilder({
      appDirectory: app.directory,
      baseImage: "scratch",
      destination: { registryUrl: localRegistryUrl(), repository },
    });
    const { image } = await builder.build({ sha, repository: "octo-org/phoenix" });
    const images = registryCommitImages(new RegistryClient({ registryUrl: localRegistryUrl() }), repository);

    const found = await images.builtAt(sha);
    expect(found).toEqual(image);
    expect(found?.digest).toBe((await skopeoInspect(`${repository}:${sha}`)).Digest);
  });

  it("answers none for a tag or a repository the registry does not have", async () => {
    const client = new RegistryClient({ registryUrl: localRegistryUrl() });
    expect(await registryCommitImages(client, freshRepository("never-pushed")).builtAt("d".repeat(40))).toBeUndefined();
  });

  it("fails on anything else the registry answers", async () => {
    const unreachable = new RegistryClient({ registryUrl: "http://127.0.0.1:9" });
    await expect(registryCommitImages(unreachable, "phoenix/phoenix").builtAt("d".repeat(40))).rejects.toThrow();
  });
});
