// @phoenix/sandbox: the whole ops loop on 127.0.0.1 with no cloud account, in the production
// topology (moto seeded from the synthesized stacks, staging and production in two accounts),
// for trying the bot and for its end-to-end test. `phoenix-sandbox up` (./dev start) runs it;
// `scenario` replays.
export { type RunningSandbox, readSandboxEndpoints, type SandboxOptions, startSandbox } from "./sandbox.js";
export {
  renderTimeline,
  runScenario,
  type SandboxEndpoints,
  type SandboxEnvironmentEndpoints,
  SCENARIO_STEPS,
  type ScenarioStep,
} from "./scenario.js";
