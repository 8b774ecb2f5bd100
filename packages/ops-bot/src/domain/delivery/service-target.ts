import type { ServiceTarget } from "../../ports/service-target.js";
import type { EnvironmentConfig } from "../ops-config/ops-config-schema.js";

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
