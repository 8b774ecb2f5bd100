import type { ScalingBounds } from "../../ports/scaler.js";
import type { EnvironmentConfig } from "../ops-config/ops-config-schema.js";

export type ScaleDecision =
  | { readonly kind: "apply"; readonly bounds: ScalingBounds }
  | { readonly kind: "refuse"; readonly reason: string };

/**
 * Checks a `/scale` request against the environment's configured limits. `reset` restores
 * the configured default. Without a scaling policy the environment cannot be scaled by
 * command: there are no limits to keep a typo from scaling to 900 tasks.
 */
export function decideScale(
  environment: Pick<EnvironmentConfig, "name" | "scaling">,
  requested: ScalingBounds | "reset",
): ScaleDecision {
  const policy = environment.scaling;
  if (!policy) {
    return {
      kind: "refuse",
      reason: `**${environment.name}** has no \`scaling\` limits in .github/phoenix-ops.yml, so it cannot be scaled by command.`,
    };
  }
  if (requested === "reset") return { kind: "apply", bounds: { min: policy.default.min, max: policy.default.max } };
  const allowed = `allowed: min ≥ ${policy.min}, max ≤ ${policy.max}, min ≤ max (default ${policy.default.min}-${policy.default.max})`;
  if (requested.min > requested.max) {
    return { kind: "refuse", reason: `min ${requested.min} is greater than max ${requested.max}; ${allowed}.` };
  }
  if (requested.min < policy.min || requested.max > policy.max) {
    return {
      kind: "refuse",
      reason: `${requested.min}-${requested.max} is outside the limits of **${environment.name}**; ${allowed}.`,
    };
  }
  return { kind: "apply", bounds: requested };
}
