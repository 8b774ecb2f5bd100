import type { LogStreamRef } from "../../ports/log-reader.js";

/** Links into the AWS console for the things an issue talks about. */
export function alarmConsoleUrl(region: string, alarmName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

export function ecsServiceConsoleUrl(region: string, cluster: string, service: string): string {
  return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/health?region=${region}`;
}

export function ecsTaskConsoleUrl(region: string, cluster: string, taskId: string): string {
  return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/tasks/${encodeURIComponent(taskId)}/configuration?region=${region}`;
}

/** A Markdown link to a log stream in the Logs console, named after the stream. */
export function logStreamLink(ref: LogStreamRef): string {
  return `[${ref.stream}](${logStreamConsoleUrl(ref.region, ref.logGroup, ref.stream)})`;
}

/** The Logs console double-encodes path separators in its fragment ("/" → "$252F"). */
export function logStreamConsoleUrl(region: string, logGroup: string, logStream: string): string {
  const encode = (value: string) => encodeURIComponent(encodeURIComponent(value)).replace(/%/g, "$");
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${encode(logGroup)}/log-events/${encode(logStream)}`;
}

export function ecsDeploymentsConsoleUrl(region: string, cluster: string, service: string): string {
  return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${region}`;
}
