export {
  COMMAND_FORMS,
  COMMAND_USAGE,
  type CommandParse,
  type OpsCommand,
  parseCommand,
  renderCommand,
} from "./command-grammar.js";
export { renderHelp } from "./help.js";
