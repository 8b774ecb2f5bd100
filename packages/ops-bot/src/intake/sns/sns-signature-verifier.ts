import { constants, type KeyObject, verify as verifySignature, X509Certificate } from "node:crypto";
import type { CertificateFetcher } from "../../ports/certificate-fetcher.js";
import { checkSigningCertificateUrl, parseSnsTopicArn, type SnsTopic } from "./signing-certificate-url.js";
import { buildStringToSign, type SnsEnvelopeInput, type SnsSignedFields } from "./string-to-sign.js";

/** Why a message failed verification; the endpoint maps these to status codes and log lines. */
export type SnsVerificationFailure =
  | "malformed-envelope"
  | "unsupported-version"
  | "bad-cert-url"
  | "cert-fetch-failed"
  | "bad-certificate"
  | "cert-not-current"
  | "bad-signature";

export class SnsVerificationError extends Error {
  override readonly name = "SnsVerificationError";

  constructor(
    readonly reason: SnsVerificationFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`sns verification (${reason}): ${message}`, options);
  }
}

export type SnsSignatureVersion = "1" | "2";

/** What verification proves: these fields were signed by SNS for this topic. Unsigned fields are dropped. */
export interface VerifiedSnsMessage {
  readonly signed: SnsSignedFields;
  readonly topic: SnsTopic;
  readonly signatureVersion: SnsSignatureVersion;
  readonly signingCertificateUrl: URL;
}

/** What the endpoint needs from a verifier; tests may substitute their own. */
export interface SnsMessageVerifier {
  verify(envelope: SnsEnvelopeInput): Promise<VerifiedSnsMessage>;
}

export interface SnsSignatureVerifierOptions {
  readonly fetcher: CertificateFetcher;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /**
   * SignatureVersion values accepted. A topic whose `SignatureVersion` attribute is set to 2
   * may drop "1" here to refuse SHA-1 outright.
   * @default ["1", "2"]
   */
  readonly signatureVersions?: readonly SnsSignatureVersion[];
  /**
   * Certificates kept. SNS uses one certificate per region at a time, so a handful covers a
   * rotation in every region the bot listens to; the bound stops an attacker who varies the
   * certificate id from growing memory.
   * @default 32
   */
  readonly cacheMaxEntries?: number;
  /**
   * How long a fetched certificate is reused. SNS publishes a rotated certificate under a
   * new URL, so the TTL only bounds how long a revoked-but-unexpired one could linger.
   * @default 3_600_000 (one hour)
   */
  readonly cacheTtlMs?: number;
}

// SHA1withRSA and SHA256withRSA, both PKCS#1 v1.5.
const DIGEST: Readonly<Record<SnsSignatureVersion, string>> = { "1": "sha1", "2": "sha256" };
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MIN_RSA_BITS = 2048;

/**
 * Verifies SNS message signatures. The certificate URL is checked (host, path, region of
 * the topic) before anything is fetched, and fetched certificates are cached, so a burst of
 * notifications costs one fetch.
 */
export class SnsSignatureVerifier implements SnsMessageVerifier {
  private readonly certificates: SigningCertificateCache;
  private readonly now: () => Date;
  private readonly signatureVersions: ReadonlySet<string>;

  constructor(options: SnsSignatureVerifierOptions) {
    this.now = options.now ?? (() => new Date());
    this.signatureVersions = new Set(options.signatureVersions ?? ["1", "2"]);
    this.certificates = new SigningCertificateCache(
      options.fetcher,
      () => this.now().getTime(),
      options.cacheMaxEntries ?? 32,
      options.cacheTtlMs ?? 3_600_000,
    );
  }

  async verify(envelope: SnsEnvelopeInput): Promise<VerifiedSnsMessage> {
    const version = envelope.SignatureVersion;
    if (!isSignatureVersion(version) || !this.signatureVersions.has(version)) {
      throw new SnsVerificationError(
        "unsupported-version",
        `SignatureVersion ${JSON.stringify(version)} is not accepted`,
      );
    }
    const built = buildStringToSign(envelope);
    if (!built.ok) throw new SnsVerificationError("malformed-envelope", built.problem);
    const topic = parseSnsTopicArn(envelope.TopicArn);
    if (!topic) throw new SnsVerificationError("malformed-envelope", "TopicArn is not an SNS topic ARN");
    if (typeof envelope.Signature !== "string" || !BASE64.test(envelope.Signature) || envelope.Signature === "") {
      throw new SnsVerificationError("bad-signature", "Signature is not base64");
    }
    const certificateUrl = checkSigningCertificateUrl(envelope.SigningCertURL, { region: topic.region });
    if (!certificateUrl.ok) {
      throw new SnsVerificationError("bad-cert-url", `SigningCertURL refused: ${certificateUrl.problem}`);
    }

    const certificate = await this.certificates.get(certificateUrl.url);
    const now = this.now().getTime();
    if (now < certificate.validFrom || now > certificate.validTo) {
      this.certificates.evict(certificateUrl.url);
      throw new SnsVerificationError(
        "cert-not-current",
        `signing certificate ${certificateUrl.url.href} is not valid now`,
      );
    }
    const valid = verifySignature(
      DIGEST[version],
      Buffer.from(built.stringToSign, "utf8"),
      { key: certificate.publicKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(envelope.Signature, "base64"),
    );
    if (!valid) throw new SnsVerificationError("bad-signature", "signature does not match the signed fields");
    return { signed: built.signed, topic, signatureVersion: version, signingCertificateUrl: certificateUrl.url };
  }
}

function isSignatureVersion(value: unknown): value is SnsSignatureVersion {
  return value === "1" || value === "2";
}

interface SigningCertificate {
  readonly publicKey: KeyObject;
  readonly validFrom: number;
  readonly validTo: number;
}

interface CacheEntry {
  readonly certificate: Promise<SigningCertificate>;
  readonly expiresAt: number;
}

/**
 * LRU of parsed certificates keyed by URL, with a TTL. Stores the promise, so concurrent
 * first requests share one fetch; a failed fetch is forgotten so the next message retries.
 */
class SigningCertificateCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly fetcher: CertificateFetcher,
    private readonly nowMs: () => number,
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(url: URL): Promise<SigningCertificate> {
    const key = url.href;
    const now = this.nowMs();
    const hit = this.entries.get(key);
    this.entries.delete(key);
    if (hit && hit.expiresAt > now) {
      this.entries.set(key, hit); // most recently used goes last
      return hit.certificate;
    }
    const entry: CacheEntry = { certificate: this.load(url), expiresAt: now + this.ttlMs };
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
    entry.certificate.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.certificate;
  }

  evict(url: URL): void {
    this.entries.delete(url.href);
  }

  private async load(url: URL): Promise<SigningCertificate> {
    let pem: string;
    try {
      pem = await this.fetcher.fetchCertificate(url);
    } catch (cause) {
      throw new SnsVerificationError("cert-fetch-failed", `could not fetch ${url.href}`, { cause });
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(pem);
    } catch (cause) {
      throw new SnsVerificationError("bad-certificate", `${url.href} is not an X.509 certificate`, { cause });
    }
    const publicKey = certificate.publicKey;
    const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (publicKey.asymmetricKeyType !== "rsa" || bits < MIN_RSA_BITS) {
      throw new SnsVerificationError(
        "bad-certificate",
        `${url.href} does not hold an RSA key of ${MIN_RSA_BITS}+ bits`,
      );
    }
    const validFrom = Date.parse(certificate.validFrom);
    const validTo = Date.parse(certificate.validTo);
    if (Number.isNaN(validFrom) || Number.isNaN(validTo)) {
      throw new SnsVerificationError("bad-certificate", `${url.href} has an unreadable validity period`);
    }
    return { publicKey, validFrom, validTo };
  }
}
