import { RECONCILE_EVENT } from "@phoenix/shared";
import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";
import { requireIntegerInRange } from "../validation/prop-validation.js";
import type { OpsBotFunction } from "./ops-bot-function.js";

export interface ReconcilerScheduleProps {
  /** The bot the schedule wakes. */
  readonly opsBot: OpsBotFunction;
  /**
   * Minutes between two reconciler runs (1–60): the longest a deploy whose completion event was
   * lost stays "in progress" before the bot notices.
   * @default 5
   */
  readonly intervalMinutes?: number;
  /** @default true */
  readonly enabled?: boolean;
}

/**
 * Wakes the bot on a schedule to re-read CodeBuild and ECS state for every deployment still in
 * progress (requirement "Bot state and timers"), so a lost or late event never leaves a deploy
 * or its lock hanging.
 */
export class ReconcilerSchedule extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ReconcilerScheduleProps) {
    super(scope, id);
    const minutes = requireIntegerInRange("ReconcilerSchedule", "intervalMinutes", props.intervalMinutes ?? 5, 1, 60);
    this.rule = new events.Rule(this, "Rule", {
      description: "Wakes the ops bot to finish or time out deployments still in progress",
      schedule: events.Schedule.rate(Duration.minutes(minutes)),
      enabled: props.enabled ?? true,
    });
    props.opsBot.addEventRuleTarget(this.rule, reconcileEventInput());
  }
}

/**
 * The bot's reconcile event, shaped like an EventBridge event so the bot parses it with the
 * same envelope as the others: `source` and `detail-type` from `RECONCILE_EVENT`, and the
 * scheduled event's `id` and `time`, which stay the same when EventBridge retries a delivery,
 * so the bot's Ledger can drop the duplicate.
 */
function reconcileEventInput(): events.RuleTargetInput {
  return events.RuleTargetInput.fromObject({
    version: "0",
    id: events.EventField.eventId,
    "detail-type": RECONCILE_EVENT["detail-type"],
    source: RECONCILE_EVENT.source,
    account: events.EventField.account,
    time: events.EventField.time,
    region: events.EventField.region,
    resources: [],
    detail: {},
  });
}
