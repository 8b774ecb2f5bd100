import { DeliveryError } from "../../ports/delivery-error.js";
import type { BuiltImage, ImageBuilder, ImageBuildRequest } from "../../ports/image-builder.js";

/**
 * `ImageBuilder` on a build that finishes inside the call, such as the daemonless OCI builder
 * where there is no CodeBuild (the local sandbox, the flow tests). `start` answers "ready";
 * `outcome` knows only the builds it finished, by commit sha. A failure keeps its `code` when it
 * has one (`InvalidReference`, `RegistryUnreachable`, …) so the person who deployed sees it.
 */
export function inProcessImageBuilder(build: (request: ImageBuildRequest) => Promise<BuiltImage>): ImageBuilder {
  const built = new Map<string, BuiltImage>();
  return {
    async start(request) {
      let image: BuiltImage;
      try {
        image = await build(request);
      } catch (error) {
        throw buildFailure(request, error);
      }
      built.set(request.sha, image);
      return { status: "ready", image };
    },
    async outcome(buildId) {
      const image = built.get(buildId);
      if (!image) {
        throw new DeliveryError(
          `in-process image builds finish inside start() and are never pending; no build "${buildId}" (build ids are commit shas)`,
          "UnknownBuild",
        );
      }
      return { status: "succeeded", image };
    },
  };
}

function buildFailure(request: ImageBuildRequest, error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && code.length > 0) return new DeliveryError(message, code, { cause: error });
  return new DeliveryError(`image build for ${request.sha} failed: ${message}`, "ImageBuildFailed", { cause: error });
}
