/**
 * The account moto acts in when a request names none (its `DEFAULT_ACCOUNT_ID`): the ops
 * account, where the bot's own keys land until it assumes a role in another account.
 */
export const MOTO_DEFAULT_ACCOUNT = "123456789012";

/** moto's header choosing the account a request acts in (moto 5, "multi-account" in its docs). */
const MOTO_ACCOUNT_HEADER = "x-moto-account-id";

interface MiddlewareClient {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: { request: unknown }) => Promise<unknown>,
      ) => (args: { request: unknown }) => Promise<unknown>,
      options: { step: "build"; name: string },
    ): void;
  };
}

/**
 * `client` (any AWS SDK v3 client), acting in moto account `account`: each request carries
 * moto's account header. For playing AWS itself (seeding, test setup and checks); the bot never
 * uses it, it reaches other accounts by assuming roles through STS, as in AWS.
 */
export function inMotoAccount<Client>(client: Client, account: string): Client {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers[MOTO_ACCOUNT_HEADER] = account;
      return next(args);
    },
    { step: "build", name: "motoAccountHeader" },
  );
  return client;
}
