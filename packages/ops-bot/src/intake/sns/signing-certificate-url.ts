/**
 * Which URLs may an SNS message point us at? The answer decides whether the bot opens a
 * connection at all, so it is a pure function with no tolerance for "close enough".
 *
 * Accepted hosts: `sns.<region>.amazonaws.com` (commercial and GovCloud partitions) and
 * `sns.<region>.amazonaws.com.cn` (China partition, regions `cn-*` only). The China suffix
 * is accepted because SNS in `cn-north-1`/`cn-northwest-1` signs with certificates served
 * from there; it is tied to `cn-*` regions so a China host can never vouch for a
 * commercial-region topic or the reverse. Other partitions (ISO, EU sovereign) are not
 * accepted: add their suffix to `PARTITION_DNS_SUFFIX` when the bot is deployed there.
 */

/** SNS topic ARN partitions and the DNS suffix of their SNS endpoints. */
const PARTITION_DNS_SUFFIX = {
  aws: "amazonaws.com",
  "aws-us-gov": "amazonaws.com",
  "aws-cn": "amazonaws.com.cn",
} as const;

type Partition = keyof typeof PARTITION_DNS_SUFFIX;

// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-northwest-1`, `il-central-1`.
const REGION = /^[a-z]{2}(?:-[a-z]+){1,3}-\d{1,2}$/;
const SNS_HOST = /^sns\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?)$/;
// AWS names its signing certificates `SimpleNotificationService-<hex id>.pem`; allow any
// short alphanumeric id so a change of id scheme does not break intake, but never a dot,
// slash or percent sign (no traversal, no encoding tricks).
const CERTIFICATE_PATH = /^\/SimpleNotificationService-[A-Za-z0-9_-]{1,128}\.pem$/;
const TOPIC_ARN = /^arn:(aws|aws-cn|aws-us-gov):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;
// Printable ASCII without space: anything else is either an encoding trick or not from SNS.
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

export interface SnsTopic {
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
}

/** Parses `arn:<partition>:sns:<region>:<account>:<name>`; undefined when it is anything else. */
export function parseSnsTopicArn(arn: string): SnsTopic | undefined {
  const match = TOPIC_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, name] = match as unknown as [string, Partition, string, string, string];
  if (!REGION.test(region) || regionPartition(region) !== partition) return undefined;
  return { partition, region, accountId, name };
}

/**
 * The region of an SNS service endpoint host (`sns.<region>.amazonaws.com[.cn]`), or
 * undefined when the host is not one. The host must come from a parsed `URL` (lower-cased,
 * IDNA-normalized) — never from a raw string.
 */
export function snsServiceHostRegion(hostname: string): string | undefined {
  const match = SNS_HOST.exec(hostname);
  const region = match?.[1];
  const suffix = match?.[2];
  if (!region || !suffix || !REGION.test(region)) return undefined;
  return PARTITION_DNS_SUFFIX[regionPartition(region)] === suffix ? region : undefined;
}

export type SigningCertificateUrlCheck =
  | { readonly ok: true; readonly url: URL; readonly region: string }
  | { readonly ok: false; readonly problem: string };

export interface SigningCertificateUrlOptions {
  /**
   * The region the certificate host must be in — the region of the message's TopicArn.
   * SNS signs with the certificate of the topic's own region, so a message from a
   * `us-east-1` topic pointing at `sns.eu-west-1…` is not from SNS.
   * @default no region constraint
   */
  readonly region?: string;
}

/**
 * Is `raw` a URL SNS would serve its signing certificate from? On success, `url` is the
 * parsed URL to fetch — equal to `raw` character for character, because anything the URL
 * parser would have to normalize (upper case, `:443`, dot segments, percent-encoding,
 * backslashes, userinfo) is refused rather than interpreted.
 */
export function checkSigningCertificateUrl(
  raw: string,
  options: SigningCertificateUrlOptions = {},
): SigningCertificateUrlCheck {
  const url = parseStrictHttpsUrl(raw);
  if (!url.ok) return url;
  const region = snsServiceHostRegion(url.url.hostname);
  if (!region) return { ok: false, problem: "host is not sns.<region>.amazonaws.com[.cn]" };
  if (options.region !== undefined && region !== options.region) {
    return { ok: false, problem: `host region ${region} is not the topic's region ${options.region}` };
  }
  if (!CERTIFICATE_PATH.test(url.url.pathname)) {
    return { ok: false, problem: "path is not /SimpleNotificationService-<id>.pem" };
  }
  if (url.url.search !== "" || url.url.hash !== "") return { ok: false, problem: "query or fragment present" };
  if (url.url.href !== raw) return { ok: false, problem: "URL is not in canonical form" };
  return { ok: true, url: url.url, region };
}

/**
 * `https://` with no userinfo and no explicit port, in printable ASCII. Shared by the
 * certificate URL and the SubscribeURL checks.
 */
export function parseStrictHttpsUrl(
  raw: string,
): { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly problem: string } {
  if (raw.length > 2048 || !PRINTABLE_ASCII.test(raw) || raw.includes("\\")) {
    return { ok: false, problem: "URL has characters SNS never sends" };
  }
  if (!raw.startsWith("https://")) return { ok: false, problem: "URL is not https://" };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: "URL does not parse" };
  }
  if (url.protocol !== "https:") return { ok: false, problem: "URL is not https://" };
  if (url.username !== "" || url.password !== "") return { ok: false, problem: "URL carries credentials" };
  if (url.port !== "") return { ok: false, problem: "URL names a port" };
  return { ok: true, url };
}

function regionPartition(region: string): Partition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
