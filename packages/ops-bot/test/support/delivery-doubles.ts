import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedLedger } from "../../src/adapters/ledger/embedded-ledger.js";
import { DeployWorkflow } from "../../src/domain/delivery/deploy-workflow.js";
import type { CommitImages } from "../../src/ports/commit-images.js";
import type { Deployer, LiveRevision, RolloutState } from "../../src/ports/deployer.js";
import type { BuiltImage, ImageBuilder, ImageBuildOutcome, ImageBuildStart } from "../../src/ports/image-builder.js";
import type { LiveImageRecorder } from "../../src/ports/live-image-recorder.js";
import type {
  DeploymentStatusUpdate,
  NewDeployment,
  PullRequestSnapshot,
  RecordedDeployment,
  RepositoryGateway,
  RepositoryPermission,
} from "../../src/ports/repository-gateway.js";
import type { Scaler, ScalingBounds } from "../../src/ports/scaler.js";
import type { ServiceTarget } from "../../src/ports/service-target.js";

/** In-process doubles at the delivery ports, recording what was asked of them. */
export const SHA = "a".repeat(40);
export const OTHER_SHA = "b".repeat(40);
export const TARGET: ServiceTarget = {
  region: "eu-west-1",
  cluster: "phoenix-staging",
  service: "phoenix-staging-web",
  container: "app",
};

export function image(sha: string): BuiltImage {
  const digest = `sha256:${sha.slice(0, 1).repeat(64)}`;
  return { repositoryUri: "registry.test/phoenix/phoenix", digest, uri: `registry.test/phoenix/phoenix@${digest}` };
}

/** The image repository: what the builder pushed, by commit sha. */
export class FakeRegistry implements CommitImages {
  readonly images = new Map<string, BuiltImage>();
  failWith: Error | undefined;
  async builtAt(sha: string): Promise<BuiltImage | undefined> {
    if (this.failWith) throw this.failWith;
    return this.images.get(sha);
  }
}

/** Builds push to `registry`, as the real builders push to the image repository. */
export class FakeBuilder implements ImageBuilder {
  readonly started: string[] = [];
  next: (sha: string) => ImageBuildStart = (sha) => ({ status: "ready", image: image(sha) });
  outcomes = new Map<string, ImageBuildOutcome>();
  constructor(private readonly registry = new FakeRegistry()) {}
  async start(request: { sha: string }): Promise<ImageBuildStart> {
    this.started.push(request.sha);
    const start = this.next(request.sha);
    if (start.status === "ready") this.registry.images.set(request.sha, start.image);
    return start;
  }
  async outcome(buildId: string): Promise<ImageBuildOutcome> {
    return this.outcomes.get(buildId) ?? { status: "in-progress" };
  }
}

/** The environments' live-image parameters, by target cluster and parameter name. */
export class FakeLiveImages implements LiveImageRecorder {
  readonly recorded: { cluster: string; parameter: string; imageUri: string }[] = [];
  failWith: Error | undefined;
  async record(target: ServiceTarget, parameter: string, imageUri: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.recorded.push({ cluster: target.cluster, parameter, imageUri });
  }
}

export class FakeDeployer implements Deployer {
  readonly registered: string[] = [];
  readonly pointedAt: string[] = [];
  liveArn = "arn:aws:ecs:eu-west-1:111122223333:task-definition/phoenix-staging:1";
  rolloutStates = new Map<string, RolloutState>();
  failWith: Error | undefined;
  private revision = 1;
  async deployImage(target: ServiceTarget, imageUri: string) {
    return this.deployTaskDefinition(target, await this.registerRevision(target, imageUri));
  }
  async registerRevision(_target: ServiceTarget, imageUri: string): Promise<string> {
    if (this.failWith) throw this.failWith;
    this.registered.push(imageUri);
    return `arn:aws:ecs:eu-west-1:111122223333:task-definition/phoenix-staging:${++this.revision}`;
  }
  async deployTaskDefinition(_target: ServiceTarget, taskDefinitionArn: string) {
    if (this.failWith) throw this.failWith;
    this.pointedAt.push(taskDefinitionArn);
    this.liveArn = taskDefinitionArn;
    return { taskDefinitionArn, deploymentId: `ecs-svc/${this.pointedAt.length}` };
  }
  async rollout(_target: ServiceTarget, deploymentId: string): Promise<RolloutState> {
    return this.rolloutStates.get(deploymentId) ?? { state: "in-progress" };
  }
  async live(): Promise<LiveRevision> {
    return {
      taskDefinitionArn: this.liveArn,
      image: "registry.test/phoenix/phoenix@sha256:1",
      desiredCount: 2,
      runningCount: 2,
    };
  }
}

export class FakeScaler implements Scaler {
  current: ScalingBounds = { min: 2, max: 4 };
  readonly changes: ScalingBounds[] = [];
  async bounds(): Promise<ScalingBounds> {
    return this.current;
  }
  async setBounds(_target: ServiceTarget, bounds: ScalingBounds): Promise<void> {
    this.changes.push(bounds);
    this.current = bounds;
  }
}

export class FakeGateway implements RepositoryGateway {
  readonly repository = { owner: "octo-org", repo: "phoenix" };
  readonly permissions = new Map<string, RepositoryPermission>();
  readonly teams = new Map<string, string[]>();
  readonly comments = new Map<number, { issueNumber: number; body: string }>();
  readonly reactions: { commentId: number; content: string }[] = [];
  readonly deployments: (NewDeployment & { id: number; statuses: DeploymentStatusUpdate[] })[] = [];
  pull: PullRequestSnapshot = {
    number: 7,
    state: "open",
    merged: false,
    headSha: SHA,
    headRef: "feature",
    headRepository: "octo-org/phoenix",
    baseRepository: "octo-org/phoenix",
  };
  headCommittedAt = new Date("2026-11-26T08:00:00Z");
  approvals: string[] = [];
  checks: string[] = [];
  private nextId = 100;

  async permission(login: string) {
    return this.permissions.get(login) ?? "none";
  }
  async isTeamMember(org: string, slug: string, login: string) {
    return (this.teams.get(`${org}/${slug}`) ?? []).includes(login);
  }
  async pullRequest() {
    return this.pull;
  }
  async approvers() {
    return this.approvals;
  }
  async successfulChecks() {
    return this.checks;
  }
  async commitDate() {
    return this.headCommittedAt;
  }
  async react(commentId: number, content: string) {
    this.reactions.push({ commentId, content });
  }
  async comment(issueNumber: number, body: string) {
    const id = this.nextId++;
    this.comments.set(id, { issueNumber, body });
    return id;
  }
  async updateComment(commentId: number, body: string) {
    const comment = this.comments.get(commentId);
    if (!comment) throw new Error(`no comment ${commentId}`);
    comment.body = body;
  }
  async createDeployment(deployment: NewDeployment) {
    const id = this.nextId++;
    this.deployments.push({ ...deployment, id, statuses: [] });
    return id;
  }
  async setDeploymentStatus(id: number, status: DeploymentStatusUpdate) {
    this.deployments.find((d) => d.id === id)?.statuses.push(status);
  }
  async findSuccessfulDeployment(
    environment: string,
    wanted: (deployment: RecordedDeployment) => boolean = () => true,
  ): Promise<RecordedDeployment | undefined> {
    return this.deployments
      .filter((d) => d.environment === environment && d.statuses.some((s) => s.state === "success"))
      .reverse()
      .map((d) => ({ id: d.id, sha: d.sha, payload: d.payload }))
      .find(wanted);
  }
  deployment(index: number) {
    const deployment = this.deployments[index];
    if (!deployment) throw new Error(`no deployment #${index}; ${this.deployments.length} recorded`);
    return deployment;
  }
  states(deploymentId: number): string[] {
    return this.deployments.find((d) => d.id === deploymentId)?.statuses.map((s) => s.state) ?? [];
  }
}

/** A workflow over the doubles and a real embedded Ledger in a temporary file. */
export function workflowWithDoubles(options: { now?: () => Date; timeoutMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "phoenix-deploy-"));
  const ledger = new EmbeddedLedger(join(dir, "ledger.json"));
  const registry = new FakeRegistry();
  const builder = new FakeBuilder(registry);
  const deployer = new FakeDeployer();
  const liveImages = new FakeLiveImages();
  const github = new FakeGateway();
  const logged: { level: "info" | "warn" | "error"; msg: string }[] = [];
  const workflow = new DeployWorkflow({
    ledger,
    builder,
    images: registry,
    deployer,
    liveImages,
    github: async () => github,
    now: options.now ?? (() => new Date()),
    timeoutMs: options.timeoutMs ?? 30 * 60_000,
    logger: {
      info: (_obj, msg) => logged.push({ level: "info", msg }),
      warn: (_obj, msg) => logged.push({ level: "warn", msg }),
      error: (_obj, msg) => logged.push({ level: "error", msg }),
    },
  });
  return {
    workflow,
    ledger,
    builder,
    registry,
    deployer,
    liveImages,
    github,
    logged,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
