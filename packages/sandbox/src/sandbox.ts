import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { INSTALLATION_ID, startGitHubStandInServer } from "@phoenix/github-stand-in";
import {
  OciImageBuilder,
  prepareDeployableApp,
  pushLocalNodeBaseImage,
  RegistryClient,
  readPinnedNodeVersion,
} from "@phoenix/oci-builder";
import { inProcessImageBuilder, OPS_CONFIG_PATH, readBotSettings, registryCommitImages } from "@phoenix/ops-bot";
import { OPS_BOT_ENV, OPS_BOT_SERVER_ENV, opsResourceNames, PHOENIX_APP } from "@phoenix/shared";
import { MOTO_DEFAULT_ACCOUNT, motoAccountClients, SANDBOX_PRODUCTION_ACCOUNT } from "./aws/moto-accounts.js";
import { startEventBusStandIn } from "./events/event-bus-stand-in.js";
import { freePort, startLocalServices, stopLocalServices } from "./local-services.js";
import { LocalPlatform } from "./platform/local-platform.js";
import { startSandboxBot } from "./sandbox-bot.js";
import type { SandboxEndpoints, SandboxEnvironmentEndpoints } from "./scenario.js";
import { type SandboxEnvironmentEntry, sandboxOpsConfigYaml } from "./topology/sandbox-ops-config.js";
import { type SeededTopology, sandboxPhoenixConfig, seedSandboxTopology } from "./topology/sandbox-topology.js";

export interface SandboxOptions {
  /** The pnpm workspace (holds scripts/test-services.sh and packages/phoenix-app). */
  readonly workspaceRoot: string;
  /**
   * 0 picks free ports (tests).
   * @default staging's app 3000, bot 3001, GitHub stand-in 3002, production's app 3003
   */
  readonly ports?: {
    readonly app?: number;
    readonly bot?: number;
    readonly github?: number;
    readonly productionApp?: number;
  };
  readonly log?: (line: string) => void;
  /**
   * Write the endpoints to `.phoenix-local/sandbox/endpoints.json` for `sandbox scenario` in
   * another terminal. Off for tests and benches, so they never clobber a sandbox someone runs.
   * @default false
   */
  readonly publishEndpoints?: boolean;
  /**
   * The app name the AWS resources in moto, the image repository and the database are named
   * after (`resourceNames`, `opsResourceNames`). Tests and benches pass their own, so they never
   * reseed or roll over the services of a sandbox someone is running against the same moto.
   * @default "phoenix"
   */
  readonly app?: string;
}

export interface RunningSandbox {
  readonly endpoints: SandboxEndpoints;
  /** What moto was seeded with: the synthesized stacks, as created in each account. */
  readonly topology: SeededTopology;
  /** The local platform of each environment, by name. */
  readonly platforms: Readonly<Record<string, LocalPlatform>>;
  /** Commits the bot had built (the sandbox's first image is not among them): one entry per build. */
  readonly builds: readonly string[];
  stop(): Promise<void>;
}

const OWNER = "phoenix-sandbox";
const REPO = "phoenix";
const REGION = "eu-west-1";

/** Staging shares the ops account (moto's default); production lives in a second account. */
const SANDBOX_ACCOUNTS = {
  ops: MOTO_DEFAULT_ACCOUNT,
  environments: { staging: MOTO_DEFAULT_ACCOUNT, production: SANDBOX_PRODUCTION_ACCOUNT },
} as const;

/** What `/scale` may do per environment, within the bounds the stacks give the scalable targets. */
const SANDBOX_SCALING: Readonly<Record<string, SandboxEnvironmentEntry["scaling"]>> = {
  staging: { min: 1, max: 8, default: { min: 2, max: 4 } },
  production: { min: 2, max: 10, default: { min: 2, max: 6 } },
};

/** Where the sandbox keeps its files, and where `sandbox scenario` finds a running sandbox. */
export function sandboxStateFile(workspaceRoot: string): string {
  return join(workspaceRoot, ".phoenix-local", "sandbox", "endpoints.json");
}

/**
 * Brings the whole ops loop up on 127.0.0.1, in the production topology: the local stand-ins
 * (FerretDB, moto, docker-registry); the app image built by the daemonless builder; moto seeded
 * from the stacks @phoenix/infra synthesizes (the ops stack and staging in moto's default
 * account, production in a second one); the GitHub stand-in; the ops bot, which reaches each
 * environment through its deployer role; one local platform per environment running its task
 * definition; and the stacks' event rules between the platforms and the bot. `stop()` stops
 * what this call started, in reverse order.
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
    const repository = opsResourceNames(app).repository;

    log("sandbox: building the app image (daemonless OCI builder → local registry)…");
    const builds: string[] = [];
    const { builder, firstImage, baseLayers } = await buildSandboxImage({
      root,
      deployableDirectory: join(home, "deployable", app),
      registryUrl,
      productionNodeBinary: services.productionNodeBinary,
      repository,
      onBuild: (sha) => builds.push(sha),
    });
    log(`sandbox: image ${firstImage.uri}`);

    log("sandbox: seeding moto from the synthesized stacks (ops, staging, production)…");
    const config = sandboxPhoenixConfig({
      app,
      gitHubRepository: `${OWNER}/${REPO}`,
      region: REGION,
      accounts: SANDBOX_ACCOUNTS,
      firstImageDigest: firstImage.digest,
    });
    const topology = await seedSandboxTopology(aws, config, firstImage.uri);
    const stacks = [topology.ops, ...topology.environments.flatMap((e) => [e.liveImageStack, e.stack])];
    const created = stacks.reduce((sum, stack) => sum + stack.resources.size, 0);
    const skipped = stacks.reduce((sum, stack) => sum + stack.skipped.length, 0);
    log(
      `sandbox: moto seeded: ${stacks.map((stack) => `${stack.stackName} (${stack.account})`).join(", ")}; ${created} resources created, ${skipped} played locally`,
    );

    const ports = { app: 3000, bot: 3001, github: 3002, productionApp: 3003, ...options.ports };
    const appPorts: Record<string, number> = {
      staging: ports.app === 0 ? await freePort() : ports.app,
      production: ports.productionApp === 0 ? await freePort() : ports.productionApp,
    };
    const environments: SandboxEnvironmentEndpoints[] = topology.environments.map((environment) => {
      const port = appPorts[environment.name];
      if (port === undefined) throw new Error(`the sandbox has no port for ${environment.name}`);
      return {
        name: environment.name,
        account: environment.account,
        appUrl: `http://127.0.0.1:${port}`,
        names: environment.names,
        deployerRoleArn: environment.deployerRoleArn,
      };
    });

    const github = await startGitHubStandInServer({ port: ports.github, repository: { owner: OWNER, repo: REPO } });
    stops.push(() => github.close());
    const writer = "octocat";
    const reader = "read-only-rita";
    github.standIn.files.set(
      OPS_CONFIG_PATH,
      sandboxOpsConfigYaml(
        app,
        topology.environments.map((environment, index) => ({
          environment,
          region: REGION,
          url: environments[index]?.appUrl as string,
          scaling: SANDBOX_SCALING[environment.name] ?? { min: 1, max: 4, default: { min: 1, max: 2 } },
          ...(index > 0 ? { after: topology.environments[index - 1]?.name } : {}),
        })),
      ),
    );
    github.standIn.collaborators.set(writer, "write");
    github.standIn.collaborators.set(reader, "read");

    const webhookSecret = randomBytes(24).toString("hex");
    const eventsSecret = randomBytes(24).toString("hex");
    // Per run, removed at stop: the Ledger (the GitHub stand-in starts empty, so nothing is to
    // be remembered) and the unpacked images (one per deployed digest).
    const runDirectory = mkdtempSync(join(home, "run-"));
    stops.push(async () => rmSync(runDirectory, { recursive: true, force: true }));
    // Configured by its environment variables, as a deployed bot is.
    const settings = readBotSettings({
      [OPS_BOT_ENV.targetRepository]: `${OWNER}/${REPO}`,
      AWS_REGION: REGION,
      [OPS_BOT_SERVER_ENV.eventsSharedSecret]: eventsSecret,
      [OPS_BOT_SERVER_ENV.ledgerFile]: join(runDirectory, "ledger.json"),
      PHOENIX_DEPLOY_TIMEOUT_MINUTES: "10",
      PHOENIX_RECONCILE_INTERVAL_SECONDS: "5",
    });
    const bot = await startSandboxBot({
      githubUrl: github.url,
      webhookSecret,
      settings,
      aws,
      builder,
      commitImages: registryCommitImages(new RegistryClient({ registryUrl }), repository),
      port: ports.bot,
    });
    stops.push(() => bot.close());

    const bus = await startEventBusStandIn({
      router: topology.events,
      botEventsUrl: `${bot.url}/aws/events`,
      eventsSecret,
      log,
    });
    stops.push(() => bus.close());

    const platforms: Record<string, LocalPlatform> = {};
    for (const environment of environments) {
      const clients = motoAccountClients(aws, environment.account);
      const platform = new LocalPlatform({
        ecs: clients.ecs,
        logs: clients.logs,
        region: REGION,
        account: environment.account,
        cluster: environment.names.cluster,
        service: environment.names.service,
        container: PHOENIX_APP.containerName,
        imageCache: join(runDirectory, "images"),
        baseLayers,
        appEnvironment: {
          [PHOENIX_APP.env.port]: new URL(environment.appUrl).port,
          HOST: "127.0.0.1",
          [PHOENIX_APP.env.databaseUrl]:
            `${services.mongodbUrl.replace(/\/$/, "")}/${app.replaceAll("-", "_")}_${environment.name}_sandbox`,
        },
        appUrl: environment.appUrl,
        emitEvent: async (event) => {
          await bus.put(event);
        },
        log: (line) => log(line.replace(/^(platform|app)/, `$1 ${environment.name}`)),
      });
      log(`sandbox: starting ${environment.name}'s app from its image…`);
      await platform.start();
      stops.push(() => platform.stop());
      platforms[environment.name] = platform;
    }

    const endpoints: SandboxEndpoints = {
      botUrl: bot.url,
      githubUrl: github.url,
      eventsUrl: bus.url,
      webhookSecret,
      eventsSecret,
      aws,
      repository: { owner: OWNER, repo: REPO, installationId: INSTALLATION_ID },
      environments,
      writer,
      reader,
    };
    if (options.publishEndpoints) {
      writeFileSync(sandboxStateFile(root), `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
      stops.push(async () => rmSync(sandboxStateFile(root), { force: true }));
    }
    return { endpoints, topology, platforms, builds, stop };
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
 * base image holding the official Node release the Dockerfile pins, pushed to the local registry
 * by the daemonless builder.
 */
async function buildSandboxImage(target: {
  root: string;
  deployableDirectory: string;
  registryUrl: string;
  /** The pinned release's `bin/node` (scripts/test-services.sh installs it from the npm registry). */
  productionNodeBinary: string;
  repository: string;
  /** Told the commit of every build the bot asks for. */
  onBuild: (sha: string) => void;
}) {
  const { root, registryUrl, repository } = target;
  const deployable = await prepareDeployableApp({ workspaceRoot: root, outputDir: target.deployableDirectory });
  const base = await pushLocalNodeBaseImage({
    registryUrl,
    nodeVersion: readPinnedNodeVersion(join(root, "packages/phoenix-app/Dockerfile")),
    nodeBinary: target.productionNodeBinary,
  });
  const oci = new OciImageBuilder({
    appDirectory: deployable.directory,
    baseImage: base.reference,
    destination: { registryUrl, repository },
  });
  const first = await oci.build({ sha: randomBytes(20).toString("hex"), repository: `${OWNER}/${REPO}` });
  const builder = inProcessImageBuilder(async (request) => {
    target.onBuild(request.sha);
    return (await oci.build(request)).image;
  });
  return { builder, firstImage: first.image, baseLayers: new Set(base.layers) };
}
