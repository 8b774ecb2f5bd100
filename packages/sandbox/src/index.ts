// @phoenix/sandbox: the whole ops loop on 127.0.0.1 with no cloud account, for trying the bot
// and for its end-to-end test. `phoenix-sandbox up` (./dev start) runs it; `scenario` replays.
export { type RunningSandbox, readSandboxEndpoints, type SandboxOptions, startSandbox } from "./sandbox.js";
export { renderTimeline, runScenario, type SandboxEndpoints, type ScenarioStep } from "./scenario.js";
