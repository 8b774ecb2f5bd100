import { describe, expect, it } from "vitest";
import { canonicalJson, composeImageConfig } from "../src/image-assembly.js";
import type { ImageConfig } from "../src/oci-manifest.js";
import { manifestReference, parseRegistryImage } from "../src/registry-image.js";

// Shaped like the config of the official node:22-bookworm-slim image (docker inspect, trimmed).
const nodeBase: ImageConfig = {
  architecture: "amd64",
  os: "linux",
  config: {
    Env: [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "NODE_VERSION=22.11.0",
      "YARN_VERSION=1.22.22",
    ],
    Entrypoint: ["docker-entrypoint.sh"],
    Cmd: ["node"],
    Labels: { maintainer: "node" },
  },
  rootfs: { type: "layers", diff_ids: [`sha256:${"a".repeat(64)}`, `sha256:${"b".repeat(64)}`] },
  history: [{ created_by: "ADD rootfs.tar.xz /" }, { created_by: "RUN install node" }],
};

const appLayer = {
  layer: {
    digest: `sha256:${"d".repeat(64)}`,
    size: 10,
    diffId: `sha256:${"c".repeat(64)}`,
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" as const,
  },
  description: "app files",
};

describe("image config composition", () => {
  it("keeps the base's environment and entrypoint, overriding by name, and appends diff_ids and history", () => {
    const config = composeImageConfig({
      base: { layers: [], config: nodeBase },
      layers: [appLayer],
      runtime: {
        cmd: ["node", "dist/main.js"],
        env: { NODE_ENV: "production", YARN_VERSION: "none" },
        exposedPort: 3000,
      },
      created: "1970-01-01T00:00:00.000Z",
      platform: { os: "linux", architecture: "amd64" },
      createdBy: "phoenix-ops oci-image-builder",
    });
    expect(config.config).toEqual({
      ExposedPorts: { "3000/tcp": {} },
      Env: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "NODE_VERSION=22.11.0",
        "YARN_VERSION=none",
        "NODE_ENV=production",
      ],
      Entrypoint: ["docker-entrypoint.sh"],
      Cmd: ["node", "dist/main.js"],
      Labels: { maintainer: "node" },
    });
    expect(config.rootfs.diff_ids).toEqual([...nodeBase.rootfs.diff_ids, appLayer.layer.diffId]);
    expect(config.history?.at(-1)).toEqual({
      created: "1970-01-01T00:00:00.000Z",
      created_by: "phoenix-ops oci-image-builder: app files",
    });
  });

  it("drops the inherited Cmd when a new entrypoint is set, as a Dockerfile ENTRYPOINT does", () => {
    const config = composeImageConfig({
      base: { layers: [], config: nodeBase },
      layers: [],
      runtime: { entrypoint: ["node", "dist/main.js"] },
      created: "1970-01-01T00:00:00.000Z",
      platform: { os: "linux", architecture: "amd64" },
      createdBy: "test",
    });
    expect(config.config?.Entrypoint).toEqual(["node", "dist/main.js"]);
    expect(config.config?.Cmd).toBeUndefined();
  });

  it("serializes the same inputs to the same bytes", () => {
    const compose = () =>
      canonicalJson(
        composeImageConfig({
          base: { layers: [], config: undefined },
          layers: [appLayer],
          runtime: { labels: { b: "2", a: "1" } },
          created: "1970-01-01T00:00:00.000Z",
          platform: { os: "linux", architecture: "amd64" },
          createdBy: "test",
        }),
      );
    expect(compose().equals(compose())).toBe(true);
    expect(compose().toString()).toContain('"Labels":{"a":"1","b":"2"}');
  });
});

describe("registry images", () => {
  it("reads registry, repository and tag or digest, with http only for a loopback registry", () => {
    expect(parseRegistryImage("127.0.0.1:5017/phoenix/node-base:local")).toEqual({
      reference: { registry: "127.0.0.1:5017", repository: "phoenix/node-base", tag: "local" },
      registryUrl: "http://127.0.0.1:5017",
    });
    const digest = `sha256:${"e".repeat(64)}`;
    const ecr = parseRegistryImage(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/phoenix-app@${digest}`);
    expect(ecr).toEqual({
      reference: { registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", repository: "phoenix-app", digest },
      registryUrl: "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    });
    expect(manifestReference(ecr.reference)).toBe(digest);
    expect(() => parseRegistryImage("http://registry.example.test/app:1")).toThrow(/only allowed for a loopback/);
  });

  it("takes an explicit scheme, https even for a loopback registry", () => {
    expect(parseRegistryImage("https://localhost:5000/app:1").registryUrl).toBe("https://localhost:5000");
    expect(parseRegistryImage("http://localhost:5000/app:1").reference).toEqual({
      registry: "localhost:5000",
      repository: "app",
      tag: "1",
    });
  });

  it("asks for the digest of a reference pinned by tag and digest, and for latest when it names neither", () => {
    const digest = `sha256:${"f".repeat(64)}`;
    expect(manifestReference(parseRegistryImage(`localhost:5000/app:1@${digest}`).reference)).toBe(digest);
    expect(manifestReference(parseRegistryImage("localhost:5000/app").reference)).toBe("latest");
  });

  it("refuses a reference without a registry host (Docker Hub) and one the shared grammar rejects, as InvalidReference", () => {
    expect(() => parseRegistryImage("node:22")).toThrow(
      expect.objectContaining({ code: "InvalidReference", message: expect.stringMatching(/on Docker Hub/) }),
    );
    expect(() => parseRegistryImage("localhost:5000/Phoenix:1")).toThrow(
      expect.objectContaining({ code: "InvalidReference", message: expect.stringMatching(/must be lowercase/) }),
    );
    expect(() => parseRegistryImage("https://localhost:5000/app:")).toThrow(
      expect.objectContaining({ code: "InvalidReference", message: expect.stringMatching(/the tag is empty/) }),
    );
  });
});
