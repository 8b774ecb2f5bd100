/** The parts of an ARN: `arn:partition:service:region:account:resource`. */
export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the account; it may itself contain colons (`alarm:my-alarm`). */
  readonly resource: string;
}

/** Splits an ARN into its parts, or returns `undefined` when the text is not an ARN. */
export function parseArn(arn: string): ArnParts | undefined {
  const [prefix, partition, service, region, account, ...resource] = arn.split(":");
  if (prefix !== "arn" || !partition || !service || region === undefined || account === undefined) return undefined;
  if (resource.length === 0) return undefined;
  return { partition, service, region, account, resource: resource.join(":") };
}
