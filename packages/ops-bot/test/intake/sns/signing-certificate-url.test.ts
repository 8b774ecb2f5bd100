import { describe, expect, it } from "vitest";
import {
  checkSigningCertificateUrl,
  parseSnsTopicArn,
  snsServiceHostRegion,
} from "../../../src/intake/sns/signing-certificate-url.js";

// The certificate URL from the SNS developer guide's notification example.
const DOCS_URL = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem";

describe("which URLs may serve an SNS signing certificate", () => {
  it("accepts the URL from the SNS developer guide and returns it parsed, unchanged", () => {
    const check = checkSigningCertificateUrl(DOCS_URL, { region: "us-west-2" });
    expect(check).toMatchObject({ ok: true, region: "us-west-2" });
    expect(check.ok && check.url.href).toBe(DOCS_URL);
  });

  it.each([
    [
      "China partition",
      "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-3242f0bc9ab6a0e6b5b3d7a0c8a9c0f1.pem",
      "cn-north-1",
    ],
    [
      "GovCloud",
      "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-01d088a6f77103d0fe307c0069e40ed6.pem",
      "us-gov-west-1",
    ],
  ])("accepts the %s endpoint for a topic in its region", (_partition, url, region) => {
    expect(checkSigningCertificateUrl(url, { region })).toMatchObject({ ok: true, region });
  });

  it.each([
    ["an S3 bucket", "https://s3.amazonaws.com/my-bucket/SimpleNotificationService-abc123.pem"],
    [
      "an S3 virtual-hosted bucket",
      "https://sns.us-west-2.amazonaws.com.s3.amazonaws.com/SimpleNotificationService-abc123.pem",
    ],
    ["a look-alike suffix", "https://sns.us-west-2.amazonaws.com.evil.com/SimpleNotificationService-abc123.pem"],
    ["a look-alike in the path", "https://evil.com/sns.us-west-2.amazonaws.com/SimpleNotificationService-abc123.pem"],
    ["a look-alike domain", "https://sns.us-west-2.amazonaws-com.net/SimpleNotificationService-abc123.pem"],
    ["a hyphenated look-alike", "https://sns.evil-amazonaws.com/SimpleNotificationService-abc123.pem"],
    ["a missing dot", "https://snsXus-west-2.amazonaws.com/SimpleNotificationService-abc123.pem"],
    ["plain http", "http://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc123.pem"],
    ["upper-case scheme", "HTTPS://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc123.pem"],
    ["a scheme-relative URL", "//sns.us-west-2.amazonaws.com/SimpleNotificationService-abc123.pem"],
    ["a file URL", "file:///etc/ssl/SimpleNotificationService-abc123.pem"],
    [
      "userinfo hiding the real host",
      "https://sns.us-west-2.amazonaws.com@evil.com/SimpleNotificationService-abc123.pem",
    ],
    [
      "userinfo before the real host",
      "https://evil.com@sns.us-west-2.amazonaws.com/SimpleNotificationService-abc123.pem",
    ],
    ["a backslash", "https://sns.us-west-2.amazonaws.com\\@evil.com/SimpleNotificationService-abc123.pem"],
    ["a non-default port", "https://sns.us-west-2.amazonaws.com:8443/SimpleNotificationService-abc123.pem"],
    ["an explicit :443", "https://sns.us-west-2.amazonaws.com:443/SimpleNotificationService-abc123.pem"],
    ["an upper-case host", "https://SNS.us-west-2.amazonaws.com/SimpleNotificationService-abc123.pem"],
    ["a trailing-dot host", "https://sns.us-west-2.amazonaws.com./SimpleNotificationService-abc123.pem"],
    ["a percent-encoded host", "https://sns%2eus-west-2.amazonaws.com/SimpleNotificationService-abc123.pem"],
    ["another path", "https://sns.us-west-2.amazonaws.com/certs/SimpleNotificationService-abc123.pem"],
    ["dot segments", "https://sns.us-west-2.amazonaws.com/x/../SimpleNotificationService-abc123.pem"],
    ["an encoded path", "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-%2e%2e.pem"],
    ["another file name", "https://sns.us-west-2.amazonaws.com/evil.pem"],
    ["a trailing slash", "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc123.pem/"],
    ["a query string", "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc123.pem?redirect=evil.com"],
    ["a fragment", "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc123.pem#x"],
    ["surrounding whitespace", " https://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc123.pem"],
    ["an embedded newline", "https://sns.us-west-2.amazonaws.com/Simple\nNotificationService-abc123.pem"],
    ["another region than the topic's", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem"],
    [
      "the China suffix on a commercial region",
      "https://sns.us-west-2.amazonaws.com.cn/SimpleNotificationService-abc123.pem",
    ],
    ["a not-a-region label", "https://sns.evil.amazonaws.com/SimpleNotificationService-abc123.pem"],
  ])("refuses %s", (_case, url) => {
    expect(checkSigningCertificateUrl(url, { region: "us-west-2" }).ok).toBe(false);
  });

  it("refuses a China region on the commercial suffix", () => {
    const url = "https://sns.cn-north-1.amazonaws.com/SimpleNotificationService-abc123.pem";
    expect(checkSigningCertificateUrl(url).ok).toBe(false);
  });

  it("without a region constraint accepts any SNS region", () => {
    const url = "https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-abc123.pem";
    expect(checkSigningCertificateUrl(url)).toMatchObject({ ok: true, region: "eu-central-1" });
  });
});

describe("SNS hosts and topic ARNs", () => {
  it.each([
    ["sns.us-west-2.amazonaws.com", "us-west-2"],
    ["sns.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"],
    ["sns.us-west-2.amazonaws.com.cn", undefined],
    ["sns.amazonaws.com", undefined],
    ["sqs.us-west-2.amazonaws.com", undefined],
  ])("reads the region of host %s as %s", (host, region) => {
    expect(snsServiceHostRegion(host)).toBe(region);
  });

  it("parses the topic ARN from the SNS developer guide", () => {
    expect(parseSnsTopicArn("arn:aws:sns:us-west-2:123456789012:MyTopic")).toEqual({
      partition: "aws",
      region: "us-west-2",
      accountId: "123456789012",
      name: "MyTopic",
    });
  });

  it.each([
    "arn:aws:sqs:us-west-2:123456789012:MyTopic",
    "arn:aws-cn:sns:us-west-2:123456789012:MyTopic",
    "arn:aws:sns:cn-north-1:123456789012:MyTopic",
    "arn:aws:sns:us-west-2:1234:MyTopic",
    "arn:aws:sns:us-west-2:123456789012:My/Topic",
    "arn:aws:sns:us-west-2:123456789012:MyTopic\n",
  ])("refuses %j as a topic ARN", (arn) => {
    expect(parseSnsTopicArn(arn)).toBeUndefined();
  });
});
