import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { App, type CfnElement, Stack } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { afterEach } from "vitest";
import { requiredServiceVariable } from "../../../../test-support/required-service.js";

const run = promisify(execFile);

/**
 * An App whose output goes to a temporary directory removed by `cleanup`, so test runs do
 * not leave cdk.out folders behind.
 */
export function testApp(context: Record<string, unknown> = {}): { app: App; cleanup: () => void } {
  const outdir = mkdtempSync(join(tmpdir(), "phoenix-cdk-"));
  return { app: new App({ outdir, context }), cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/**
 * For a test file that builds an app in each test: returns a `testApp` factory whose apps are
 * removed after the test that made them. Call it once, at the top level of the file.
 */
export function testAppsCleanedAfterEach(context: Record<string, unknown> = {}): () => App {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  return () => {
    const { app, cleanup } = testApp(context);
    cleanups.push(cleanup);
    return app;
  };
}

/** The logical ID of a construct's CloudFormation resource (its default child's, for an L2). */
export function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct;
  return Stack.of(construct).getLogicalId(resource as CfnElement);
}

export interface ValidatedSynth {
  /** `undefined` when synthesis threw, as it does when a validation plugin reports an error. */
  readonly assembly: ReturnType<App["synth"]> | undefined;
  /** What `app.synth()` threw, if anything. */
  readonly error: unknown;
  /**
   * Plugins with anything to report, a finding or an acknowledgement; CDK leaves a plugin that
   * found nothing out of the report, so this does not list every plugin that ran.
   */
  readonly plugins: readonly string[];
  /** Every finding left unacknowledged, warnings included: `<plugin> <rule> (<severity>) at <paths>`. */
  readonly unacknowledged: readonly string[];
}

interface ValidationReportJson {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly {
      readonly ruleName: string;
      readonly severity: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

/**
 * Synthesizes an app that has validation plugins and reads the `validation-report.json` CDK
 * writes next to the assembly (on success too), so a test can assert on the findings
 * themselves rather than on a thrown "validation failed".
 */
export function synthWithValidation(app: App): ValidatedSynth {
  let assembly: ReturnType<App["synth"]> | undefined;
  let error: unknown;
  try {
    assembly = app.synth();
  } catch (caught) {
    error = caught;
  }
  const file = join(app.outdir, "validation-report.json");
  // CDK writes the report whenever a plugin is registered, even with nothing in it.
  if (!existsSync(file)) throw error ?? new Error(`no ${file}: the app has no validation plugin`);
  const report = JSON.parse(readFileSync(file, "utf8")) as ValidationReportJson;
  return {
    assembly,
    error,
    plugins: report.pluginReports.map((plugin) => plugin.pluginName),
    unacknowledged: report.pluginReports.flatMap((plugin) =>
      plugin.violations.map(
        (violation) =>
          `${plugin.pluginName} ${violation.ruleName} (${violation.severity}) at ${violation.violatingConstructs
            .map((construct) => construct.constructPath)
            .join(", ")}`,
      ),
    ),
  };
}

export interface CfnLintFinding {
  readonly Rule: { readonly Id: string; readonly Description: string };
  readonly Level: "Error" | "Warning" | "Informational";
  readonly Message: string;
  readonly Location: { readonly Path: readonly (string | number)[] };
}

/** Runs cfn-lint (installed by scripts/test-services.sh) on a synthesized stack's template. */
export async function cfnLint(stack: Stack, template: unknown): Promise<CfnLintFinding[]> {
  const bin = requiredServiceVariable("PHOENIX_CFN_LINT_BIN");
  const dir = mkdtempSync(join(tmpdir(), "phoenix-cfn-lint-"));
  const file = join(dir, `${stack.stackName}.template.json`);
  try {
    writeFileSync(file, JSON.stringify(template));
    const { stdout } = await run(bin, ["--format", "json", `--regions=${stack.region}`, "--", file], {
      maxBuffer: 64 * 1024 * 1024,
    }).catch(
      // cfn-lint exits non-zero when it finds anything; its JSON is still on stdout.
      (error: { stdout?: string; stderr?: string }) => {
        if (error.stdout) return { stdout: error.stdout };
        throw new Error(`cfn-lint failed: ${error.stderr ?? String(error)}`);
      },
    );
    return JSON.parse(stdout) as CfnLintFinding[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** cfn-lint's warnings and notes, one a line, for the test log: they do not fail a test. */
export function formatCfnLintWarnings(findings: readonly CfnLintFinding[]): string {
  const rest = findings
    .filter((finding) => finding.Level !== "Error")
    .map((f) => `${f.Level} ${f.Rule.Id} ${f.Location.Path.join("/")}: ${f.Message}`);
  return `cfn-lint warnings and notes (${rest.length}):\n${rest.join("\n")}`;
}
