import { matchesEventPattern } from "@phoenix/infra";
import type { SeededStack } from "../cloudformation/seed-from-template.js";
import { resourcesOfType } from "../cloudformation/template.js";
import { type RuleTargetInput, targetInput } from "./input-transformer.js";

/** One rule of a synthesized stack, every intrinsic resolved as the seed resolved them. */
interface BusRule {
  readonly stackName: string;
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly busArn: string;
  readonly pattern: unknown;
  readonly targets: readonly (RuleTargetInput & { readonly Arn: string })[];
}

/** Where an event went: the input the bot received, and the buses and rules on the way. */
export interface EventDelivery {
  readonly input: string;
  readonly route: readonly string[];
}

const MAX_HOPS = 5;

/**
 * EventBridge as the synthesized stacks configure it: an AWS event lands on its account's
 * default bus; every enabled rule of the stacks on that bus whose pattern matches sends it to
 * its targets — another bus (the environment's forwarding rules to the ops bus) or the bot
 * (the ops bus's rules, which label it). The sandbox posts each input the bot would get to the
 * bot's EventBridge endpoint, so an event reaches the bot exactly when the stacks route it.
 */
export class EventRouter {
  private readonly rules: readonly BusRule[];

  /**
   * @param stacks the seeded stacks whose rules apply (ops and environments)
   * @param botArn the ARN the rules name as the bot's (its Lambda function's)
   */
  constructor(
    stacks: readonly SeededStack[],
    private readonly botArn: string,
  ) {
    this.rules = stacks.flatMap((stack) =>
      resourcesOfType(stack.template, "AWS::Events::Rule").map(([logicalId, resource]) => {
        const properties = stack.resolve(resource.Properties ?? {}) as {
          Name?: string;
          EventBusName?: string;
          EventPattern?: unknown;
          State?: string;
          Targets?: (RuleTargetInput & { Arn: string })[];
        };
        const name = properties.Name ?? `${stack.stackName}-${logicalId}`;
        const bus = properties.EventBusName ?? "default";
        return {
          stackName: stack.stackName,
          logicalId,
          name,
          arn: `arn:aws:events:${stack.region}:${stack.account}:rule/${bus === "default" ? "" : `${bus}/`}${name}`,
          busArn: bus.startsWith("arn:") ? bus : `arn:aws:events:${stack.region}:${stack.account}:event-bus/${bus}`,
          pattern: properties.State === "DISABLED" ? undefined : properties.EventPattern,
          targets: properties.Targets ?? [],
        };
      }),
    );
  }

  /** The inputs the bot receives for `event`, put by an AWS service on its account's default bus. */
  route(event: Readonly<Record<string, unknown>>): EventDelivery[] {
    const { account, region } = event as { account?: unknown; region?: unknown };
    if (typeof account !== "string" || typeof region !== "string") {
      throw new Error("an AWS event names its account and region");
    }
    return this.deliver(`arn:aws:events:${region}:${account}:event-bus/default`, event, []);
  }

  private deliver(busArn: string, event: Readonly<Record<string, unknown>>, route: readonly string[]): EventDelivery[] {
    if (route.length > MAX_HOPS) throw new Error(`event routing loops: ${route.join(" → ")}`);
    const here = [...route, busArn.split(":").slice(4).join(":")];
    return this.rules
      .filter(
        (rule) => rule.busArn === busArn && rule.pattern !== undefined && matchesEventPattern(rule.pattern, event),
      )
      .flatMap((rule) =>
        rule.targets.flatMap((target) => {
          const via = [...here, `${rule.stackName}/${rule.logicalId}`];
          if (target.Arn.includes(":event-bus/")) return this.deliver(target.Arn, event, via);
          if (target.Arn === this.botArn) return [{ input: targetInput(target, event, rule), route: [...via, "bot"] }];
          return [];
        }),
      );
  }
}
