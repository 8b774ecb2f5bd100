import type { ServiceTarget } from "./service-target.js";

/**
 * Where an environment keeps the image the bot last deployed successfully, so that the
 * environment's own infrastructure deploys (`cdk deploy`) run that image instead of putting
 * their own back. Written in the environment's account, as the environment's deployer role.
 */
export interface LiveImageRecorder {
  /** Stores `imageUri` (`<registry>/<repository>@sha256:…`) as the target's live image, replacing the previous one. */
  record(target: ServiceTarget, parameterName: string, imageUri: string): Promise<void>;
}
