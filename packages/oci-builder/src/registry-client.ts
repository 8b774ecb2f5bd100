/**
 * An OCI distribution client (the registry HTTP API v2) with just what pushing an image needs:
 * blob existence, cross-repository mount, monolithic upload, blob and manifest reads (a base
 * image), manifest push. Every failure is a OciBuildError carrying the registry's own error
 * code and message.
 */

import { sha256Digest } from "./image-layer.js";
import { OciBuildError } from "./oci-build-error.js";
import {
  type Descriptor,
  type ImageManifest,
  MANIFEST_ACCEPT,
  type Platform,
  parseManifestDocument,
  selectPlatformManifest,
} from "./oci-manifest.js";
import {
  type AuthChallenge,
  basicAuthorization,
  parseAuthChallenge,
  type RegistryCredentials,
  type RegistryCredentialsProvider,
  repositoryScope,
} from "./registry-auth.js";
import { registryBaseUrl } from "./registry-image.js";

export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface RegistryClientOptions {
  /** `https://host[:port]`; `http://` only for a loopback host. */
  readonly registryUrl: string;
  /** Static credentials, or a provider asked when the registry wants them. @default anonymous */
  readonly credentials?: RegistryCredentials | RegistryCredentialsProvider;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction;
}

/** How a blob reached the repository. */
export type BlobPushResult = "present" | "mounted" | "uploaded";

export interface BlobToPush {
  readonly digest: string;
  /** The bytes, or a way to get them, asked only when the registry lacks the blob. */
  readonly content: Uint8Array | (() => Promise<Uint8Array>);
  /** Another repository of this registry that has the blob: mounted from there when allowed. */
  readonly mountFrom?: string;
}

export interface FetchedManifest {
  readonly manifest: ImageManifest;
  /** Digest of the platform manifest (not of the index when the reference named one). */
  readonly digest: string;
  readonly bytes: Buffer;
}

interface RegistryRequest {
  readonly method: "GET" | "HEAD" | "POST" | "PUT";
  /** A path under the registry, or an absolute URL (an upload Location). */
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  readonly scopes: readonly string[];
  /** Names the call in error messages, e.g. "push manifest phoenix/app:abc". */
  readonly operation: string;
}

const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64" };

export class RegistryClient {
  readonly baseUrl: URL;
  private readonly fetchFn: FetchFunction;
  private scheme: "unknown" | "none" | "basic" | "bearer" = "unknown";
  private bearerChallenge?: Extract<AuthChallenge, { scheme: "bearer" }>;
  private readonly tokens = new Map<string, string>();
  private credentialsCache?: Promise<RegistryCredentials | undefined>;

  constructor(private readonly options: RegistryClientOptions) {
    this.baseUrl = registryBaseUrl(options.registryUrl);
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** `host[:port]` as image URIs name this registry. */
  get host(): string {
    return this.baseUrl.host;
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const response = await this.send({
      method: "HEAD",
      url: `/v2/${repository}/blobs/${digest}`,
      scopes: [repositoryScope(repository, "pull")],
      operation: `check blob ${short(digest)} in ${repository}`,
    });
    if (response.status === 404) return false;
    await this.expect(response, [200], `check blob ${short(digest)} in ${repository}`);
    return true;
  }

  /**
   * Asks the registry to link a blob it holds in `fromRepository` into `repository`.
   * A registry that will not (or no longer has it) opens an upload instead: its URL is returned.
   */
  async mountBlob(
    repository: string,
    digest: string,
    fromRepository: string,
  ): Promise<{ mounted: true } | { mounted: false; uploadUrl: string }> {
    const operation = `mount blob ${short(digest)} from ${fromRepository} into ${repository}`;
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`;
    const response = await this.send({
      method: "POST",
      url: `/v2/${repository}/blobs/uploads/?${query}`,
      headers: { "content-length": "0" },
      scopes: [repositoryScope(repository, "pull,push"), repositoryScope(fromRepository, "pull")],
      operation,
    });
    if (response.status === 201) {
      await response.body?.cancel();
      return { mounted: true };
    }
    await this.expect(response, [202], operation);
    return { mounted: false, uploadUrl: this.location(response, operation) };
  }

  /** Monolithic upload: open an upload (unless given one), then PUT the bytes with their digest. */
  async uploadBlob(repository: string, digest: string, bytes: Uint8Array, uploadUrl?: string): Promise<void> {
    const operation = `upload blob ${short(digest)} to ${repository}`;
    const computed = sha256Digest(bytes);
    if (computed !== digest) throw new OciBuildError(`${operation}: the bytes hash to ${computed}`, "DIGEST_INVALID");
    const scopes = [repositoryScope(repository, "pull,push")];
    let url = uploadUrl;
    if (url === undefined) {
      const opened = await this.send({
        method: "POST",
        url: `/v2/${repository}/blobs/uploads/`,
        headers: { "content-length": "0" },
        scopes,
        operation,
      });
      await this.expect(opened, [202], operation);
      url = this.location(opened, operation);
    }
    const put = await this.send({
      method: "PUT",
      url: `${url}${url.includes("?") ? "&" : "?"}digest=${encodeURIComponent(digest)}`,
      headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) },
      body: bytes,
      scopes,
      operation,
    });
    await this.expect(put, [201], operation);
  }

  /** Puts a blob in the repository the cheapest way: already there, mounted, or uploaded. */
  async pushBlob(repository: string, blob: BlobToPush): Promise<BlobPushResult> {
    if (await this.blobExists(repository, blob.digest)) return "present";
    let uploadUrl: string | undefined;
    if (blob.mountFrom !== undefined && blob.mountFrom !== repository) {
      const mount = await this.mountBlob(repository, blob.digest, blob.mountFrom);
      if (mount.mounted) return "mounted";
      uploadUrl = mount.uploadUrl;
    }
    const bytes = typeof blob.content === "function" ? await blob.content() : blob.content;
    await this.uploadBlob(repository, blob.digest, bytes, uploadUrl);
    return "uploaded";
  }

  /** The blob's bytes, checked against the digest. */
  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const operation = `get blob ${short(digest)} from ${repository}`;
    const response = await this.send({
      method: "GET",
      url: `/v2/${repository}/blobs/${digest}`,
      scopes: [repositoryScope(repository, "pull")],
      operation,
    });
    await this.expect(response, [200], operation);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (sha256Digest(bytes) !== digest) {
      throw new OciBuildError(`${operation}: the registry sent bytes that do not match the digest`, "DIGEST_INVALID");
    }
    return bytes;
  }

  /**
   * The image manifest for a tag or digest. An OCI index or Docker manifest list is resolved
   * to the platform's manifest (linux/amd64 unless told otherwise).
   */
  async getManifest(
    repository: string,
    reference: string,
    platform: Platform = DEFAULT_PLATFORM,
  ): Promise<FetchedManifest> {
    const where = `manifest ${repository}:${reference}`;
    const first = await this.getManifestBytes(repository, reference, where);
    const document = parseManifestDocument(first.bytes, first.contentType, `${this.host} ${where}`);
    if (document.kind === "manifest") return { manifest: document.manifest, digest: first.digest, bytes: first.bytes };
    const chosen: Descriptor = selectPlatformManifest(document.index, platform, `${this.host} ${where}`);
    const second = await this.getManifestBytes(repository, chosen.digest, `manifest ${repository}@${chosen.digest}`);
    const resolved = parseManifestDocument(second.bytes, second.contentType, `${this.host} ${where}`);
    if (resolved.kind !== "manifest") {
      throw new OciBuildError(`${this.host} ${where}: the platform entry is itself an index`, "MANIFEST_INVALID");
    }
    return { manifest: resolved.manifest, digest: second.digest, bytes: second.bytes };
  }

  /**
   * PUTs the manifest under a tag; returns its digest: sha256 of exactly these bytes, checked
   * against the registry's `Docker-Content-Digest` when it sends one.
   */
  async putManifest(repository: string, tag: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const operation = `push manifest ${repository}:${tag}`;
    const digest = sha256Digest(bytes);
    const response = await this.send({
      method: "PUT",
      url: `/v2/${repository}/manifests/${tag}`,
      headers: { "content-type": mediaType, "content-length": String(bytes.length) },
      body: bytes,
      scopes: [repositoryScope(repository, "pull,push")],
      operation,
    });
    await this.expect(response, [200, 201], operation);
    const reported = response.headers.get("docker-content-digest");
    if (reported && reported !== digest) {
      throw new OciBuildError(
        `${this.host} ${operation}: the registry stored digest ${reported}, the pushed bytes are ${digest}`,
        "DIGEST_INVALID",
      );
    }
    return digest;
  }

  private async getManifestBytes(
    repository: string,
    reference: string,
    where: string,
  ): Promise<{ bytes: Buffer; contentType: string | null; digest: string }> {
    const operation = `get ${where}`;
    const response = await this.send({
      method: "GET",
      url: `/v2/${repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [repositoryScope(repository, "pull")],
      operation,
    });
    await this.expect(response, [200], operation);
    const bytes = Buffer.from(await response.arrayBuffer());
    const digest = sha256Digest(bytes);
    if (reference.startsWith("sha256:") && digest !== reference) {
      throw new OciBuildError(`${this.host} ${operation}: the registry sent a different manifest`, "DIGEST_INVALID");
    }
    return { bytes, contentType: response.headers.get("content-type"), digest };
  }

  private location(response: Response, operation: string): string {
    const location = response.headers.get("location");
    if (!location) throw new OciBuildError(`${this.host} ${operation}: no Location in the answer`, "UPLOAD_INVALID");
    // Relative (distribution) or absolute (ECR, behind a load balancer): both resolve here.
    const url = new URL(location, this.baseUrl);
    if (url.origin !== this.baseUrl.origin) registryBaseUrl(url.origin);
    return url.href;
  }

  /** Throws the registry's error unless the status is one of `ok`. */
  private async expect(response: Response, ok: readonly number[], operation: string): Promise<void> {
    if (ok.includes(response.status)) return;
    throw await registryError(response, `${this.host} ${operation}`);
  }

  /** One request, authenticated as the registry's last challenge asked, retried after a new challenge. */
  private async send(request: RegistryRequest): Promise<Response> {
    const url = new URL(request.url, this.baseUrl);
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...request.headers };
      const authorization = await this.authorization(request.scopes);
      if (authorization) headers.authorization = authorization;
      const response = await this.fetchOrThrow(
        url,
        { method: request.method, headers, ...(request.body ? { body: request.body } : {}) },
        request.operation,
      );
      if (response.status !== 401 || attempt >= 2) return response;
      const challenge = parseAuthChallenge(response.headers.get("www-authenticate"));
      if (!challenge) return response;
      const retry = await this.learn(challenge, request.scopes, authorization !== undefined && !refreshed);
      if (!retry) return response;
      if (authorization !== undefined) refreshed = true;
      await response.body?.cancel();
    }
  }

  private async fetchOrThrow(url: URL, init: RequestInit, operation: string): Promise<Response> {
    try {
      return await this.fetchFn(url, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new OciBuildError(`registry ${url.host} unreachable (${operation}): ${reason}`, "RegistryUnreachable", {
        cause: error,
      });
    }
  }

  private async authorization(scopes: readonly string[]): Promise<string | undefined> {
    if (this.scheme === "basic") {
      const credentials = await this.credentials(false);
      return credentials ? basicAuthorization(credentials) : undefined;
    }
    if (this.scheme === "bearer" && this.bearerChallenge) {
      const key = scopes.join(" ");
      return `Bearer ${this.tokens.get(key) ?? (await this.fetchToken(this.bearerChallenge, scopes))}`;
    }
    return undefined;
  }

  /** Updates the auth state from a challenge; false when retrying cannot help. */
  private async learn(
    challenge: AuthChallenge,
    scopes: readonly string[],
    sentAuthorization: boolean,
  ): Promise<boolean> {
    if (challenge.scheme === "basic") {
      if (this.scheme === "basic" && sentAuthorization) {
        // Rejected credentials: a provider may have fresher ones (an ECR token expires).
        if (typeof this.options.credentials !== "function") return false;
        await this.credentials(true);
      }
      this.scheme = "basic";
      return (await this.credentials(false)) !== undefined;
    }
    if (this.scheme === "bearer" && sentAuthorization && this.bearerChallenge?.realm === challenge.realm) {
      this.tokens.delete(scopes.join(" "));
    }
    this.scheme = "bearer";
    this.bearerChallenge = challenge;
    const wanted = [...new Set([...(challenge.scope?.split(" ") ?? []), ...scopes])];
    await this.fetchToken(challenge, wanted, scopes.join(" "));
    return true;
  }

  private async fetchToken(
    challenge: Extract<AuthChallenge, { scheme: "bearer" }>,
    scopes: readonly string[],
    key = scopes.join(" "),
  ): Promise<string> {
    const realm = registryBaseUrl(new URL(challenge.realm).origin);
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set("service", challenge.service);
    for (const scope of scopes) url.searchParams.append("scope", scope);
    const credentials = await this.credentials(false);
    const headers: Record<string, string> = credentials ? { authorization: basicAuthorization(credentials) } : {};
    const operation = `token for ${scopes.join(" ")}`;
    const response = await this.fetchOrThrow(url, { method: "GET", headers }, operation);
    if (!response.ok) throw await registryError(response, `${realm.host} ${operation}`);
    const body = (await response.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === "string" ? body.token : body.access_token;
    if (typeof token !== "string" || token === "") {
      throw new OciBuildError(`${realm.host} ${operation}: the token endpoint returned no token`, "UNAUTHORIZED");
    }
    this.tokens.set(key, token);
    return token;
  }

  private credentials(refresh: boolean): Promise<RegistryCredentials | undefined> {
    const source = this.options.credentials;
    if (source === undefined) return Promise.resolve(undefined);
    if (typeof source !== "function") return Promise.resolve(source);
    if (refresh || this.credentialsCache === undefined) {
      const pending = source();
      this.credentialsCache = pending;
      // A failed provider is asked again next time rather than remembered.
      pending.catch(() => {
        if (this.credentialsCache === pending) this.credentialsCache = undefined;
      });
    }
    return this.credentialsCache;
  }
}

/** The registry's `{errors:[{code,message}]}` as a OciBuildError (the HTTP status when it sent none). */
export async function registryError(response: Response, operation: string): Promise<OciBuildError> {
  const text = response.status === 204 ? "" : await response.text().catch(() => "");
  let code = `HTTP_${response.status}`;
  let message = text.trim().slice(0, 300) || response.statusText || "no details";
  try {
    const body = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown; detail?: unknown }[] };
    const errors = (body.errors ?? []).filter((error) => typeof error?.code === "string");
    if (errors.length > 0) {
      code = String(errors[0]?.code);
      message = errors.map((error) => `${error.code}: ${error.message ?? ""}`.trim()).join("; ");
    }
  } catch {
    // not JSON: the body (or status text) is the message
  }
  if (response.status === 401 && code === `HTTP_${response.status}`) code = "UNAUTHORIZED";
  return new OciBuildError(`registry ${operation} failed (HTTP ${response.status}): ${message}`, code);
}

function short(digest: string): string {
  return digest.slice(0, 19);
}
