import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PHOENIX_APP } from "@phoenix/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type Dockerfile, dockerfilePath, readAppDockerfile, type Stage } from "./support/dockerfile.js";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

// --- hadolint -------------------------------------------------------------------------------

const findingsSchema = z.array(
  z.object({
    code: z.string(),
    level: z.enum(["error", "warning", "info", "style"]),
    line: z.number(),
    message: z.string(),
  }),
);
type Finding = z.infer<typeof findingsSchema>[number];

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PHOENIX_HADOLINT_BIN, else `hadolint` on PATH; neither fails the test, never skips it. */
async function hadolintBinary(): Promise<string> {
  const fromEnv = process.env.PHOENIX_HADOLINT_BIN;
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return fromEnv;
    throw new Error(
      `PHOENIX_HADOLINT_BIN=${fromEnv} is not an executable file: reinstall it with \`scripts/test-services.sh up\``,
    );
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, "hadolint");
    if (await isExecutable(candidate)) return candidate;
  }
  throw new Error(
    "hadolint not found (PHOENIX_HADOLINT_BIN is unset and there is no hadolint on PATH): " +
      "install it with `scripts/test-services.sh up` (or run `./dev test`)",
  );
}

// An empty HOME and XDG_CONFIG_HOME, and no HADOLINT_* variables, so a developer's own
// hadolint config cannot silence a rule; the package has no .hadolint.yaml either.
let isolatedHome: string;
beforeAll(async () => {
  isolatedHome = await mkdtemp(join(tmpdir(), "phoenix-hadolint-"));
});
afterAll(async () => {
  await rm(isolatedHome, { recursive: true, force: true });
});

async function hadolint(dockerfile: string): Promise<Finding[]> {
  const binary = await hadolintBinary();
  const { stdout } = await run(binary, ["--format", "json", "--no-fail", "--no-color", dockerfile], {
    cwd: packageDir,
    env: { PATH: process.env.PATH ?? "", HOME: isolatedHome, XDG_CONFIG_HOME: isolatedHome },
  });
  return findingsSchema.parse(JSON.parse(stdout));
}

const blocking = (findings: Finding[]) => findings.filter((f) => f.level === "error" || f.level === "warning");

describe("hadolint", () => {
  it("reports no error- or warning-level findings on the app's Dockerfile", async () => {
    const findings = await hadolint(dockerfilePath);
    expect(blocking(findings).map((f) => `line ${f.line} ${f.code} (${f.level}): ${f.message}`)).toEqual([]);
  });

  it("does report a root-running, unpinned Dockerfile, so an empty report means a clean file", async () => {
    const bad = join(isolatedHome, "Dockerfile.bad");
    await writeFile(bad, "FROM node:latest\nRUN npm install -g pnpm\nUSER root\nCMD node main.js\n");
    const codes = blocking(await hadolint(bad)).map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(["DL3007", "DL3016", "DL3002"]));
  });
});

// --- the Dockerfile's own properties -------------------------------------------------------

const argsOf = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** `COPY --from=stage src... dest` → `{ from, sources }`. */
function copiesFrom(stage: Stage): { from: string; sources: string[] }[] {
  return argsOf(stage, "COPY").flatMap((args) => {
    const words = args.split(/\s+/);
    const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
    if (!from) return [];
    const paths = words.filter((w) => !w.startsWith("--"));
    return [{ from, sources: paths.slice(0, -1) }];
  });
}

const execForm = (args: string): string[] => z.array(z.string()).parse(JSON.parse(args));

describe("the app's Dockerfile", () => {
  let dockerfile: Dockerfile;
  let stages: readonly Stage[];
  let runtime: Stage;
  beforeAll(async () => {
    dockerfile = await readAppDockerfile();
    stages = dockerfile.stages;
    const last = stages.at(-1);
    if (!last) throw new Error("Dockerfile has no FROM");
    runtime = last;
  });

  it("is multi-stage: the runtime stage takes only built output from a named build stage", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const buildNames = stages.slice(0, -1).map((s) => s.name);
    const copies = copiesFrom(runtime);
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(buildNames).toContain(copy.from);
    // No toolchain in the runtime stage: it installs and compiles nothing itself.
    expect(argsOf(runtime, "RUN").join("\n")).not.toMatch(/\b(pnpm|npm|yarn|tsc)\b/);
  });

  it("runs the runtime stage on an even-numbered (LTS) Node release, the same as the build stage", async () => {
    const pkg = z
      .object({ engines: z.object({ node: z.string() }) })
      .parse(JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")));
    const minimumMajor = Number(/(\d+)/.exec(pkg.engines.node)?.[1]);
    const tag = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)(?:[.-][\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/.exec(
      runtime.image,
    );
    expect(tag, `runtime image ${runtime.image} is not an explicitly tagged official node image`).not.toBeNull();
    const major = Number(tag?.[1]);
    expect(major % 2, `Node ${major} is not an LTS line`).toBe(0);
    expect(major).toBeGreaterThanOrEqual(minimumMajor);
    expect(stages[0]?.image).toBe(runtime.image);
  });

  it("pins one exact Node release in a global ARG that every stage's image uses", () => {
    // scripts/test-services.sh installs this release for the tests and the bench.
    expect(dockerfile.globalArgs.get("NODE_VERSION")).toMatch(/^\d+\.\d+\.\d+$/);
    for (const stage of stages) expect(stage.imageAsWritten).toMatch(/\$\{NODE_VERSION\}|\$NODE_VERSION\b/);
  });

  it("ships only production dependencies: the runtime copies the output of `pnpm deploy --prod`", () => {
    const deploys = stages
      .slice(0, -1)
      .flatMap((s) => argsOf(s, "RUN"))
      .map((args) => /\bpnpm\b.*\bdeploy\b(.*)$/.exec(args)?.[1])
      .filter((rest): rest is string => rest !== undefined);
    expect(deploys).toHaveLength(1);
    const deployArgs = (deploys[0] ?? "").trim().split(/\s+/);
    expect(deployArgs).toEqual(expect.arrayContaining([expect.stringMatching(/^(--prod|-P|--production)$/)]));
    const target = deployArgs.at(-1);
    expect(target).toMatch(/^\//);
    // Everything the runtime takes from the build comes from the deploy directory.
    const sources = copiesFrom(runtime).flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(`${source.replace(/\/$/, "")}/`.startsWith(`${target}/`)).toBe(true);
  });

  it("runs the app as a non-root user", () => {
    const user = argsOf(runtime, "USER").at(-1);
    expect(user, "the runtime stage sets no USER, so it runs as root").toBeDefined();
    const name = (user ?? "").split(":")[0];
    expect(["root", "0"]).not.toContain(name);
    // `node` (uid 1000) is the unprivileged user the official node images create.
    expect(["node", "1000"]).toContain(name);
  });

  it("checks health by running the app's own /health probe with node, not curl or wget", async () => {
    const checks = argsOf(runtime, "HEALTHCHECK");
    expect(checks).toHaveLength(1);
    const command = /\bCMD\s+(\[.*\])$/.exec(checks[0] ?? "")?.[1];
    expect(command, "HEALTHCHECK must use the exec form CMD [...]").toBeDefined();
    expect(execForm(command ?? "[]")).toEqual(["node", "dist/healthcheck.js"]);
    expect(checks[0]).not.toMatch(/\b(curl|wget)\b/);
    // dist/healthcheck.js is compiled from src/healthcheck.ts: it must hit /health on the app's PORT.
    const probe = await readFile(join(packageDir, "src", "healthcheck.ts"), "utf8");
    expect(probe).toContain("process.env.PORT");
    expect(probe).toMatch(/http:\/\/127\.0\.0\.1:\$\{port\}\/health/);
  });

  it("starts node on dist/main.js in exec form, so SIGTERM reaches the app's graceful shutdown", () => {
    expect(argsOf(runtime, "STOPSIGNAL")).toEqual(["SIGTERM"]);
    const cmd = argsOf(runtime, "CMD");
    expect(cmd).toHaveLength(1);
    expect(execForm(cmd[0] ?? "")).toEqual(["node", "dist/main.js"]);
    expect(argsOf(runtime, "ENTRYPOINT")).toEqual([]);
  });

  it("runs in production mode and exposes the app's default port 3000", () => {
    const env = argsOf(runtime, "ENV").flatMap((args) => args.split(/\s+/));
    expect(env).toContain("NODE_ENV=production");
    expect(argsOf(runtime, "EXPOSE")).toEqual([String(PHOENIX_APP.containerPort)]);
  });

  it("ships the DocumentDB CA bundle, read-only, where the connection URI's tlsCAFile points", () => {
    const added = argsOf(runtime, "ADD").find((args) => args.includes("global-bundle.pem"));
    expect(added).toBeDefined();
    expect(added?.split(/\s+/).at(-1)).toBe(PHOENIX_APP.documentDbCaBundlePath);
    expect(added).toContain("--chmod=444");
  });
});
