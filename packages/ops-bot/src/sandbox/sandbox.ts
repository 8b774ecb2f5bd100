import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { OPS_CONFIG_PATH, PHOENIX_APP, resourceNames } from "@phoenix/shared";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createOpsServices } from "../bot/ops-services.js";
import type { BotSettings } from "../config/bot-settings.js";
import { installationOctokits } from "../github/installation-access.js";
import { prepareDeployableApp } from "../images/oci/deployable-app.js";
import { pushLocalNodeBaseImage } from "../images/oci/local-base-image.js";
import { OciImageBuilder } from "../images/oci/oci-image-builder.js";
import { createHttpsCertificateFetcher } from "../intake/sns/https-certificate-fetcher.js";
import { SnsSignatureVerifier } from "../intake/sns/sns-signature-verifier.js";
import { createOpsBotServer, type OpsBotServer } from "../server/ops-bot-server.js";
import { INSTALLATION_ID } from "./github/github-stand-in.js";
import { startGitHubStandInServer } from "./github/github-stand-in-server.js";
import { LocalPlatform } from "./local-platform.js";
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
}

export interface RunningSandbox {
  readonly endpoints: SandboxEndpoints;
  readonly platform: LocalPlatform;
  stop(): Promise<void>;
}

const run = promisify(execFile);
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
    const { services, startedHere } = await localServices(root);
    if (startedHere) stops.push(() => run("bash", [join(root, "scripts/test-services.sh"), "down"]).then(() => {}));
    const aws = {
      endpoint: services.awsEndpoint,
      region: REGION,
      credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
    };
    const { registryUrl } = services;
    const names = resourceNames({ app: "phoenix", environment: ENVIRONMENT });

    log("sandbox: building the app image (daemonless OCI builder → local registry)…");
    const deployable = await prepareDeployableApp({ workspaceRoot: root, outputDir: join(home, "app-deployable") });
    const base = await pushLocalNodeBaseImage({ registryUrl });
    const builder = new OciImageBuilder({
      appDirectory: deployable.directory,
      baseImage: base.reference,
      destination: { registryUrl, repository: names.repository },
    });
    const firstBuild = await builder.start({ sha: randomBytes(20).toString("hex"), repository: `${OWNER}/${REPO}` });
    if (firstBuild.status !== "ready") throw new Error("the OCI builder always finishes in the call");
    log(`sandbox: image ${firstBuild.image.uri}`);

    const ports = { app: 3000, bot: 3001, github: 3002, ...options.ports };
    const appPort = ports.app === 0 ? await freePort() : ports.app;
    const appUrl = `http://127.0.0.1:${appPort}`;
    const database = `${services.mongodbUrl.replace(/\/$/, "")}/phoenix_sandbox`;
    const seeded = await seedAws(aws, names, firstBuild.image.uri, { [PHOENIX_APP.env.port]: String(appPort) });
    log(
      `sandbox: moto seeded (${names.cluster}/${names.service}, ${names.logGroup}, ${names.alarms.cpuHigh}, scalable target 2-4)`,
    );

    const github = await startGitHubStandInServer({ port: ports.github, repository: { owner: OWNER, repo: REPO } });
    stops.push(() => github.close());
    const writer = "octocat";
    const reader = "read-only-rita";
    github.standIn.files.set(OPS_CONFIG_PATH, sandboxOpsConfig(names.cluster, names.service, appUrl));
    github.standIn.collaborators.set(writer, "write");
    github.standIn.collaborators.set(reader, "read");

    const webhookSecret = randomBytes(24).toString("hex");
    const eventsSecret = randomBytes(24).toString("hex");
    // Per run, removed at stop: the Ledger (the GitHub stand-in starts empty, so nothing is to
    // be remembered) and the unpacked images (one per deployed digest).
    const runDirectory = mkdtempSync(join(home, "run-"));
    stops.push(async () => rmSync(runDirectory, { recursive: true, force: true }));
    const ledgerFile = join(runDirectory, "ledger.json");
    const settings: BotSettings = {
      targetRepository: { owner: OWNER, repo: REPO },
      region: REGION,
      allowedTopicArns: [seeded.topicArn],
      eventsSharedSecret: eventsSecret,
      ledger: { kind: "embedded", file: ledgerFile },
      logGroupName: names.logGroup,
      clusterName: names.cluster,
      serviceName: names.service,
      alarmIssues: { label: "ops:cpu", commentIntervalMs: 15 * 60_000, closeOnOk: true },
      crashLabel: "ops:crash",
      storm: { maxNewIssues: 10, windowSeconds: 3600 },
      delivery: { timeoutMinutes: 10, reconcileIntervalSeconds: 5, codeBuild: undefined },
    };
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const probot = new Probot({
      appId: 1,
      privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      secret: webhookSecret,
      baseUrl: github.url,
      logLevel: "warn",
      // GitHub's secondary rate limits do not apply to the stand-in: no write spacing.
      Octokit: ProbotOctokit.defaults((octokitOptions: Record<string, unknown>) => ({
        ...octokitOptions,
        throttle: { enabled: false },
      })),
    });
    const logger = pino({ level: process.env.LOG_LEVEL ?? "warn", base: { service: "phoenix-ops-bot" } });
    const opsServices = createOpsServices({
      settings,
      octokitFor: installationOctokits(probot),
      aws,
      logger,
      imageBuilder: builder,
    });
    const bot: OpsBotServer = await createOpsBotServer({
      probot,
      services: opsServices,
      settings,
      // The scenario sends AWS events the EventBridge way; SNS stays as in production.
      verifier: new SnsSignatureVerifier({ fetcher: createHttpsCertificateFetcher() }),
      confirmer: { confirmSubscription: async () => {} },
      logger,
    });
    await new Promise<void>((done) => bot.server.listen(ports.bot, "127.0.0.1", done));
    stops.push(() => bot.close(10_000));
    const botUrl = `http://127.0.0.1:${(bot.server.address() as AddressInfo).port}`;

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
      baseLayers: new Set(base.layers),
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

/** The example config, pointed at the sandbox's cluster and service (staging deploys on merge). */
function sandboxOpsConfig(cluster: string, service: string, appUrl: string): string {
  return [
    "# The sandbox's .github/phoenix-ops.yml (see EXAMPLE_OPS_CONFIG_YAML for every setting).",
    "deployOnMerge:",
    `  environment: ${ENVIRONMENT}`,
    "environments:",
    `  ${ENVIRONMENT}:`,
    `    region: ${REGION}`,
    `    cluster: ${cluster}`,
    `    service: ${service}`,
    `    url: ${appUrl}`,
    "    scaling:",
    "      min: 1",
    "      max: 8",
    "      default: { min: 2, max: 4 }",
    "",
  ].join("\n");
}

const NEEDED_SERVICES = ["PHOENIX_TEST_AWS_ENDPOINT", "PHOENIX_TEST_REGISTRY_URL", "PHOENIX_TEST_MONGODB_URL"];

/**
 * `scripts/test-services.sh up` (idempotent: installs what is missing, reuses what runs), then
 * its exported variables. `startedHere` says whether they were down before, so the sandbox
 * stops only what it started.
 */
async function localServices(root: string): Promise<{
  services: { awsEndpoint: string; registryUrl: string; mongodbUrl: string };
  startedHere: boolean;
}> {
  const envFile = join(root, ".test-services/env");
  const before = existsSync(envFile) ? readServiceVariables(envFile) : {};
  const alreadyUp =
    NEEDED_SERVICES.every((name) => before[name]) &&
    (await Promise.all(NEEDED_SERVICES.map((name) => answers(before[name] as string)))).every(Boolean);
  await run("bash", [join(root, "scripts/test-services.sh"), "up"], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const variables = readServiceVariables(envFile);
  const [awsEndpoint, registryUrl, mongodbUrl] = NEEDED_SERVICES.map((name) => {
    const value = variables[name];
    if (!value) throw new Error(`scripts/test-services.sh did not export ${name}`);
    return value;
  }) as [string, string, string];
  return { services: { awsEndpoint, registryUrl, mongodbUrl }, startedHere: !alreadyUp };
}

function readServiceVariables(file: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) variables[match[1]] = match[2];
  }
  return variables;
}

/** Whether something accepts TCP connections at the URL's host and port. */
async function answers(url: string): Promise<boolean> {
  const { connect } = await import("node:net");
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}
