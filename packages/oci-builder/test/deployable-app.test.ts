import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { prepareDeployableApp } from "../src/deployable-app.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A one-package pnpm workspace (no registry needed: the package has no dependencies). */
function workspace(): { root: string; packageDir: string } {
  const root = mkdtempSync(join(tmpdir(), "deployable-ws-"));
  dirs.push(root);
  const packageDir = join(root, "packages/demo");
  mkdirSync(join(packageDir, "dist"), { recursive: true });
  writeFileSync(join(root, "package.json"), '{"name":"ws","private":true}\n');
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - packages/*\n");
  writeFileSync(
    join(packageDir, "package.json"),
    '{"name":"@demo/app","version":"1.0.0","main":"./dist/main.js","files":["dist"]}\n',
  );
  writeFileSync(join(packageDir, "dist/main.js"), "console.log('v1');\n");
  execFileSync("pnpm", ["install", "--offline"], { cwd: root, stdio: "ignore" });
  return { root, packageDir };
}

describe("deployable app directory", () => {
  it("deploys the package's manifest and dist, and reuses the directory until dist changes", async () => {
    const { root, packageDir } = workspace();
    const outputDir = join(root, "out/app");
    const options = { workspaceRoot: root, packageName: "@demo/app", packageDir, outputDir };

    const first = await prepareDeployableApp(options);
    expect(first).toEqual({ directory: outputDir, reused: false });
    expect(JSON.parse(readFileSync(join(outputDir, "package.json"), "utf8")).name).toBe("@demo/app");
    expect(readFileSync(join(outputDir, "dist/main.js"), "utf8")).toBe("console.log('v1');\n");

    expect(await prepareDeployableApp(options)).toEqual({ directory: outputDir, reused: true });

    writeFileSync(join(packageDir, "dist/main.js"), "console.log('version two');\n");
    expect(await prepareDeployableApp(options)).toEqual({ directory: outputDir, reused: false });
    expect(readFileSync(join(outputDir, "dist/main.js"), "utf8")).toBe("console.log('version two');\n");
    expect(existsSync(`${outputDir}.staging-${process.pid}`)).toBe(false);
  });

  it("asks for a build when the package has no dist", async () => {
    const { root, packageDir } = workspace();
    rmSync(join(packageDir, "dist"), { recursive: true });
    await expect(
      prepareDeployableApp({ workspaceRoot: root, packageName: "@demo/app", packageDir, outputDir: join(root, "out") }),
    ).rejects.toThrow(/dist does not exist: run `pnpm --filter @demo\/app build` first/);
  });
});
