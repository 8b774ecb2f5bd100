import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { CodeBuildClient, CreateProjectCommand, ListBuildsForProjectCommand } from "@aws-sdk/client-codebuild";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { INSTALLATION_ID, mergedPullRequestPayload, pullRequestCommentPayload } from "@phoenix/github-stand-in";
import { ecrRegistryCredentials, OciImageBuilder, RegistryClient } from "@phoenix/oci-builder";
import { deployableFixture, localRegistryUrl, skopeoInspect } from "@phoenix/oci-builder/testing";
import { OPS_BOT_ENV, opsResourceNames, resourceNames } from "@phoenix/shared";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../test-support/moto.js";
import { TASK_DEFINITION_READ_ONLY_FIELDS } from "../../src/adapters/aws/ecs-deployer.js";
import { inProcessImageBuilder } from "../../src/adapters/in-process/image-builder.js";
import { registryCommitImages } from "../../src/adapters/registry/registry-commit-images.js";
import type { ImageBuildRequest } from "../../src/ports/image-builder.js";
import { awsFixture } from "../support/aws-fixtures.js";
import { deployerRoleInMoto, inMotoAccount, OPS_ACCOUNT } from "../support/moto-accounts.js";
import { OpsBotUnderTest } from "../support/ops-bot-under-test.js";

/**
 * The whole deploy loop through the bot's real endpoints: GitHub webhooks (payloads from
 * @octokit/webhooks-examples, adapted in ids, names and text) signed as GitHub signs them,
 * every GitHub request checked against GitHub's OpenAPI description, AWS on moto server, the
 * image pushed by the daemonless builder to the local docker-registry.
 */
const OWNER = "octo-org";
const REPO = "phoenix";
const CONTAINER = "sample-fargate-app";
const taskDefinitionFixture = JSON.parse(
  readFileSync(
    new URL("../fixtures/aws-api/ecs-register-task-definition-fargate-webserver.json", import.meta.url),
    "utf8",
  ),
) as { input: RegisterTaskDefinitionCommandInput };

const repository = { owner: OWNER, repo: REPO, installationId: INSTALLATION_ID };
const mergedPullRequest = (number: number, sha: string) => mergedPullRequestPayload(repository, number, sha);
const prComment = (number: number, body: string, login: string, id: number, createdAt: string) =>
  pullRequestCommentPayload(repository, number, { id, body, login, createdAt });

/**
 * An app no other test uses, named as the stacks name things (`resourceNames`, `opsResourceNames`
 * derive every name from it): moto keeps clusters, roles and repositories for the server's life.
 * 9 characters, so `<app>-production-tg` stays within the 32 an ALB target group allows.
 */
const uniqueApp = () => `f${randomUUID().slice(0, 8)}`;

interface Environment {
  readonly app: string;
  readonly name: string;
  readonly cluster: string;
  readonly service: string;
  /** The environment's deployer role: the bot reaches every environment through it. */
  readonly roleArn: string;
  readonly originalTaskDefinitionArn: string;
  /** moto account of the cluster, and clients acting there (for setup and checks). */
  readonly account: string;
  readonly ecs: ECSClient;
  readonly scaling: ApplicationAutoScalingClient;
}

/**
 * What the environment stack of `app` creates, under its names (`resourceNames`): cluster, task
 * definition family running as the stack's two named roles, service with a scalable target
 * 2..4, and the deployer role; in the ops account unless another is named. `withService: false`
 * leaves the service out of the cluster.
 */
async function environmentInMoto(
  app: string,
  name: string,
  { account = OPS_ACCOUNT, withService = true } = {},
): Promise<Environment> {
  const names = resourceNames({ app, environment: name });
  const ecs = inMotoAccount(new ECSClient(motoClientConfig()), account);
  const scaling = inMotoAccount(new ApplicationAutoScalingClient(motoClientConfig()), account);
  await ecs.send(new CreateClusterCommand({ clusterName: names.cluster }));
  const roleArn = (roleName: string) => `arn:aws:iam::${account}:role/${roleName}`;
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      ...taskDefinitionFixture.input,
      family: names.service, // PhoenixService's family
      taskRoleArn: roleArn(names.taskRole),
      executionRoleArn: roleArn(names.executionRole),
    }),
  );
  const environment: Environment = {
    app,
    name,
    cluster: names.cluster,
    service: names.service,
    roleArn: await deployerRoleInMoto(account, names.deployerRole),
    originalTaskDefinitionArn: taskDefinition?.taskDefinitionArn as string,
    account,
    ecs,
    scaling,
  };
  if (withService) await serviceInMoto(environment);
  return environment;
}

/** The environment's service, running its first revision, and its scalable target 2..4. */
async function serviceInMoto(env: Environment): Promise<void> {
  await env.ecs.send(
    new CreateServiceCommand({
      cluster: env.cluster,
      serviceName: env.service,
      taskDefinition: env.originalTaskDefinitionArn,
      desiredCount: 2,
      launchType: "FARGATE",
    }),
  );
  await env.scaling.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId: `service/${env.cluster}/${env.service}`,
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: 2,
      MaxCapacity: 4,
    }),
  );
}

/**
 * `.github/phoenix-ops.yml` of the repository: merges deploy to staging; `/scale` may move staging
 * between 1 and 8 tasks (`reset`: 2-4); each environment reached through its deployer role.
 * Cluster and service are the defaults, the names the environment stacks create.
 */
function opsConfigYaml(staging: Environment, ...others: { env: Environment; after?: string }[]): string {
  const environment = (env: Environment) => [
    `  ${env.name}:`,
    "    region: eu-west-1",
    `    container: ${CONTAINER}`,
    `    roleArn: ${env.roleArn}`,
  ];
  return [
    `app: ${staging.app}`,
    "deployOnMerge:",
    "  environment: staging",
    "environments:",
    ...environment(staging),
    "    url: https://staging.example.com",
    "    scaling:",
    "      min: 1",
    "      max: 8",
    "      default: { min: 2, max: 4 }",
    ...others.flatMap(({ env, after }) => [...environment(env), ...(after ? [`    after: ${after}`] : [])]),
    "",
  ].join("\n");
}

async function primaryDeploymentId(env: Environment): Promise<string> {
  const { services } = await env.ecs.send(
    new DescribeServicesCommand({ cluster: env.cluster, services: [env.service] }),
  );
  const primary = services?.[0]?.deployments?.find((deployment) => deployment.status === "PRIMARY");
  return primary?.id as string;
}

/** The AWS guide's SERVICE_DEPLOYMENT_COMPLETED (or FAILED) example, for this service's deployment. */
function deploymentCompleted(
  env: Environment,
  deploymentId: string,
  fixture = "ecs-deployment-state-change-completed.json",
) {
  const event = awsFixture(fixture) as Record<string, unknown> & {
    detail: Record<string, unknown>;
  };
  return {
    ...event,
    id: randomUUID(),
    resources: [`arn:aws:ecs:eu-west-1:123456789012:service/${env.cluster}/${env.service}`],
    detail: { ...event.detail, deploymentId },
  };
}

async function taskDefinitionRevisions(env: Environment): Promise<string[]> {
  const family = env.originalTaskDefinitionArn.split("/").pop()?.split(":")[0];
  const { taskDefinitionArns } = await env.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }));
  return taskDefinitionArns ?? [];
}

async function scalableTarget(env: Environment) {
  const { ScalableTargets } = await env.scaling.send(
    new DescribeScalableTargetsCommand({
      ServiceNamespace: "ecs",
      ResourceIds: [`service/${env.cluster}/${env.service}`],
    }),
  );
  return ScalableTargets?.[0];
}

describe("deploys and commands through the bot's endpoints (moto, local registry, GitHub stand-in)", () => {
  let bot: OpsBotUnderTest;
  let env: Environment;
  /** The ops repository (`opsResourceNames(app).repository`), here in the local registry. */
  let imageRepository: string;
  let appSource: ReturnType<typeof deployableFixture>;
  /** The commits the image builder was asked to build, in order. */
  let builds: string[];

  beforeAll(() => {
    appSource = deployableFixture();
  });
  afterAll(() => appSource.cleanup());

  /** A bot for a new app whose staging exists in moto (without its service, if so asked). */
  async function startBot({ withService = true } = {}) {
    env = await environmentInMoto(uniqueApp(), "staging", { withService });
    imageRepository = opsResourceNames(env.app).repository;
    const oci = new OciImageBuilder({
      appDirectory: appSource.directory,
      baseImage: "scratch",
      destination: {
        registryUrl: localRegistryUrl(),
        repository: imageRepository,
        // As against ECR: basic auth from GetAuthorizationToken (moto); the local registry ignores it.
        credentials: ecrRegistryCredentials(new ECRClient(motoClientConfig())),
      },
    });
    builds = [];
    const builder = inProcessImageBuilder(async (request: ImageBuildRequest) => {
      builds.push(request.sha);
      return (await oci.build(request)).image;
    });
    // The registry the builder pushes to, asked before every build (as ECR is in AWS).
    const commitImages = registryCommitImages(new RegistryClient({ registryUrl: localRegistryUrl() }), imageRepository);
    bot = await OpsBotUnderTest.start({}, { imageBuilder: builder, commitImages });
    bot.github.files.set(".github/phoenix-ops.yml", opsConfigYaml(env));
    bot.github.collaborators.set("alice", "write");
    bot.github.collaborators.set("rita", "read");
    return bot;
  }

  /** A pull request from a branch of the repository, its head committed before any comment. */
  function openPullRequest(number: number, headSha: string, headRef = "feature") {
    bot.github.addPullRequest({
      number,
      headSha,
      headRef,
      headRepository: `${OWNER}/${REPO}`,
      baseRepository: `${OWNER}/${REPO}`,
      committedAt: "2026-11-26T08:00:00Z",
    });
  }

  afterEach(async () => {
    bot.github.assertClean();
    await bot.stop();
  });

  it("deploys a merge: image in the registry, a new revision keeping every field, service updated, deployment success", async () => {
    await startBot();
    const sha = "1".repeat(40);
    openPullRequest(12, sha);

    expect((await bot.deliverWebhook("pull_request", mergedPullRequest(12, sha))).status).toBe(200);

    const pushed = await skopeoInspect(`${imageRepository}:${sha}`);
    expect(pushed.Labels?.["org.opencontainers.image.revision"]).toBe(sha);

    const revisions = await taskDefinitionRevisions(env);
    expect(revisions).toHaveLength(2);
    const describeRevision = (arn: string) =>
      env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }));
    const before = await describeRevision(env.originalTaskDefinitionArn);
    const after = await describeRevision(revisions[1] as string);
    const editable = (definition: Record<string, unknown> | undefined) =>
      Object.fromEntries(
        Object.entries(definition ?? {}).filter(
          ([field]) => !(TASK_DEFINITION_READ_ONLY_FIELDS as readonly string[]).includes(field),
        ),
      );
    const web = (definition: typeof after.taskDefinition) =>
      definition?.containerDefinitions?.find((container) => container.name === CONTAINER);
    expect(web(after.taskDefinition)?.image).toBe(
      `${new URL(localRegistryUrl()).host}/${imageRepository}@${pushed.Digest}`,
    );
    expect(editable({ ...after.taskDefinition, containerDefinitions: undefined })).toEqual(
      editable({ ...before.taskDefinition, containerDefinitions: undefined }),
    );
    expect({ ...web(after.taskDefinition), image: "x" }).toEqual({ ...web(before.taskDefinition), image: "x" });
    expect(after.tags).toEqual(before.tags);

    const { services } = await env.ecs.send(
      new DescribeServicesCommand({ cluster: env.cluster, services: [env.service] }),
    );
    expect(services?.[0]?.taskDefinition).toBe(revisions[1]);

    const [deployment] = bot.github.deployments;
    expect(deployment?.payload).toMatchObject({ sha, imageDigest: pushed.Digest, taskDefinitionArn: revisions[1] });
    expect(deployment?.statuses.map((status) => status.state)).toEqual(["queued", "in_progress"]);

    expect((await bot.deliverEvent(deploymentCompleted(env, await primaryDeploymentId(env)))).status).toBe(202);
    await bot.settled();
    expect(deployment?.statuses.map((status) => status.state)).toEqual(["queued", "in_progress", "success"]);
    expect(deployment?.statuses.at(-1)?.environment_url).toBe("https://staging.example.com");
    expect(bot.github.commentsOn(12).at(-1)?.body).toMatch(/^### 🚀 Deploy of `1111111` to \*\*staging\*\* succeeded/);
  });

  it("starts one deployment for a redelivered merge webhook", async () => {
    await startBot();
    const sha = "2".repeat(40);
    openPullRequest(13, sha);
    const delivery = randomUUID();
    const payload = mergedPullRequest(13, sha);
    await bot.deliverWebhook("pull_request", payload, delivery);
    await bot.deliverWebhook("pull_request", payload, delivery);
    // A different delivery of the same merge (GitHub re-sent it as new) is still one deploy.
    await bot.deliverWebhook("pull_request", payload);
    expect(bot.github.deployments).toHaveLength(1);
    expect(await taskDefinitionRevisions(env)).toHaveLength(2);
  });

  it("/scale staging 3-6 moves the scalable target to 3..6 and leaves the desired count alone", async () => {
    await startBot();
    openPullRequest(14, "3".repeat(40));
    await bot.deliverWebhook(
      "issue_comment",
      prComment(14, "/scale staging 3-6", "alice", 5001, "2026-11-26T09:00:00Z"),
    );
    expect(await scalableTarget(env)).toMatchObject({ MinCapacity: 3, MaxCapacity: 6 });
    const { services } = await env.ecs.send(
      new DescribeServicesCommand({ cluster: env.cluster, services: [env.service] }),
    );
    expect(services?.[0]?.desiredCount).toBe(2);
    expect(bot.github.reactions).toEqual([{ commentId: 5001, content: "eyes" }]);
    expect(bot.github.commentsOn(14).at(-1)?.body).toMatch(/^### 🚀 `\/scale staging 3-6`/);
  });

  it("refuses a read-only commenter and changes nothing in AWS", async () => {
    await startBot();
    openPullRequest(15, "4".repeat(40));
    await bot.deliverWebhook(
      "issue_comment",
      prComment(15, "/scale staging 3-6", "rita", 5002, "2026-11-26T09:00:00Z"),
    );
    await bot.deliverWebhook("issue_comment", prComment(15, "/deploy staging", "rita", 5003, "2026-11-26T09:00:00Z"));
    expect(await scalableTarget(env)).toMatchObject({ MinCapacity: 2, MaxCapacity: 4 });
    expect(await taskDefinitionRevisions(env)).toHaveLength(1);
    expect(bot.github.deployments).toHaveLength(0);
    const replies = bot.github.commentsOn(15).map((comment) => comment.body);
    expect(replies).toHaveLength(2);
    for (const reply of replies) expect(reply).toContain("only collaborators with write access or higher");
  });

  it("runs one of two concurrent /deploy commands and tells the other who holds the lock", async () => {
    await startBot();
    bot.github.collaborators.set("bob", "admin");
    openPullRequest(16, "5".repeat(40), "feature-16");
    openPullRequest(17, "6".repeat(40), "feature-17");
    await Promise.all([
      bot.deliverWebhook("issue_comment", prComment(16, "/deploy staging", "alice", 5004, "2026-11-26T09:00:00Z")),
      bot.deliverWebhook("issue_comment", prComment(17, "/deploy staging", "bob", 5005, "2026-11-26T09:00:00Z")),
    ]);
    expect(bot.github.deployments).toHaveLength(1);
    const replies = [...bot.github.commentsOn(16), ...bot.github.commentsOn(17)].map((comment) => comment.body);
    expect(replies.filter((reply) => reply.includes("**staging** is locked by"))).toHaveLength(1);
    expect(replies.filter((reply) => reply.startsWith("### ⏳ Deploy of"))).toHaveLength(1);
  });
  it("/rollback redeploys the previous successful revision without a build, and /status shows what is live", async () => {
    await startBot();
    const deployAndComplete = async (number: number, sha: string, commentId: number) => {
      openPullRequest(number, sha);
      await bot.deliverWebhook(
        "issue_comment",
        prComment(number, "/deploy staging", "alice", commentId, "2026-11-26T09:00:00Z"),
      );
      await bot.deliverEvent(deploymentCompleted(env, await primaryDeploymentId(env)));
      await bot.settled();
    };
    await deployAndComplete(22, "b".repeat(40), 5012);
    const [first] = await taskDefinitionRevisions(env).then((arns) => arns.slice(1));
    await deployAndComplete(23, "c".repeat(40), 5013);
    const pushedBefore = bot.github.deployments.length;

    await bot.deliverWebhook(
      "issue_comment",
      prComment(23, "/rollback staging", "alice", 5014, "2026-11-26T09:10:00Z"),
    );
    const { services } = await env.ecs.send(
      new DescribeServicesCommand({ cluster: env.cluster, services: [env.service] }),
    );
    expect(services?.[0]?.taskDefinition).toBe(first);
    expect(await taskDefinitionRevisions(env)).toHaveLength(3); // nothing registered for the rollback
    const rollback = bot.github.deployments[pushedBefore];
    expect(rollback?.payload).toMatchObject({ sha: "b".repeat(40), taskDefinitionArn: first, trigger: "rollback" });

    await bot.deliverEvent(deploymentCompleted(env, await primaryDeploymentId(env)));
    await bot.settled();
    await bot.deliverWebhook("issue_comment", prComment(23, "/status staging", "alice", 5015, "2026-11-26T09:20:00Z"));
    const status = bot.github.commentsOn(23).at(-1)?.body ?? "";
    expect(status).toContain("This PR's head `ccccccc` is not live; `bbbbbbb` is.");
    expect(status).toContain(`| Task definition | \`${first?.split("/").pop()}\` |`);
  });

  it("ends a deploy that ECS rolled back (circuit breaker) as a failure, and frees the environment", async () => {
    await startBot();
    const sha = "7".repeat(40);
    openPullRequest(18, sha);
    await bot.deliverWebhook("issue_comment", prComment(18, "/deploy staging", "alice", 5006, "2026-11-26T09:00:00Z"));
    const failed = deploymentCompleted(env, await primaryDeploymentId(env), "ecs-deployment-state-change-failed.json");
    await bot.deliverEvent(failed);
    await bot.settled();
    const [deployment] = bot.github.deployments;
    expect(deployment?.statuses.map((status) => status.state)).toEqual(["queued", "in_progress", "failure"]);
    expect(bot.github.commentsOn(18).at(-1)?.body).toMatch(/^### 😕 Deploy of `7777777` to \*\*staging\*\* failed/);
    // The lock went with it: the next deploy runs.
    await bot.deliverWebhook("issue_comment", prComment(18, "/deploy staging", "alice", 5007, "2026-11-26T09:00:00Z"));
    expect(bot.github.deployments).toHaveLength(2);
  });

  it("ends a deploy to a missing ECS service as a failure with AWS's message, and frees the environment", async () => {
    // The cluster exists but lacks the service the config names (the stack's own name, which the
    // deployer role may describe and update), as between a stack's first deploy and its service.
    await startBot({ withService: false });
    openPullRequest(19, "8".repeat(40));
    await bot.deliverWebhook("issue_comment", prComment(19, "/deploy staging", "alice", 5008, "2026-11-26T09:00:00Z"));
    const reply = bot.github.commentsOn(19).at(-1)?.body ?? "";
    expect(reply).toMatch(/^### 😕/);
    expect(reply).toContain("ServiceNotFoundException");
    await serviceInMoto(env);
    await bot.deliverWebhook("issue_comment", prComment(19, "/deploy staging", "alice", 5009, "2026-11-26T09:00:00Z"));
    expect(bot.github.deployments).toHaveLength(1);
  });

  it("ignores edited comments and comments by bots", async () => {
    await startBot();
    openPullRequest(20, "9".repeat(40));
    const edited = prComment(20, "/scale staging 3-6", "alice", 5010, "2026-11-26T09:00:00Z");
    edited.action = "edited";
    edited.changes = { body: { from: "/scale staging 2-4" } };
    const byBot = prComment(20, "/scale staging 3-6", "alice", 5011, "2026-11-26T09:00:00Z");
    const user = (byBot.comment as Record<string, Record<string, unknown>>).user as Record<string, unknown>;
    user.login = "renovate[bot]";
    user.type = "Bot";
    byBot.sender = user;
    await bot.deliverWebhook("issue_comment", edited);
    await bot.deliverWebhook("issue_comment", byBot);
    expect(await scalableTarget(env)).toMatchObject({ MinCapacity: 2, MaxCapacity: 4 });
    expect(bot.github.reactions).toEqual([]);
    expect(bot.github.commentsOn(20)).toEqual([]);
  });

  /** The ops stack's build side of `app` in moto: its CodeBuild project and the ECR repository it pushes to. */
  async function imageBuildInMoto(app: string) {
    const { buildProject: project, repository: repositoryName } = opsResourceNames(app);
    const codebuild = new CodeBuildClient(motoClientConfig());
    await codebuild.send(
      new CreateProjectCommand({
        name: project,
        source: { type: "GITHUB", location: `https://github.com/${OWNER}/${REPO}.git` },
        artifacts: { type: "NO_ARTIFACTS" },
        environment: {
          type: "LINUX_CONTAINER",
          image: "aws/codebuild/standard:7.0",
          computeType: "BUILD_GENERAL1_SMALL",
        },
        serviceRole: `arn:aws:iam::${OPS_ACCOUNT}:role/${project}`,
      }),
    );
    const ecr = new ECRClient(motoClientConfig());
    await ecr.send(new CreateRepositoryCommand({ repositoryName, imageTagMutability: "IMMUTABLE" }));
    const repositoryUri = `${OPS_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${repositoryName}`;
    return { codebuild, project, ecr, repositoryName, repositoryUri };
  }

  it("resumes a CodeBuild deploy on the build's state-change event, and fails it when the build exported no image digest", async () => {
    env = await environmentInMoto(uniqueApp(), "staging");
    const { codebuild, project, repositoryUri } = await imageBuildInMoto(env.app);
    bot = await OpsBotUnderTest.start({
      [OPS_BOT_ENV.buildProject]: project,
      [OPS_BOT_ENV.repositoryUri]: repositoryUri,
    });
    bot.github.files.set(".github/phoenix-ops.yml", opsConfigYaml(env));
    const sha = "a".repeat(40);
    openPullRequest(21, sha);

    await bot.deliverWebhook("pull_request", mergedPullRequest(21, sha));
    const { ids } = await codebuild.send(new ListBuildsForProjectCommand({ projectName: project }));
    expect(ids).toHaveLength(1);
    expect(bot.github.commentsOn(21).at(-1)?.body).toContain(`Building the image (build \`${ids?.[0]}\`)`);

    // The CodeBuild guide's state-change event for this build. moto's BatchGetBuilds reports every
    // build SUCCEEDED without exported variables, which the bot must refuse to deploy.
    const finished = awsFixture("codebuild-build-state-change.json") as Record<string, unknown> & {
      detail: Record<string, unknown>;
    };
    const buildArn = `arn:aws:codebuild:eu-west-1:123456789012:build/${ids?.[0]}`;
    await bot.deliverEvent({
      ...finished,
      id: randomUUID(),
      resources: [buildArn],
      detail: { ...finished.detail, "project-name": project, "build-id": buildArn },
    });
    await bot.settled();
    const reply = bot.github.commentsOn(21).at(-1)?.body ?? "";
    expect(reply).toMatch(/^### 😕 Deploy of `aaaaaaa` to \*\*staging\*\* failed/);
    expect(reply).toContain("exported no IMAGE_DIGEST");
    expect(await taskDefinitionRevisions(env)).toHaveLength(1);
    expect(bot.github.deployments).toHaveLength(0);
  });

  it("deploys a merge whose commit already has an image in ECR by its digest, starting no CodeBuild build", async () => {
    env = await environmentInMoto(uniqueApp(), "staging");
    const { codebuild, project, ecr, repositoryName, repositoryUri } = await imageBuildInMoto(env.app);
    const sha = "d".repeat(40);
    // An OCI manifest as the image build pushes it, put through the ECR API under the commit's tag.
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", size: 2, digest: `sha256:${"d".repeat(64)}` },
      layers: [],
    });
    const { image } = await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag: sha }));
    const digest = image?.imageId?.imageDigest as string;
    bot = await OpsBotUnderTest.start({
      [OPS_BOT_ENV.buildProject]: project,
      [OPS_BOT_ENV.repositoryUri]: repositoryUri,
    });
    bot.github.files.set(".github/phoenix-ops.yml", opsConfigYaml(env));
    openPullRequest(24, sha);

    await bot.deliverWebhook("pull_request", mergedPullRequest(24, sha));

    const { ids } = await codebuild.send(new ListBuildsForProjectCommand({ projectName: project }));
    expect(ids).toEqual([]);
    const [, revision] = await taskDefinitionRevisions(env);
    const { taskDefinition } = await env.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: revision }));
    expect(taskDefinition?.containerDefinitions?.[0]?.image).toBe(`${repositoryUri}@${digest}`);
    expect(bot.github.commentsOn(24).at(-1)?.body).toContain(
      `♻️ Reused the image built for \`ddddddd\` (\`${digest}\`); nothing rebuilt`,
    );
  });

  describe("promotion from staging (ops account) to production (a second account)", () => {
    const PRODUCTION_ACCOUNT = "210987654321";
    let production: Environment;

    /** Staging and production each behind its deployer role, production in another account, `after: staging`. */
    async function startWithProduction() {
      await startBot();
      production = await environmentInMoto(env.app, "production", { account: PRODUCTION_ACCOUNT });
      bot.github.files.set(".github/phoenix-ops.yml", opsConfigYaml(env, { env: production, after: "staging" }));
    }

    const liveImage = async (account: string, environment: string) => {
      const ssm = inMotoAccount(new SSMClient(motoClientConfig()), account);
      const name = resourceNames({ app: env.app, environment }).liveImageParameter;
      return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    };

    it("refuses /deploy production of a commit that never succeeded in staging, building nothing", async () => {
      await startWithProduction();
      const sha = "e".repeat(40);
      openPullRequest(30, sha);
      await bot.deliverWebhook(
        "issue_comment",
        prComment(30, "/deploy production", "alice", 5030, "2026-11-26T09:00:00Z"),
      );
      expect(bot.github.commentsOn(30).at(-1)?.body).toBe(
        "### 😕 `/deploy production`\n\n**production** accepts only images that succeeded in **staging**; `eeeeeee` has no image yet, so it has not. Deploy it to **staging** first.",
      );
      expect(builds).toEqual([]);
      expect(await taskDefinitionRevisions(production)).toHaveLength(1);
      expect(bot.github.deployments).toHaveLength(0);
    });

    it("promotes the digest that succeeded in staging into the production account: one build, a revision and the live image there", async () => {
      await startWithProduction();
      const sha = "f".repeat(40);
      openPullRequest(31, sha);
      await bot.deliverWebhook(
        "issue_comment",
        prComment(31, "/deploy staging", "alice", 5031, "2026-11-26T09:00:00Z"),
      );
      // Not yet: staging's rollout has not completed.
      await bot.deliverWebhook(
        "issue_comment",
        prComment(31, "/deploy production", "alice", 5032, "2026-11-26T09:01:00Z"),
      );
      expect(bot.github.commentsOn(31).at(-1)?.body).toContain("has not. Deploy it to **staging** first.");
      await bot.deliverEvent(deploymentCompleted(env, await primaryDeploymentId(env)));
      await bot.settled();
      const pushed = await skopeoInspect(`${imageRepository}:${sha}`);
      const imageUri = `${new URL(localRegistryUrl()).host}/${imageRepository}@${pushed.Digest}`;
      expect(await liveImage(OPS_ACCOUNT, "staging")).toBe(imageUri);

      await bot.deliverWebhook(
        "issue_comment",
        prComment(31, "/deploy production", "alice", 5033, "2026-11-26T09:02:00Z"),
      );
      expect(builds).toEqual([sha]);
      const progress = bot.github.commentsOn(31).at(-1)?.body ?? "";
      expect(progress).toContain(`♻️ Reused the image built for \`fffffff\` (\`${pushed.Digest}\`); nothing rebuilt`);
      expect(progress).toContain("✔️ It succeeded in **staging**, as **production** requires");

      // The new revision lives in the production account, running the staging digest.
      const revisions = await taskDefinitionRevisions(production);
      expect(revisions).toHaveLength(2);
      expect(revisions[1]).toContain(`:${PRODUCTION_ACCOUNT}:`);
      const { taskDefinition } = await production.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: revisions[1] }),
      );
      expect(taskDefinition?.containerDefinitions?.find((c) => c.name === CONTAINER)?.image).toBe(imageUri);
      const { services } = await production.ecs.send(
        new DescribeServicesCommand({ cluster: production.cluster, services: [production.service] }),
      );
      expect(services?.[0]?.taskDefinition).toBe(revisions[1]);

      await bot.deliverEvent(deploymentCompleted(production, await primaryDeploymentId(production)));
      await bot.settled();
      const promoted = bot.github.deployments.find((deployment) => deployment.environment === "production");
      expect(promoted?.payload).toMatchObject({ sha, imageDigest: pushed.Digest, imageSource: "reused" });
      expect(promoted?.statuses.at(-1)?.state).toBe("success");
      expect(await liveImage(PRODUCTION_ACCOUNT, "production")).toBe(imageUri);
      await expect(liveImage(OPS_ACCOUNT, "production")).rejects.toThrow(/ParameterNotFound|not found/i);
    });
  });
});
