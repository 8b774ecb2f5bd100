import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { INSTALLATION_ID, startGitHubStandInServer } from "@phoenix/github-stand-in";
import { OciImageBuilder, prepareDeployableApp, pushLocalNodeBaseImage } from "@phoenix/oci-builder";
import { inProcessImageBuilder, OPS_CONFIG_PATH, readBotSettings } from "@phoenix/ops-bot";
import { stagingOpsConfigYaml } from "@phoenix/ops-bot/testing";
import { OPS_BOT_ENV, OPS_BOT_SERVER_ENV, PHOENIX_APP, resourceNames } from "@phoenix/shared";
import { freePort, startLocalServices, stopLocalServices } from "./local-services.js";
import { LocalPlatform } from "./platform/local-platform.js";
import { startSandboxBot } from "./sandbox-bot.js";
import type { SandboxEndpoints } from "./scenario.js";
import { seedAws } from "./seed-aws.js";

export interface SandboxOptions {
  /** The pnpm workspace (holds scripts/test-services.sh and packages/phoenix-app). */
  readonly workspaceRoot: string;
  /** 0 picks free ports (tests). @default app 3000, bot 3001, GitHub stand-in 3002 */
  readonly ports?: { readonly app?: number; readonly bot?: number; readonly github?: number };
  readonly log?: (line: string) => void;
  /**
   * Write the endpoints to `.phoenix-local/sandbox/endpoints.json` for `sandbox scenario` in
   * another terminal. Off for tests and benches, so they never clobber a sandbox someone runs.
   * @default false
   */
  readonly publishEndpoints?: boolean;
  /**
   * The app name the AWS resources in moto, the image repository and the database are named
   * after (`resourceNames`). Tests and benches pass their own, so they never reseed or roll over
   * the services of a sandbox someone is running against the same moto.
   * @default "phoenix"
   */
  readonly app?: string;
}

export interface RunningSandbox {
  readonly endpoints: SandboxEndpoints;
  readonly platform: LocalPlatform;
  stop(): Promise<void>;
}

const OWNER = "phoenix-sandbox";
const REPO = "phoenix";
const ENVIRONMENT = "staging";
const REGION = "eu-west-1";
const MOTO_ACCOUNT = "123456789012";

/** Where the sandbox keeps its files, and where `sandbox scenario` finds a running sandbox. */
export function sandboxStateFile(workspaceRoot: string): string {
  return join(workspaceRoot, ".phoenix-local", "sandbox", "endpoints.json");
}

/**
 * Brings the whole ops loop up on 127.0.0.1: the local stand-ins (FerretDB, moto, docker-registry),
 * the app image built by the daemonless builder and run by the local platform, moto seeded as the
 * infra stack would be, the GitHub stand-in with its page, and the ops bot wired to all of them.
 * `stop()` stops what this call started, in reverse order.
 */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const root = resolve(options.workspaceRoot);
  const home = dirname(sandboxStateFile(root));
  mkdirSync(home, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse())
      await step().catch((error: unknown) => log(`sandbox: stopping: ${String(error)}`));
  };
  try {
    log("sandbox: local services (FerretDB, moto, docker-registry)…");
    const { services, startedHere } = await startLocalServices(root);
    if (startedHere) stops.push(() => stopLocalServices(root));
    const aws = {
      endpoint: services.awsEndpoint,
      region: REGION,
      credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
    };
    const { registryUrl } = services;
    const app = options.app ?? "phoenix";
    const names = resourceNames({ app, environment: ENVIRONMENT });

    log("sandbox: building the app image (daemonless OCI builder → local registry)…");
    const { builder, firstImage, baseLayers } = await buildSandboxImage({
      root,
      deployableDirectory: join(home, "deployable", app),
      registryUrl,
      repository: names.repository,
    });
    log(`sandbox: image ${firstImage.uri}`);

    const ports = { app: 3000, bot: 3001, github: 3002, ...options.ports };
    const appPort = ports.app === 0 ? await freePort() : ports.app;
    const appUrl = `http://127.0.0.1:${appPort}`;
    const database = `${services.mongodbUrl.replace(/\/$/, "")}/${app.replaceAll("-", "_")}_sandbox`;
    const seeded = await seedAws(aws, names, firstImage.uri, { [PHOENIX_APP.env.port]: String(appPort) });
    log(
      `sandbox: moto seeded (${names.cluster}/${names.service}, ${names.logGroup}, ${names.alarms.cpuHigh}, scalable target 2-4)`,
    );

    const github = await startGitHubStandInServer({ port: ports.github, repository: { owner: OWNER, repo: REPO } });
    stops.push(() => github.close());
    const writer = "octocat";
    const reader = "read-only-rita";
    github.standIn.files.set(
      OPS_CONFIG_PATH,
      stagingOpsConfigYaml({ region: REGION, cluster: names.cluster, service: names.service, url: appUrl }),
    );
    github.standIn.collaborators.set(writer, "write");
    github.standIn.collaborators.set(reader, "read");

    const webhookSecret = randomBytes(24).toString("hex");
    const eventsSecret = randomBytes(24).toString("hex");
    // Per run, removed at stop: the Ledger (the GitHub stand-in starts empty, so nothing is to
    // be remembered) and the unpacked images (one per deployed digest).
    const runDirectory = mkdtempSync(join(home, "run-"));
    stops.push(async () => rmSync(runDirectory, { recursive: true, force: true }));
    const ledgerFile = join(runDirectory, "ledger.json");
    // Configured by its environment variables, as a deployed bot is.
    const settings = readBotSettings({
      [OPS_BOT_ENV.targetRepository]: `${OWNER}/${REPO}`,
      AWS_REGION: REGION,
      [OPS_BOT_ENV.allowedTopicArns]: seeded.topicArn,
      [OPS_BOT_SERVER_ENV.eventsSharedSecret]: eventsSecret,
      [OPS_BOT_SERVER_ENV.ledgerFile]: ledgerFile,
      [OPS_BOT_ENV.logGroupName]: names.logGroup,
      PHOENIX_DEPLOY_TIMEOUT_MINUTES: "10",
      PHOENIX_RECONCILE_INTERVAL_SECONDS: "5",
    });
    const bot = await startSandboxBot({
      githubUrl: github.url,
      webhookSecret,
      settings,
      aws,
      builder,
      port: ports.bot,
    });
    stops.push(() => bot.close());
    const botUrl = bot.url;

    const platform = new LocalPlatform({
      ecs: new ECSClient(aws),
      logs: new CloudWatchLogsClient(aws),
      region: REGION,
      account: MOTO_ACCOUNT,
      cluster: names.cluster,
      service: names.service,
      container: PHOENIX_APP.containerName,
      logGroup: names.logGroup,
      imageCache: join(runDirectory, "images"),
      baseLayers,
      appEnvironment: {
        [PHOENIX_APP.env.port]: String(appPort),
        HOST: "127.0.0.1",
        [PHOENIX_APP.env.databaseUrl]: database,
      },
      appUrl,
      emitEvent: async (event) => {
        const response = await fetch(`${botUrl}/aws/events`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-phoenix-events-secret": eventsSecret },
          body: JSON.stringify(event),
        });
        if (!response.ok) log(`platform: the bot answered ${response.status} to an event`);
      },
      log,
    });
    log("sandbox: starting the app from its image…");
    await platform.start();
    stops.push(() => platform.stop());

    const endpoints: SandboxEndpoints = {
      botUrl,
      githubUrl: github.url,
      appUrl,
      webhookSecret,
      eventsSecret,
      aws,
      account: MOTO_ACCOUNT,
      repository: { owner: OWNER, repo: REPO, installationId: INSTALLATION_ID },
      environment: ENVIRONMENT,
      names,
      writer,
      reader,
    };
    if (options.publishEndpoints) {
      writeFileSync(sandboxStateFile(root), `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
      stops.push(async () => rmSync(sandboxStateFile(root), { force: true }));
    }
    return { endpoints, platform, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Reads the endpoints of a sandbox another process started (`sandbox scenario`). */
export function readSandboxEndpoints(workspaceRoot: string): SandboxEndpoints {
  const file = sandboxStateFile(workspaceRoot);
  if (!existsSync(file)) throw new Error(`no sandbox is running (no ${file}); start one with pnpm start`);
  return JSON.parse(readFileSync(file, "utf8")) as SandboxEndpoints;
}

/**
 * The app image as a merge would build it: the deployable app (production dependencies) on a
 * base image holding the local Node, pushed to the local registry by the daemonless builder.
 */
async function buildSandboxImage(target: {
  root: string;
  deployableDirectory: string;
  registryUrl: string;
  repository: string;
}) {
  const { root, registryUrl, repository } = target;
  const deployable = await prepareDeployableApp({ workspaceRoot: root, outputDir: target.deployableDirectory });
  const base = await pushLocalNodeBaseImage({ registryUrl });
  const oci = new OciImageBuilder({
    appDirectory: deployable.directory,
    baseImage: base.reference,
    destination: { registryUrl, repository },
  });
  const first = await oci.build({ sha: randomBytes(20).toString("hex"), repository: `${OWNER}/${REPO}` });
  const builder = inProcessImageBuilder(async (request) => (await oci.build(request)).image);
  return { builder, firstImage: first.image, baseLayers: new Set(base.layers) };
}
