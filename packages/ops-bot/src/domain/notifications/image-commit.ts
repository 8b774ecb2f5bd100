import type { RepositoryRef } from "../../ports/repository-gateway.js";

/** An OCI image reference split into its parts: `name[:tag][@digest]`. */
export interface ImageReference {
  /** Registry and repository path, e.g. `111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix`. */
  readonly name: string;
  readonly tag: string | undefined;
  /** `sha256:…` when the reference pins a manifest. */
  readonly digest: string | undefined;
}

/** The commit an image was built from, and where to read it. */
export interface ImageCommit {
  readonly sha: string;
  readonly url: string;
}

// Our image builds refuse any other tag (see the infra buildspec): the full, lowercase commit sha.
const COMMIT_SHA = /^[0-9a-f]{40}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

/** Splits a reference; `undefined` for text that is not one (empty, or a malformed digest). */
export function parseImageReference(reference: string): ImageReference | undefined {
  const at = reference.indexOf("@");
  const nameAndTag = at === -1 ? reference : reference.slice(0, at);
  const digest = at === -1 ? undefined : reference.slice(at + 1);
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;
  // A colon after the last slash starts the tag; one before it belongs to a registry port.
  const colon = nameAndTag.lastIndexOf(":");
  const hasTag = colon > nameAndTag.lastIndexOf("/");
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
  if (name.length === 0 || tag === "") return undefined;
  return { name, tag, digest };
}

/**
 * The commit an image was built from: its tag when that is a full commit sha, else a sha among
 * the tags the registry holds for its digest (`registryTags`). `undefined` when neither names
 * a commit (`:latest`, an image someone else built).
 */
export function imageCommit(
  image: { readonly reference: string | undefined; readonly registryTags?: readonly string[] },
  repository: RepositoryRef,
  serverUrl = "https://github.com",
): ImageCommit | undefined {
  const parsed = image.reference === undefined ? undefined : parseImageReference(image.reference);
  const sha = [parsed?.tag, ...(image.registryTags ?? [])].find(
    (tag): tag is string => tag !== undefined && COMMIT_SHA.test(tag),
  );
  if (sha === undefined) return undefined;
  return { sha, url: `${serverUrl}/${repository.owner}/${repository.repo}/commit/${sha}` };
}
