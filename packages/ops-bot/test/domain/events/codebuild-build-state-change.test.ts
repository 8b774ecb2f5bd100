import { IMAGE_BUILD_EXPORTED_VARIABLES } from "@phoenix/shared";
import { describe, expect, it } from "vitest";
import {
  buildIdOf,
  exportedVariablesOf,
  parseCodeBuildBuildStateChange,
} from "../../../src/domain/events/codebuild-build-state-change.js";
import { loadFixture, parseErrorFrom, REMOVE, variantOf } from "../../support/aws-fixtures.js";

describe("CodeBuild Build State Change", () => {
  it("reads the documented example, whose account field carries the guide's typo", () => {
    const event = parseCodeBuildBuildStateChange(loadFixture("codebuild-build-state-change").payload);
    expect(event.detail["build-status"]).toBe("SUCCEEDED");
    expect(event.detail["project-name"]).toBe("my-sample-project");
    expect(event.account).toBe(":123456789012");
    expect(exportedVariablesOf(event)).toEqual({});
  });

  it("exposes the image the build exported, under the names the buildspec uses", () => {
    const event = parseCodeBuildBuildStateChange(
      loadFixture("codebuild-build-state-change-exported-variables").payload,
    );
    const variables = exportedVariablesOf(event);
    expect(variables[IMAGE_BUILD_EXPORTED_VARIABLES.imageDigest]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(variables[IMAGE_BUILD_EXPORTED_VARIABLES.imageUri]).toMatch(/@sha256:/);
    expect(event.detail["additional-information"]?.["source-version"]).toBe(
      variables[IMAGE_BUILD_EXPORTED_VARIABLES.imageTag],
    );
  });

  it("reads a failed build", () => {
    const event = parseCodeBuildBuildStateChange(loadFixture("codebuild-build-state-change-failed").payload);
    expect(event.detail["build-status"]).toBe("FAILED");
  });

  it.each([
    ["build-status DONE", ["detail", "build-status"], "DONE", "detail.build-status", /is invalid/],
    ["a missing project-name", ["detail", "project-name"], REMOVE, "detail.project-name", /is required/],
    ["a missing build-id", ["detail", "build-id"], REMOVE, "detail.build-id", /is required/],
    ["a build phase change", ["detail-type"], "CodeBuild Build Phase Change", "detail-type", /is invalid/],
    [
      "an exported variable without a value",
      ["detail", "additional-information", "exported-environment-variables", 1, "value"],
      REMOVE,
      "detail.additional-information.exported-environment-variables[1].value",
      /is required/,
    ],
  ] as const)("rejects %s, naming the field", (_, path, value, expectedPath, problem) => {
    const event = variantOf("codebuild-build-state-change-exported-variables", path, value);
    const error = parseErrorFrom(() => parseCodeBuildBuildStateChange(event));
    expect(error.path).toBe(expectedPath);
    expect(error.message.startsWith(`CodeBuild Build State Change: ${expectedPath} `)).toBe(true);
    expect(error.message).toMatch(problem);
  });

  it("names the build by the id BatchGetBuilds takes, from the ARN the event carries", () => {
    const event = parseCodeBuildBuildStateChange(loadFixture("codebuild-build-state-change").payload);
    expect(event.detail["build-id"]).toMatch(/^arn:aws:codebuild:/);
    const id = buildIdOf(event.detail["build-id"]);
    expect(id).toBe("my-sample-project:8745a7a9-c340-456a-9166-edf953571bEX");
    expect(buildIdOf(id)).toBe(id);
  });
});
