import type { BuiltImage } from "../../ports/image-builder.js";
import type { LedgerValue } from "../../ports/ledger.js";
import { code, shortSha } from "../rendering/markdown.js";

/**
 * What the Ledger keeps when a deployment completes, per environment and image digest (and per
 * commit): the evidence an environment with `after:` asks for before it accepts an image.
 */
export interface SucceededImage {
  readonly sha: string;
  /** `sha256:…` of the image manifest. */
  readonly digest: string;
  /** `<registry>/<repository>@<digest>`. */
  readonly uri: string;
  readonly deployId: string;
  readonly succeededAt: string;
}

/** What is known, before anything starts, about the commit a deploy asks for. */
export interface ImageFacts {
  readonly environment: string;
  /** The environment whose successes this one requires (`after:`), if any. */
  readonly after: string | undefined;
  readonly sha: string;
  /** The image the image repository holds for the commit, if it was built. */
  readonly built: BuiltImage | undefined;
  /** Whether `built`'s digest completed a deployment in `after`. */
  readonly builtSucceededInAfter: boolean;
  /** The last image of the commit that completed a deployment in `after`, if any. */
  readonly commitSucceededInAfter: SucceededImage | undefined;
}

export type ImageDecision =
  /** Deploy `image` without building; no image: build the commit. */
  | { readonly kind: "deploy"; readonly image: BuiltImage | undefined }
  | { readonly kind: "refuse"; readonly reason: string };

/**
 * Which image a deploy runs, and whether the environment's deployment order allows it: a pure
 * function of what the image repository and the Ledger say.
 *
 * - Without `after:`, the commit's image when it has one (built once, promoted by digest), else
 *   a build.
 * - With `after:`, only a digest that completed a deployment there. When the image repository
 *   cannot name the commit's image (a host without one), the image that succeeded there for
 *   this commit is the one promoted. Nothing is ever built for such an environment: a new build
 *   could not have succeeded anywhere yet.
 */
export function decideImage(facts: ImageFacts): ImageDecision {
  const { after, built } = facts;
  if (after === undefined) return { kind: "deploy", image: built };
  if (built && facts.builtSucceededInAfter) return { kind: "deploy", image: built };
  const recorded = facts.commitSucceededInAfter;
  if (!built && recorded) return { kind: "deploy", image: imageOf(recorded) };
  return { kind: "refuse", reason: renderOrderRefusal(facts) };
}

/** "production accepts only images that succeeded in staging; `abc1234` (`sha256:…`) has not." */
export function renderOrderRefusal(facts: ImageFacts): string {
  const { environment, after = "", sha, built } = facts;
  const rule = `**${environment}** accepts only images that succeeded in **${after}**`;
  const commit = code(shortSha(sha));
  const recorded = facts.commitSucceededInAfter;
  if (!built) return `${rule}; ${commit} has no image yet, so it has not. Deploy it to **${after}** first.`;
  const other =
    recorded && recorded.digest !== built.digest
      ? ` (**${after}** ran ${commit} as ${code(recorded.digest)}, a different image)`
      : "";
  return `${rule}; ${commit} (${code(built.digest)}) has not${other}. Deploy it to **${after}** first.`;
}

/** A Ledger record read back as a `SucceededImage`, or `undefined` when it is absent or not one. */
export function succeededImageFrom(value: LedgerValue | undefined): SucceededImage | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { sha, digest, uri, deployId, succeededAt } = value;
  if (
    typeof sha !== "string" ||
    typeof digest !== "string" ||
    typeof uri !== "string" ||
    typeof deployId !== "string" ||
    typeof succeededAt !== "string"
  ) {
    return undefined;
  }
  return { sha, digest, uri, deployId, succeededAt };
}

function imageOf(recorded: SucceededImage): BuiltImage {
  const at = recorded.uri.lastIndexOf("@");
  return {
    repositoryUri: at > 0 ? recorded.uri.slice(0, at) : recorded.uri,
    digest: recorded.digest,
    uri: recorded.uri,
  };
}
