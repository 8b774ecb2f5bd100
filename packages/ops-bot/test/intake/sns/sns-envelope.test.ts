import { describe, expect, it } from "vitest";
import { parseSnsAlarmMessage } from "../../../src/domain/events/cloudwatch-alarm.js";
import { parseSnsHttpMessage, SNS_SIGNED_FIELDS } from "../../../src/intake/sns/sns-envelope.js";
import { loadFixture, parseErrorFrom, REMOVE, variantOf } from "../../support/aws-fixtures.js";

describe("SNS HTTP messages", () => {
  it("tells a notification from the two confirmations by Type", () => {
    expect(parseSnsHttpMessage(loadFixture("sns-http-notification").payload).Type).toBe("Notification");
    const confirmation = parseSnsHttpMessage(loadFixture("sns-http-subscription-confirmation").payload);
    expect(confirmation.Type).toBe("SubscriptionConfirmation");
    if (confirmation.Type === "SubscriptionConfirmation") {
      expect(confirmation.SubscribeURL).toMatch(/Action=ConfirmSubscription/);
    }
    expect(parseSnsHttpMessage(loadFixture("sns-http-unsubscribe-confirmation").payload).Type).toBe(
      "UnsubscribeConfirmation",
    );
  });

  it("parses the raw body text as received", () => {
    const body = JSON.stringify(loadFixture("sns-http-notification").payload, null, 2);
    expect(parseSnsHttpMessage(body)).toStrictEqual(JSON.parse(body));
  });

  it("keeps unknown fields and raw values exactly, for the signature check", () => {
    const message = {
      ...(loadFixture("sns-http-notification").payload as object),
      Message: "  spaced\nmessage  ",
      MessageAttributes: { origin: { Type: "String", Value: "test" } },
    };
    const parsed = parseSnsHttpMessage(message);
    expect(parsed).toStrictEqual(message);
    expect(parsed.Message).toBe("  spaced\nmessage  ");
  });

  it("accepts a notification without Subject", () => {
    const parsed = parseSnsHttpMessage(variantOf("sns-http-notification", ["Subject"], REMOVE));
    expect(parsed.Type === "Notification" && parsed.Subject).toBe(undefined);
  });

  it("carries the alarm message that parseSnsAlarmMessage reads", () => {
    const envelope = parseSnsHttpMessage(loadFixture("sns-http-notification-cpu-alarm").payload);
    expect(parseSnsAlarmMessage(envelope.Message).alarmName).toBe("phoenix-staging-cpu-high");
  });

  it("lists the string-to-sign fields of each type in the documented order", () => {
    expect(SNS_SIGNED_FIELDS.Notification).toEqual([
      "Message",
      "MessageId",
      "Subject",
      "Timestamp",
      "TopicArn",
      "Type",
    ]);
    expect(SNS_SIGNED_FIELDS.SubscriptionConfirmation).toEqual([
      "Message",
      "MessageId",
      "SubscribeURL",
      "Timestamp",
      "Token",
      "TopicArn",
      "Type",
    ]);
    expect(SNS_SIGNED_FIELDS.UnsubscribeConfirmation).toEqual(SNS_SIGNED_FIELDS.SubscriptionConfirmation);
    for (const fields of Object.values(SNS_SIGNED_FIELDS)) expect([...fields].sort()).toEqual(fields);
  });

  it.each([
    ["a missing MessageId", variantOf("sns-http-notification", ["MessageId"], REMOVE), "MessageId", /is required/],
    ["an unknown Type", variantOf("sns-http-notification", ["Type"], "Ping"), "Type", /is invalid/],
    [
      "SignatureVersion 3",
      variantOf("sns-http-notification", ["SignatureVersion"], "3"),
      "SignatureVersion",
      /"1"\|"2"/,
    ],
    ["a numeric Timestamp", variantOf("sns-http-notification", ["Timestamp"], 1335920046), "Timestamp", /is invalid/],
    [
      "a notification without UnsubscribeURL",
      variantOf("sns-http-notification", ["UnsubscribeURL"], REMOVE),
      "UnsubscribeURL",
      /is required/,
    ],
    [
      "a confirmation without Token",
      variantOf("sns-http-subscription-confirmation", ["Token"], REMOVE),
      "Token",
      /is required/,
    ],
  ])("rejects %s, naming the field", (_, message, path, problem) => {
    const error = parseErrorFrom(() => parseSnsHttpMessage(message));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(new RegExp(`^SNS HTTP message: ${path} `));
    expect(error.message).toMatch(problem);
  });

  it("rejects a body that is not JSON", () => {
    expect(() => parseSnsHttpMessage("Type=Notification")).toThrow("SNS HTTP message: is not valid JSON");
  });
});
