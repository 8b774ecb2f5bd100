import { describe, expect, it } from "vitest";
import { createHttpsSubscriptionConfirmer } from "../../../src/adapters/https/https-subscription-confirmer.js";

// SubscribeURL shape from the Amazon SNS developer guide's SubscriptionConfirmation example.
const subscribeUrl = new URL(
  "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37",
);

describe("confirming an SNS subscription", () => {
  it("visits the SubscribeURL once, refusing redirects", async () => {
    const seen: { url: string; redirect: RequestInit["redirect"] }[] = [];
    const confirmer = createHttpsSubscriptionConfirmer({
      fetch: async (url, init) => {
        seen.push({ url: String(url), redirect: init?.redirect });
        return new Response("<ConfirmSubscriptionResponse/>", { status: 200 });
      },
    });
    await confirmer.confirmSubscription(subscribeUrl);
    expect(seen).toEqual([{ url: subscribeUrl.href, redirect: "error" }]);
  });

  it("fails when SNS does not answer 2xx, so the endpoint can ask SNS to retry", async () => {
    const confirmer = createHttpsSubscriptionConfirmer({ fetch: async () => new Response("", { status: 403 }) });
    await expect(confirmer.confirmSubscription(subscribeUrl)).rejects.toThrow(/answered 403/);
  });

  it("never confirms over plain http", async () => {
    let called = false;
    const confirmer = createHttpsSubscriptionConfirmer({
      fetch: async () => {
        called = true;
        return new Response("");
      },
    });
    await expect(confirmer.confirmSubscription(new URL("http://sns.us-west-2.amazonaws.com/?x=1"))).rejects.toThrow(
      /not https/,
    );
    expect(called).toBe(false);
  });
});
