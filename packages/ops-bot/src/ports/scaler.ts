import type { ServiceTarget } from "./service-target.js";

export interface ScalingBounds {
  readonly min: number;
  readonly max: number;
}

/** Application Auto Scaling bounds of the service, never its desired count. */
export interface Scaler {
  bounds(target: ServiceTarget): Promise<ScalingBounds>;
  setBounds(target: ServiceTarget, bounds: ScalingBounds): Promise<void>;
}
