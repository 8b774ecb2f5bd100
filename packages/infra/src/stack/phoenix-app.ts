import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { environmentConfig, PHOENIX_ENVIRONMENTS } from "./environments.js";
import { PhoenixStack, type PhoenixStackProps } from "./phoenix-stack.js";

/**
 * Adds the Phoenix stacks to an app: both environments, or the one named by the
 * `environment` context. AwsSolutions checks (cdk-nag) validate every synth.
 */
export function buildPhoenixApp(app: App, overrides: Partial<Omit<PhoenixStackProps, "config">> = {}): PhoenixStack[] {
  const only = app.node.tryGetContext("environment");
  const configs = only === undefined ? Object.values(PHOENIX_ENVIRONMENTS) : [environmentConfig(only)];
  const stacks = configs.map(
    (config) =>
      new PhoenixStack(app, `Phoenix-${config.environment}`, {
        config,
        env: { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.region },
        description: `Phoenix app and its operations (${config.environment})`,
        ...overrides,
      }),
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stacks;
}
