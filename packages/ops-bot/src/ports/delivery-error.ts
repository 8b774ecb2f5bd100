/**
 * An AWS or registry failure worth showing to the person who ran the command: the AWS error
 * name and its message (throttling, missing service, access denied), never a stack.
 */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
