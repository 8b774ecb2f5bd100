import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Construct } from "constructs";
import { type PhoenixConfig, PhoenixConfigError, parsePhoenixConfig } from "./phoenix-config.js";

/** Context key holding the config itself (an object in `cdk.json`'s `context`). */
export const PHOENIX_CONFIG_CONTEXT = "phoenix";
/** Context key naming a JSON file that holds the config: `cdk synth -c phoenixConfig=config/two-accounts.json`. */
export const PHOENIX_CONFIG_FILE_CONTEXT = "phoenixConfig";

/**
 * The config the CDK app was given: the JSON file named by `-c phoenixConfig=<path>` (relative
 * to the working directory, which `cdk` sets to the folder of `cdk.json`), or the `phoenix`
 * object in `cdk.json`'s context. Exactly one of the two.
 */
export function phoenixConfigFromContext(scope: Construct): PhoenixConfig {
  const file: unknown = scope.node.tryGetContext(PHOENIX_CONFIG_FILE_CONTEXT);
  const inline: unknown = scope.node.tryGetContext(PHOENIX_CONFIG_CONTEXT);
  if (file !== undefined && inline !== undefined) {
    throw new PhoenixConfigError(
      `phoenix config: give the context "${PHOENIX_CONFIG_CONTEXT}" or "${PHOENIX_CONFIG_FILE_CONTEXT}", not both`,
    );
  }
  if (file !== undefined) {
    if (typeof file !== "string" || file === "") {
      throw new PhoenixConfigError(`phoenix config: -c ${PHOENIX_CONFIG_FILE_CONTEXT} must name a JSON file`);
    }
    return parsePhoenixConfig(readConfigFile(resolve(file)));
  }
  if (inline !== undefined) return parsePhoenixConfig(inline);
  throw new PhoenixConfigError(
    `phoenix config: none given; add a "${PHOENIX_CONFIG_CONTEXT}" object to cdk.json's context or pass -c ${PHOENIX_CONFIG_FILE_CONTEXT}=<file> (examples in packages/infra/config/)`,
  );
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new PhoenixConfigError(`phoenix config: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PhoenixConfigError(`phoenix config: ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}
