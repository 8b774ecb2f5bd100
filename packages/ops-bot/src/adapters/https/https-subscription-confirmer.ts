import type { SubscriptionConfirmer } from "../../ports/subscription-confirmer.js";

/**
 * Confirms an SNS subscription by visiting its SubscribeURL. The endpoint calls it only after
 * the confirmation message verified and the URL passed `checkSubscribeUrl`, so this only
 * adds transport limits: https, no redirects, a timeout, a 2xx answer.
 */
export function createHttpsSubscriptionConfirmer(
  options: { readonly timeoutMs?: number; readonly fetch?: typeof fetch } = {},
): SubscriptionConfirmer {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return {
    async confirmSubscription(subscribeUrl) {
      if (subscribeUrl.protocol !== "https:")
        throw new Error(`refusing to confirm through ${subscribeUrl.origin}: not https`);
      const response = await fetchImpl(subscribeUrl, {
        method: "GET",
        redirect: "error",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status > 299) {
        throw new Error(`SNS answered ${response.status} to the subscription confirmation`);
      }
    },
  };
}
