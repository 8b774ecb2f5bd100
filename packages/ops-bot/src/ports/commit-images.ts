import type { BuiltImage } from "./image-builder.js";

/**
 * The images the bot's image repository already holds, by the commit they were built from (the
 * build tags every image with its full commit sha). Asked before every build, so a commit is
 * built once and every later deploy of it promotes the same digest.
 */
export interface CommitImages {
  /** The image tagged `sha`, pinned by its digest; `undefined` when the commit was never built. */
  builtAt(sha: string): Promise<BuiltImage | undefined>;
}
