import { describe, expect, it } from "vitest";
import {
  PropValidationError,
  requireExistingOrProps,
  requireForNewResource,
} from "../src/validation/prop-validation.js";

// Stand-ins for a resource made elsewhere and for overrides of a new one: the helpers only ask
// whether each was given, so any values do.
const existingBucket = { bucketName: "made-elsewhere" };
const bucketProps = { versioned: true };

describe("prop validation: an existing resource or props for a new one", () => {
  it("accepts an existing resource alone", () => {
    expect(() =>
      requireExistingOrProps("Archive", "existingBucket", existingBucket, "bucketProps", undefined),
    ).not.toThrow();
  });

  it("accepts props for a new resource alone", () => {
    expect(() =>
      requireExistingOrProps("Archive", "existingBucket", undefined, "bucketProps", bucketProps),
    ).not.toThrow();
  });

  it("accepts neither, so the construct creates the resource with its own defaults", () => {
    expect(() =>
      requireExistingOrProps("Archive", "existingBucket", undefined, "bucketProps", undefined),
    ).not.toThrow();
  });

  it("refuses both, naming the construct and the two props", () => {
    const both = () => requireExistingOrProps("Archive", "existingBucket", existingBucket, "bucketProps", bucketProps);
    expect(both).toThrow(PropValidationError);
    expect(both).toThrow("Archive: give existingBucket or bucketProps, not both");
  });

  it("refuses both even when the props are empty, since they were still given for a resource it will not create", () => {
    expect(() => requireExistingOrProps("Archive", "existingBucket", existingBucket, "bucketProps", {})).toThrow(
      "Archive: give existingBucket or bucketProps, not both",
    );
  });
});

describe("prop validation: a prop only a new resource needs", () => {
  it("returns the value when it is given", () => {
    const identity = { app: "phoenix", environment: "staging" };
    expect(requireForNewResource("Archive", "identity", identity, "existingBucket")).toBe(identity);
  });

  it("refuses a missing value, naming the prop and the existing-resource prop that would replace it", () => {
    const missing = () => requireForNewResource("Archive", "identity", undefined, "existingBucket");
    expect(missing).toThrow(PropValidationError);
    expect(missing).toThrow("Archive: identity is required unless existingBucket is given");
  });
});
