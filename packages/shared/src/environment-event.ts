/**
 * How an environment's AWS event reaches the one ops bot: the ops stack's event bus wraps each
 * event it routes in labels naming the environment and the GitHub repository it belongs to, so
 * the bot needs no table from AWS resources to repositories. The infra writes the labels
 * (an EventBridge input transformer built by `labelledEventInputTemplate`), the bot reads them.
 */
export interface EnvironmentLabels {
  /** The environment's name, as in `.github/phoenix-ops.yml` and `resourceNames`. */
  readonly environment: string;
  /** `owner/name` of the repository the environment runs. */
  readonly repository: string;
}

/** The key of the labels in a labelled event; the original event sits under `event`. */
export const ENVIRONMENT_LABELS_KEY = "phoenixOps";

/** What the bot receives for an environment event: `{ phoenixOps: labels, event }`. */
export interface LabelledEnvironmentEvent {
  readonly [ENVIRONMENT_LABELS_KEY]: EnvironmentLabels;
  readonly event: Readonly<Record<string, unknown>>;
}

/**
 * EventBridge predefined variable for the whole matched event (EventBridge user guide,
 * "Amazon EventBridge input transformation", predefined variables).
 */
export const WHOLE_EVENT_VARIABLE = "<aws.events.event>";

/**
 * The input template of an EventBridge input transformer that labels the matched event. The
 * labels are JSON-encoded here; `<aws.events.event>` stays a bare placeholder EventBridge
 * replaces with the event's JSON.
 */
export function labelledEventInputTemplate(labels: EnvironmentLabels): string {
  const encoded = JSON.stringify({ environment: labels.environment, repository: labels.repository });
  return `{"${ENVIRONMENT_LABELS_KEY}":${encoded},"event":${WHOLE_EVENT_VARIABLE}}`;
}
