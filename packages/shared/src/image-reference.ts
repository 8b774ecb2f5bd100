/**
 * Container image references (`[registry/]repository[:tag][@digest]`): the OCI builder produces
 * them, task definitions carry them, the ops bot reads them back from ECS events. One grammar for
 * all of them: the one Docker parses with, from github.com/distribution/reference (reference.go,
 * regexp.go and the Docker Hub normalization of normalize.go's ParseNormalizedNamed).
 *
 *   reference  := name [":" tag] ["@" digest]
 *   name       := [registry "/"] repository
 *   registry   := host [":" port]         host: DNS-like name, IPv4, or [IPv6]
 *   repository := component ["/" component]*   at most 255 characters
 *   component  := [a-z0-9]+ ((. | _ | __ | -+) [a-z0-9]+)*
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" hex        sha256 (64), sha384 (96) or sha512 (128) lowercase hex
 *
 * The first component is the registry only when it has a "." or a ":" or is `localhost` (or has
 * an uppercase letter, which no repository may); otherwise the image is on Docker Hub
 * (`docker.io`), where a one-component repository is an official image under `library/`.
 */

/** A parsed, normalized image reference. */
export interface ImageReference {
  /** `host[:port]` of the registry: `docker.io`, `localhost:5000`, `111122223333.dkr.ecr.eu-west-1.amazonaws.com`. */
  readonly registry: string;
  /** The repository path within the registry: `library/ubuntu`, `phoenix/phoenix`. */
  readonly repository: string;
  /** `22.04`, `latest`, a commit sha; absent when the reference names none. */
  readonly tag?: string;
  /** `sha256:<64 hex>` of the manifest, when the reference pins one. */
  readonly digest?: string;
}

/** Where an image named without a registry lives. */
export const DOCKER_HUB_REGISTRY = "docker.io";

export class InvalidImageReferenceError extends Error {
  override readonly name = "InvalidImageReferenceError";
  constructor(
    /** The text (or the parts, formatted) that is not a reference. */
    readonly input: string,
    /** What is wrong, e.g. `the tag is empty`. */
    readonly reason: string,
  ) {
    super(`image reference ${quote(input)}: ${reason}`);
  }
}

const REGISTRY =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const REPOSITORY_MAX_LENGTH = 255;
const TAG = /^\w[\w.-]{0,127}$/;
/** go-digest's registered algorithms and their lowercase-hex lengths. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
/** Docker reads a bare 64-hex string as an image ID, never as a repository name. */
const IMAGE_ID = /^[a-f0-9]{64}$/;
const LEGACY_DOCKER_HUB_REGISTRY = "index.docker.io";
const OFFICIAL_IMAGES = "library/";
/** Characters of the input an error message quotes. */
const QUOTED_MAX = 100;

/** Parses a reference; throws InvalidImageReferenceError naming what is wrong. */
export function parseImageReference(text: string): ImageReference {
  if (text === "") throw new InvalidImageReferenceError(text, "it is empty");
  if (IMAGE_ID.test(text)) {
    throw new InvalidImageReferenceError(text, "a bare 64-hex string is an image ID, not a repository name");
  }
  // No tag, path or registry contains "@"; no repository contains ":" (a registry may, before its "/").
  const at = text.indexOf("@");
  const nameAndTag = at === -1 ? text : text.slice(0, at);
  const colon = nameAndTag.lastIndexOf(":");
  const hasTag = colon > nameAndTag.lastIndexOf("/");
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const slash = name.indexOf("/");
  const first = slash === -1 ? undefined : name.slice(0, slash);
  const namesRegistry = first !== undefined && readsAsRegistry(first);
  return checkedReference(text, {
    registry: namesRegistry && first !== LEGACY_DOCKER_HUB_REGISTRY ? first : DOCKER_HUB_REGISTRY,
    repository: namesRegistry ? name.slice(slash + 1) : name,
    ...(hasTag ? { tag: nameAndTag.slice(colon + 1) } : {}),
    ...(at === -1 ? {} : { digest: text.slice(at + 1) }),
  });
}

/**
 * Parses what may be anything (an image from an AWS event, say): `undefined` for text that is
 * not a reference. Errors other than an invalid reference (bugs) still throw.
 */
export function tryParseImageReference(text: string): ImageReference | undefined {
  try {
    return parseImageReference(text);
  } catch (error) {
    if (error instanceof InvalidImageReferenceError) return undefined;
    throw error;
  }
}

/**
 * A reference from its parts, checked by the same grammar and normalized as parsing would
 * (`docker.io/ubuntu` is `docker.io/library/ubuntu`), so it formats to text that parses back to it.
 */
export function imageReference(parts: ImageReference): ImageReference {
  const registry = parts.registry === LEGACY_DOCKER_HUB_REGISTRY ? DOCKER_HUB_REGISTRY : parts.registry;
  if (REGISTRY.test(registry) && !readsAsRegistry(registry)) {
    throw new InvalidImageReferenceError(
      formatImageReference(parts),
      `the registry ${quote(registry)} would read as a Docker Hub namespace; a registry host has a "." or a ":port", or is localhost`,
    );
  }
  return checkedReference(formatImageReference(parts), { ...parts, registry });
}

/** `registry/repository[:tag][@digest]`, always with the registry: text every parser reads alike. */
export function formatImageReference(reference: ImageReference): string {
  const tag = reference.tag === undefined ? "" : `:${reference.tag}`;
  const digest = reference.digest === undefined ? "" : `@${reference.digest}`;
  return `${reference.registry}/${reference.repository}${tag}${digest}`;
}

/** How the first `/`-separated component tells a registry from a Docker Hub namespace. */
function readsAsRegistry(component: string): boolean {
  return (
    component === "localhost" ||
    component.includes(".") ||
    component.includes(":") ||
    component.toLowerCase() !== component
  );
}

/** Checks each part and applies Docker Hub's `library/`; `input` is what error messages quote. */
function checkedReference(input: string, parts: ImageReference): ImageReference {
  const fail = (reason: string) => new InvalidImageReferenceError(input, reason);
  const { registry, tag, digest } = parts;
  if (!REGISTRY.test(registry)) {
    throw fail(`the registry ${quote(registry)} is not a host name, IPv4 or [IPv6] address with an optional :port`);
  }
  if (parts.repository === "") throw fail("the repository is empty");
  const repository =
    registry === DOCKER_HUB_REGISTRY && !parts.repository.includes("/")
      ? `${OFFICIAL_IMAGES}${parts.repository}`
      : parts.repository;
  if (!REPOSITORY.test(repository)) {
    throw fail(
      repository.toLowerCase() !== repository && REPOSITORY.test(repository.toLowerCase())
        ? `the repository ${quote(repository)} must be lowercase`
        : `the repository ${quote(repository)} must be "/"-separated components of lowercase letters and digits, joined within a component by ".", "_", "__" or dashes`,
    );
  }
  if (repository.length > REPOSITORY_MAX_LENGTH) {
    throw fail(`the repository is ${repository.length} characters; at most ${REPOSITORY_MAX_LENGTH} are allowed`);
  }
  if (tag !== undefined && !TAG.test(tag)) {
    throw fail(
      tag === ""
        ? "the tag is empty"
        : `the tag ${quote(tag)} must be 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-"`,
    );
  }
  if (digest !== undefined) {
    const reason = digestProblem(digest);
    if (reason) throw fail(reason);
  }
  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(":");
  if (colon <= 0) return `the digest ${quote(digest)} is not algorithm:hex (sha256:<64 hex>)`;
  const algorithm = digest.slice(0, colon);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) {
    return `the digest algorithm ${quote(algorithm)} is not one of ${Object.keys(DIGEST_HEX_LENGTH).join(", ")}`;
  }
  const hex = digest.slice(colon + 1);
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    return `a ${algorithm} digest is ${length} lowercase hex digits, not ${quote(hex)}`;
  }
  return undefined;
}

/** Text in quotes, escaped (it may hold anything) and clipped so a message stays readable. */
function quote(text: string): string {
  if (text.length <= QUOTED_MAX) return JSON.stringify(text);
  // Cut between code points, not inside a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(QUOTED_MAX - 1)) ? QUOTED_MAX - 1 : QUOTED_MAX;
  return `${JSON.stringify(text.slice(0, end))}… (${text.length} characters)`;
}
