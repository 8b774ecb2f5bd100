import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { EVENT_DETAIL_TYPES, EVENT_SOURCES, PHOENIX_APP, tryParseImageReference } from "@phoenix/shared";
import { resolveImageCommand, unpackImage } from "./image-unpack.js";

/**
 * The sandbox's stand-in for ECS and its awslogs driver: runs the service's task definition as
 * a local process from the image in the local registry, ships its output to CloudWatch
 * Logs (moto), replaces a task that exits (and reports it as an ECS Task State Change event,
 * as EventBridge would), and rolls the task over when the service's task definition changes
 * (then reports the ECS deployment COMPLETED). There is no container engine here: the image's
 * command runs as a plain process, found along the image's PATH in its own files (the pinned
 * Node release of its base image), with the app's files as its working directory.
 */
export interface LocalPlatformOptions {
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly region: string;
  readonly account: string;
  readonly cluster: string;
  readonly service: string;
  readonly container: string;
  /** Where unpacked images are kept, one directory per manifest digest. */
  readonly imageCache: string;
  /** The base image's layers: unpacked once each and shared, not per image. */
  readonly baseLayers: ReadonlySet<string>;
  /** Port and database of the app; added to the task definition's environment. */
  readonly appEnvironment: Readonly<Record<string, string>>;
  readonly appUrl: string;
  /** Where the platform's events go (the bot's EventBridge endpoint). */
  readonly emitEvent: (event: Record<string, unknown>) => Promise<void>;
  readonly log: (line: string) => void;
  /** How often the service is checked for a new task definition. @default 500 */
  readonly pollMs?: number;
}

interface RunningTask {
  readonly id: string;
  readonly arn: string;
  readonly taskDefinitionArn: string;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  stopping: boolean;
}

const HEALTH_TIMEOUT_MS = 20_000;

export class LocalPlatform {
  private task: RunningTask | undefined;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly pendingLogs: { message: string; timestamp: number; group: string; stream: string }[] = [];

  constructor(private readonly options: LocalPlatformOptions) {}

  /** Starts the service's current task definition and follows the service from then on. */
  async start(): Promise<void> {
    await this.enqueue(() => this.reconcile());
    // Like the awslogs driver: lines reach CloudWatch Logs within a second or so.
    this.timer = setInterval(() => {
      void this.flushLogs()
        .then(() => this.enqueue(() => this.reconcile()))
        .catch((error: unknown) =>
          this.options.log(`platform: ${error instanceof Error ? error.message : String(error)}`),
        );
    }, this.options.pollMs ?? 500);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.busy.catch(() => {});
    await this.stopTask();
    await this.flushLogs();
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.busy.then(work, work);
    this.busy = next.catch(() => {});
    return next;
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    const { services } = await this.options.ecs.send(
      new DescribeServicesCommand({ cluster: this.options.cluster, services: [this.options.service] }),
    );
    const service = services?.[0];
    const wanted = service?.taskDefinition;
    if (!wanted) return;
    if (this.task && this.task.taskDefinitionArn === wanted) return;
    const rollingOver = this.task !== undefined;
    // One port, one task: the old task stops before the new one starts (ECS would overlap them).
    await this.stopTask();
    await this.runTask(wanted);
    const primary = service.deployments?.find((deployment) => deployment.status === "PRIMARY");
    if (rollingOver && primary?.id) await this.emitDeploymentCompleted(primary.id);
  }

  private async runTask(taskDefinitionArn: string): Promise<void> {
    const { taskDefinition } = await this.options.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }),
    );
    const container = taskDefinition?.containerDefinitions?.find((c) => c.name === this.options.container);
    if (!container?.image)
      throw new Error(`task definition ${taskDefinitionArn} has no container ${this.options.container}`);
    const image = await unpackImage(container.image, this.options.imageCache, this.options.baseLayers);
    const [command, ...args] = [...(image.config.Entrypoint ?? []), ...(image.config.Cmd ?? [])];
    if (!command) throw new Error(`${container.image} has neither an entrypoint nor a command`);
    // The image's own runtime (the Node release the Dockerfile pins, from the base image), not
    // the sandbox's: the app runs on what production runs.
    const executable = resolveImageCommand(image, command);
    if (!executable) throw new Error(`${container.image}: ${command} is on none of the image's PATH directories`);
    const environment: Record<string, string> = {};
    for (const entry of image.config.Env ?? []) {
      const at = entry.indexOf("=");
      if (at > 0) environment[entry.slice(0, at)] = entry.slice(at + 1);
    }
    for (const variable of container.environment ?? []) {
      if (variable.name && variable.value !== undefined) environment[variable.name] = variable.value;
    }
    Object.assign(environment, this.options.appEnvironment);
    delete environment.PATH;
    const id = randomBytes(16).toString("hex");
    const workingDirectory = join(image.rootDirectory, image.config.WorkingDir ?? "/");
    const child = spawn(executable, args, {
      cwd: workingDirectory,
      env: { ...environment, PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const arn = `arn:aws:ecs:${this.options.region}:${this.options.account}:task/${this.options.cluster}/${id}`;
    // As the awslogs driver: the group and stream prefix are the task definition's own.
    const logOptions = container.logConfiguration?.options ?? {};
    const group = logOptions["awslogs-group"];
    if (container.logConfiguration?.logDriver !== "awslogs" || !group) {
      throw new Error(`task definition ${taskDefinitionArn} does not log to CloudWatch Logs (awslogs)`);
    }
    const stream = `${logOptions["awslogs-stream-prefix"] ?? PHOENIX_APP.logStreamPrefix}/${this.options.container}/${id}`;
    await this.options.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    for (const output of [child.stdout, child.stderr]) {
      createInterface({ input: output }).on("line", (line) => {
        this.pendingLogs.push({ message: line, timestamp: Date.now(), group, stream });
        this.options.log(`app[${id.slice(0, 6)}] ${line}`);
      });
    }
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const task: RunningTask = { id, arn, taskDefinitionArn, process: child, exited, stopping: false };
    this.task = task;
    void exited.then((code) => this.onExit(task, code, taskDefinitionArn, container.image as string));
    this.options.log(`platform: task ${id.slice(0, 6)} started from ${container.image}`);
    await this.waitHealthy(task);
  }

  private async onExit(
    task: RunningTask,
    code: number | null,
    taskDefinitionArn: string,
    image: string,
  ): Promise<void> {
    await this.flushLogs();
    if (task.stopping || this.stopped) return;
    this.options.log(`platform: task ${task.id.slice(0, 6)} exited with ${code}; replacing it`);
    if (this.task === task) this.task = undefined;
    await this.emitTaskStopped(task, code, taskDefinitionArn, image);
    await this.enqueue(() => this.reconcile());
  }

  private async waitHealthy(task: RunningTask): Promise<void> {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (task.process.exitCode !== null) throw new Error(`task ${task.id} exited before it was healthy`);
      const healthy = await fetch(`${this.options.appUrl}${PHOENIX_APP.healthCheckPath}`)
        .then((response) => response.ok)
        .catch(() => false);
      if (healthy) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`task ${task.id} did not answer ${PHOENIX_APP.healthCheckPath} within ${HEALTH_TIMEOUT_MS} ms`);
  }

  private async stopTask(): Promise<void> {
    const task = this.task;
    if (!task) return;
    task.stopping = true;
    this.task = undefined;
    task.process.kill("SIGTERM");
    await task.exited;
  }

  private async flushLogs(): Promise<void> {
    const batch = this.pendingLogs.splice(0);
    const byStream = new Map<string, typeof batch>();
    for (const entry of batch) byStream.set(entry.stream, [...(byStream.get(entry.stream) ?? []), entry]);
    for (const entries of byStream.values()) {
      const [{ group, stream }] = entries as [(typeof entries)[number]];
      await this.options.logs.send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          logEvents: entries.map(({ message, timestamp }) => ({ message, timestamp })),
        }),
      );
    }
  }

  /** As EventBridge delivers it: ECS Task State Change, STOPPED, essential container exited. */
  private async emitTaskStopped(
    task: RunningTask,
    exitCode: number | null,
    taskDefinitionArn: string,
    image: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    const { region, account, cluster, service, container } = this.options;
    const imageDigest = tryParseImageReference(image)?.digest;
    await this.options.emitEvent({
      version: "0",
      id: randomUUID(),
      "detail-type": EVENT_DETAIL_TYPES.ecsTaskStateChange,
      source: EVENT_SOURCES.ecs,
      account,
      time: now,
      region,
      resources: [task.arn],
      detail: {
        clusterArn: `arn:aws:ecs:${region}:${account}:cluster/${cluster}`,
        taskArn: task.arn,
        taskDefinitionArn,
        group: `service:${service}`,
        launchType: "FARGATE",
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stopCode: "EssentialContainerExited",
        stoppedReason: "Essential container in task exited",
        stoppedAt: now,
        version: 3,
        containers: [
          {
            containerArn: `arn:aws:ecs:${region}:${account}:container/${cluster}/${task.id}/${randomUUID()}`,
            name: container,
            taskArn: task.arn,
            lastStatus: "STOPPED",
            exitCode: exitCode ?? 137,
            image,
            ...(imageDigest ? { imageDigest } : {}),
          },
        ],
        createdAt: now,
        updatedAt: now,
      },
    });
  }

  private async emitDeploymentCompleted(deploymentId: string): Promise<void> {
    const { region, account, cluster, service } = this.options;
    await this.options.emitEvent({
      version: "0",
      id: randomUUID(),
      "detail-type": EVENT_DETAIL_TYPES.ecsDeploymentStateChange,
      source: EVENT_SOURCES.ecs,
      account,
      time: new Date().toISOString(),
      region,
      resources: [`arn:aws:ecs:${region}:${account}:service/${cluster}/${service}`],
      detail: {
        eventType: "INFO",
        eventName: "SERVICE_DEPLOYMENT_COMPLETED",
        deploymentId,
        updatedAt: new Date().toISOString(),
        reason: `ECS deployment ${deploymentId} completed.`,
      },
    });
  }
}
