/** Visits a SubscribeURL (an HTTPS GET). Only ever given a URL from a verified message. */
export interface SubscriptionConfirmer {
  confirmSubscription(subscribeUrl: URL): Promise<void>;
}
