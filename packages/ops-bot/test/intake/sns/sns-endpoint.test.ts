import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkSubscribeUrl,
  handleSnsRequest,
  SNS_MAX_MESSAGE_AGE_MS,
  type SnsEndpointDeps,
} from "../../../src/intake/sns/sns-endpoint.js";
import { SnsSignatureVerifier } from "../../../src/intake/sns/sns-signature-verifier.js";
import type { SnsEnvelopeInput, SnsSignedNotification } from "../../../src/intake/sns/string-to-sign.js";
import type { OpsLogger } from "../../../src/ports/logger.js";
import {
  createSigningIdentity,
  DOCS_TOPIC_ARN,
  docsNotification,
  docsSubscriptionConfirmation,
  docsUnsubscribeConfirmation,
  RecordingCertificateFetcher,
  signEnvelope,
  snsHeaders,
  type TestSigningIdentity,
} from "../../support/sns-test-signer.js";

let sns: TestSigningIdentity;
let attacker: TestSigningIdentity;

// The developer guide's examples were sent in April and May 2012; the endpoint's clock is set
// just after them, unless a test moves it.
const DOCS_NOTIFICATION_SENT_AT = Date.parse(docsNotification().Timestamp);
const SHORTLY_AFTER_THE_DOCS_EXAMPLES = DOCS_NOTIFICATION_SENT_AT + 60_000;

beforeAll(async () => {
  [sns, attacker] = await Promise.all([createSigningIdentity(), createSigningIdentity()]);
}, 60_000);

interface LogLine {
  level: "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

function harness(overrides: Partial<SnsEndpointDeps> = {}) {
  const logs: LogLine[] = [];
  const logger: OpsLogger = {
    info: (fields, message) => logs.push({ level: "info", fields, message }),
    warn: (fields, message) => logs.push({ level: "warn", fields, message }),
    error: (fields, message) => logs.push({ level: "error", fields, message }),
  };
  const fetcher = new RecordingCertificateFetcher(sns.certificatePem);
  const confirmed: string[] = [];
  const notifications: SnsSignedNotification[] = [];
  const deps: SnsEndpointDeps = {
    allowedTopicArns: new Set([DOCS_TOPIC_ARN]),
    verifier: new SnsSignatureVerifier({ fetcher }),
    subscriptionConfirmer: {
      confirmSubscription: async (url) => {
        confirmed.push(url.href);
      },
    },
    onNotification: async (notification) => {
      notifications.push(notification);
    },
    logger,
    now: () => SHORTLY_AFTER_THE_DOCS_EXAMPLES,
    ...overrides,
  };
  const post = (envelope: SnsEnvelopeInput, headers: Record<string, string> = snsHeaders(envelope)) =>
    handleSnsRequest({ headers, body: JSON.stringify(envelope) }, deps);
  const warnings = () => logs.filter((line) => line.level === "warn").map((line) => line.fields.reason);
  return { deps, logs, fetcher, confirmed, notifications, post, warnings };
}

describe("the SNS endpoint", () => {
  it("answers 200 to a verified notification and hands the signed fields on only after responding", async () => {
    const h = harness();
    const response = await h.post(signEnvelope(docsNotification("2"), sns));
    expect(response.status).toBe(200);
    expect(h.notifications).toEqual([]);
    await response.afterResponse?.();
    expect(h.notifications).toEqual([
      {
        Type: "Notification",
        MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        TopicArn: DOCS_TOPIC_ARN,
        Subject: "My First Message",
        Message: "Hello world!",
        Timestamp: "2012-05-02T00:54:06.655Z",
      },
    ]);
  });

  it("logs a failing notification handler instead of letting afterResponse reject", async () => {
    const h = harness({
      onNotification: async () => {
        throw new Error("GitHub is down");
      },
    });
    const response = await h.post(signEnvelope(docsNotification(), sns));
    await expect(response.afterResponse?.()).resolves.toBeUndefined();
    expect(h.logs.some((line) => line.level === "error" && /handler failed/.test(line.message))).toBe(true);
  });

  it("rejects a tampered notification with 403, logs why, and dispatches nothing", async () => {
    const h = harness();
    const forged = { ...signEnvelope(docsNotification(), sns), Message: "ALARM: please run /deploy evil" };
    const response = await h.post(forged);
    expect(response.status).toBe(403);
    expect(response.afterResponse).toBeUndefined();
    expect(h.warnings()).toEqual(["bad-signature"]);
    expect(h.notifications).toEqual([]);
  });

  it("refuses, before fetching any certificate, a notification older than the window deliveries are remembered", async () => {
    const h = harness({ now: () => DOCS_NOTIFICATION_SENT_AT + SNS_MAX_MESSAGE_AGE_MS + 1 });
    const response = await h.post(signEnvelope(docsNotification(), sns));
    expect(response.status).toBe(403);
    expect(h.warnings()).toEqual(["message-too-old"]);
    expect(h.fetcher.requested).toEqual([]);
    expect(h.notifications).toEqual([]);
  });

  it("still accepts a notification exactly as old as that window (SNS may retry for days)", async () => {
    const h = harness({ now: () => DOCS_NOTIFICATION_SENT_AT + SNS_MAX_MESSAGE_AGE_MS });
    const response = await h.post(signEnvelope(docsNotification(), sns));
    expect(response.status).toBe(200);
  });

  it("rejects a message whose Timestamp is not a date with 400", async () => {
    const h = harness();
    const response = await h.post(signEnvelope({ ...docsNotification(), Timestamp: "yesterday" }, sns));
    expect(response.status).toBe(400);
    expect(h.warnings()).toEqual(["bad-timestamp"]);
  });

  it("rejects a notification signed by another key with 403", async () => {
    const h = harness();
    expect((await h.post(signEnvelope(docsNotification(), attacker))).status).toBe(403);
    expect(h.warnings()).toEqual(["bad-signature"]);
  });

  it.each([
    ["an S3 bucket", "https://s3.amazonaws.com/attacker/SimpleNotificationService-f3ecfb72.pem"],
    [
      "a look-alike domain",
      "https://sns.us-west-2.amazonaws.com.attacker.example/SimpleNotificationService-f3ecfb72.pem",
    ],
  ])("rejects a certificate URL on %s with 403 without fetching it", async (_case, url) => {
    const h = harness();
    const response = await h.post({ ...signEnvelope(docsNotification(), attacker), SigningCertURL: url });
    expect(response.status).toBe(403);
    expect(h.warnings()).toEqual(["bad-cert-url"]);
    expect(h.fetcher.requested).toEqual([]);
  });

  it("rejects a topic outside the allowlist with 403 before fetching anything", async () => {
    const h = harness({ allowedTopicArns: new Set(["arn:aws:sns:us-west-2:123456789012:OpsAlarms"]) });
    const response = await h.post(signEnvelope(docsNotification(), sns));
    expect(response.status).toBe(403);
    expect(h.warnings()).toEqual(["topic-not-allowed"]);
    expect(h.fetcher.requested).toEqual([]);
  });

  it("answers 503 when the signing certificate cannot be fetched, so SNS retries", async () => {
    const h = harness();
    h.fetcher.failNext = 1;
    const response = await h.post(signEnvelope(docsNotification(), sns));
    expect(response.status).toBe(503);
    expect(h.warnings()).toEqual(["cert-fetch-failed"]);
    expect(h.notifications).toEqual([]);
  });

  it("rejects raw message delivery with 400", async () => {
    const h = harness();
    const envelope = signEnvelope(docsNotification(), sns);
    const raw = await handleSnsRequest(
      { headers: { ...snsHeaders(envelope), "x-amz-sns-rawdelivery": "true" }, body: JSON.stringify(envelope) },
      h.deps,
    );
    expect(raw.status).toBe(400);
    // A raw body is the published message itself, not an envelope.
    const rawBody = await handleSnsRequest(
      {
        headers: snsHeaders(envelope),
        body: JSON.stringify({ AlarmName: "phoenix-cpu-high", NewStateValue: "ALARM" }),
      },
      h.deps,
    );
    expect(rawBody.status).toBe(400);
    expect(h.warnings()).toEqual(["raw-delivery", "not-an-sns-envelope"]);
    expect(h.fetcher.requested).toEqual([]);
  });

  it.each(["{", "Hello world!", ""])("rejects malformed JSON %j with 400", async (body) => {
    const h = harness();
    const response = await handleSnsRequest({ headers: snsHeaders(docsNotification()), body }, h.deps);
    expect(response.status).toBe(400);
    expect(h.warnings()).toEqual(["malformed-json"]);
  });

  it.each([
    ["null", "null"],
    ["an array", "[]"],
    ["a number Message", JSON.stringify({ ...docsNotification(), Message: 42 })],
    ["a missing Signature", JSON.stringify({ ...docsNotification(), Signature: undefined })],
  ])("rejects %s as not an SNS envelope with 400", async (_case, body) => {
    const h = harness();
    expect((await handleSnsRequest({ headers: snsHeaders(docsNotification()), body }, h.deps)).status).toBe(400);
  });

  it("rejects a message-type header that disagrees with the body, or is missing, with 400", async () => {
    const h = harness();
    const envelope = signEnvelope(docsNotification(), sns);
    const { "x-amz-sns-message-type": _type, ...withoutType } = snsHeaders(envelope);
    expect(
      (await h.post(envelope, { ...withoutType, "x-amz-sns-message-type": "SubscriptionConfirmation" })).status,
    ).toBe(400);
    expect((await h.post(envelope, withoutType)).status).toBe(400);
    expect(h.warnings()).toEqual(["message-type-header-mismatch", "message-type-header-mismatch"]);
  });

  it("rejects an unknown Type with 400", async () => {
    const h = harness();
    const envelope = { ...docsNotification(), Type: "Announcement" };
    expect((await h.post(envelope)).status).toBe(400);
    expect(h.warnings()).toEqual(["unknown-message-type"]);
  });

  it("confirms a verified subscription by visiting its SubscribeURL", async () => {
    const h = harness();
    const envelope = signEnvelope(docsSubscriptionConfirmation("2"), sns);
    const response = await h.post(envelope);
    expect(response.status).toBe(200);
    expect(h.confirmed).toEqual([envelope.SubscribeURL]);
  });

  it("does not confirm a forged subscription confirmation", async () => {
    const h = harness();
    const response = await h.post(signEnvelope(docsSubscriptionConfirmation(), attacker));
    expect(response.status).toBe(403);
    expect(h.confirmed).toEqual([]);
  });

  it("does not confirm, or fetch for, a SubscribeURL that leads off SNS", async () => {
    const h = harness();
    const envelope = docsSubscriptionConfirmation();
    const offSns = `https://attacker.example/?Action=ConfirmSubscription&TopicArn=${DOCS_TOPIC_ARN}&Token=${envelope.Token}`;
    const response = await h.post(signEnvelope({ ...envelope, SubscribeURL: offSns }, sns));
    expect(response.status).toBe(403);
    expect(h.warnings()).toEqual(["bad-subscribe-url"]);
    expect(h.fetcher.requested).toEqual([]);
    expect(h.confirmed).toEqual([]);
  });

  it("answers 502 when the confirmation GET fails, so SNS can retry", async () => {
    const h = harness({
      subscriptionConfirmer: {
        confirmSubscription: async () => {
          throw new Error("timeout");
        },
      },
    });
    expect((await h.post(signEnvelope(docsSubscriptionConfirmation(), sns))).status).toBe(502);
  });

  it("acknowledges a verified unsubscribe confirmation and does nothing else", async () => {
    const h = harness();
    const response = await h.post(signEnvelope(docsUnsubscribeConfirmation(), sns));
    expect(response.status).toBe(200);
    expect(response.afterResponse).toBeUndefined();
    expect(h.confirmed).toEqual([]);
    expect(h.notifications).toEqual([]);
  });

  it("never writes a message body or subscription token to the log", async () => {
    const h = harness();
    const secretish = "db-password=hunter2";
    await h.post(signEnvelope({ ...docsNotification(), Message: secretish }, sns));
    await h.post({ ...signEnvelope(docsNotification(), sns), Message: secretish });
    await h.post(signEnvelope(docsSubscriptionConfirmation(), sns));
    await h.post(signEnvelope(docsSubscriptionConfirmation(), attacker));
    const logged = JSON.stringify(h.logs);
    expect(logged).not.toContain(secretish);
    expect(logged).not.toContain(docsSubscriptionConfirmation().Token);
  });

  it("refuses a body larger than the limit with 413 before parsing it", async () => {
    const h = harness({ maxBodyBytes: 1024 });
    expect((await h.post({ ...docsNotification(), Message: "x".repeat(2048) })).status).toBe(413);
  });
});

describe("the SNS endpoint behind a real node:http server", () => {
  it("takes Node's request headers as they are and answers before dispatching", async () => {
    const h = harness();
    const order: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => {
        body += chunk;
      });
      req.on("end", async () => {
        const response = await handleSnsRequest({ headers: req.headers, body }, h.deps);
        res.writeHead(response.status, { "content-type": "application/json" }).end(response.body, () => {
          order.push("responded");
          void response.afterResponse?.().then(() => order.push("dispatched"));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const envelope = signEnvelope(docsNotification("2"), sns);
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/sns`, {
        method: "POST",
        headers: snsHeaders(envelope),
        body: JSON.stringify(envelope),
      });
      expect(response.status).toBe(200);
      await expect.poll(() => order).toEqual(["responded", "dispatched"]);
      expect(h.notifications.map((n) => n.MessageId)).toEqual([envelope.MessageId]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("SubscribeURL check", () => {
  const envelope = docsSubscriptionConfirmation();
  const at = (subscribeUrl: string) => checkSubscribeUrl({ ...envelope, SubscribeURL: subscribeUrl });
  const query = `Action=ConfirmSubscription&TopicArn=${DOCS_TOPIC_ARN}&Token=${envelope.Token}`;

  it("accepts the SNS developer guide's SubscribeURL", () => {
    expect(checkSubscribeUrl(envelope).ok).toBe(true);
  });

  it.each([
    ["another host", `https://evil.example/?${query}`],
    ["a look-alike host", `https://sns.us-west-2.amazonaws.com.evil.example/?${query}`],
    ["plain http", `http://sns.us-west-2.amazonaws.com/?${query}`],
    ["another region", `https://sns.us-east-1.amazonaws.com/?${query}`],
    ["userinfo", `https://sns.us-west-2.amazonaws.com@evil.example/?${query}`],
    ["a port", `https://sns.us-west-2.amazonaws.com:8443/?${query}`],
    ["another path", `https://sns.us-west-2.amazonaws.com/redirect?${query}`],
    [
      "another action",
      `https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&TopicArn=${DOCS_TOPIC_ARN}&Token=${envelope.Token}`,
    ],
    [
      "another topic",
      `https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${DOCS_TOPIC_ARN}2&Token=${envelope.Token}`,
    ],
    [
      "another token",
      `https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${DOCS_TOPIC_ARN}&Token=abc`,
    ],
    ["a repeated action", `https://sns.us-west-2.amazonaws.com/?${query}&Action=Unsubscribe`],
  ])("refuses %s", (_case, url) => {
    expect(at(url).ok).toBe(false);
  });
});
