/**
 * The AWS events the ops bot acts on: stopped tasks (crash issues), deployment state (the
 * next step of a deploy) and image-build state (resume a waiting deploy). The patterns are the
 * ones in `@phoenix/shared`, which the bot's schemas parse, so both sides read one definition.
 */
import {
  codeBuildStatePattern,
  type EventPattern,
  ecsDeploymentStatePattern,
  ecsTaskStoppedPattern,
} from "@phoenix/shared";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as events from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";

export interface OpsEventRulesProps {
  /** Cluster whose stopped tasks are reported (`PhoenixService.cluster`). */
  readonly cluster: ecs.ICluster;
  /** Service whose deployments are followed (`PhoenixService.service`). */
  readonly service: ecs.IBaseService;
  /** CodeBuild project that builds the app image, usually `resourceNames(...).buildProject`. */
  readonly buildProjectName: string;
  /** Targets added to every rule; more can be added with `addTarget`. @default - none */
  readonly targets?: readonly events.IRuleTarget[];
  /** @default - the account's default event bus */
  readonly eventBus?: events.IEventBus;
}

/** The rules by kind. */
export interface OpsRules {
  readonly ecsTaskStopped: events.Rule;
  readonly ecsDeploymentState: events.Rule;
  readonly codeBuildState: events.Rule;
}

/** EventBridge rules that deliver ECS and CodeBuild events to the ops bot. */
export class OpsEventRules extends Construct {
  public readonly rules: OpsRules;

  constructor(scope: Construct, id: string, props: OpsEventRulesProps) {
    super(scope, id);
    const rule = (ruleId: string, description: string, pattern: EventPattern) =>
      new events.Rule(this, ruleId, { description, eventBus: props.eventBus, eventPattern: toRulePattern(pattern) });
    this.rules = {
      ecsTaskStopped: rule(
        "EcsTaskStopped",
        "Tasks of the Phoenix cluster that stopped: crashes, failed starts, health-check kills",
        ecsTaskStoppedPattern(props.cluster.clusterArn),
      ),
      ecsDeploymentState: rule(
        "EcsDeploymentState",
        "Rollout progress of the Phoenix service's deployments",
        ecsDeploymentStatePattern(props.service.serviceArn),
      ),
      codeBuildState: rule(
        "CodeBuildState",
        "Terminal states of the Phoenix image build",
        codeBuildStatePattern(props.buildProjectName),
      ),
    };
    for (const target of props.targets ?? []) this.addTarget(target);
  }

  /** Sends the events of every rule to `target` (typically the ops bot's function). */
  public addTarget(target: events.IRuleTarget): void {
    for (const rule of Object.values(this.rules)) rule.addTarget(target);
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
