import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { App, type Stack } from "aws-cdk-lib";
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
