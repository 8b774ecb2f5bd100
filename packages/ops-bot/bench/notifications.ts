// The notifications the SNS bench sends: SNS HTTP envelopes (SignatureVersion 2, SHA256withRSA)
// carrying the CloudWatch alarm message of
// test/fixtures/aws-events/cloudwatch-alarm-sns-message-phoenix-cpu-high.json, each with a fresh
// MessageId, signed by the tests' SNS signer (test/support/sns-test-signer.ts) with an identity
// made for the run.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { BenchError } from "@phoenix/bench-kit";
import {
  createSigningIdentity,
  signEnvelope,
  snsHeaders,
  type TestSigningIdentity,
} from "../test/support/sns-test-signer.js";

export const TOPIC_ARN = "arn:aws:sns:us-west-2:111122223333:phoenix-staging-alarms";
const SIGNING_CERT_URL =
  "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";
const UNSUBSCRIBE_URL = `https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`;
const FIXTURE = new URL(
  "../test/fixtures/aws-events/cloudwatch-alarm-sns-message-phoenix-cpu-high.json",
  import.meta.url,
);

/** A notification envelope as SNS posts it, signed. */
export interface SignedNotification {
  readonly Type: "Notification";
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: "2";
  readonly Signature: string;
  readonly SigningCertURL: string;
  readonly UnsubscribeURL: string;
}

/** One POST, serialized before the phase that sends it. */
export interface SnsRequest {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface NotificationSigner {
  /** A signed envelope as SNS would post it. */
  envelope(): SignedNotification;
  /** `count` notifications, signed and serialized, with the headers SNS sends. */
  requests(count: number): SnsRequest[];
}

/** `openssl req -x509 -newkey rsa:2048`, as the tests make theirs; a BenchError when openssl fails. */
export async function benchSigningIdentity(): Promise<TestSigningIdentity> {
  return createSigningIdentity().catch((error: unknown) => {
    throw new BenchError(
      `openssl could not make the signing identity: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
}

interface AlarmFixture {
  readonly payload: { readonly AlarmName: string; readonly Region: string } & Record<string, unknown>;
}

export function notificationSigner(identity: TestSigningIdentity): NotificationSigner {
  const { payload } = JSON.parse(readFileSync(FIXTURE, "utf8")) as AlarmFixture;
  const envelope = (): SignedNotification => {
    const at = new Date();
    const message = { ...payload, StateChangeTime: at.toISOString().replace("Z", "+0000") };
    return signEnvelope(
      {
        Type: "Notification",
        MessageId: randomUUID(),
        TopicArn: TOPIC_ARN,
        // CloudWatch's own subject line for an alarm notification.
        Subject: `ALARM: "${payload.AlarmName}" in ${payload.Region}`,
        Message: JSON.stringify(message),
        Timestamp: at.toISOString(),
        SignatureVersion: "2",
        Signature: "",
        SigningCertURL: SIGNING_CERT_URL,
        UnsubscribeURL: UNSUBSCRIBE_URL,
      },
      identity,
    );
  };
  return {
    envelope,
    requests(count) {
      const requests = new Array<SnsRequest>(count);
      for (let i = 0; i < count; i++) {
        const signed = envelope();
        const body = Buffer.from(JSON.stringify(signed), "utf8");
        requests[i] = { body, headers: { ...snsHeaders(signed), "content-length": String(body.length) } };
      }
      return requests;
    },
  };
}
