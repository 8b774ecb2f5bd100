import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  SnsSignatureVerifier,
  SnsVerificationError,
  type SnsVerificationFailure,
} from "../../../src/intake/sns/sns-signature-verifier.js";
import type { SnsEnvelopeInput } from "../../../src/intake/sns/string-to-sign.js";
import {
  createSigningIdentity,
  DOCS_SIGNING_CERT_URL,
  docsNotification,
  docsSubscriptionConfirmation,
  docsUnsubscribeConfirmation,
  RecordingCertificateFetcher,
  signEnvelope,
  type TestSigningIdentity,
} from "../../support/sns-test-signer.js";

let sns: TestSigningIdentity;
let attacker: TestSigningIdentity;

beforeAll(async () => {
  [sns, attacker] = await Promise.all([createSigningIdentity(), createSigningIdentity()]);
}, 60_000);

function verifierFor(
  pem = sns.certificatePem,
  options: Partial<ConstructorParameters<typeof SnsSignatureVerifier>[0]> = {},
) {
  const fetcher = new RecordingCertificateFetcher(pem);
  return { fetcher, verifier: new SnsSignatureVerifier({ fetcher, ...options }) };
}

async function failureOf(promise: Promise<unknown>): Promise<SnsVerificationFailure | "passed"> {
  try {
    await promise;
    return "passed";
  } catch (error) {
    if (error instanceof SnsVerificationError) return error.reason;
    throw error;
  }
}

function tampered(envelope: SnsEnvelopeInput, field: string): SnsEnvelopeInput {
  const value = (envelope as unknown as Record<string, string>)[field];
  // Type must stay a valid type so that the failure is the signature, not the shape.
  const replacement =
    field === "Type"
      ? envelope.Type === "SubscriptionConfirmation"
        ? "UnsubscribeConfirmation"
        : "SubscriptionConfirmation"
      : field === "TopicArn"
        ? "arn:aws:sns:us-west-2:123456789012:OtherTopic"
        : `${value}x`;
  // A notification turned into a confirmation needs the confirmation-only fields to get as far as the signature.
  return { SubscribeURL: "https://sns.us-west-2.amazonaws.com/", Token: "t", ...envelope, [field]: replacement };
}

describe("SNS signature verification", () => {
  it.each(["1", "2"] as const)("accepts a notification signed with SignatureVersion %s", async (version) => {
    const { verifier, fetcher } = verifierFor();
    const verified = await verifier.verify(signEnvelope(docsNotification(version), sns));
    expect(verified.signatureVersion).toBe(version);
    expect(verified.signed).toEqual({
      Type: "Notification",
      MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
      TopicArn: "arn:aws:sns:us-west-2:123456789012:MyTopic",
      Subject: "My First Message",
      Message: "Hello world!",
      Timestamp: "2012-05-02T00:54:06.655Z",
    });
    expect(fetcher.requested).toEqual([DOCS_SIGNING_CERT_URL]);
  });

  it.each([
    ["SubscriptionConfirmation", docsSubscriptionConfirmation],
    ["UnsubscribeConfirmation", docsUnsubscribeConfirmation],
  ])("accepts a signed %s", async (_type, make) => {
    const { verifier } = verifierFor();
    for (const version of ["1", "2"] as const) {
      await expect(verifier.verify(signEnvelope(make(version), sns))).resolves.toMatchObject({
        signatureVersion: version,
      });
    }
  });

  it("accepts a notification without Subject", async () => {
    const { Subject: _subject, ...withoutSubject } = docsNotification("2");
    const { verifier } = verifierFor();
    const verified = await verifier.verify(signEnvelope(withoutSubject, sns));
    expect(verified.signed).not.toHaveProperty("Subject");
  });

  describe.each([
    ["Notification", docsNotification, ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]],
    [
      "SubscriptionConfirmation",
      docsSubscriptionConfirmation,
      ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
    ],
    [
      "UnsubscribeConfirmation",
      docsUnsubscribeConfirmation,
      ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
    ],
  ] as const)("a %s", (_type, make, signedFields) => {
    it.each(signedFields)("fails verification when %s is tampered with", async (field) => {
      const { verifier } = verifierFor();
      for (const version of ["1", "2"] as const) {
        const signed = signEnvelope(make(version), sns);
        expect(await failureOf(verifier.verify(tampered(signed, field)))).toBe("bad-signature");
      }
    });
  });

  it("fails verification when a signed Subject is removed or an unsigned one added", async () => {
    const { verifier } = verifierFor();
    const { Subject: _subject, ...removed } = signEnvelope(docsNotification(), sns);
    expect(await failureOf(verifier.verify(removed))).toBe("bad-signature");
    const { Subject: _s, ...unsigned } = docsNotification();
    const added = { ...signEnvelope(unsigned, sns), Subject: "Injected" };
    expect(await failureOf(verifier.verify(added))).toBe("bad-signature");
  });

  it("ignores unsigned fields: UnsubscribeURL and extra keys neither break nor pass through verification", async () => {
    const { verifier } = verifierFor();
    const signed = signEnvelope(docsNotification(), sns);
    const padded = {
      ...signed,
      UnsubscribeURL: "https://evil.example/",
      SubscribeURL: "https://evil.example/",
      Extra: "x",
    };
    const verified = await verifier.verify(padded);
    expect(JSON.stringify(verified.signed)).not.toContain("evil");
  });

  it("fails a signature made with another key, even when the certificate URL is SNS's", async () => {
    const { verifier } = verifierFor();
    expect(await failureOf(verifier.verify(signEnvelope(docsNotification(), attacker)))).toBe("bad-signature");
  });

  it("fails when SignatureVersion is switched between 1 and 2 (SHA-1 vs SHA-256)", async () => {
    const { verifier } = verifierFor();
    const signedV1 = signEnvelope(docsNotification("1"), sns);
    expect(await failureOf(verifier.verify({ ...signedV1, SignatureVersion: "2" }))).toBe("bad-signature");
  });

  it("refuses unknown signature versions, and version 1 when only 2 is accepted, without fetching", async () => {
    const { verifier, fetcher } = verifierFor(sns.certificatePem, { signatureVersions: ["2"] });
    expect(
      await failureOf(verifier.verify({ ...signEnvelope(docsNotification("2"), sns), SignatureVersion: "3" })),
    ).toBe("unsupported-version");
    expect(await failureOf(verifier.verify(signEnvelope(docsNotification("1"), sns)))).toBe("unsupported-version");
    expect(fetcher.requested).toEqual([]);
  });

  it("refuses a Signature that is not base64 without fetching", async () => {
    const { verifier, fetcher } = verifierFor();
    expect(await failureOf(verifier.verify({ ...docsNotification(), Signature: "not base64!" }))).toBe("bad-signature");
    expect(await failureOf(verifier.verify({ ...docsNotification(), Signature: "" }))).toBe("bad-signature");
    expect(fetcher.requested).toEqual([]);
  });

  it("fails a base64 Signature of the wrong length as a bad signature, not a crash", async () => {
    const { verifier } = verifierFor();
    expect(await failureOf(verifier.verify({ ...docsNotification(), Signature: "AA==" }))).toBe("bad-signature");
  });

  it.each([
    ["an S3 bucket", "https://s3.amazonaws.com/attacker-bucket/SimpleNotificationService-f3ecfb72.pem"],
    ["a look-alike host", "https://sns.us-west-2.amazonaws.com.evil.com/SimpleNotificationService-f3ecfb72.pem"],
    ["a look-alike path", "https://evil.com/sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb72.pem"],
    ["plain http", "http://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb72.pem"],
    ["a wrong path", "https://sns.us-west-2.amazonaws.com/attacker.pem"],
    ["another region than the topic's", "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-f3ecfb72.pem"],
  ])("refuses a certificate URL on %s before fetching anything", async (_case, url) => {
    const { verifier, fetcher } = verifierFor(attacker.certificatePem);
    const forged = { ...signEnvelope(docsNotification(), attacker), SigningCertURL: url };
    expect(await failureOf(verifier.verify(forged))).toBe("bad-cert-url");
    expect(fetcher.requested).toEqual([]);
  });

  it("refuses a TopicArn that is not an SNS topic before fetching", async () => {
    const { verifier, fetcher } = verifierFor();
    const envelope = signEnvelope(
      { ...docsNotification(), TopicArn: "arn:aws:sqs:us-west-2:123456789012:MyQueue" },
      sns,
    );
    expect(await failureOf(verifier.verify(envelope))).toBe("malformed-envelope");
    expect(fetcher.requested).toEqual([]);
  });
});

describe("signing certificates", () => {
  it("are fetched once for 100 verifications, sequential or concurrent", async () => {
    const { verifier, fetcher } = verifierFor();
    const envelope = signEnvelope(docsNotification("2"), sns);
    await Promise.all(Array.from({ length: 50 }, () => verifier.verify(envelope)));
    for (let i = 0; i < 50; i++) await verifier.verify(envelope);
    expect(fetcher.requested).toHaveLength(1);
  });

  it("are fetched again once the cache TTL has passed", async () => {
    let now = Date.now();
    const { verifier, fetcher } = verifierFor(sns.certificatePem, { now: () => new Date(now), cacheTtlMs: 60_000 });
    const envelope = signEnvelope(docsNotification(), sns);
    await verifier.verify(envelope);
    now += 59_000;
    await verifier.verify(envelope);
    expect(fetcher.requested).toHaveLength(1);
    now += 2_000;
    await verifier.verify(envelope);
    expect(fetcher.requested).toHaveLength(2);
  });

  it("are kept for at most cacheMaxEntries URLs, least recently used first out", async () => {
    const { verifier, fetcher } = verifierFor(sns.certificatePem, { cacheMaxEntries: 2 });
    const at = (id: string) =>
      signEnvelope(
        {
          ...docsNotification(),
          SigningCertURL: `https://sns.us-west-2.amazonaws.com/SimpleNotificationService-${id}.pem`,
        },
        sns,
      );
    for (const id of ["a", "b", "a", "c", "a", "b"]) await verifier.verify(at(id));
    // a, b fetched; a hit; c evicts b; a hit; b fetched again.
    expect(fetcher.requested.map((url) => /Service-(\w+)\.pem/.exec(url)?.[1])).toEqual(["a", "b", "c", "b"]);
  });

  it("are not cached when the fetch fails, and the failure is reported as cert-fetch-failed", async () => {
    const { verifier, fetcher } = verifierFor();
    fetcher.failNext = 1;
    const envelope = signEnvelope(docsNotification(), sns);
    expect(await failureOf(verifier.verify(envelope))).toBe("cert-fetch-failed");
    await expect(verifier.verify(envelope)).resolves.toBeDefined();
    expect(fetcher.requested).toHaveLength(2);
  });

  it("are refused once expired, and before their validity starts", async () => {
    const certificate = new X509Certificate(sns.certificatePem);
    const envelope = signEnvelope(docsNotification(), sns);
    const expired = verifierFor(sns.certificatePem, { now: () => new Date(Date.parse(certificate.validTo) + 60_000) });
    expect(await failureOf(expired.verifier.verify(envelope))).toBe("cert-not-current");
    const early = verifierFor(sns.certificatePem, { now: () => new Date(Date.parse(certificate.validFrom) - 60_000) });
    expect(await failureOf(early.verifier.verify(envelope))).toBe("cert-not-current");
  });

  it("must hold an RSA key of at least 2048 bits", async () => {
    const [ec, weak] = await Promise.all([
      createSigningIdentity(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]),
      createSigningIdentity(["-newkey", "rsa:1024"]),
    ]);
    for (const identity of [ec, weak]) {
      const { verifier } = verifierFor(identity.certificatePem);
      expect(await failureOf(verifier.verify(signEnvelope(docsNotification("2"), identity)))).toBe("bad-certificate");
    }
  }, 60_000);

  it("must parse as X.509", async () => {
    const { verifier } = verifierFor("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    expect(await failureOf(verifier.verify(signEnvelope(docsNotification(), sns)))).toBe("bad-certificate");
  });
});
