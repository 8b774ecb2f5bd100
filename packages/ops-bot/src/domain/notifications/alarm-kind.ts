/**
 * Which of the service's alarms a state change is about. Each kind is an issue of its own:
 * a CPU peak, 5xx the app answered, 5xx the load balancer answered itself, and tasks failing
 * the load balancer's health check say different things and want different people.
 */
import { type DeploymentIdentity, type PhoenixResourceNames, resourceNames } from "@phoenix/shared";

export const ALARM_KINDS = ["cpu", "target-5xx", "lb-5xx", "unhealthy-hosts"] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** What an issue of each kind is called and how its chart's values read. */
export const ALARM_KIND_WORDING: Readonly<Record<AlarmKind, { readonly title: string; readonly unit: string }>> = {
  cpu: { title: "CPU peak", unit: "Percent" },
  "target-5xx": { title: "5xx from the app", unit: "Count" },
  "lb-5xx": { title: "5xx from the load balancer", unit: "Count" },
  "unhealthy-hosts": { title: "Unhealthy tasks", unit: "Count" },
};

// The metrics the service's alarms watch (infra: PhoenixServiceAlarms), by namespace and name.
const KIND_BY_METRIC: ReadonlyMap<string, AlarmKind> = new Map([
  ["AWS/ECS\nCPUUtilization", "cpu"],
  ["AWS/ApplicationELB\nHTTPCode_Target_5XX_Count", "target-5xx"],
  ["AWS/ApplicationELB\nHTTPCode_ELB_5XX_Count", "lb-5xx"],
  ["AWS/ApplicationELB\nUnHealthyHostCount", "unhealthy-hosts"],
]);

const KIND_BY_ALARM: Readonly<Record<keyof PhoenixResourceNames["alarms"], AlarmKind>> = {
  cpuHigh: "cpu",
  http5xx: "target-5xx",
  elb5xx: "lb-5xx",
  unhealthyHosts: "unhealthy-hosts",
};

/** The fields of an alarm state change the kind is read from. */
export interface KindedAlarm {
  readonly alarmName: string;
  /** Absent for metric-math alarms over several metrics and for composite alarms. */
  readonly metric?: { readonly namespace: string; readonly name: string } | undefined;
}

/**
 * The alarm's kind: from the metric it watches, else from its name's suffix as `resourceNames`
 * gives the environment's alarms (`-cpu-high`, `-http-5xx`, `-elb-5xx`, `-unhealthy-hosts`).
 * `undefined` for any other alarm (the bot's own, say): it is no service issue.
 */
export function alarmKindOf(alarm: KindedAlarm, identity: DeploymentIdentity): AlarmKind | undefined {
  const byMetric = alarm.metric && KIND_BY_METRIC.get(`${alarm.metric.namespace}\n${alarm.metric.name}`);
  if (byMetric) return byMetric;
  const stem = `${identity.app}-${identity.environment}`;
  for (const [key, name] of Object.entries(resourceNames(identity).alarms)) {
    const suffix = name.startsWith(stem) ? name.slice(stem.length) : name;
    if (alarm.alarmName.endsWith(suffix)) return KIND_BY_ALARM[key as keyof PhoenixResourceNames["alarms"]];
  }
  return undefined;
}

/**
 * The environment an alarm belongs to, derived from its name: the one whose `resourceNames`
 * alarms include it exactly. For alarm messages that carry no labels (SNS); `undefined` when
 * no environment of `app` names the alarm.
 */
export function environmentOfAlarm(
  alarmName: string,
  app: string,
  environments: readonly string[],
): string | undefined {
  return environments.find((environment) =>
    Object.values(resourceNames({ app, environment }).alarms).includes(alarmName),
  );
}
