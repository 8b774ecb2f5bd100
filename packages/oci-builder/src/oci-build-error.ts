/**
 * A build, push or registry failure. `code` names its kind (`InvalidReference`,
 * `ImageBuildFailed`, `RegistryError`, …) so a caller can tell them apart without parsing text.
 */
export class OciBuildError extends Error {
  override readonly name = "OciBuildError";
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
