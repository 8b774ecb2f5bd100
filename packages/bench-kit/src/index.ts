// @phoenix/bench-kit: what every package's benchmark needs — bounded numeric knobs from the
// environment, a recognisable error for "the bench cannot run" (as opposed to a missed target),
// medians, Markdown tables, and the machine a result was measured on.
export { BenchError } from "./bench-error.js";
export { type BenchPaths, benchPaths } from "./bench-paths.js";
export { intEnv } from "./env-knobs.js";
export { freePort } from "./free-port.js";
export { importBuilt } from "./import-built.js";
export { listFiles } from "./list-files.js";
export { type MachineDescription, machineDescription } from "./machine.js";
export { type MetricRow, markdownTable, metricsTable } from "./markdown-table.js";
export { median } from "./median.js";
export { writeResults } from "./write-results.js";
