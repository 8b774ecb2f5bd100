import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { AppLogGroup } from "../src/index.js";

describe("requirement 3: container logs kept for 7 days", () => {
  it("creates a log group with 7-day retention that survives stack deletion", () => {
    const stack = new Stack(new App(), "Logs");
    new AppLogGroup(stack, "AppLogs", { logGroupName: "/phoenix/phoenix/staging" });
    const template = Template.fromStack(stack);
    template.hasResourceProperties("AWS::Logs::LogGroup", {
      LogGroupName: "/phoenix/phoenix/staging",
      RetentionInDays: 7,
    });
    template.hasResource("AWS::Logs::LogGroup", { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
  });

  it("fails at synth with the prop named when the retention is not one CloudWatch accepts", () => {
    const stack = new Stack(new App(), "Logs");
    expect(() => new AppLogGroup(stack, "AppLogs", { retentionDays: 8 })).toThrow(
      /AppLogGroup: retentionDays must be one of 1, 3, 5, 7/,
    );
  });
});
