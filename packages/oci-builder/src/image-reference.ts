/** Registry addresses and image references (`registry/repository:tag` or `…@sha256:…`). */
import { OciBuildError } from "./oci-build-error.js";

export interface ImageReference {
  /** `https://host[:port]` (or `http://` for a loopback registry). */
  readonly registryUrl: string;
  /** e.g. `phoenix/app`. */
  readonly repository: string;
  /** A tag, or a `sha256:` digest. */
  readonly reference: string;
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

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

/** `host[:port]`: how image URIs name the registry. */
export function registryHost(registryUrl: string): string {
  return registryBaseUrl(registryUrl).host;
}

export function assertRepositoryName(repository: string): void {
  if (!REPOSITORY.test(repository) || repository.length > 255) {
    throw new OciBuildError(
      `"${repository}" is not a valid repository name (lowercase letters, digits, separators . _ - and /)`,
      "InvalidReference",
    );
  }
}

export function assertTag(tag: string): void {
  if (!TAG.test(tag)) throw new OciBuildError(`"${tag}" is not a valid image tag`, "InvalidReference");
}

/**
 * Parses `host[:port]/repository(:tag|@sha256:…)`, optionally prefixed with `https://` or
 * `http://`. Without a scheme a loopback host gets http, any other https.
 */
export function parseImageReference(text: string): ImageReference {
  const schemeMatch = /^(https?):\/\//.exec(text);
  const rest = schemeMatch ? text.slice(schemeMatch[0].length) : text;
  const slash = rest.indexOf("/");
  if (slash <= 0) {
    throw new OciBuildError(`image reference "${text}" must start with the registry host`, "InvalidReference");
  }
  const host = rest.slice(0, slash);
  const path = rest.slice(slash + 1);
  let repository: string;
  let reference: string;
  const at = path.indexOf("@");
  if (at >= 0) {
    repository = path.slice(0, at);
    reference = path.slice(at + 1);
    if (!DIGEST.test(reference)) throw new OciBuildError(`"${reference}" is not a sha256 digest`, "InvalidReference");
  } else {
    const colon = path.lastIndexOf(":");
    repository = colon >= 0 ? path.slice(0, colon) : path;
    reference = colon >= 0 ? path.slice(colon + 1) : "latest";
    assertTag(reference);
  }
  assertRepositoryName(repository);
  const scheme = schemeMatch?.[1] ?? (isLoopbackHost(new URL(`http://${host}`).hostname) ? "http" : "https");
  const registryUrl = `${scheme}://${host}`;
  registryBaseUrl(registryUrl);
  return { registryUrl, repository, reference };
}

/** `host[:port]/repository:tag` or `…@digest`. */
export function formatImageReference(image: ImageReference): string {
  const separator = DIGEST.test(image.reference) ? "@" : ":";
  return `${registryHost(image.registryUrl)}/${image.repository}${separator}${image.reference}`;
}
