/**
 * The two layouts `pnpm synth` writes (config/single-account.json, config/two-accounts.json),
 * each synthesized once per test file with cdk-nag, exactly as the CDK app builds them: the
 * bot's code from the Lambda bundle the installed @phoenix/ops-bot exports.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { App } from "aws-cdk-lib";
import { type PhoenixConfig, parsePhoenixConfig } from "../../src/config/phoenix-config.js";
import {
  buildPhoenixApp,
  type PhoenixAppStacks,
  type PhoenixTemplates,
  templatesOfAssembly,
} from "../../src/stack/phoenix-app.js";
import { synthWithValidation, testApp, type ValidatedSynth } from "./synth.js";

export const LAYOUTS = ["single-account", "two-accounts"] as const;
export type LayoutName = (typeof LAYOUTS)[number];

/** The shipped config file of `layout` (packages/infra/config/), by absolute path: tests run from any directory. */
export function layoutConfigFile(layout: LayoutName): string {
  return fileURLToPath(new URL(`../../config/${layout}.json`, import.meta.url));
}

/** The shipped config of `layout` as raw JSON, before validation. */
export function rawLayoutConfig(layout: LayoutName): Record<string, unknown> {
  return JSON.parse(readFileSync(layoutConfigFile(layout), "utf8"));
}

export function layoutConfig(layout: LayoutName): PhoenixConfig {
  return parsePhoenixConfig(rawLayoutConfig(layout));
}

export interface SynthesizedLayout {
  readonly layout: LayoutName;
  readonly config: PhoenixConfig;
  readonly app: App;
  readonly stacks: PhoenixAppStacks;
  readonly validation: ValidatedSynth;
  readonly templates: PhoenixTemplates;
}

const cache = new Map<LayoutName, SynthesizedLayout>();
const cleanups: (() => void)[] = [];

/** The layout synthesized with cdk-nag; the same object for every call in one test file. */
export function synthesizedLayout(layout: LayoutName): SynthesizedLayout {
  const cached = cache.get(layout);
  if (cached) return cached;
  const config = layoutConfig(layout);
  const { app, cleanup } = testApp();
  cleanups.push(cleanup);
  const stacks = buildPhoenixApp(app, config);
  const validation = synthWithValidation(app);
  const assembly = validation.assembly;
  if (!assembly) throw validation.error;
  const templates = templatesOfAssembly(assembly, stacks);
  const synthesized = { layout, config, app, stacks, validation, templates };
  cache.set(layout, synthesized);
  return synthesized;
}

/** Removes the layouts' output directories; call from `afterAll`. */
export function cleanUpLayouts(): void {
  for (const cleanup of cleanups.splice(0)) cleanup();
  cache.clear();
}
