import { ECRClient, GetAuthorizationTokenCommand, type GetAuthorizationTokenCommandOutput } from "@aws-sdk/client-ecr";
import { describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../test-support/moto.js";
import { decodeAuthorizationToken, ecrRegistryCredentials } from "../src/ecr-registry-credentials.js";
import { OciBuildError } from "../src/oci-build-error.js";

describe("ecrRegistryCredentials (moto server)", () => {
  it("turns GetAuthorizationToken into the registry host, user AWS and the decoded password", async () => {
    const credentials = ecrRegistryCredentials(new ECRClient(motoClientConfig()));
    // moto's token is base64("AWS:<account>-auth-token") for its default account.
    expect(await credentials()).toEqual({
      registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
      username: "AWS",
      password: "123456789012-auth-token",
    });
  });
});

describe("ecrRegistryCredentials caching (ECR double)", () => {
  const HOUR = 3_600_000;

  /** An ECR double whose tokens expire `validMs` after they are issued on the given clock. */
  function ecr(clock: { now: number }, validMs = 12 * HOUR) {
    let calls = 0;
    const client = {
      async send(command: unknown): Promise<GetAuthorizationTokenCommandOutput> {
        expect(command).toBeInstanceOf(GetAuthorizationTokenCommand);
        calls += 1;
        return {
          $metadata: {},
          authorizationData: [
            {
              authorizationToken: Buffer.from(`AWS:token-${calls}`).toString("base64"),
              expiresAt: new Date(clock.now + validMs),
              proxyEndpoint: "https://111122223333.dkr.ecr.eu-west-1.amazonaws.com",
            },
          ],
        };
      },
    } as unknown as ECRClient;
    return { client, calls: () => calls };
  }

  it("reuses a token until five minutes before it expires, then fetches a new one", async () => {
    const clock = { now: Date.parse("2026-11-02T10:00:00Z") };
    const double = ecr(clock);
    const credentials = ecrRegistryCredentials(double.client, { now: () => clock.now });

    expect((await credentials()).password).toBe("token-1");
    clock.now += 11 * HOUR + 54 * 60_000;
    expect((await credentials()).password).toBe("token-1");
    clock.now += 2 * 60_000;
    expect((await credentials()).password).toBe("token-2");
    expect(double.calls()).toBe(2);
  });

  it("shares one request between concurrent callers", async () => {
    const clock = { now: 0 };
    const double = ecr(clock);
    const credentials = ecrRegistryCredentials(double.client, { now: () => clock.now });
    const all = await Promise.all([credentials(), credentials(), credentials()]);
    expect(all.map((c) => c.password)).toEqual(["token-1", "token-1", "token-1"]);
    expect(double.calls()).toBe(1);
  });

  it("does not cache a failure", async () => {
    let fail = true;
    const client = {
      async send() {
        if (fail) throw Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" });
        return {
          authorizationData: [
            {
              authorizationToken: Buffer.from("AWS:ok").toString("base64"),
              expiresAt: new Date(Date.now() + HOUR),
              proxyEndpoint: "https://111122223333.dkr.ecr.eu-west-1.amazonaws.com",
            },
          ],
        };
      },
    } as unknown as ECRClient;
    const credentials = ecrRegistryCredentials(client);
    await expect(credentials()).rejects.toMatchObject({ name: "OciBuildError", code: "AccessDeniedException" });
    fail = false;
    expect((await credentials()).password).toBe("ok");
  });

  it("refuses a token that is not base64 of user:password", () => {
    expect(() => decodeAuthorizationToken(Buffer.from("no-colon").toString("base64"))).toThrow(OciBuildError);
    expect(decodeAuthorizationToken(Buffer.from("AWS:a:b").toString("base64"))).toEqual({
      username: "AWS",
      password: "a:b",
    });
  });
});
