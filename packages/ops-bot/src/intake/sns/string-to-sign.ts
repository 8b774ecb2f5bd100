/**
 * The canonical string SNS signs, as described in the Amazon SNS developer guide
 * ("Verifying the signatures of Amazon SNS messages"): selected fields in byte order of
 * their names, each written as `Name\nValue\n`.
 */

import { SNS_OPTIONAL_SIGNED_FIELDS, SNS_SIGNED_FIELDS } from "./sns-envelope.js";

/**
 * The SNS HTTP/S envelope as received — only what verification reads. Deliberately local
 * and loose (optional fields may be null) so a stricter schema's output is assignable to it.
 */
export interface SnsEnvelopeInput {
  readonly Type: string;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject?: string | null;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: string;
  readonly Signature: string;
  readonly SigningCertURL: string;
  readonly SubscribeURL?: string | null;
  readonly Token?: string | null;
  readonly UnsubscribeURL?: string | null;
}

/** The signed fields of a notification — everything a verified notification may be trusted for. */
export interface SnsSignedNotification {
  readonly Type: "Notification";
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly Timestamp: string;
}

/** The signed fields of a (un)subscribe confirmation. */
export interface SnsSignedSubscriptionMessage {
  readonly Type: "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly SubscribeURL: string;
  readonly Timestamp: string;
  readonly Token: string;
}

export type SnsSignedFields = SnsSignedNotification | SnsSignedSubscriptionMessage;

export type StringToSignResult =
  | { readonly ok: true; readonly stringToSign: string; readonly signed: SnsSignedFields }
  | { readonly ok: false; readonly problem: string };

/**
 * Builds the string SNS signed for `envelope`, and the signed fields alone.
 *
 * Every signed field except `Message` must be a single line: SNS never puts a line break in
 * them, and the `Name\nValue\n` format is only unambiguous when at most one value (the
 * first, `Message`) may contain one. Without this rule, a signed Message containing
 * "\nMessageId\n…" could be re-split into different field values with the same signature.
 */
export function buildStringToSign(envelope: SnsEnvelopeInput): StringToSignResult {
  const type = envelope.Type;
  let signed: SnsSignedFields;
  if (type === "Notification") {
    signed = {
      Type: type,
      MessageId: envelope.MessageId,
      TopicArn: envelope.TopicArn,
      Message: envelope.Message,
      Timestamp: envelope.Timestamp,
      // "Subject (if present)": SNS leaves the key out when the publisher gave none.
      ...(envelope.Subject == null ? {} : { Subject: envelope.Subject }),
    };
  } else if (type === "SubscriptionConfirmation" || type === "UnsubscribeConfirmation") {
    if (envelope.SubscribeURL == null || envelope.Token == null) {
      return { ok: false, problem: `${type} must carry SubscribeURL and Token` };
    }
    signed = {
      Type: type,
      MessageId: envelope.MessageId,
      TopicArn: envelope.TopicArn,
      Message: envelope.Message,
      SubscribeURL: envelope.SubscribeURL,
      Timestamp: envelope.Timestamp,
      Token: envelope.Token,
    };
  } else {
    return { ok: false, problem: "Type is not an SNS HTTP/S message type" };
  }

  const keys = SNS_SIGNED_FIELDS[signed.Type];
  const values = signed as unknown as Readonly<Record<string, unknown>>;
  let stringToSign = "";
  for (const key of keys) {
    const value = values[key];
    if (value === undefined && SNS_OPTIONAL_SIGNED_FIELDS.includes(key)) continue;
    if (typeof value !== "string") return { ok: false, problem: `${key} must be a string` };
    if (key !== "Message" && /[\r\n]/.test(value)) return { ok: false, problem: `${key} must be a single line` };
    stringToSign += `${key}\n${value}\n`;
  }
  return { ok: true, stringToSign, signed };
}
