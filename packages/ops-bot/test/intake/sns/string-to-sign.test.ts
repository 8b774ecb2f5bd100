import { describe, expect, it } from "vitest";
import { buildStringToSign } from "../../../src/intake/sns/string-to-sign.js";
import {
  docsNotification,
  docsSubscriptionConfirmation,
  docsUnsubscribeConfirmation,
} from "../../support/sns-test-signer.js";

describe("the string SNS signs", () => {
  it("lists a notification's Message, MessageId, Subject, Timestamp, TopicArn and Type as Key\\nValue\\n", () => {
    expect(buildStringToSign(docsNotification())).toMatchObject({
      ok: true,
      stringToSign:
        "Message\nHello world!\n" +
        "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n" +
        "Subject\nMy First Message\n" +
        "Timestamp\n2012-05-02T00:54:06.655Z\n" +
        "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n" +
        "Type\nNotification\n",
    });
  });

  it("leaves Subject out of a notification that has none", () => {
    const { Subject: _subject, ...withoutSubject } = docsNotification();
    const built = buildStringToSign(withoutSubject);
    expect(built.ok && built.stringToSign).not.toContain("Subject");
    expect(built.ok && built.signed).not.toHaveProperty("Subject");
  });

  it("treats a null Subject as absent", () => {
    const built = buildStringToSign({ ...docsNotification(), Subject: null });
    expect(built.ok && built.stringToSign).not.toContain("Subject");
  });

  it.each([
    ["SubscriptionConfirmation", docsSubscriptionConfirmation()],
    ["UnsubscribeConfirmation", docsUnsubscribeConfirmation()],
  ])("lists a %s's Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn and Type", (type, envelope) => {
    expect(buildStringToSign(envelope)).toMatchObject({
      ok: true,
      stringToSign:
        `Message\n${envelope.Message}\n` +
        `MessageId\n${envelope.MessageId}\n` +
        `SubscribeURL\n${envelope.SubscribeURL}\n` +
        `Timestamp\n${envelope.Timestamp}\n` +
        `Token\n${envelope.Token}\n` +
        "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n" +
        `Type\n${type}\n`,
    });
  });

  it("signs nothing that is not listed: UnsubscribeURL and unknown fields stay out", () => {
    const built = buildStringToSign({
      ...docsNotification(),
      UnsubscribeURL: "https://evil.example/",
      SubscribeURL: "x",
    });
    expect(built.ok && built.stringToSign).not.toMatch(/UnsubscribeURL|SubscribeURL|evil/);
    expect(built.ok && built.signed).not.toHaveProperty("UnsubscribeURL");
  });

  it("refuses a confirmation without SubscribeURL or Token", () => {
    expect(buildStringToSign({ ...docsSubscriptionConfirmation(), Token: undefined })).toMatchObject({ ok: false });
  });

  it("refuses an unknown Type", () => {
    expect(buildStringToSign({ ...docsNotification(), Type: "Notificationz" })).toMatchObject({ ok: false });
  });

  it("refuses a line break in any signed field but Message, which would make the encoding ambiguous", () => {
    expect(buildStringToSign({ ...docsNotification(), Message: "two\nlines" }).ok).toBe(true);
    expect(buildStringToSign({ ...docsNotification(), MessageId: "a\nMessageId\nb" })).toMatchObject({
      ok: false,
      problem: "MessageId must be a single line",
    });
    expect(buildStringToSign({ ...docsNotification(), Subject: "a\r\nb" }).ok).toBe(false);
  });
});
