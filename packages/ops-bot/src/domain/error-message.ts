import { DeliveryError } from "../ports/delivery-error.js";

/** What a person is told when a step failed: the AWS error name and message, never a stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof DeliveryError) return `${error.code}: ${error.message}`;
  if (error instanceof Error)
    return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
