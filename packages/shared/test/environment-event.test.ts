import { describe, expect, it } from "vitest";
import { ENVIRONMENT_LABELS_KEY, labelledEventInputTemplate, WHOLE_EVENT_VARIABLE } from "../src/index.js";

describe("labelledEventInputTemplate", () => {
  it("becomes the labelled event once EventBridge puts the matched event in its place", () => {
    const template = labelledEventInputTemplate({ environment: "staging", repository: "phoenix-ops/phoenix" });
    // What EventBridge does with the predefined variable: the event's JSON in place of the placeholder.
    const event = { id: "e-1", "detail-type": "ECS Task State Change", detail: { lastStatus: "STOPPED" } };
    const delivered = JSON.parse(template.replace(WHOLE_EVENT_VARIABLE, JSON.stringify(event)));
    expect(delivered).toEqual({
      [ENVIRONMENT_LABELS_KEY]: { environment: "staging", repository: "phoenix-ops/phoenix" },
      event,
    });
  });

  it("encodes the labels as JSON strings, so a quote in a name cannot break the template", () => {
    const template = labelledEventInputTemplate({ environment: 'st"aging', repository: "o/r" });
    const delivered = JSON.parse(template.replace(WHOLE_EVENT_VARIABLE, "{}"));
    expect(delivered[ENVIRONMENT_LABELS_KEY].environment).toBe('st"aging');
  });
});
