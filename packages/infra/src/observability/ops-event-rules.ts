/**
 * The AWS events the ops bot acts on, as EventBridge rules: an environment's stopped tasks
 * (crash issues), deployment state (the next step of a deploy) and alarm state changes (alarm
 * issues), and the image build's state (resume a waiting deploy). The patterns are the ones in
 * `@phoenix/shared`, which the bot's schemas parse, so both sides read one definition.
 */
import {
  cloudWatchAlarmStatePattern,
  codeBuildStatePattern,
  type EnvironmentLabels,
  type EventPattern,
  ecsDeploymentStatePattern,
  ecsTaskStoppedPattern,
  labelledEventInputTemplate,
} from "@phoenix/shared";
import * as events from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";
import { PropValidationError } from "../validation/prop-validation.js";

export interface EnvironmentEventRulesProps {
  /** ARN of the cluster whose stopped tasks are reported. */
  readonly clusterArn: string;
  /** ARN of the service whose deployments are followed (the long form, with the cluster name). */
  readonly serviceArn: string;
  /** ARNs of the service's alarms (`PhoenixAlarms`) whose state changes are reported. */
  readonly alarmArns: readonly string[];
  /** Targets added to every rule; more can be added with `addTarget`. @default - none */
  readonly targets?: readonly events.IRuleTarget[];
  /**
   * The bus the rules listen on: the environment account's default bus, where AWS services put
   * their events, or the ops bus, where they arrive forwarded.
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;
  /** Names the environment in the rules' descriptions. @default - none */
  readonly environment?: string;
}

/** The rules by event kind. */
export interface EnvironmentRules {
  readonly ecsTaskStopped: events.Rule;
  readonly ecsDeploymentState: events.Rule;
  readonly alarmState: events.Rule;
}

/**
 * One rule per kind of environment event the bot handles. The same rules serve twice: in the
 * environment's account they forward to the ops bus, and on the ops bus they label the event
 * with its environment and invoke the bot. Forwarded events keep their source, account and
 * resources, so one pattern matches on both buses.
 */
export class EnvironmentEventRules extends Construct {
  public readonly rules: EnvironmentRules;

  constructor(scope: Construct, id: string, props: EnvironmentEventRulesProps) {
    super(scope, id);
    if (props.alarmArns.length === 0) {
      throw new PropValidationError("EnvironmentEventRules: alarmArns must name at least one alarm");
    }
    const of = props.environment ? ` (${props.environment})` : "";
    const rule = (ruleId: string, description: string, pattern: EventPattern) =>
      new events.Rule(this, ruleId, {
        description: `${description}${of}`,
        eventBus: props.eventBus,
        eventPattern: toRulePattern(pattern),
      });
    this.rules = {
      ecsTaskStopped: rule(
        "EcsTaskStopped",
        "Tasks of the Phoenix cluster that stopped: crashes, failed starts, health-check kills",
        ecsTaskStoppedPattern(props.clusterArn),
      ),
      ecsDeploymentState: rule(
        "EcsDeploymentState",
        "Rollout progress of the Phoenix service's deployments",
        ecsDeploymentStatePattern(props.serviceArn),
      ),
      alarmState: rule(
        "AlarmState",
        "State changes of the Phoenix service's alarms",
        cloudWatchAlarmStatePattern(props.alarmArns),
      ),
    };
    for (const target of props.targets ?? []) this.addTarget(target);
  }

  /** Sends the events of every rule to `target`. */
  public addTarget(target: events.IRuleTarget): void {
    for (const rule of Object.values(this.rules)) rule.addTarget(target);
  }
}

export interface ImageBuildStateRuleProps {
  /** The CodeBuild project that builds the app image (`opsResourceNames(app).buildProject`). */
  readonly buildProjectName: string;
  /** @default - none */
  readonly targets?: readonly events.IRuleTarget[];
}

/** Terminal states of the image build, on the ops account's default bus. */
export class ImageBuildStateRule extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ImageBuildStateRuleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, "Rule", {
      description: "Terminal states of the Phoenix image build",
      eventPattern: toRulePattern(codeBuildStatePattern(props.buildProjectName)),
    });
    for (const target of props.targets ?? []) this.rule.addTarget(target);
  }
}

/**
 * The target input that wraps the matched event as `{ phoenixOps: labels, event }`: an input
 * transformer with no paths and the template of `labelledEventInputTemplate`, where
 * `<aws.events.event>` is EventBridge's predefined variable for the whole event.
 */
export class LabelledEventInput extends events.RuleTargetInput {
  constructor(private readonly labels: EnvironmentLabels) {
    super();
  }

  public bind(_rule: events.IRuleRef): events.RuleTargetInputProperties {
    return { inputTemplate: labelledEventInputTemplate(this.labels), inputPathsMap: {} };
  }
}

/** The shared pattern in the CDK's spelling; keys and values are carried over unchanged. */
function toRulePattern(pattern: EventPattern): events.EventPattern {
  return {
    source: [...pattern.source],
    detailType: [...pattern["detail-type"]],
    ...(pattern.resources && { resources: [...pattern.resources] }),
    ...(pattern.detail && { detail: { ...pattern.detail } }),
  };
}
