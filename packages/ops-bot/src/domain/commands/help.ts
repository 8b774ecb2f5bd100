import { COMMAND_FORMS } from "./command-grammar.js";

/** The bot's answer to `/help` and to unknown commands: a markdown table of every command. */
export function renderHelp(): string {
  const rows = Object.values(COMMAND_FORMS).flatMap((forms) =>
    forms.map((form) => `| \`${form.usage}\` | ${form.does} |`),
  );
  return [
    "Write a command as the first line of a pull request comment:",
    "",
    "| Command | What it does |",
    "| --- | --- |",
    ...rows,
  ].join("\n");
}
