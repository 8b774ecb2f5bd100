#!/usr/bin/env node
// Bundles the Lambda entry point with its dependencies into dist-lambda/index.mjs, the asset
// @phoenix/infra deploys (handler `index.handler`). Dependencies are bundled, the AWS SDK
// included, so the function runs the versions that were tested, not the runtime's.
import { OPS_BOT_LAMBDA_RUNTIME } from "@phoenix/shared";
import { build } from "esbuild";

await build({
  entryPoints: ["src/entry/lambda.ts"],
  outfile: "dist-lambda/index.mjs",
  bundle: true,
  platform: "node",
  // The Node major of the runtime the infrastructure deploys the bundle on.
  target: `node${OPS_BOT_LAMBDA_RUNTIME.nodeMajor}`,
  format: "esm",
  sourcemap: true,
  minify: false,
  legalComments: "linked",
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __phoenixCreateRequire } from 'node:module'; const require = __phoenixCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
