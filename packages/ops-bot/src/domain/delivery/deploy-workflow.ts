import type { CommitImages } from "../../ports/commit-images.js";
import type { Deployer, RolloutState } from "../../ports/deployer.js";
import type { BuiltImage, ImageBuilder } from "../../ports/image-builder.js";
import type { Ledger } from "../../ports/ledger.js";
import type { LiveImageRecorder } from "../../ports/live-image-recorder.js";
import type { RecordedDeployment, RepositoryGateway, RepositoryRef } from "../../ports/repository-gateway.js";
import type { ServiceTarget } from "../../ports/service-target.js";
import { errorMessage } from "../error-message.js";
import { ledgerKeys } from "../ledger-keys.js";
import { ecsDeploymentsConsoleUrl } from "../rendering/console-links.js";
import { code, shortSha } from "../rendering/markdown.js";
import {
  type DeployPhase,
  describeTrigger,
  renderDeployComment,
  renderImageLookupFailure,
  renderLockedMessage,
  renderReusedImageStep,
} from "./deploy-messages.js";
import { decideImage, type SucceededImage, succeededImageFrom } from "./deployment-order.js";
import {
  type DeployPointer,
  type DeployTrigger,
  type InFlightDeploy,
  type ProgressComment,
  toLedgerValue,
} from "./in-flight-deploy.js";

export interface DeployWorkflowDeps {
  readonly ledger: Ledger;
  readonly builder: ImageBuilder;
  /** Asked before every build: a commit that already has an image is not built again. */
  readonly images: CommitImages;
  readonly deployer: Deployer;
  /** Where a completed deploy records the environment's live image. */
  readonly liveImages: LiveImageRecorder;
  /** GitHub for the repository a deploy belongs to (steps resumed by AWS events carry none). */
  readonly github: (repository: RepositoryRef) => Promise<RepositoryGateway>;
  readonly now: () => Date;
  /** Longest a deploy may take from start to the rollout's end; its lock expires with it. */
  readonly timeoutMs: number;
  readonly logger: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

export interface DeployRequest {
  /** Idempotency key and lock owner: the same trigger never starts a second deploy. */
  readonly id: string;
  readonly repository: RepositoryRef;
  readonly environment: string;
  readonly target: ServiceTarget;
  readonly environmentUrl?: string;
  readonly sha: string;
  readonly trigger: DeployTrigger;
  /** The comment to keep updated; without it a PR trigger gets a new comment. */
  readonly progress?: ProgressComment;
  /** Redeploy this earlier deployment's task definition instead of building. */
  readonly rollbackTo?: RecordedDeployment;
  /** The environment whose successes this one requires (`after:`): only digests that succeeded there are deployed. */
  readonly after?: string;
  /** The environment's SSM parameter naming its live image (`resourceNames(…).liveImageParameter`). */
  readonly liveImageParameter: string;
}

export type DeployStart =
  | { readonly outcome: "started"; readonly deploy: InFlightDeploy }
  | { readonly outcome: "duplicate" }
  | { readonly outcome: "locked"; readonly message: string }
  /** Not started, nothing changed: the deployment order forbids the image, or its lookup failed. */
  | { readonly outcome: "refused"; readonly reason: string }
  /** Ended before the rollout began (build or AWS error); already reported and unlocked. */
  | { readonly outcome: "failed"; readonly reason: string };

const RECORD_SLACK_SECONDS = 3_600;
/**
 * How long "this image succeeded in this environment" is kept: far longer than any promotion
 * waits, so an `after:` environment accepts any image still worth promoting.
 */
const SUCCESS_RECORD_SECONDS = 400 * 86_400;

/**
 * A deploy as a chain of short steps, each resumed by the next event: start (check the
 * deployment order, lock, reuse the commit's image or build it) → build finished (register the revision, record the GitHub Deployment,
 * update the service) → rollout finished (final status). No step waits for another; the
 * in-flight record in the Ledger carries the state between them, and the reconciler
 * finishes or times out whatever an event never came for. Every end releases the lock.
 */
export class DeployWorkflow {
  constructor(private readonly deps: DeployWorkflowDeps) {}

  async start(request: DeployRequest): Promise<DeployStart> {
    const { ledger } = this.deps;
    // Read-only, before the lock: a refused deploy changes nothing and holds nothing.
    const chosen = request.rollbackTo ? { image: undefined } : await this.chooseImage(request);
    if ("refused" in chosen) return { outcome: "refused", reason: chosen.refused };
    const lockName = ledgerKeys.deployLock(request.repository, request.environment);
    const ttlSeconds = Math.ceil(this.deps.timeoutMs / 1000);
    const lock = await ledger.acquireLock(lockName, request.id, ttlSeconds);
    if (!lock.acquired) {
      const holder = await this.load(request.repository, request.environment);
      return { outcome: "locked", message: renderLockedMessage(request.environment, holder, lock.expiresAt) };
    }
    if (!(await ledger.claim(ledgerKeys.deployStarted(request.id), 7 * 86_400))) {
      // Started before: either still running (the lock was ours already) or long finished.
      const current = await this.load(request.repository, request.environment);
      if (current?.id !== request.id) await ledger.releaseLock(lockName, request.id);
      return { outcome: "duplicate" };
    }

    const now = this.deps.now();
    let deploy: InFlightDeploy = {
      id: request.id,
      repository: request.repository,
      environment: request.environment,
      target: request.target,
      ...(request.environmentUrl ? { environmentUrl: request.environmentUrl } : {}),
      productionEnvironment: request.environment === "production",
      sha: request.sha,
      trigger: request.trigger,
      ...(request.progress ? { progress: request.progress } : {}),
      ...(request.rollbackTo ? { rollbackOf: request.rollbackTo.id } : {}),
      liveImageParameter: request.liveImageParameter,
      stage: "building",
      steps: [`🔒 Locked **${request.environment}** for this deploy`],
      startedAt: now.toISOString(),
      deadline: new Date(now.getTime() + this.deps.timeoutMs).toISOString(),
    };
    try {
      const github = await this.deps.github(request.repository);
      if (!deploy.progress && request.trigger.pullRequest) {
        const commentId = await github.comment(request.trigger.pullRequest, renderDeployComment(deploy, "running"));
        deploy = { ...deploy, progress: { issueNumber: request.trigger.pullRequest, commentId } };
      }
      await this.save(deploy);

      if (request.rollbackTo) {
        const { payload } = request.rollbackTo;
        const image = { uri: payload.imageUri, digest: payload.imageDigest };
        deploy = this.step({ ...deploy, image, taskDefinitionArn: payload.taskDefinitionArn }, [
          `⏪ Rolling back to deployment ${request.rollbackTo.id} (${code(shortSha(request.rollbackTo.sha))}), task definition ${code(arnTail(payload.taskDefinitionArn))}; nothing rebuilt`,
        ]);
        return { outcome: "started", deploy: await this.rollOut(github, deploy) };
      }

      if (chosen.image) {
        const image = chosen.image;
        deploy = this.step({ ...deploy, imageSource: "reused" }, [
          renderReusedImageStep(request.sha, image.digest),
          ...(request.after ? [`✔️ It succeeded in **${request.after}**, as **${request.environment}** requires`] : []),
        ]);
        this.deps.logger.info(
          { deploy: deploy.id, sha: request.sha, digest: image.digest },
          "deploy: reused the commit's image, no build",
        );
        return { outcome: "started", deploy: await this.imageReady(github, deploy, image) };
      }
      const build = await this.deps.builder.start({
        sha: request.sha,
        repository: `${request.repository.owner}/${request.repository.repo}`,
      });
      if (build.status === "ready") {
        deploy = this.step(deploy, [`📦 Image built and pushed: ${code(build.image.uri)}`]);
        return { outcome: "started", deploy: await this.imageReady(github, deploy, build.image) };
      }
      deploy = this.step({ ...deploy, buildId: build.buildId }, [
        `🏗️ Building the image (build ${code(build.buildId)})`,
      ]);
      await this.pointTo(ledgerKeys.deployByBuild(build.buildId), deploy);
      await this.save(deploy);
      await this.updateComment(github, deploy, "running");
      return { outcome: "started", deploy };
    } catch (error) {
      const reason = errorMessage(error);
      await this.fail(deploy, reason);
      return { outcome: "failed", reason };
    }
  }

  /** The build finished (CodeBuild state-change event, or the reconciler asking). */
  async onBuildFinished(buildId: string): Promise<string> {
    const deploy = await this.follow(ledgerKeys.deployByBuild(buildId));
    if (deploy?.stage !== "building" || deploy.buildId !== buildId) return "ignored:no-deploy-waits-for-build";
    return this.afterBuild(deploy, buildId);
  }

  private async afterBuild(deploy: InFlightDeploy, buildId: string): Promise<string> {
    const outcome = await this.deps.builder.outcome(buildId);
    if (outcome.status === "in-progress") return "waiting:build";
    if (outcome.status === "failed") {
      await this.fail(deploy, `Image build ${code(buildId)} failed: ${outcome.reason}`);
      return "failed:build";
    }
    const github = await this.deps.github(deploy.repository);
    try {
      const next = this.step(deploy, [`📦 Image built and pushed: ${code(outcome.image.uri)}`]);
      await this.imageReady(github, next, outcome.image);
      return "rolling-out";
    } catch (error) {
      await this.fail(deploy, errorMessage(error));
      return "failed:rollout-start";
    }
  }

  /** The ECS deployment changed state (EventBridge), or the reconciler read it. */
  async onRolloutState(ecsDeploymentId: string, state: RolloutState): Promise<string> {
    const deploy = await this.follow(ledgerKeys.deployByRollout(ecsDeploymentId));
    if (deploy?.stage !== "rolling-out" || deploy.ecsDeploymentId !== ecsDeploymentId) {
      return "ignored:no-deploy-waits-for-rollout";
    }
    return this.finishRollout(deploy, state);
  }

  /**
   * Finishes or times out the environment's in-flight deploy from the AWS state itself, for
   * the events that were lost or late. Safe to run at any time and repeatedly.
   */
  async reconcile(repository: RepositoryRef, environment: string): Promise<string> {
    const deploy = await this.load(repository, environment);
    if (!deploy) return "idle";
    try {
      if (deploy.stage === "building" && deploy.buildId) {
        // This environment's own deploy, not the build's pointer: CodeBuild answers two deploys
        // of one commit with one build, and the pointer names only the last of them.
        const result = await this.afterBuild(deploy, deploy.buildId);
        if (result !== "waiting:build") return result;
      }
      if (deploy.stage === "rolling-out" && deploy.ecsDeploymentId) {
        const state = await this.deps.deployer.rollout(deploy.target, deploy.ecsDeploymentId);
        if (state.state !== "in-progress") return await this.finishRollout(deploy, state);
      }
    } catch (error) {
      this.deps.logger.warn(
        { deploy: deploy.id, err: errorMessage(error) },
        "reconcile: could not read the deploy's state",
      );
    }
    if (this.deps.now().getTime() > Date.parse(deploy.deadline)) {
      const minutes = Math.round(this.deps.timeoutMs / 60_000);
      await this.fail(
        deploy,
        `Timed out after ${minutes} min waiting for the ${deploy.stage === "building" ? "image build" : "ECS rollout"}; the lock is released. Check the service before deploying again.`,
      );
      return "failed:timeout";
    }
    return `waiting:${deploy.stage}`;
  }

  private async imageReady(
    github: RepositoryGateway,
    deploy: InFlightDeploy,
    image: BuiltImage,
  ): Promise<InFlightDeploy> {
    const taskDefinitionArn = await this.deps.deployer.registerRevision(deploy.target, image.uri);
    const next = this.step({ ...deploy, image: { uri: image.uri, digest: image.digest }, taskDefinitionArn }, [
      `📝 Registered task definition ${code(arnTail(taskDefinitionArn))}`,
    ]);
    return this.rollOut(github, next);
  }

  /** Records the GitHub Deployment (its payload is the durable record), then updates the service. */
  private async rollOut(github: RepositoryGateway, deploy: InFlightDeploy): Promise<InFlightDeploy> {
    if (!deploy.image || !deploy.taskDefinitionArn) throw new Error("rollOut needs an image and a task definition");
    const githubDeploymentId = await github.createDeployment({
      sha: deploy.sha,
      environment: deploy.environment,
      description: `${deploy.rollbackOf ? "Rollback" : "Deploy"} of ${shortSha(deploy.sha)} by ${describeTrigger(deploy.trigger)}`,
      productionEnvironment: deploy.productionEnvironment,
      payload: {
        sha: deploy.sha,
        imageDigest: deploy.image.digest,
        imageUri: deploy.image.uri,
        taskDefinitionArn: deploy.taskDefinitionArn,
        environment: deploy.environment,
        trigger: deploy.trigger.kind,
        imageSource: deploy.rollbackOf ? "rollback" : (deploy.imageSource ?? "built"),
        ...(deploy.rollbackOf ? { rollbackOf: deploy.rollbackOf } : {}),
      },
    });
    let next: InFlightDeploy = { ...deploy, githubDeploymentId };
    await this.save(next);
    await github.setDeploymentStatus(githubDeploymentId, {
      state: "queued",
      description: `Task definition ${arnTail(deploy.taskDefinitionArn)} registered`,
      logUrl: this.logUrl(deploy),
    });
    const rollout = await this.deps.deployer.deployTaskDefinition(deploy.target, deploy.taskDefinitionArn);
    next = this.step({ ...next, stage: "rolling-out", ecsDeploymentId: rollout.deploymentId }, [
      `🚢 Rolling out on ${code(`${deploy.target.cluster}/${deploy.target.service}`)} (ECS deployment ${code(rollout.deploymentId)}, [console](${this.logUrl(deploy)}))`,
    ]);
    await this.pointTo(ledgerKeys.deployByRollout(rollout.deploymentId), next);
    await this.save(next);
    await github.setDeploymentStatus(githubDeploymentId, {
      state: "in_progress",
      description: `ECS deployment ${rollout.deploymentId} rolling out`,
      logUrl: this.logUrl(deploy),
    });
    await this.updateComment(github, next, "running");
    return next;
  }

  private async finishRollout(deploy: InFlightDeploy, state: RolloutState): Promise<string> {
    if (state.state === "in-progress") return "waiting:rollout";
    if (state.state === "failed") {
      await this.fail(deploy, `ECS deployment ${code(deploy.ecsDeploymentId ?? "")} failed: ${state.reason}`);
      return "failed:rollout";
    }
    if (!(await this.claimEnd(deploy))) return "ignored:already-finished";
    const github = await this.deps.github(deploy.repository);
    let done = this.step(deploy, ["✅ ECS reports the deployment COMPLETED"]);
    done = await this.recordSuccess(done);
    done = await this.recordLiveImage(done);
    if (deploy.githubDeploymentId) {
      await github.setDeploymentStatus(deploy.githubDeploymentId, {
        state: "success",
        description: `Live: ${shortSha(deploy.sha)} (${arnTail(deploy.taskDefinitionArn ?? "")})`,
        logUrl: this.logUrl(deploy),
        ...(deploy.environmentUrl ? { environmentUrl: deploy.environmentUrl } : {}),
      });
    }
    await this.updateComment(github, done, "succeeded");
    await this.end(done);
    return "succeeded";
  }

  /**
   * The image to deploy without building (the commit's image, or for an `after:` environment
   * the one that succeeded there), or why the deploy may not start.
   */
  private async chooseImage(request: DeployRequest): Promise<{ image: BuiltImage | undefined } | { refused: string }> {
    let built: BuiltImage | undefined;
    try {
      built = await this.deps.images.builtAt(request.sha);
    } catch (error) {
      return { refused: renderImageLookupFailure(request.sha, errorMessage(error)) };
    }
    const { after } = request;
    if (after === undefined) return { image: built };
    const { ledger } = this.deps;
    const [builtRecord, commitRecord] = await Promise.all([
      built ? ledger.getRecord(ledgerKeys.imageSucceeded(request.repository, after, built.digest)) : undefined,
      ledger.getRecord(ledgerKeys.commitSucceeded(request.repository, after, request.sha)),
    ]);
    const decision = decideImage({
      environment: request.environment,
      after,
      sha: request.sha,
      built,
      builtSucceededInAfter: succeededImageFrom(builtRecord) !== undefined,
      commitSucceededInAfter: succeededImageFrom(commitRecord),
    });
    return decision.kind === "refuse" ? { refused: decision.reason } : { image: decision.image };
  }

  /**
   * Remembers that this image completed a deployment here, for environments that name this one
   * in `after:`. A failure to write does not undo the rollout; it is shown so nobody wonders
   * why a promotion is refused.
   */
  private async recordSuccess(deploy: InFlightDeploy): Promise<InFlightDeploy> {
    if (!deploy.image) return deploy;
    const record: SucceededImage = {
      sha: deploy.sha,
      digest: deploy.image.digest,
      uri: deploy.image.uri,
      deployId: deploy.id,
      succeededAt: this.deps.now().toISOString(),
    };
    const value = { ...record };
    try {
      await Promise.all([
        this.deps.ledger.putRecord(
          ledgerKeys.imageSucceeded(deploy.repository, deploy.environment, record.digest),
          value,
          SUCCESS_RECORD_SECONDS,
        ),
        this.deps.ledger.putRecord(
          ledgerKeys.commitSucceeded(deploy.repository, deploy.environment, record.sha),
          value,
          SUCCESS_RECORD_SECONDS,
        ),
      ]);
      return deploy;
    } catch (error) {
      this.deps.logger.error({ deploy: deploy.id, err: errorMessage(error) }, "deploy: could not record the success");
      return this.step(deploy, [
        `⚠️ Could not record that ${code(record.digest)} succeeded in **${deploy.environment}** (${errorMessage(error)}); environments that must follow it will refuse this image until it is deployed here again`,
      ]);
    }
  }

  /**
   * Writes the deployed image to the environment's live-image parameter, which its stack's task
   * definition reads, so the next `cdk deploy` keeps this image. The rollout has completed
   * whatever happens here: ECS runs the image, so a failed write is reported, not a failure.
   */
  private async recordLiveImage(deploy: InFlightDeploy): Promise<InFlightDeploy> {
    const parameter = deploy.liveImageParameter;
    if (!deploy.image || !parameter) return deploy;
    try {
      await this.deps.liveImages.record(deploy.target, parameter, deploy.image.uri);
      return this.step(deploy, [`📌 Recorded ${code(deploy.image.uri)} as the live image in ${code(parameter)}`]);
    } catch (error) {
      const reason = errorMessage(error);
      this.deps.logger.warn({ deploy: deploy.id, parameter, err: reason }, "deploy: could not record the live image");
      return this.step(deploy, [
        `⚠️ Could not record the live image in ${code(parameter)} (${reason}). ECS runs the new image; until the parameter names it, a \`cdk deploy\` of **${deploy.environment}** would bring back the image it names now.`,
      ]);
    }
  }

  /** Ends a deploy as failed wherever it was: Deployment status, comment, lock. Never throws. */
  private async fail(deploy: InFlightDeploy, reason: string): Promise<void> {
    if (!(await this.claimEnd(deploy).catch(() => true))) return;
    try {
      const github = await this.deps.github(deploy.repository);
      const current = (await this.load(deploy.repository, deploy.environment)) ?? deploy;
      const last = current.id === deploy.id ? current : deploy;
      if (last.githubDeploymentId) {
        await github.setDeploymentStatus(last.githubDeploymentId, {
          state: "failure",
          description: reason,
          logUrl: this.logUrl(last),
        });
      }
      await this.updateComment(github, last, "failed", reason);
    } catch (error) {
      this.deps.logger.error({ deploy: deploy.id, err: errorMessage(error) }, "deploy: could not report the failure");
    } finally {
      await this.end(deploy).catch((error: unknown) =>
        this.deps.logger.error({ deploy: deploy.id, err: errorMessage(error) }, "deploy: could not release the lock"),
      );
    }
  }

  /** An event and the reconciler may both see the end: only the first reports it. */
  private claimEnd(deploy: InFlightDeploy): Promise<boolean> {
    return this.deps.ledger.claim(ledgerKeys.deployFinished(deploy.id), 7 * 86_400);
  }

  private async end(deploy: InFlightDeploy): Promise<void> {
    const current = await this.load(deploy.repository, deploy.environment);
    if (current?.id === deploy.id) {
      await this.deps.ledger.putRecord(ledgerKeys.deployInFlight(deploy.repository, deploy.environment), null, 60);
    }
    await this.deps.ledger.releaseLock(ledgerKeys.deployLock(deploy.repository, deploy.environment), deploy.id);
  }

  private async updateComment(github: RepositoryGateway, deploy: InFlightDeploy, phase: DeployPhase, reason?: string) {
    if (!deploy.progress) return;
    await github.updateComment(deploy.progress.commentId, renderDeployComment(deploy, phase, reason));
  }

  private step(deploy: InFlightDeploy, lines: readonly string[]): InFlightDeploy {
    return { ...deploy, steps: [...deploy.steps, ...lines] };
  }

  private logUrl(deploy: InFlightDeploy): string {
    return ecsDeploymentsConsoleUrl(deploy.target.region, deploy.target.cluster, deploy.target.service);
  }

  private async load(repository: RepositoryRef, environment: string): Promise<InFlightDeploy | undefined> {
    const value = await this.deps.ledger.getRecord(ledgerKeys.deployInFlight(repository, environment));
    return value ? (value as unknown as InFlightDeploy) : undefined;
  }

  private async save(deploy: InFlightDeploy): Promise<void> {
    await this.deps.ledger.putRecord(
      ledgerKeys.deployInFlight(deploy.repository, deploy.environment),
      toLedgerValue(deploy),
      Math.ceil(this.deps.timeoutMs / 1000) + RECORD_SLACK_SECONDS,
    );
  }

  private async pointTo(key: string, deploy: InFlightDeploy): Promise<void> {
    const pointer: DeployPointer = {
      repository: deploy.repository,
      environment: deploy.environment,
      deployId: deploy.id,
    };
    await this.deps.ledger.putRecord(
      key,
      toLedgerValue(pointer),
      Math.ceil(this.deps.timeoutMs / 1000) + RECORD_SLACK_SECONDS,
    );
  }

  private async follow(key: string): Promise<InFlightDeploy | undefined> {
    const pointer = (await this.deps.ledger.getRecord(key)) as unknown as DeployPointer | undefined;
    if (!pointer) return undefined;
    const deploy = await this.load(pointer.repository, pointer.environment);
    return deploy?.id === pointer.deployId ? deploy : undefined;
  }
}

function arnTail(arn: string): string {
  return arn.split("/").pop() ?? arn;
}
