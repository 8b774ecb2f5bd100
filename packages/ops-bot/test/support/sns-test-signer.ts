import { execFile } from "node:child_process";
import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { SnsEnvelopeInput } from "../../src/intake/sns/string-to-sign.js";
import type { CertificateFetcher } from "../../src/ports/certificate-fetcher.js";

const run = promisify(execFile);

/** A key pair and self-signed certificate made by openssl for this test run, standing in for SNS's. */
export interface TestSigningIdentity {
  readonly certificatePem: string;
  readonly privateKey: KeyObject;
}

/** `openssl req -x509` with the given key spec (default RSA 2048), valid for one day from now. */
export async function createSigningIdentity(
  newkey: readonly string[] = ["-newkey", "rsa:2048"],
): Promise<TestSigningIdentity> {
  const dir = await mkdtemp(join(tmpdir(), "sns-signer-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    await run("openssl", [
      "req",
      "-x509",
      ...newkey,
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-subj",
      "/CN=sns.amazonaws.com",
      "-days",
      "1",
    ]);
    return {
      certificatePem: await readFile(certPath, "utf8"),
      privateKey: createPrivateKey(await readFile(keyPath, "utf8")),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The string to sign, written out per message type straight from the SNS developer guide
 * ("Verifying the signatures of Amazon SNS messages") — independent of the code under test,
 * so a mistake there cannot be mirrored here.
 */
export function referenceStringToSign(envelope: SnsEnvelopeInput): string {
  const line = (key: string, value: string | null | undefined) => (value == null ? "" : `${key}\n${value}\n`);
  if (envelope.Type === "Notification") {
    return (
      line("Message", envelope.Message) +
      line("MessageId", envelope.MessageId) +
      line("Subject", envelope.Subject) +
      line("Timestamp", envelope.Timestamp) +
      line("TopicArn", envelope.TopicArn) +
      line("Type", envelope.Type)
    );
  }
  return (
    line("Message", envelope.Message) +
    line("MessageId", envelope.MessageId) +
    line("SubscribeURL", envelope.SubscribeURL) +
    line("Timestamp", envelope.Timestamp) +
    line("Token", envelope.Token) +
    line("TopicArn", envelope.TopicArn) +
    line("Type", envelope.Type)
  );
}

/** Signs like SNS does: SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA. */
export function signEnvelope<T extends SnsEnvelopeInput>(envelope: T, identity: TestSigningIdentity): T {
  const digest = envelope.SignatureVersion === "1" ? "sha1" : "sha256";
  const signature = sign(digest, Buffer.from(referenceStringToSign(envelope), "utf8"), identity.privateKey);
  return { ...envelope, Signature: signature.toString("base64") };
}

/** An injected CertificateFetcher serving one PEM and recording every URL it was asked for. */
export class RecordingCertificateFetcher implements CertificateFetcher {
  readonly requested: string[] = [];
  failNext = 0;

  constructor(private readonly pem: string) {}

  async fetchCertificate(url: URL): Promise<string> {
    this.requested.push(url.href);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("connection reset");
    }
    return this.pem;
  }
}

// Fixture provenance: the envelopes below are the examples in the Amazon SNS developer guide
// ("HTTP/HTTPS notification JSON format", "HTTP/HTTPS subscription confirmation JSON format",
// "HTTP/HTTPS unsubscribe confirmation JSON format"). Their Signature fields are replaced by
// signatures made with the test's own key, since AWS's signing key is, rightly, not ours.

export const DOCS_SIGNING_CERT_URL =
  "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem";
export const DOCS_TOPIC_ARN = "arn:aws:sns:us-west-2:123456789012:MyTopic";
const DOCS_TOKEN =
  "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736";
const DOCS_SUBSCRIBE_URL = `https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${DOCS_TOPIC_ARN}&Token=${DOCS_TOKEN}`;

export function docsNotification(signatureVersion: "1" | "2" = "1"): SnsEnvelopeInput {
  return {
    Type: "Notification",
    MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
    TopicArn: DOCS_TOPIC_ARN,
    Subject: "My First Message",
    Message: "Hello world!",
    Timestamp: "2012-05-02T00:54:06.655Z",
    SignatureVersion: signatureVersion,
    Signature: "",
    SigningCertURL: DOCS_SIGNING_CERT_URL,
    UnsubscribeURL:
      "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96",
  };
}

export function docsSubscriptionConfirmation(signatureVersion: "1" | "2" = "1"): SnsEnvelopeInput {
  return {
    Type: "SubscriptionConfirmation",
    MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
    Token: DOCS_TOKEN,
    TopicArn: DOCS_TOPIC_ARN,
    Message: `You have chosen to subscribe to the topic ${DOCS_TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: DOCS_SUBSCRIBE_URL,
    Timestamp: "2012-04-26T20:45:04.751Z",
    SignatureVersion: signatureVersion,
    Signature: "",
    SigningCertURL: DOCS_SIGNING_CERT_URL,
  };
}

export function docsUnsubscribeConfirmation(signatureVersion: "1" | "2" = "1"): SnsEnvelopeInput {
  return {
    Type: "UnsubscribeConfirmation",
    MessageId: "47138184-6831-46b8-8f7c-afc488602d7d",
    Token: DOCS_TOKEN,
    TopicArn: DOCS_TOPIC_ARN,
    Message: `You have chosen to deactivate subscription ${DOCS_TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: DOCS_SUBSCRIBE_URL,
    Timestamp: "2012-04-26T20:06:41.581Z",
    SignatureVersion: signatureVersion,
    Signature: "",
    SigningCertURL: DOCS_SIGNING_CERT_URL,
  };
}

/** The headers SNS sends with a message (developer guide, "HTTP/HTTPS headers"). */
export function snsHeaders(envelope: SnsEnvelopeInput): Record<string, string> {
  return {
    "x-amz-sns-message-type": envelope.Type,
    "x-amz-sns-message-id": envelope.MessageId,
    "x-amz-sns-topic-arn": envelope.TopicArn,
    "x-amz-sns-subscription-arn": `${envelope.TopicArn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
    "content-type": "text/plain; charset=UTF-8",
    "user-agent": "Amazon Simple Notification Service Agent",
  };
}
