import { describe, expect, it } from "vitest";
import { mermaidXyChart } from "../../../src/domain/notifications/metric-chart.js";

const minute = 60_000;
const start = Date.parse("2026-11-26T10:00:00Z");

describe("the metric chart in CPU issues (mermaid xychart-beta)", () => {
  it("draws the metric and the threshold as two lines over time labels", () => {
    const chart = mermaidXyChart({
      title: "CPUUtilization (Maximum)",
      unit: "Percent",
      threshold: 80,
      points: [12, 35, 97.25].map((value, i) => ({ at: new Date(start + i * minute), value })),
    });
    expect(chart.split("\n")).toEqual([
      "```mermaid",
      "xychart-beta",
      '    title "CPUUtilization (Maximum)"',
      '    x-axis ["10:00", "10:01", "10:02"]',
      '    y-axis "Percent" 0 --> 100',
      "    line [12, 35, 97.3]",
      "    line [80, 80, 80]",
      "```",
    ]);
  });

  it("keeps the peak when an hour of points is bucketed to at most 30", () => {
    const points = Array.from({ length: 60 }, (_, i) => ({
      at: new Date(start + i * minute),
      value: i === 41 ? 99 : 10,
    }));
    const chart = mermaidXyChart({ title: "CPU", unit: "Percent", points });
    const line = chart.split("\n").find((l) => l.startsWith("    line")) ?? "";
    expect(line.match(/\d+(\.\d+)?/g)).toHaveLength(30);
    expect(line).toContain("99");
  });

  it("orders points by time whatever order CloudWatch returned them in", () => {
    const chart = mermaidXyChart({
      title: "CPU",
      unit: "Percent",
      points: [
        { at: new Date(start + 2 * minute), value: 3 },
        { at: new Date(start), value: 1 },
      ],
    });
    expect(chart).toContain('x-axis ["10:00", "10:02"]');
    expect(chart).toContain("line [1, 3]");
  });

  it("says so instead of drawing an empty chart", () => {
    expect(mermaidXyChart({ title: "CPU", unit: "Percent", points: [] })).toBe("_No datapoints in the last hour._");
  });
});
