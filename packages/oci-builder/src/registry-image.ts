/**
 * Where the builder reaches an image: the shared image reference (@phoenix/shared, one grammar for
 * every package) plus the URL its registry answers on. What is the builder's own: https, or http
 * for a loopback registry only (the local stand-ins); an optional `http://`/`https://` prefix on
 * reference text; and bad references reported as OciBuildError `InvalidReference`.
 */
import {
  DOCKER_HUB_REGISTRY,
  formatImageReference,
  type ImageReference,
  InvalidImageReferenceError,
  imageReference,
  parseImageReference,
} from "@phoenix/shared";
import { OciBuildError } from "./oci-build-error.js";

/** An image and the registry URL to fetch it from. */
export interface RegistryImage {
  readonly reference: ImageReference;
  /** `https://host[:port]`, or `http://` for a loopback registry. */
  readonly registryUrl: string;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * The registry's base URL, checked: https, or http for a loopback host only (the local
 * stand-ins), never a path. Throws a OciBuildError naming what is wrong.
 */
export function registryBaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new OciBuildError(`registry URL "${url}" is not a URL`, "InvalidRegistryUrl", { cause: error });
  }
  if (parsed.protocol === "http:" && !isLoopbackHost(parsed.hostname)) {
    throw new OciBuildError(
      `registry URL "${url}": http:// is only allowed for a loopback registry; use https://`,
      "InvalidRegistryUrl",
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new OciBuildError(`registry URL "${url}" must be https://`, "InvalidRegistryUrl");
  }
  if (parsed.pathname !== "/" || parsed.search || parsed.username) {
    throw new OciBuildError(`registry URL "${url}" must be only scheme, host and port`, "InvalidRegistryUrl");
  }
  return parsed;
}

/** `host[:port]`: how image references name the registry. */
export function registryHost(registryUrl: string): string {
  return registryBaseUrl(registryUrl).host;
}

/**
 * Where the builder fetches `reference` from: `scheme` when given, else http for a loopback
 * registry and https for any other. Docker Hub, the registry of names without a host, is refused:
 * its name (`docker.io`) is not where its registry API answers, and the builder never pulls from it.
 */
export function registryImage(reference: ImageReference, scheme?: "http" | "https"): RegistryImage {
  if (reference.registry === DOCKER_HUB_REGISTRY) {
    throw new OciBuildError(
      `image reference "${formatImageReference(reference)}" is on Docker Hub, which this builder does not pull from; ` +
        "start the reference with the registry host, e.g. public.ecr.aws/docker/library/node:22 for an official image",
      "InvalidReference",
    );
  }
  const { hostname } = registryBaseUrl(`https://${reference.registry}`);
  const registryUrl = registryBaseUrl(
    `${scheme ?? (isLoopbackHost(hostname) ? "http" : "https")}://${reference.registry}`,
  );
  return { reference, registryUrl: registryUrl.origin };
}

/**
 * Parses `[http(s)://]host[:port]/repository[:tag][@digest]`: the shared grammar after an
 * optional scheme; the reference must name its registry (see registryImage).
 */
export function parseRegistryImage(text: string): RegistryImage {
  const prefix = /^https?:\/\//.exec(text)?.[0];
  const reference = asOciBuildError(() => parseImageReference(text.slice(prefix?.length ?? 0)));
  return registryImage(reference, prefix === undefined ? undefined : prefix.startsWith("https") ? "https" : "http");
}

/** A checked reference to `repository` on the registry `host` (the destination of a push). */
export function repositoryReference(host: string, repository: string, tag?: string): ImageReference {
  return asOciBuildError(() => imageReference({ registry: host, repository, ...(tag === undefined ? {} : { tag }) }));
}

/** What `GET /v2/<repository>/manifests/<reference>` asks for: the digest when pinned, else the tag. */
export function manifestReference(reference: ImageReference): string {
  return reference.digest ?? reference.tag ?? "latest";
}

function asOciBuildError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidImageReferenceError) {
      throw new OciBuildError(error.message, "InvalidReference", { cause: error });
    }
    throw error;
  }
}
