import type { Template } from "aws-cdk-lib/assertions";
import type { RolloutSettings } from "../../src/service/phoenix-service.js";

/** The (single) container definition of a template's task definition. */
export function containerDefinition(template: Template): Record<string, unknown> {
  const [taskDefinition] = Object.values(template.findResources("AWS::ECS::TaskDefinition"));
  const [container] = taskDefinition?.Properties.ContainerDefinitions ?? [];
  return container;
}

/** The rollout settings as they stand in a synthesized template, not as the code intends them. */
export function rolloutSettingsFromTemplate(template: Template): RolloutSettings {
  const [targetGroup] = Object.values(template.findResources("AWS::ElasticLoadBalancingV2::TargetGroup"));
  const [service] = Object.values(template.findResources("AWS::ECS::Service"));
  const container = containerDefinition(template) as {
    HealthCheck: { Interval: number; Timeout: number; Retries: number; StartPeriod: number };
    StopTimeout: number;
  };
  const attributes = targetGroup?.Properties.TargetGroupAttributes as { Key: string; Value: string }[];
  return {
    healthCheckIntervalSeconds: targetGroup?.Properties.HealthCheckIntervalSeconds,
    healthCheckTimeoutSeconds: targetGroup?.Properties.HealthCheckTimeoutSeconds,
    healthyThresholdCount: targetGroup?.Properties.HealthyThresholdCount,
    unhealthyThresholdCount: targetGroup?.Properties.UnhealthyThresholdCount,
    deregistrationDelaySeconds: Number(attributes.find((a) => a.Key === "deregistration_delay.timeout_seconds")?.Value),
    containerHealthCheck: {
      intervalSeconds: container.HealthCheck.Interval,
      timeoutSeconds: container.HealthCheck.Timeout,
      retries: container.HealthCheck.Retries,
      startPeriodSeconds: container.HealthCheck.StartPeriod,
    },
    stopTimeoutSeconds: container.StopTimeout,
    minHealthyPercent: service?.Properties.DeploymentConfiguration.MinimumHealthyPercent,
    maxHealthyPercent: service?.Properties.DeploymentConfiguration.MaximumPercent,
  };
}
