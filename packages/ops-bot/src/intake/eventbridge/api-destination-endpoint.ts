import { createHash, timingSafeEqual } from "node:crypto";
import { hasEnvironmentLabels } from "../../domain/events/environment-labels.js";
import type { OpsLogger } from "../../ports/logger.js";
import { type IntakeRequest, type IntakeResponse, singleHeader } from "../sns/sns-endpoint.js";

/** The header the EventBridge connection's "API key" authorization sends the secret in. */
export const DEFAULT_API_DESTINATION_SECRET_HEADER = "x-phoenix-events-secret";

/** A JSON object as parsed from the request; the handler validates it against the event schemas. */
export type ApiDestinationEvent = Readonly<Record<string, unknown>>;

export interface ApiDestinationEndpointDeps {
  /** The shared secret configured on the EventBridge connection. Empty means "refuse everything". */
  readonly secret: string;
  /** @default DEFAULT_API_DESTINATION_SECRET_HEADER */
  readonly secretHeader?: string;
  /** Runs after the 202 is sent. */
  readonly onEvent: (event: ApiDestinationEvent) => Promise<void>;
  readonly logger: OpsLogger;
  /** EventBridge events are at most 256 KiB. @default 262_144 */
  readonly maxBodyBytes?: number;
}

/**
 * Handles one POST from an EventBridge API destination: authenticate, parse, acknowledge,
 * then dispatch. The body is not parsed before the secret matches.
 */
export async function handleApiDestinationRequest(
  request: IntakeRequest,
  deps: ApiDestinationEndpointDeps,
): Promise<IntakeResponse> {
  const { logger } = deps;
  const reject = (status: number, reason: string): IntakeResponse => {
    logger.warn({ intake: "eventbridge", status, reason }, `eventbridge: rejected request (${reason})`);
    return { status, body: JSON.stringify({ error: reason }) };
  };

  if (Buffer.byteLength(request.body, "utf8") > (deps.maxBodyBytes ?? 262_144)) return reject(413, "body-too-large");
  if (deps.secret === "") {
    logger.error({ intake: "eventbridge" }, "eventbridge: no shared secret configured; refusing every request");
    return { status: 401, body: JSON.stringify({ error: "unauthorized" }) };
  }
  const provided = singleHeader(request.headers, deps.secretHeader ?? DEFAULT_API_DESTINATION_SECRET_HEADER);
  if (provided === undefined) return reject(401, "missing-secret");
  if (!secretsMatch(provided, deps.secret)) return reject(401, "wrong-secret");

  let event: unknown;
  try {
    event = JSON.parse(request.body);
  } catch {
    return reject(400, "malformed-json");
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) return reject(400, "not-a-json-object");
  const accepted = event as ApiDestinationEvent;
  // A labelled environment event carries the AWS event under `event`; its id and type are what a reader looks for.
  const inner = hasEnvironmentLabels(accepted) && isJsonObject(accepted.event) ? accepted.event : accepted;
  const context = { intake: "eventbridge", id: clip(inner.id), detailType: clip(inner["detail-type"]) };
  logger.info(context, "eventbridge: event accepted");
  return {
    status: 202,
    body: JSON.stringify({ status: "accepted" }),
    afterResponse: async () => {
      try {
        await deps.onEvent(accepted);
      } catch (error) {
        logger.error({ ...context, err: error }, "eventbridge: event handler failed");
      }
    },
  };
}

/**
 * Constant-time secret comparison. Both sides are hashed first so the compared buffers
 * always have the same length: neither the secret's length nor the position of the first
 * differing byte shows in the timing.
 */
export function secretsMatch(provided: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(provided), digest(expected));
}

function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function clip(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}
