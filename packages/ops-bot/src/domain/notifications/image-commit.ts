import { tryParseImageReference } from "@phoenix/shared";
import type { RepositoryRef } from "../../ports/repository-gateway.js";

/** The commit an image was built from, and where to read it. */
export interface ImageCommit {
  readonly sha: string;
  readonly url: string;
}

// Our image builds refuse any other tag (see the infra buildspec): the full, lowercase commit sha.
const COMMIT_SHA = /^[0-9a-f]{40}$/;

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
  // The image comes from an AWS event and may be anything: text that is no reference names no commit.
  const parsed = image.reference === undefined ? undefined : tryParseImageReference(image.reference);
  const sha = [parsed?.tag, ...(image.registryTags ?? [])].find(
    (tag): tag is string => tag !== undefined && COMMIT_SHA.test(tag),
  );
  if (sha === undefined) return undefined;
  return { sha, url: `${serverUrl}/${repository.owner}/${repository.repo}/commit/${sha}` };
}
