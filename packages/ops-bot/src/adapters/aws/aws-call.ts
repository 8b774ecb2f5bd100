import { DeliveryError } from "../../ports/delivery-error.js";

/**
 * Runs one AWS call and turns its failure into a `DeliveryError` carrying the AWS error name
 * (`ThrottlingException`, `ServiceNotFoundException`, `AccessDeniedException`, …) and AWS's own
 * message. The SDK has already retried throttling and transient faults by the time this sees
 * them, so what arrives here is worth telling the person who ran the command.
 */
export async function awsCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw deliveryErrorFrom(error);
  }
}

export function deliveryErrorFrom(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof Error) return new DeliveryError(error.message || error.name, error.name, { cause: error });
  return new DeliveryError(String(error), "UnknownError", { cause: error });
}
