// In-process costs (no HTTP): what one notification's verification costs on this machine —
// JSON.parse of the body, the RSA-2048 SHA-256 verify alone, and the bot's whole
// SnsSignatureVerifier.verify (certificate cached after the first).
import { verify, X509Certificate } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { SnsSignatureVerifier } from "@phoenix/ops-bot";
import { referenceStringToSign, type TestSigningIdentity } from "../test/support/sns-test-signer.js";
import type { NotificationSigner } from "./notifications.js";

export interface InProcessCosts {
  readonly jsonParseUs: number;
  readonly rsaVerifyUs: number;
  readonly verifierUs: number;
}

/** Microseconds per call of `fn` over `items`, after a warm-up over the first 200. */
async function timeEach<T>(items: readonly T[], fn: (item: T) => unknown): Promise<number> {
  for (const item of items.slice(0, 200)) await fn(item);
  const started = performance.now();
  for (const item of items) await fn(item);
  return ((performance.now() - started) * 1000) / items.length;
}

export async function inProcessCosts(
  Verifier: typeof SnsSignatureVerifier,
  identity: TestSigningIdentity,
  signer: NotificationSigner,
): Promise<InProcessCosts> {
  const verifier = new Verifier({ fetcher: { fetchCertificate: async () => identity.certificatePem } });
  const envelopes = Array.from({ length: 2000 }, () => signer.envelope());
  const bodies = envelopes.map((envelope) => JSON.stringify(envelope));
  const publicKey = new X509Certificate(identity.certificatePem).publicKey;
  return {
    jsonParseUs: await timeEach(bodies, (body) => JSON.parse(body)),
    rsaVerifyUs: await timeEach(envelopes, (envelope) =>
      verify(
        "sha256",
        Buffer.from(referenceStringToSign(envelope), "utf8"),
        publicKey,
        Buffer.from(envelope.Signature, "base64"),
      ),
    ),
    verifierUs: await timeEach(envelopes, (envelope) => verifier.verify(envelope)),
  };
}
