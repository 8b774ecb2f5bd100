import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OciBuildError } from "../src/oci-build-error.js";
import { pinnedNodeVersion } from "../src/pinned-node-release.js";

const version = fc
  .tuple(fc.nat(99), fc.nat(99), fc.nat(99))
  .map(([major, minor, patch]) => `${major}.${minor}.${patch}`);
/** Lines that may stand before the first FROM without pinning anything. */
const otherPreamble = fc.constantFrom(
  "# syntax=docker/dockerfile:1",
  "# ARG NODE_VERSION=1.2.3 in a comment",
  "ARG NODE_IMAGE=node",
  "ARG NODE_VERSION_SUFFIX=1.2.3",
  "",
);

describe("pinnedNodeVersion", () => {
  it("finds the global ARG NODE_VERSION wherever it stands before the first FROM", () => {
    fc.assert(
      fc.property(fc.array(otherPreamble), fc.array(otherPreamble), version, (before, after, pinned) => {
        const dockerfile = [...before, `ARG NODE_VERSION=${pinned}`, ...after, "FROM node:$NODE_VERSION-slim", ""];
        expect(pinnedNodeVersion(dockerfile.join("\n"))).toBe(pinned);
      }),
    );
  });

  it("ignores an ARG NODE_VERSION inside a stage, where it pins nothing for FROM", () => {
    fc.assert(
      fc.property(fc.array(otherPreamble), version, (preamble, pinned) => {
        const dockerfile = [...preamble, "FROM node:26-slim", `ARG NODE_VERSION=${pinned}`].join("\n");
        expect(() => pinnedNodeVersion(dockerfile)).toThrow(OciBuildError);
      }),
    );
  });

  it("refuses a version that is not an exact x.y.z release", () => {
    for (const loose of ["26", "26.10", "lts", "26.10.0-rc1", ""]) {
      expect(() => pinnedNodeVersion(`ARG NODE_VERSION=${loose}\nFROM node:\${NODE_VERSION}\n`)).toThrow(
        /no global `ARG NODE_VERSION=x.y.z`/,
      );
    }
  });
});
