import { DONE_TTL_SECONDS } from "../../domain/coordination/handle-once.js";
import type { OpsLogger } from "../../ports/logger.js";
import type { SubscriptionConfirmer } from "../../ports/subscription-confirmer.js";
import { parseSnsTopicArn, parseStrictHttpsUrl, snsServiceHostRegion } from "./signing-certificate-url.js";
import { SNS_MESSAGE_TYPES, type SnsMessageType } from "./sns-envelope.js";
import { type SnsMessageVerifier, SnsVerificationError, type VerifiedSnsMessage } from "./sns-signature-verifier.js";
import type { SnsEnvelopeInput, SnsSignedNotification } from "./string-to-sign.js";

/** An HTTP request as any server framework can hand it over (Node's `IncomingHttpHeaders` fits). */
export interface IntakeRequest {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: string;
}

/**
 * What to answer, and the work to start once the answer is sent. `afterResponse` never
 * rejects: failures are logged inside it.
 */
export interface IntakeResponse {
  readonly status: number;
  readonly body: string;
  readonly afterResponse?: () => Promise<void>;
}

export interface SnsEndpointDeps {
  /** Topic ARNs the bot accepts messages from, compared exactly. */
  readonly allowedTopicArns: ReadonlySet<string>;
  readonly verifier: SnsMessageVerifier;
  readonly subscriptionConfirmer: SubscriptionConfirmer;
  /** Runs after the 200 is sent; only signed fields reach it. */
  readonly onNotification: (notification: SnsSignedNotification) => Promise<void>;
  readonly logger: OpsLogger;
  /** SNS messages are at most 256 KiB; JSON escaping can double that. @default 1_048_576 */
  readonly maxBodyBytes?: number;
  /**
   * Oldest message (by its signed Timestamp) still accepted. A verified message stays verifiable
   * for ever, so a captured one could be replayed; deliveries are remembered by MessageId for the
   * Ledger's done window, and anything older than that window is refused instead of re-applied.
   * @default SNS_MAX_MESSAGE_AGE_MS (the done window)
   */
  readonly maxMessageAgeMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** SNS's own retries end within days (at most 100 retries, each at most an hour apart). */
export const SNS_MAX_MESSAGE_AGE_MS = DONE_TTL_SECONDS * 1000;

const FIELDS_REQUIRED = [
  "Type",
  "MessageId",
  "TopicArn",
  "Message",
  "Timestamp",
  "SignatureVersion",
  "Signature",
  "SigningCertURL",
] as const;
const FIELDS_OPTIONAL = ["Subject", "SubscribeURL", "Token", "UnsubscribeURL"] as const;

/**
 * Handles one POST from SNS. Order matters: everything that needs no network (shape,
 * headers, topic allowlist, URL checks) comes before the certificate fetch, and nothing is
 * acted on before the signature is verified. Status codes follow SNS's retry rules: 4xx is
 * final (forged or not for us), 5xx is retried (our side could not finish).
 */
export async function handleSnsRequest(request: IntakeRequest, deps: SnsEndpointDeps): Promise<IntakeResponse> {
  const { logger } = deps;
  const reject = (status: number, reason: string, fields: Record<string, unknown> = {}): IntakeResponse => {
    logger.warn({ intake: "sns", status, reason, ...fields }, `sns: rejected message (${reason})`);
    return { status, body: JSON.stringify({ error: reason }) };
  };

  if (Buffer.byteLength(request.body, "utf8") > (deps.maxBodyBytes ?? 1_048_576)) return reject(413, "body-too-large");
  if (headerValues(request.headers, "x-amz-sns-rawdelivery").some((value) => value.toLowerCase() === "true")) {
    return reject(400, "raw-delivery");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    return reject(400, "malformed-json");
  }
  const envelope = readEnvelope(parsed);
  if (!envelope) return reject(400, "not-an-sns-envelope");
  const context = { type: clip(envelope.Type), messageId: clip(envelope.MessageId), topicArn: clip(envelope.TopicArn) };
  if (!isMessageType(envelope.Type)) return reject(400, "unknown-message-type", context);
  if (singleHeader(request.headers, "x-amz-sns-message-type") !== envelope.Type) {
    return reject(400, "message-type-header-mismatch", context);
  }
  const topicHeader = singleHeader(request.headers, "x-amz-sns-topic-arn");
  if (topicHeader !== undefined && topicHeader !== envelope.TopicArn)
    return reject(400, "topic-header-mismatch", context);
  if (!deps.allowedTopicArns.has(envelope.TopicArn)) return reject(403, "topic-not-allowed", context);
  // Timestamp is signed: refusing on it before verification spares the certificate fetch, and a
  // forger who changes it only breaks the signature.
  const sentAt = Date.parse(envelope.Timestamp);
  if (!Number.isFinite(sentAt)) return reject(400, "bad-timestamp", context);
  const ageMs = (deps.now ?? Date.now)() - sentAt;
  if (ageMs > (deps.maxMessageAgeMs ?? SNS_MAX_MESSAGE_AGE_MS)) {
    return reject(403, "message-too-old", { ...context, timestamp: clip(envelope.Timestamp) });
  }

  let subscribeUrl: URL | undefined;
  if (envelope.Type === "SubscriptionConfirmation") {
    const check = checkSubscribeUrl(envelope);
    if (!check.ok) return reject(403, "bad-subscribe-url", { ...context, problem: check.problem });
    subscribeUrl = check.url;
  }

  let verified: VerifiedSnsMessage;
  try {
    verified = await deps.verifier.verify(envelope);
  } catch (error) {
    if (!(error instanceof SnsVerificationError)) {
      logger.error({ intake: "sns", ...context, err: error }, "sns: verification crashed");
      return { status: 500, body: JSON.stringify({ error: "internal-error" }) };
    }
    // Not being able to fetch the certificate is our problem, not proof of forgery: let SNS retry.
    const status = error.reason === "cert-fetch-failed" ? 503 : 403;
    return reject(status, error.reason, { ...context, problem: clip(error.message) });
  }

  const { signed } = verified;
  switch (signed.Type) {
    case "Notification": {
      logger.info({ intake: "sns", ...context }, "sns: notification verified");
      const notification = signed;
      return {
        status: 200,
        body: JSON.stringify({ status: "accepted" }),
        afterResponse: async () => {
          try {
            await deps.onNotification(notification);
          } catch (error) {
            logger.error({ intake: "sns", ...context, err: error }, "sns: notification handler failed");
          }
        },
      };
    }
    case "SubscriptionConfirmation": {
      // Checked above for this type; the verifier has now proven the URL is the signed one.
      if (!subscribeUrl) return reject(403, "bad-subscribe-url", context);
      try {
        await deps.subscriptionConfirmer.confirmSubscription(subscribeUrl);
      } catch (error) {
        logger.error({ intake: "sns", ...context, err: error }, "sns: could not confirm the subscription");
        return { status: 502, body: JSON.stringify({ error: "confirmation-failed" }) };
      }
      logger.info({ intake: "sns", ...context }, "sns: subscription confirmed");
      return { status: 200, body: JSON.stringify({ status: "confirmed" }) };
    }
    case "UnsubscribeConfirmation":
      logger.info({ intake: "sns", ...context }, "sns: unsubscribed from topic; nothing to do");
      return { status: 200, body: JSON.stringify({ status: "noted" }) };
  }
}

export type SubscribeUrlCheck =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly problem: string };

/**
 * Is the SubscribeURL SNS's own ConfirmSubscription link for this very topic and token?
 * The GET it leads to is an effect, so the URL gets the same scrutiny as a certificate URL.
 */
export function checkSubscribeUrl(
  envelope: Pick<SnsEnvelopeInput, "SubscribeURL" | "TopicArn" | "Token">,
): SubscribeUrlCheck {
  if (typeof envelope.SubscribeURL !== "string") return { ok: false, problem: "SubscribeURL missing" };
  const parsed = parseStrictHttpsUrl(envelope.SubscribeURL);
  if (!parsed.ok) return parsed;
  const { url } = parsed;
  const topic = parseSnsTopicArn(envelope.TopicArn);
  const region = snsServiceHostRegion(url.hostname);
  if (!region) return { ok: false, problem: "host is not sns.<region>.amazonaws.com[.cn]" };
  if (!topic || region !== topic.region) return { ok: false, problem: "host region is not the topic's region" };
  if (url.pathname !== "/" || url.hash !== "") return { ok: false, problem: "path is not /" };
  const only = (name: string): string | undefined => {
    const values = url.searchParams.getAll(name);
    return values.length === 1 ? values[0] : undefined;
  };
  if (only("Action") !== "ConfirmSubscription") return { ok: false, problem: "Action is not ConfirmSubscription" };
  if (only("TopicArn") !== envelope.TopicArn) return { ok: false, problem: "TopicArn differs from the message's" };
  if (typeof envelope.Token !== "string" || only("Token") !== envelope.Token) {
    return { ok: false, problem: "Token differs from the message's" };
  }
  return { ok: true, url };
}

function readEnvelope(value: unknown): SnsEnvelopeInput | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  for (const key of FIELDS_REQUIRED) if (typeof record[key] !== "string") return undefined;
  for (const key of FIELDS_OPTIONAL) {
    const field = record[key];
    if (field !== undefined && field !== null && typeof field !== "string") return undefined;
  }
  return record as unknown as SnsEnvelopeInput;
}

function isMessageType(value: string): value is SnsMessageType {
  return (SNS_MESSAGE_TYPES as readonly string[]).includes(value);
}

/** All values of a header, case-insensitively, split on commas as HTTP combines them. */
export function headerValues(headers: IntakeRequest["headers"], name: string): string[] {
  const lower = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower || value === undefined) continue;
    for (const item of typeof value === "string" ? [value] : value)
      values.push(...item.split(",").map((v) => v.trim()));
  }
  return values;
}

/** The header's value when it was sent exactly once; undefined when absent or repeated. */
export function singleHeader(headers: IntakeRequest["headers"], name: string): string | undefined {
  const lower = name.toLowerCase();
  const found: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower || value === undefined) continue;
    found.push(...(typeof value === "string" ? [value] : value));
  }
  return found.length === 1 ? found[0] : undefined;
}

// Sender-controlled values go to logs clipped, so a hostile field cannot flood them.
function clip(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}
