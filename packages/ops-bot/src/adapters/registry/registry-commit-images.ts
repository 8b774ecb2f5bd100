import type { CommitImages } from "../../ports/commit-images.js";

/**
 * What this adapter needs of an OCI distribution client: the manifest a tag names, with its
 * digest. `RegistryClient` of `@phoenix/oci-builder` fits; the bot does not depend on it.
 */
export interface ManifestReader {
  /** `host[:port]` as image references name the registry. */
  readonly host: string;
  getManifest(repository: string, reference: string): Promise<{ readonly digest: string }>;
}

/** Registry answers that mean "no such tag" (distribution spec error codes), not a failure. */
const NOT_FOUND_CODES = new Set(["MANIFEST_UNKNOWN", "NAME_UNKNOWN", "HTTP_404"]);

/**
 * `CommitImages` on any OCI distribution registry (the sandbox's docker-registry), for hosts
 * where images are built in-process rather than by CodeBuild into ECR: the manifest tagged with
 * the commit sha, read through the registry's API.
 */
export function registryCommitImages(registry: ManifestReader, repository: string): CommitImages {
  const repositoryUri = `${registry.host}/${repository}`;
  return {
    async builtAt(sha) {
      try {
        const { digest } = await registry.getManifest(repository, sha);
        return { repositoryUri, digest, uri: `${repositoryUri}@${digest}` };
      } catch (error) {
        const code = (error as { code?: unknown } | undefined)?.code;
        if (typeof code === "string" && NOT_FOUND_CODES.has(code)) return undefined;
        throw error;
      }
    },
  };
}
