import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { motoClientConfig } from "../../../../test-support/moto.js";

/** moto's account when a request names none (its `DEFAULT_ACCOUNT_ID`): the bot's, the ops account. */
export const OPS_ACCOUNT = "123456789012";

interface ClientWithMiddleware {
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
 * `client`, acting in moto account `accountId`: every request carries the `x-moto-account-id`
 * header (FACTS.md). For test setup and checks only; the bot reaches other accounts through STS.
 */
export function inMotoAccount<C>(client: C, accountId: string): C {
  (client as unknown as ClientWithMiddleware).middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers["x-moto-account-id"] = accountId;
      return next(args);
    },
    { step: "build", name: "motoAccount" },
  );
  return client;
}

/**
 * A deployer role in account `accountId` that trusts the ops account, as the environment stack
 * creates it (moto enforces neither trust nor policies; the role must exist for AssumeRole).
 */
export async function deployerRoleInMoto(accountId: string, roleName: string): Promise<string> {
  const iam = inMotoAccount(new IAMClient({ ...motoClientConfig(), region: "us-east-1" }), accountId);
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OPS_ACCOUNT}:root` }, Action: "sts:AssumeRole" },
        ],
      }),
    }),
  );
  if (!Role?.Arn) throw new Error(`moto created no role ${roleName} in ${accountId}`);
  return Role.Arn;
}
