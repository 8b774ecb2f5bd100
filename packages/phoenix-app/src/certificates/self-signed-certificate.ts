import { generateKeyPair, type KeyObject, randomBytes, sign } from "node:crypto";
import { promisify } from "node:util";
import {
  bitString,
  boolean,
  explicit,
  nullValue,
  objectIdentifier,
  octetString,
  printableString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from "./der.js";

const generateKeyPairAsync = promisify(generateKeyPair);
const signAsync = promisify(sign);

const OID = {
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  commonName: "2.5.4.3",
  organizationName: "2.5.4.10",
  countryName: "2.5.4.6",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
} as const;

export interface CertificateRequest {
  readonly commonName: string;
  readonly organization: string;
  readonly validDays: number;
  /** @default now */
  readonly notBefore?: Date;
}

export interface GeneratedCertificate {
  readonly privateKey: string;
  readonly publicKey: string;
  readonly certificate: string;
}

/**
 * An RSA-2048 key pair and a self-signed X.509 v3 certificate, all in PEM.
 * Key generation and signing run in OpenSSL on libuv's thread pool, never on the event loop;
 * only the few hundred bytes of DER around them are assembled here.
 */
export async function generateSelfSignedCertificate(request: CertificateRequest): Promise<GeneratedCertificate> {
  const { publicKey, privateKey } = await generateKeyPairAsync("rsa", { modulusLength: 2048, publicExponent: 0x10001 });
  const tbsCertificate = buildTbsCertificate(request, publicKey);
  const signature = await signAsync("sha256", tbsCertificate, privateKey);
  const certificate = sequence(tbsCertificate, signatureAlgorithm(), bitString(signature));
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    certificate: toPem("CERTIFICATE", certificate),
  };
}

function buildTbsCertificate(request: CertificateRequest, publicKey: KeyObject): Buffer {
  const notBefore = request.notBefore ?? new Date();
  const notAfter = new Date(notBefore.getTime() + request.validDays * 86_400_000);
  const name = distinguishedName(request);
  // RFC 5280 §4.1.2.2: a positive serial of at most 20 bytes; 16 random bytes with the top bit clear.
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  return sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    signatureAlgorithm(),
    name, // issuer: self-signed
    sequence(time(notBefore), time(notAfter)),
    name, // subject
    publicKey.export({ type: "spki", format: "der" }),
    explicit(3, sequence(basicConstraintsNotCa(), keyUsageForTls())),
  );
}

const signatureAlgorithm = (): Buffer => sequence(objectIdentifier(OID.sha256WithRSAEncryption), nullValue());

function distinguishedName(request: CertificateRequest): Buffer {
  const attribute = (oid: string, value: Buffer) => set(sequence(objectIdentifier(oid), value));
  return sequence(
    attribute(OID.countryName, printableString("US")),
    attribute(OID.organizationName, utf8String(request.organization)),
    attribute(OID.commonName, utf8String(request.commonName)),
  );
}

function basicConstraintsNotCa(): Buffer {
  return sequence(objectIdentifier(OID.basicConstraints), boolean(true), octetString(sequence()));
}

/** digitalSignature and keyEncipherment: bits 0 and 2 of the KeyUsage BIT STRING. */
function keyUsageForTls(): Buffer {
  const bits = Buffer.from([0x05, 0xa0]); // 5 unused bits, then 1010 0000
  const value = Buffer.concat([Buffer.from([0x03, bits.length]), bits]);
  return sequence(objectIdentifier(OID.keyUsage), boolean(true), octetString(value));
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
