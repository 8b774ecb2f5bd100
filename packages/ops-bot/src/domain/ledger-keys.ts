/**
 * Idempotency keys the bot records in its Ledger before acting, so a redelivered message
 * never acts twice. Each kind has its own prefix, so keys of different kinds cannot collide.
 */
export const LEDGER_KEY_PREFIXES = {
  snsMessage: "sns:",
  eventBridgeEvent: "eventbridge:",
  ecsTaskEvent: "ecs-task:",
} as const;

/** An SNS message: SNS retries resend the original MessageId. */
export function snsMessageKey(messageId: string): string {
  return `${LEDGER_KEY_PREFIXES.snsMessage}${messageId}`;
}

/** An EventBridge event: EventBridge retries deliver the same event id. */
export function eventBridgeEventKey(eventId: string): string {
  return `${LEDGER_KEY_PREFIXES.eventBridgeEvent}${eventId}`;
}

/**
 * A task state change. ECS may emit the same change more than once, under different event
 * ids; duplicates carry the same task `version`, so task ARN and version identify the change.
 */
export function taskEventKey(taskArn: string, version: number): string {
  return `${LEDGER_KEY_PREFIXES.ecsTaskEvent}${taskArn}@${version}`;
}
