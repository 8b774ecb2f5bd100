import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { motoClientConfig } from "../../../../test-support/moto.js";
import { inMotoAccount, MOTO_DEFAULT_ACCOUNT } from "../../src/testing/moto-accounts.js";

/** The ops account: where the bot's own keys land in moto. */
export const OPS_ACCOUNT = MOTO_DEFAULT_ACCOUNT;
export { inMotoAccount };

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
