/**
 * The JSON body Amazon SNS POSTs to an HTTP/HTTPS subscriber, as documented in the Amazon SNS
 * Developer Guide: "HTTP/HTTPS notification JSON format", "HTTP/HTTPS subscription
 * confirmation JSON format" and "HTTP/HTTPS unsubscribe confirmation JSON format".
 *
 * Values are kept exactly as received (no trimming, no coercion) and unknown fields are kept:
 * the signature covers the raw strings, so the verifier must see what SNS sent.
 */
import { z } from "zod";
import { parseJsonText, parseOrThrow } from "../../domain/events/parse-error.js";

const SNS_HTTP_MESSAGE = "SNS HTTP message";

export const SNS_MESSAGE_TYPES = ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"] as const;
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

const signedMessageFields = {
  /** A UUID; an SNS retry resends the original MessageId (see `ledgerKeys.snsMessage`). */
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  /** ISO 8601, GMT. */
  Timestamp: z.string().min(1),
  /** "1": SHA1withRSA; "2": SHA256withRSA. */
  SignatureVersion: z.enum(["1", "2"]),
  /** Base64. */
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
};

export const snsNotificationSchema = z.looseObject({
  Type: z.literal("Notification"),
  ...signedMessageFields,
  /** Present only when the publisher set one; then it is part of the string to sign. */
  Subject: z.string().optional(),
  UnsubscribeURL: z.string().min(1),
});

const confirmationFields = {
  ...signedMessageFields,
  /** Visiting it confirms (or, after an unsubscribe, re-confirms) the subscription. */
  SubscribeURL: z.string().min(1),
  /** For the ConfirmSubscription action, as an alternative to visiting SubscribeURL. */
  Token: z.string().min(1),
};

export const snsSubscriptionConfirmationSchema = z.looseObject({
  Type: z.literal("SubscriptionConfirmation"),
  ...confirmationFields,
});

export const snsUnsubscribeConfirmationSchema = z.looseObject({
  Type: z.literal("UnsubscribeConfirmation"),
  ...confirmationFields,
});

export const snsHttpMessageSchema = z.discriminatedUnion("Type", [
  snsNotificationSchema,
  snsSubscriptionConfirmationSchema,
  snsUnsubscribeConfirmationSchema,
]);

export type SnsNotification = z.output<typeof snsNotificationSchema>;
export type SnsSubscriptionConfirmation = z.output<typeof snsSubscriptionConfirmationSchema>;
export type SnsUnsubscribeConfirmation = z.output<typeof snsUnsubscribeConfirmationSchema>;
export type SnsHttpMessage = z.output<typeof snsHttpMessageSchema>;

/**
 * The fields of the string to sign, per message type, in the order the SNS guide
 * ("Verifying the signatures of Amazon SNS messages") lists them: the verifier writes each as
 * `name\nvalue\n`. `Subject` is included only when the notification has one.
 */
export const SNS_SIGNED_FIELDS = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  SubscriptionConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
  UnsubscribeConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
} as const satisfies Record<SnsMessageType, readonly string[]>;

/** Fields of the string to sign that are optional: left out when absent. */
export const SNS_OPTIONAL_SIGNED_FIELDS: readonly string[] = ["Subject"];

/**
 * Parses the body of an SNS HTTP POST: the raw text (as received) or an already-parsed value.
 * Throws `EventParseError` naming the bad field. This checks the shape only; the signature,
 * certificate URL and topic allowlist are the verifier's job.
 */
export function parseSnsHttpMessage(body: unknown): SnsHttpMessage {
  const value = typeof body === "string" ? parseJsonText(body, SNS_HTTP_MESSAGE) : body;
  return parseOrThrow(snsHttpMessageSchema, value, SNS_HTTP_MESSAGE);
}
