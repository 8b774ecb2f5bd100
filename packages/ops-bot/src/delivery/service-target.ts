import type { EnvironmentConfig } from "@phoenix/shared";
import type { ServiceTarget } from "./ports.js";

/** The ECS service an environment of `.github/phoenix-ops.yml` names. */
export function serviceTarget(env: EnvironmentConfig): ServiceTarget {
  return {
    region: env.region,
    cluster: env.cluster,
    service: env.service,
    container: env.container,
    ...(env.roleArn ? { roleArn: env.roleArn } : {}),
  };
}
