// Runs in its own process on the Lambda runtime's Node: loads the bundle as Lambda does
// (handler `index.handler` of an ES module) and invokes it once per event, in order, as one warm
// instance would. Writes { node, results } as JSON to the results file, then exits (the SDK's
// keep-alive sockets would otherwise hold the process open, as Lambda freezes instead).
//
//   node invoke-lambda-bundle.mjs <bundle.mjs> <events.json> <results.json>
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [bundle, eventsFile, resultsFile] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const events = JSON.parse(readFileSync(eventsFile, "utf8"));
const results = [];
for (const event of events) results.push(await handler(event));
writeFileSync(resultsFile, JSON.stringify({ node: process.version, results }));
process.exit(0);
