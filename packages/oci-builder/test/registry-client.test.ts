import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { OciBuildError } from "../src/oci-build-error.js";
import { credentialsFromAuthorizationToken } from "../src/registry-auth.js";
import { type FetchFunction, RegistryClient } from "../src/registry-client.js";

interface Seen {
  readonly method: string;
  readonly url: URL;
  readonly authorization: string | null;
  readonly contentType: string | null;
  readonly body: Buffer | undefined;
}

/** A fetch that records every request and answers with `respond` (a registry double). */
function fakeRegistry(respond: (request: Seen) => Response | Promise<Response>): {
  fetch: FetchFunction;
  seen: Seen[];
} {
  const seen: Seen[] = [];
  const fetch: FetchFunction = async (input, init) => {
    const headers = new Headers(init?.headers);
    const request: Seen = {
      method: init?.method ?? "GET",
      url: new URL(String(input)),
      authorization: headers.get("authorization"),
      contentType: headers.get("content-type"),
      body: init?.body ? Buffer.from(init.body as Uint8Array) : undefined,
    };
    seen.push(request);
    return respond(request);
  };
  return { fetch, seen };
}

const ociError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ errors: [{ code, message, detail: null }] }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

const blob = Buffer.from("layer bytes");
const blobDigest = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
const REGISTRY = "https://registry.example.test";

describe("registry client", () => {
  it("answers a Bearer challenge with a token from the realm, scoped to the repository, and reuses it", async () => {
    const { fetch, seen } = fakeRegistry((request) => {
      if (request.url.host === "auth.example.test") {
        return Response.json({ token: "t0ken" });
      }
      if (request.authorization !== "Bearer t0ken") {
        return ociError(401, "UNAUTHORIZED", "authentication required", {
          "www-authenticate": `Bearer realm="https://auth.example.test/token",service="registry.example.test",scope="repository:phoenix/app:pull"`,
        });
      }
      return new Response(null, { status: 200 });
    });
    const client = new RegistryClient({ registryUrl: REGISTRY, fetch, credentials: { username: "u", password: "p" } });

    expect(await client.blobExists("phoenix/app", blobDigest)).toBe(true);
    expect(await client.blobExists("phoenix/app", blobDigest)).toBe(true);

    const tokenRequests = seen.filter((request) => request.url.host === "auth.example.test");
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]?.url.searchParams.get("service")).toBe("registry.example.test");
    expect(tokenRequests[0]?.url.searchParams.getAll("scope")).toEqual(["repository:phoenix/app:pull"]);
    expect(tokenRequests[0]?.authorization).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
    expect(seen.map((request) => `${request.url.host} ${request.authorization ?? "-"}`)).toEqual([
      "registry.example.test -",
      "auth.example.test Basic dTpw",
      "registry.example.test Bearer t0ken",
      "registry.example.test Bearer t0ken",
    ]);
  });

  it("sends ECR-style Basic credentials after a Basic challenge and asks the provider again when they expire", async () => {
    const tokens = [
      Buffer.from("AWS:expired-password").toString("base64"),
      Buffer.from("AWS:fresh-password").toString("base64"),
    ];
    let asked = 0;
    const credentials = async () => credentialsFromAuthorizationToken(tokens[Math.min(asked++, 1)] ?? "");
    const fresh = `Basic ${Buffer.from("AWS:fresh-password").toString("base64")}`;
    const { fetch, seen } = fakeRegistry((request) =>
      request.authorization === fresh
        ? new Response(null, { status: 404 })
        : ociError(401, "DENIED", "Your authorization token has expired.", {
            "www-authenticate":
              'Basic realm="https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/",service="ecr.amazonaws.com"',
          }),
    );
    const client = new RegistryClient({
      registryUrl: "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com",
      fetch,
      credentials,
    });

    expect(await client.blobExists("phoenix-app", blobDigest)).toBe(false);
    expect(asked).toBe(2);
    expect(seen.map((request) => request.authorization?.slice(0, 6) ?? "-")).toEqual(["-", "Basic ", "Basic "]);
  });

  it("fails with the registry's message when credentials are refused and no fresher ones exist", async () => {
    const { fetch } = fakeRegistry(() =>
      ociError(401, "UNAUTHORIZED", "authentication required", { "www-authenticate": 'Basic realm="registry"' }),
    );
    const client = new RegistryClient({
      registryUrl: REGISTRY,
      fetch,
      credentials: { username: "u", password: "wrong" },
    });
    const error = await client.blobExists("phoenix/app", blobDigest).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OciBuildError);
    expect(error).toMatchObject({ code: "UNAUTHORIZED" });
    expect((error as Error).message).toContain("UNAUTHORIZED: authentication required");
  });

  it("skips the upload of a blob the repository already has", async () => {
    const { fetch, seen } = fakeRegistry(() => new Response(null, { status: 200 }));
    const client = new RegistryClient({ registryUrl: REGISTRY, fetch });
    expect(await client.pushBlob("phoenix/app", { digest: blobDigest, content: blob })).toBe("present");
    expect(seen.map((request) => request.method)).toEqual(["HEAD"]);
  });

  it("mounts a blob from another repository of the same registry instead of uploading it", async () => {
    const { fetch, seen } = fakeRegistry((request) =>
      request.method === "HEAD" ? new Response(null, { status: 404 }) : new Response(null, { status: 201 }),
    );
    const client = new RegistryClient({ registryUrl: REGISTRY, fetch });
    const content = async (): Promise<Uint8Array> => {
      throw new Error("a mounted blob is never read");
    };
    expect(await client.pushBlob("phoenix/app", { digest: blobDigest, content, mountFrom: "phoenix/node-base" })).toBe(
      "mounted",
    );
    const mount = seen[1];
    expect(mount?.method).toBe("POST");
    expect(mount?.url.pathname).toBe("/v2/phoenix/app/blobs/uploads/");
    expect(mount?.url.searchParams.get("mount")).toBe(blobDigest);
    expect(mount?.url.searchParams.get("from")).toBe("phoenix/node-base");
  });

  it("uploads through the session a refused mount opened, at its absolute Location", async () => {
    const { fetch, seen } = fakeRegistry((request) => {
      if (request.method === "HEAD") return new Response(null, { status: 404 });
      if (request.method === "POST") {
        return new Response(null, {
          status: 202,
          headers: { location: "https://uploads.registry.example.test/v2/phoenix/app/blobs/uploads/abc?_state=x%2By" },
        });
      }
      return new Response(null, { status: 201 });
    });
    const client = new RegistryClient({ registryUrl: REGISTRY, fetch });
    expect(await client.pushBlob("phoenix/app", { digest: blobDigest, content: blob, mountFrom: "other/repo" })).toBe(
      "uploaded",
    );
    const put = seen[2];
    expect(seen).toHaveLength(3);
    expect(put?.method).toBe("PUT");
    expect(put?.url.href).toBe(
      `https://uploads.registry.example.test/v2/phoenix/app/blobs/uploads/abc?_state=x%2By&digest=${encodeURIComponent(blobDigest)}`,
    );
    expect(put?.body?.equals(blob)).toBe(true);
    expect(put?.contentType).toBe("application/octet-stream");
  });

  it("opens an upload and PUTs to a relative Location with the digest appended", async () => {
    const { fetch, seen } = fakeRegistry((request) =>
      request.method === "POST"
        ? new Response(null, { status: 202, headers: { location: "/v2/phoenix/app/blobs/uploads/u-1" } })
        : new Response(null, { status: 201 }),
    );
    const client = new RegistryClient({ registryUrl: REGISTRY, fetch });
    await client.uploadBlob("phoenix/app", blobDigest, blob);
    expect(seen[1]?.url.href).toBe(
      `${REGISTRY}/v2/phoenix/app/blobs/uploads/u-1?digest=${encodeURIComponent(blobDigest)}`,
    );
  });

  it("refuses to upload bytes that do not match their digest", async () => {
    const { fetch, seen } = fakeRegistry(() => new Response(null, { status: 202 }));
    const client = new RegistryClient({ registryUrl: REGISTRY, fetch });
    await expect(client.uploadBlob("phoenix/app", blobDigest, Buffer.from("other"))).rejects.toMatchObject({
      code: "DIGEST_INVALID",
    });
    expect(seen).toHaveLength(0);
  });

  it("turns the registry's error JSON into a OciBuildError with its code and message", async () => {
    const { fetch } = fakeRegistry(() => ociError(400, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry"));
    const client = new RegistryClient({ registryUrl: REGISTRY, fetch });
    const error = await client
      .putManifest("phoenix/app", "v1", Buffer.from("{}"), "application/vnd.oci.image.manifest.v1+json")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OciBuildError);
    expect(error).toMatchObject({ code: "MANIFEST_BLOB_UNKNOWN" });
    expect((error as Error).message).toBe(
      "registry registry.example.test push manifest phoenix/app:v1 failed (HTTP 400): MANIFEST_BLOB_UNKNOWN: blob unknown to registry",
    );
  });

  it("reports an unreachable registry as a OciBuildError naming the host", async () => {
    const fetch: FetchFunction = async () => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      });
    };
    const client = new RegistryClient({ registryUrl: REGISTRY, fetch });
    await expect(client.blobExists("phoenix/app", blobDigest)).rejects.toThrow(
      /registry registry\.example\.test unreachable \(check blob .*\): ECONNREFUSED/,
    );
  });

  it("returns the digest of the exact manifest bytes and rejects a registry that stored other bytes", async () => {
    const manifest = Buffer.from('{"schemaVersion":2}');
    const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
    const agreeing = fakeRegistry(
      () => new Response(null, { status: 201, headers: { "docker-content-digest": digest } }),
    );
    const client = new RegistryClient({ registryUrl: REGISTRY, fetch: agreeing.fetch });
    expect(await client.putManifest("phoenix/app", "v1", manifest, "application/vnd.oci.image.manifest.v1+json")).toBe(
      digest,
    );
    expect(agreeing.seen[0]?.contentType).toBe("application/vnd.oci.image.manifest.v1+json");

    const disagreeing = fakeRegistry(
      () => new Response(null, { status: 201, headers: { "docker-content-digest": `sha256:${"0".repeat(64)}` } }),
    );
    const other = new RegistryClient({ registryUrl: REGISTRY, fetch: disagreeing.fetch });
    await expect(
      other.putManifest("phoenix/app", "v1", manifest, "application/vnd.oci.image.manifest.v1+json"),
    ).rejects.toMatchObject({ code: "DIGEST_INVALID" });
  });

  it("resolves a Docker manifest list to the linux/amd64 schema2 manifest", async () => {
    const schema2 = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: blobDigest, size: 11 },
        layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: blobDigest, size: 11 }],
      }),
    );
    const schema2Digest = `sha256:${createHash("sha256").update(schema2).digest("hex")}`;
    const list = {
      schemaVersion: 2,
      mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
      manifests: [
        {
          mediaType: "application/vnd.docker.distribution.manifest.v2+json",
          digest: `sha256:${"a".repeat(64)}`,
          size: 1,
          platform: { os: "linux", architecture: "arm64", variant: "v8" },
        },
        {
          mediaType: "application/vnd.docker.distribution.manifest.v2+json",
          digest: schema2Digest,
          size: schema2.length,
          platform: { os: "linux", architecture: "amd64" },
        },
      ],
    };
    const { fetch, seen } = fakeRegistry((request) =>
      request.url.pathname.endsWith("/manifests/22")
        ? new Response(JSON.stringify(list), { headers: { "content-type": list.mediaType } })
        : new Response(schema2, {
            headers: { "content-type": "application/vnd.docker.distribution.manifest.v2+json" },
          }),
    );
    const client = new RegistryClient({ registryUrl: REGISTRY, fetch });
    const fetched = await client.getManifest("library/node", "22");
    expect(fetched.digest).toBe(schema2Digest);
    expect(fetched.manifest.layers).toHaveLength(1);
    expect(seen[1]?.url.pathname).toBe(`/v2/library/node/manifests/${schema2Digest}`);
  });

  it("allows plain http only for a loopback registry", () => {
    expect(() => new RegistryClient({ registryUrl: "http://registry.example.test" })).toThrow(
      /http:\/\/ is only allowed for a loopback registry/,
    );
    expect(new RegistryClient({ registryUrl: "http://127.0.0.1:5017" }).host).toBe("127.0.0.1:5017");
  });
});
