import { z } from "zod";

/**
 * The top-level fields every EventBridge event carries ("Amazon EventBridge events" in the
 * EventBridge User Guide). Objects are loose: AWS adds fields over time ("make sure that your
 * application is prepared to handle unknown properties", Amazon ECS Developer Guide), and
 * unknown fields are kept as they came.
 */
export const eventBridgeEnvelopeFields = {
  /** Always "0" for AWS events. */
  version: z.string(),
  /** Unique per event; EventBridge retries deliver the same id (see `ledgerKeys.eventBridgeEvent`). */
  id: z.string().min(1),
  "detail-type": z.string().min(1),
  source: z.string().min(1),
  /**
   * Twelve digits in practice, but only checked to be a string: the CodeBuild guide's own
   * example spells it ":123456789012".
   */
  account: z.string(),
  /** ISO 8601, whole seconds, UTC (`2020-01-23T17:57:58Z`). */
  time: z.string(),
  region: z.string(),
  /** ARNs of the resources involved; ECS puts the task or service ARN here. */
  resources: z.array(z.string()),
} as const;

export const eventBridgeEnvelopeSchema = z.looseObject({ ...eventBridgeEnvelopeFields, detail: z.unknown() });

export type EventBridgeEnvelope = z.output<typeof eventBridgeEnvelopeSchema>;

/**
 * The schema of one AWS event type: its source and detail-type fixed, its `detail` typed.
 * A schema of this shape rejects another event type at `source` or `detail-type`.
 */
export function eventBridgeEventSchema<Source extends string, DetailType extends string, Detail extends z.ZodType>(
  source: Source,
  detailType: DetailType,
  detail: Detail,
) {
  return z.looseObject({
    ...eventBridgeEnvelopeFields,
    source: z.literal(source),
    "detail-type": z.literal(detailType),
    detail,
  });
}
