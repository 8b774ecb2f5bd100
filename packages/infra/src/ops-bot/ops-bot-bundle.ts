import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";

/**
 * The export under which `@phoenix/ops-bot` publishes its Lambda bundle. The package's
 * `exports` map decides where the file is; this package knows only the name.
 */
export const OPS_BOT_BUNDLE_SPECIFIER = "@phoenix/ops-bot/lambda-bundle";
/** The bundle's file is `index.mjs` and exports `handler`. */
export const OPS_BOT_BUNDLE_HANDLER = "index.handler";

/** Turns a module specifier into the path of its file, as `require.resolve` does. */
export type ModuleResolver = (specifier: string) => string;

/** The ops bot's Lambda bundle could not be found: it is not built, or `@phoenix/ops-bot` is not installed. */
export class OpsBotBundleNotFoundError extends Error {
  override readonly name = "OpsBotBundleNotFoundError";
}

/**
 * The directory holding the ops bot's Lambda bundle, found through the installed
 * `@phoenix/ops-bot` package; the whole directory is the Lambda asset (the bundle and its source
 * map and licences). The bundle is built, not checked in, so a clone that has not run the build
 * gets an error saying which command makes it.
 *
 * @param resolve how the specifier becomes a file; `require.resolve` from this package unless a
 *   test injects its own, so the `@phoenix/ops-bot` this package depends on is the one deployed
 */
export function opsBotBundleDirectory(resolve: ModuleResolver = createRequire(import.meta.url).resolve): string {
  const notFound = (detail: string, cause?: unknown) =>
    new OpsBotBundleNotFoundError(
      `The ops bot's Lambda bundle (${OPS_BOT_BUNDLE_SPECIFIER}) was not found; build it with \`pnpm --filter @phoenix/ops-bot build\` (or \`pnpm build\` at the repository root). ${detail}`,
      { cause },
    );
  let entry: string;
  try {
    entry = resolve(OPS_BOT_BUNDLE_SPECIFIER);
  } catch (error) {
    throw notFound(
      `Resolving it failed: ${error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error)}`,
      error,
    );
  }
  // require.resolve checks that the file exists; other resolvers (import.meta.resolve) do not.
  if (!existsSync(entry)) throw notFound(`${entry} does not exist.`);
  return dirname(entry);
}
