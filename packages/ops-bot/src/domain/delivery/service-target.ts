import { resourceNames } from "@phoenix/shared";
import type { ServiceTarget } from "../../ports/service-target.js";
import type { EnvironmentConfig } from "../ops-config/ops-config-schema.js";
import type { DeployRequest } from "./deploy-workflow.js";

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

/** Where a deploy to `env` goes and what rules it follows, as the deploy request carries them. */
export function deployDestination(
  app: string,
  env: EnvironmentConfig,
): Pick<DeployRequest, "environment" | "target" | "environmentUrl" | "after" | "liveImageParameter"> {
  return {
    environment: env.name,
    target: serviceTarget(env),
    ...(env.url ? { environmentUrl: env.url } : {}),
    ...(env.after ? { after: env.after } : {}),
    liveImageParameter: resourceNames({ app, environment: env.name }).liveImageParameter,
  };
}
