import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decideImage,
  type ImageFacts,
  type SucceededImage,
  succeededImageFrom,
} from "../../../src/domain/delivery/deployment-order.js";
import type { BuiltImage } from "../../../src/ports/image-builder.js";

const SHA = "abc1234".padEnd(40, "0");
const digest = (hex: string) => `sha256:${hex.repeat(64).slice(0, 64)}`;
const built = (hex: string): BuiltImage => ({
  repositoryUri: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix",
  digest: digest(hex),
  uri: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix@${digest(hex)}`,
});
const succeeded = (hex: string): SucceededImage => ({
  sha: SHA,
  digest: digest(hex),
  uri: built(hex).uri,
  deployId: "landed/octo-org/phoenix/staging/abc",
  succeededAt: "2026-11-26T09:00:00.000Z",
});
const facts = (overrides: Partial<ImageFacts>): ImageFacts => ({
  environment: "production",
  after: "staging",
  sha: SHA,
  built: undefined,
  builtSucceededInAfter: false,
  commitSucceededInAfter: undefined,
  ...overrides,
});

describe("which image a deploy runs", () => {
  it("builds a commit without an image where no order is enforced, and reuses the one it has", () => {
    expect(decideImage(facts({ after: undefined }))).toEqual({ kind: "deploy", image: undefined });
    expect(decideImage(facts({ after: undefined, built: built("a") }))).toEqual({ kind: "deploy", image: built("a") });
  });

  it("promotes an image whose digest succeeded in the environment named by after:", () => {
    const decision = decideImage(facts({ built: built("a"), builtSucceededInAfter: true }));
    expect(decision).toEqual({ kind: "deploy", image: built("a") });
  });

  it("promotes the image recorded in staging when the image repository names none", () => {
    expect(decideImage(facts({ commitSucceededInAfter: succeeded("a") }))).toEqual({
      kind: "deploy",
      image: built("a"),
    });
  });

  it("refuses a commit with no image, naming the rule and what to do", () => {
    expect(decideImage(facts({}))).toEqual({
      kind: "refuse",
      reason:
        "**production** accepts only images that succeeded in **staging**; `abc1234` has no image yet, so it has not. Deploy it to **staging** first.",
    });
  });

  it("refuses an image that has not succeeded there, naming its digest", () => {
    expect(decideImage(facts({ built: built("b") }))).toEqual({
      kind: "refuse",
      reason: `**production** accepts only images that succeeded in **staging**; \`abc1234\` (\`${digest("b")}\`) has not. Deploy it to **staging** first.`,
    });
  });
});

const hex = fc.constantFrom("a", "b", "c");
const anyFacts = fc.record({
  environment: fc.constant("production"),
  after: fc.option(fc.constantFrom("staging", "qa"), { nil: undefined }),
  sha: fc.constant(SHA),
  built: fc.option(hex.map(built), { nil: undefined }),
  builtSucceededInAfter: fc.boolean(),
  commitSucceededInAfter: fc.option(hex.map(succeeded), { nil: undefined }),
});

describe("decideImage on any facts", () => {
  it("deploys into an after: environment only a digest known to have succeeded there, and never builds for it", () => {
    fc.assert(
      fc.property(anyFacts, (input) => {
        const decision = decideImage(input);
        if (input.after === undefined) {
          expect(decision).toEqual({ kind: "deploy", image: input.built });
          return;
        }
        if (decision.kind === "refuse") {
          expect(decision.reason).toContain(`accepts only images that succeeded in **${input.after}**`);
          return;
        }
        expect(decision.image).toBeDefined();
        const fromBuilt = input.builtSucceededInAfter && decision.image?.digest === input.built?.digest;
        const fromRecord = decision.image?.digest === input.commitSucceededInAfter?.digest;
        expect(fromBuilt || fromRecord).toBe(true);
        // The repository's image wins over the record when both exist: never a digest other than the commit's image.
        if (input.built) expect(decision.image?.digest).toBe(input.built.digest);
      }),
    );
  });
});

describe("success records read back from the Ledger", () => {
  it("reads a record the workflow wrote, and nothing that is not one", () => {
    expect(succeededImageFrom({ ...succeeded("a") })).toEqual(succeeded("a"));
    expect(succeededImageFrom(undefined)).toBeUndefined();
    expect(succeededImageFrom(null)).toBeUndefined();
    expect(succeededImageFrom(["x"])).toBeUndefined();
    expect(succeededImageFrom({ ...succeeded("a"), digest: 7 })).toBeUndefined();
  });
});
