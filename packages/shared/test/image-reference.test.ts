import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatImageReference,
  type ImageReference,
  InvalidImageReferenceError,
  imageReference,
  parseImageReference,
  tryParseImageReference,
} from "../src/index.js";

const SHA256 = `sha256:${"a".repeat(64)}`;
// The commit sha our image builds tag with (see the infra buildspec).
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

function invalid(text: string): InvalidImageReferenceError {
  try {
    parseImageReference(text);
  } catch (error) {
    if (error instanceof InvalidImageReferenceError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe("parsing image references", () => {
  // Names as people type them and as Docker reads them: the expected parts follow
  // distribution/reference's normalize_test.go (TestNormalizedSplitHostname, TestParseRepositoryInfo,
  // TestParseReferenceWithTagAndDigest) and Docker's rule that an unqualified name is on Docker Hub.
  it.each<[string, ImageReference]>([
    ["ubuntu", { registry: "docker.io", repository: "library/ubuntu" }],
    ["ubuntu:22.04", { registry: "docker.io", repository: "library/ubuntu", tag: "22.04" }],
    ["docker/migrator", { registry: "docker.io", repository: "docker/migrator" }],
    ["docker.io/foo", { registry: "docker.io", repository: "library/foo" }],
    ["index.docker.io/library/debian", { registry: "docker.io", repository: "library/debian" }],
    ["test_com/foo", { registry: "docker.io", repository: "test_com/foo" }],
    ["test-com:8080/foo", { registry: "test-com:8080", repository: "foo" }],
    ["xn--n3h.com:18080/foo", { registry: "xn--n3h.com:18080", repository: "foo" }],
    ["localhost:5000/a/b:tag", { registry: "localhost:5000", repository: "a/b", tag: "tag" }],
    ["localhost/phoenix", { registry: "localhost", repository: "phoenix" }],
    [
      "127.0.0.1:5017/phoenix/node-base:local",
      { registry: "127.0.0.1:5017", repository: "phoenix/node-base", tag: "local" },
    ],
    ["[fc00::1]:5000/docker/docker", { registry: "[fc00::1]:5000", repository: "docker/docker" }],
    ["Foo/bar", { registry: "Foo", repository: "bar" }],
    ["docker---rules/dock__er", { registry: "docker.io", repository: "docker---rules/dock__er" }],
    // What ECS task definitions carry: our deployer pins the image by digest (an ECR image URI).
    [
      `111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix@${SHA256}`,
      { registry: "111122223333.dkr.ecr.eu-west-1.amazonaws.com", repository: "phoenix/phoenix", digest: SHA256 },
    ],
    // The app's base image, from ECR Public's mirror of the Docker official images (the app's Dockerfile).
    [
      "public.ecr.aws/docker/library/node:26.10.0-trixie-slim",
      { registry: "public.ecr.aws", repository: "docker/library/node", tag: "26.10.0-trixie-slim" },
    ],
    [
      `busybox:latest@${SHA256}`,
      { registry: "docker.io", repository: "library/busybox", tag: "latest", digest: SHA256 },
    ],
    [
      `example.com/app@sha512:${"b".repeat(128)}`,
      { registry: "example.com", repository: "app", digest: `sha512:${"b".repeat(128)}` },
    ],
  ])("reads %s", (text, expected) => {
    expect(parseImageReference(text)).toStrictEqual(expected);
  });

  it("tells a registry port from a tag", () => {
    expect(parseImageReference("localhost:5000/phoenix")).toStrictEqual({
      registry: "localhost:5000",
      repository: "phoenix",
    });
    expect(parseImageReference("localhost:5000/phoenix:v1")).toStrictEqual({
      registry: "localhost:5000",
      repository: "phoenix",
      tag: "v1",
    });
    // Without a "/" the colon can only start a tag (distribution/reference: "192.168.0.1:80" is valid).
    expect(parseImageReference("192.168.0.1:80")).toStrictEqual({
      registry: "docker.io",
      repository: "library/192.168.0.1",
      tag: "80",
    });
  });

  it("keeps a commit-sha tag and a digest together", () => {
    expect(parseImageReference(`localhost:5000/phoenix:${COMMIT}@${SHA256}`)).toStrictEqual({
      registry: "localhost:5000",
      repository: "phoenix",
      tag: COMMIT,
      digest: SHA256,
    });
  });

  // Invalid names from distribution/reference's normalize_test.go (TestValidateReferenceName,
  // TestValidateRemoteName) and its digest rules (go-digest), with the reason we report.
  it.each<[string, RegExp]>([
    ["", /it is empty/],
    ["docker/Docker", /the repository "docker\/Docker" must be lowercase/],
    ["UPPER", /must be lowercase/],
    ["ubuntu:", /the tag is empty/],
    ["ubuntu:-x", /the tag "-x" must be 1 to 128/],
    [`ubuntu:${"t".repeat(129)}`, /the tag .* must be 1 to 128/],
    ["ubuntu@", /the digest "" is not algorithm:hex/],
    ["phoenix@not-a-digest", /is not algorithm:hex/],
    [`ubuntu@md5:${"a".repeat(32)}`, /the digest algorithm "md5" is not one of sha256, sha384, sha512/],
    [`ubuntu@sha256:${"A".repeat(64)}`, /a sha256 digest is 64 lowercase hex digits/],
    [`ubuntu@sha256:${"a".repeat(63)}`, /a sha256 digest is 64 lowercase hex digits/],
    ["docker///docker", /must be "\/"-separated components/],
    ["-docker/docker", /must be "\/"-separated components/],
    ["docker/dock..er", /must be "\/"-separated components/],
    ["docker/", /must be "\/"-separated components/],
    ["localhost:5000/", /the repository is empty/],
    ["https://github.com/docker/docker", /the registry "https:" is not a host name/],
    ["-docker.io/docker/docker", /the registry "-docker.io" is not a host name/],
    ["fc00::1:5000/debian", /the registry "fc00::1:5000" is not a host name/],
    ["[fc00::1]:5000", /must be "\/"-separated components/],
    ["1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", /is an image ID/],
    [`${"a/".repeat(127)}ab`, /the repository is 256 characters; at most 255/],
  ])("refuses %j", (text, reason) => {
    const error = invalid(text);
    expect(error.message).toMatch(reason);
    expect(error.input).toBe(text);
  });

  it("quotes long or odd input clipped and escaped, so a message stays one readable line", () => {
    const error = invalid(`registry.example.com/${"x".repeat(500)}\n@evil`);
    expect(error.message).not.toContain("\n");
    expect(error.message).toContain('"registry.example.com/xxx');
    expect(error.message).toContain("… (527 characters)");
    expect(error.message.length).toBeLessThan(400);
  });

  it("answers undefined, not an error, for text that is not a reference when asked to tolerate it", () => {
    expect(tryParseImageReference("phoenix@not-a-digest")).toBeUndefined();
    expect(tryParseImageReference("")).toBeUndefined();
    expect(tryParseImageReference("ubuntu")).toStrictEqual({ registry: "docker.io", repository: "library/ubuntu" });
  });
});

describe("formatting image references", () => {
  it("writes the registry always, then the tag, then the digest", () => {
    expect(formatImageReference(parseImageReference("ubuntu"))).toBe("docker.io/library/ubuntu");
    expect(formatImageReference(parseImageReference(`busybox:latest@${SHA256}`))).toBe(
      `docker.io/library/busybox:latest@${SHA256}`,
    );
    expect(
      formatImageReference({
        registry: "111122223333.dkr.ecr.eu-west-1.amazonaws.com",
        repository: "phoenix",
        digest: SHA256,
      }),
    ).toBe(`111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix@${SHA256}`);
  });

  it("checks parts and normalizes them as parsing would", () => {
    expect(imageReference({ registry: "docker.io", repository: "ubuntu", tag: "22.04" })).toStrictEqual({
      registry: "docker.io",
      repository: "library/ubuntu",
      tag: "22.04",
    });
    expect(imageReference({ registry: "127.0.0.1:5017", repository: "phoenix/node-base", tag: "local" })).toStrictEqual(
      { registry: "127.0.0.1:5017", repository: "phoenix/node-base", tag: "local" },
    );
    expect(() => imageReference({ registry: "localhost:5000", repository: "Phoenix" })).toThrow(
      InvalidImageReferenceError,
    );
    // "myregistry/app" would mean Docker Hub's namespace myregistry: no text could name this registry.
    expect(() => imageReference({ registry: "myregistry", repository: "app" })).toThrow(
      /the registry "myregistry" would read as a Docker Hub namespace/,
    );
  });
});

// Generators built from the grammar in distribution/reference's reference.go, independently of the
// code under test, producing references in the normalized form the parser returns.
const alphanumeric = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const pathComponent = fc
  .tuple(
    alphanumeric,
    fc.array(fc.tuple(fc.constantFrom(".", "_", "__", "-", "--", "---"), alphanumeric), { maxLength: 3 }),
  )
  .map(([head, rest]) => head + rest.map(([separator, part]) => separator + part).join(""));
const repositoryPath = (minComponents: number) =>
  fc.array(pathComponent, { minLength: minComponents, maxLength: 4 }).map((components) => components.join("/"));
const port = fc.option(
  fc.integer({ min: 1, max: 65535 }).map((n) => `:${n}`),
  { nil: "" },
);
const domainComponent = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?$/);
const registry = fc.oneof(
  fc
    .tuple(fc.array(domainComponent, { minLength: 2, maxLength: 4 }), port)
    .map(([labels, p]) => labels.join(".") + p)
    .filter((host) => !/^index\.docker\.io$/i.test(host) && host !== "docker.io"),
  fc.tuple(domainComponent, fc.integer({ min: 1, max: 65535 })).map(([label, p]) => `${label}:${p}`),
  port.map((p) => `localhost${p}`),
  fc
    .tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), port)
    .map(([ip, p]) => ip.join(".") + p),
  fc.tuple(fc.constantFrom("[::1]", "[fc00::1]", "[fc00:1:2:3:4:5:6:7]"), port).map(([ip, p]) => ip + p),
);
const hex = (length: number) => fc.stringMatching(new RegExp(`^[a-f0-9]{${length}}$`));
const digest = fc.oneof(
  hex(64).map((h) => `sha256:${h}`),
  hex(96).map((h) => `sha384:${h}`),
  hex(128).map((h) => `sha512:${h}`),
);
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
const validReference: fc.Arbitrary<ImageReference> = fc.oneof(
  fc.record(
    { registry, repository: repositoryPath(1), tag, digest },
    { requiredKeys: ["registry", "repository"], noNullPrototype: true },
  ),
  // On Docker Hub every repository has a namespace: `library/` for the official images.
  fc.record(
    { registry: fc.constant("docker.io"), repository: repositoryPath(2), tag, digest },
    { requiredKeys: ["registry", "repository"], noNullPrototype: true },
  ),
);

// Strings near the grammar (its alphabet, valid references with one character changed) and anything.
const referenceAlphabet = fc.constantFrom(..."abz09AZ./:@_-[]".split(""));
const nearReference = fc
  .tuple(validReference.map(formatImageReference), fc.nat(), fc.constantFrom("", ..."A/:@._-[ \u00e9".split("")))
  .map(([text, at, inserted]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + inserted + text.slice(i + 1);
  });
const anyText = fc.oneof(
  fc.string({ unit: referenceAlphabet, maxLength: 40 }),
  nearReference,
  fc.string(),
  fc.string({ unit: "binary", maxLength: 300 }),
);

describe("image reference properties", () => {
  it("parses every formatted reference back to itself", () => {
    fc.assert(
      fc.property(validReference, (reference) => {
        expect(parseImageReference(formatImageReference(reference))).toStrictEqual(reference);
        expect(imageReference(reference)).toStrictEqual(reference);
      }),
      { numRuns: 500 },
    );
  });

  it("formats every parsed reference back to the text it came from, when that text was normalized", () => {
    fc.assert(
      fc.property(validReference.map(formatImageReference), (text) => {
        expect(formatImageReference(parseImageReference(text))).toBe(text);
      }),
    );
  });

  it("either reads any text as a reference that survives formatting, or refuses it with InvalidImageReferenceError", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        let parsed: ImageReference;
        try {
          parsed = parseImageReference(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidImageReferenceError);
          expect(tryParseImageReference(text)).toBeUndefined();
          return;
        }
        expect(parseImageReference(formatImageReference(parsed))).toStrictEqual(parsed);
        expect(tryParseImageReference(text)).toStrictEqual(parsed);
      }),
      { numRuns: 2000 },
    );
  });
});
