import { describe, expect, it } from "vitest";
import { objectIdentifier, time, tlv, unsignedInteger } from "../src/certificates/der.js";

const hex = (buffer: Buffer) => buffer.toString("hex");

describe("DER encoding", () => {
  // Encodings as given in X.690 examples and RFC 8017 (sha256WithRSAEncryption).
  it("encodes object identifiers with base-128 arcs", () => {
    expect(hex(objectIdentifier("1.2.840.113549.1.1.11"))).toBe("06092a864886f70d01010b");
    expect(hex(objectIdentifier("2.5.4.3"))).toBe("0603550403");
  });

  it("prefixes a zero byte to integers whose top bit is set", () => {
    expect(hex(unsignedInteger(Buffer.from([0x80])))).toBe("02020080");
    expect(hex(unsignedInteger(Buffer.from([0x00, 0x00, 0x7f])))).toBe("02017f");
  });

  it("uses the long length form from 128 bytes", () => {
    expect(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4)).toBe("047f");
    expect(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6)).toBe("048180");
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).toBe("0482012c");
  });

  it("switches from UTCTime to GeneralizedTime in 2050 (RFC 5280)", () => {
    expect(time(new Date("2049-12-31T23:59:59Z")).toString("latin1").slice(2)).toBe("491231235959Z");
    expect(time(new Date("2050-01-01T00:00:00Z")).toString("latin1").slice(2)).toBe("20500101000000Z");
  });
});
