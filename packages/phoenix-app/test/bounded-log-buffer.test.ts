import { describe, expect, it } from "vitest";
import { BoundedLogBuffer } from "../src/request-log/bounded-log-buffer.js";

describe("bounded request-log buffer", () => {
  it("keeps entries in arrival order", () => {
    const buffer = new BoundedLogBuffer<number>(5);
    for (const n of [1, 2, 3]) buffer.push(n);
    expect(buffer.take(10)).toEqual([1, 2, 3]);
    expect(buffer.length).toBe(0);
  });

  it("drops the oldest entries when full and counts them", () => {
    const buffer = new BoundedLogBuffer<number>(3);
    for (let n = 1; n <= 7; n++) buffer.push(n);
    expect(buffer.dropped).toBe(4);
    expect(buffer.take(10)).toEqual([5, 6, 7]);
  });

  it("puts a failed batch back in front of newer entries", () => {
    const buffer = new BoundedLogBuffer<number>(5);
    for (const n of [1, 2, 3, 4]) buffer.push(n);
    const batch = buffer.take(2);
    buffer.push(5);
    buffer.requeue(batch);
    expect(buffer.take(10)).toEqual([1, 2, 3, 4, 5]);
    expect(buffer.dropped).toBe(0);
  });

  it("drops the oldest of a requeued batch when it no longer fits", () => {
    const buffer = new BoundedLogBuffer<number>(3);
    for (const n of [1, 2, 3]) buffer.push(n);
    const batch = buffer.take(3);
    buffer.push(4);
    buffer.push(5);
    buffer.requeue(batch);
    expect(buffer.take(10)).toEqual([3, 4, 5]);
    expect(buffer.dropped).toBe(2);
  });

  it("wraps around its storage without losing order", () => {
    const buffer = new BoundedLogBuffer<number>(4);
    const seen: number[] = [];
    for (let n = 0; n < 50; n++) {
      buffer.push(n);
      if (n % 3 === 2) seen.push(...buffer.take(2));
    }
    seen.push(...buffer.take(10));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.length + buffer.dropped).toBe(50);
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => new BoundedLogBuffer(0)).toThrow(RangeError);
  });
});
