import { afterEach, describe, expect, it } from "vitest";
import { BenchError, intEnv, markdownTable, median, metricsTable } from "../src/index.js";

describe("median", () => {
  it("takes the middle value of an odd count and the mean of the middle two of an even one", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("ignores NaN and missing values, and is NaN when nothing is left", () => {
    expect(median([Number.NaN, 5, undefined, null])).toBe(5);
    expect(median([])).toBeNaN();
  });
});

describe("intEnv", () => {
  const name = "PHOENIX_BENCH_KIT_TEST_KNOB";
  afterEach(() => {
    delete process.env[name];
  });

  it("falls back when the variable is unset or empty", () => {
    expect(intEnv(name, 7, 1, 50)).toBe(7);
    process.env[name] = "";
    expect(intEnv(name, 7, 1, 50)).toBe(7);
  });

  it("refuses a value outside its range, naming the variable and the range", () => {
    process.env[name] = "51";
    expect(() => intEnv(name, 7, 1, 50)).toThrow(BenchError);
    expect(() => intEnv(name, 7, 1, 50)).toThrow(`${name} must be a whole number in 1..50, got "51"`);
  });
});

describe("tables", () => {
  it("pads every column to its widest cell", () => {
    expect(markdownTable(["a", "bb"], [["ccc", "d"]])).toBe("| a   | bb |\n| --- | -- |\n| ccc | d  |");
  });

  it("writes a dash where a metric has no target", () => {
    expect(metricsTable([{ metric: "m", value: "1 ms" }])).toContain("| m      | 1 ms   | —      | —    |");
  });
});
