import {
  type Deployment,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Tag,
  type TaskDefinition,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { DeliveryError } from "../../ports/delivery-error.js";
import type { Deployer, LiveRevision, RolloutStarted, RolloutState } from "../../ports/deployer.js";
import type { ServiceTarget } from "../../ports/service-target.js";
import { awsCall } from "./aws-call.js";
import type { DeploymentClients } from "./deployment-clients.js";

/**
 * Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept: ECS sets
 * them. Everything else is copied as it is, so fields this code never heard of survive a deploy.
 */
export const TASK_DEFINITION_READ_ONLY_FIELDS = [
  "compatibilities",
  "taskDefinitionArn",
  "requiresAttributes",
  "revision",
  "status",
  "registeredAt",
  "deregisteredAt",
  "registeredBy",
] as const;

/** Error code of a deploy whose target container is not in the service's task definition. */
export const CONTAINER_NOT_FOUND = "ContainerNotFound";
/** The code ECS itself uses for UpdateService on a missing service; DescribeServices only lists it as MISSING. */
export const SERVICE_NOT_FOUND = "ServiceNotFoundException";

export interface EcsDeployerOptions {
  readonly clients: DeploymentClients;
}

/**
 * `Deployer` on ECS rolling deployments: registers a new task definition revision that differs
 * from the running one only in the target container's image, points the service at it, and
 * follows the ECS deployment it starts.
 */
export class EcsDeployer implements Deployer {
  private readonly clients: DeploymentClients;

  constructor(options: EcsDeployerOptions) {
    this.clients = options.clients;
  }

  async deployImage(target: ServiceTarget, imageUri: string): Promise<RolloutStarted> {
    const taskDefinitionArn = await this.registerRevision(target, imageUri);
    return this.pointServiceAt(this.clients.ecs(target), target, taskDefinitionArn);
  }

  async registerRevision(target: ServiceTarget, imageUri: string): Promise<string> {
    const ecs = this.clients.ecs(target);
    const service = await describeService(ecs, target);
    const current = await awsCall(() =>
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition, include: ["TAGS"] })),
    );
    if (!current.taskDefinition) {
      throw new DeliveryError(`ECS returned no task definition for ${service.taskDefinition}`, "ClientException");
    }
    const input = taskDefinitionWithImage(current.taskDefinition, current.tags, target.container, imageUri);
    const registered = await awsCall(() => ecs.send(new RegisterTaskDefinitionCommand(input)));
    const taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn;
    if (!taskDefinitionArn) {
      throw new DeliveryError(`ECS registered ${input.family} without returning its ARN`, "ClientException");
    }
    return taskDefinitionArn;
  }

  async deployTaskDefinition(target: ServiceTarget, taskDefinitionArn: string): Promise<RolloutStarted> {
    return this.pointServiceAt(this.clients.ecs(target), target, taskDefinitionArn);
  }

  async rollout(target: ServiceTarget, deploymentId: string): Promise<RolloutState> {
    const service = await describeService(this.clients.ecs(target), target);
    return rolloutStateOf(service, deploymentId);
  }

  async live(target: ServiceTarget): Promise<LiveRevision> {
    const ecs = this.clients.ecs(target);
    const service = await describeService(ecs, target);
    // In ECS the service's task definition is the PRIMARY deployment's (a circuit-breaker
    // rollback sets it back too). moto updates only the service's, so read that one first.
    const taskDefinitionArn = service.taskDefinition ?? primaryOf(service)?.taskDefinition;
    if (!taskDefinitionArn) {
      throw new DeliveryError(`service ${target.service} has no task definition`, "ClientException");
    }
    const { taskDefinition } = await awsCall(() =>
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn })),
    );
    const container = containerOf(taskDefinition, target.container, taskDefinitionArn);
    return {
      taskDefinitionArn,
      image: container.image ?? "",
      desiredCount: service.desiredCount ?? 0,
      runningCount: service.runningCount ?? 0,
    };
  }

  private async pointServiceAt(ecs: ECSClient, target: ServiceTarget, taskDefinitionArn: string) {
    const { service } = await awsCall(() =>
      ecs.send(
        new UpdateServiceCommand({
          cluster: target.cluster,
          service: target.service,
          taskDefinition: taskDefinitionArn,
          forceNewDeployment: false,
        }),
      ),
    );
    const deployments = service?.deployments ?? [];
    // ECS answers with a new PRIMARY deployment running the new task definition. moto keeps its
    // single deployment (old task definition, same id) after UpdateService, so fall back to
    // the PRIMARY deployment, whatever it runs.
    const deployment =
      deployments.find((d) => d.status === "PRIMARY" && d.taskDefinition === taskDefinitionArn) ??
      deployments.find((d) => d.status === "PRIMARY");
    if (!deployment?.id) {
      throw new DeliveryError(
        `ECS updated service ${target.service} to ${taskDefinitionArn} but listed no PRIMARY deployment`,
        "ClientException",
      );
    }
    return { taskDefinitionArn, deploymentId: deployment.id };
  }
}

/**
 * The registration input for a copy of `taskDefinition` whose container `containerName` runs
 * `imageUri`: every field but the read-only ones is kept as ECS returned it.
 */
export function taskDefinitionWithImage(
  taskDefinition: TaskDefinition,
  tags: readonly Tag[] | undefined,
  containerName: string,
  imageUri: string,
): RegisterTaskDefinitionCommandInput {
  const readOnly = new Set<string>(TASK_DEFINITION_READ_ONLY_FIELDS);
  const copy = Object.fromEntries(
    Object.entries(taskDefinition).filter(([field, value]) => !readOnly.has(field) && value !== undefined),
  ) as unknown as RegisterTaskDefinitionCommandInput;
  // Refuses before anything is registered when the container does not exist.
  containerOf(taskDefinition, containerName, taskDefinition.taskDefinitionArn ?? taskDefinition.family ?? "");
  copy.containerDefinitions = (taskDefinition.containerDefinitions ?? []).map((container) =>
    container.name === containerName ? { ...container, image: imageUri } : container,
  );
  // `aws:` keys are reserved to AWS: RegisterTaskDefinition refuses them.
  const ownTags = (tags ?? []).filter((tag) => !tag.key?.startsWith("aws:"));
  if (ownTags.length > 0) copy.tags = ownTags;
  return copy;
}

/**
 * Where the rollout of `deploymentId` stands, from the service's deployments.
 *
 * ECS lists a service's current deployments only: once a newer deployment has finished, the
 * older ones disappear. A deployment that is no longer listed therefore lost to another one:
 * the circuit breaker rolled it back (its rollback deployment became PRIMARY and completed) or
 * someone deployed over it. Either way the service does not run what this deployment brought,
 * so it is reported failed, never completed. The bot serializes its own deploys, so the only
 * way a completed deployment can be missed is a change made outside the bot after it
 * completed; reporting that as failed errs on the side of a human looking.
 */
export function rolloutStateOf(service: Service, deploymentId: string): RolloutState {
  const deployments = service.deployments ?? [];
  const primary = primaryOf(service);
  const deployment = deployments.find((d) => d.id === deploymentId);
  if (!deployment) {
    if (!primary) return { state: "failed", reason: `deployment ${deploymentId} is gone and the service has none` };
    return {
      state: "failed",
      reason: `deployment ${deploymentId} is no longer listed: replaced by ${primary.id} (${primary.taskDefinition}), by a later deployment or a circuit-breaker rollback`,
    };
  }
  if (deployment.rolloutState === "FAILED") {
    return { state: "failed", reason: deployment.rolloutStateReason ?? `deployment ${deploymentId} failed` };
  }
  if (deployment.rolloutState === "COMPLETED") return { state: "completed" };
  if (deployment.status !== "PRIMARY") {
    // Still listed but no longer PRIMARY: a newer deployment (a rollback or another deploy) took over.
    return {
      state: "failed",
      reason: `deployment ${deploymentId} was replaced by ${primary?.id ?? "another deployment"} (${primary?.taskDefinition ?? "unknown task definition"}) before it completed`,
    };
  }
  if (deployment.rolloutState === "IN_PROGRESS") return { state: "in-progress" };
  // No rolloutState (services behind a Classic Load Balancer): done when it is alone and full.
  const settled = deployments.length === 1 && deployment.runningCount === deployment.desiredCount;
  return settled ? { state: "completed" } : { state: "in-progress" };
}

function primaryOf(service: Service): Deployment | undefined {
  return service.deployments?.find((d) => d.status === "PRIMARY");
}

async function describeService(ecs: ECSClient, target: ServiceTarget): Promise<Service> {
  const { services, failures } = await awsCall(() =>
    ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] })),
  );
  const service = services?.find((s) => s.status !== "INACTIVE");
  if (!service) {
    // DescribeServices reports a missing service as a failure (reason MISSING), not an error;
    // name it as UpdateService would.
    const reason = failures?.[0]?.reason ?? (services?.length ? "INACTIVE" : "MISSING");
    throw new DeliveryError(
      `Service not found: ${target.service} in cluster ${target.cluster} (${reason})`,
      SERVICE_NOT_FOUND,
    );
  }
  return service;
}

function containerOf(taskDefinition: TaskDefinition | undefined, name: string, arn: string) {
  const containers = taskDefinition?.containerDefinitions ?? [];
  const container = containers.find((c) => c.name === name);
  if (!container) {
    const names = containers.map((c) => c.name).join(", ") || "none";
    throw new DeliveryError(
      `task definition ${arn} has no container named "${name}"; its containers: ${names}`,
      CONTAINER_NOT_FOUND,
    );
  }
  return container;
}
