/**
 * Environment variables the infrastructure sets on the ops bot and the bot reads: one
 * spelling for both sides.
 */
export const OPS_BOT_ENV = {
  /** `owner/name` of the repository AWS events are reported to. */
  targetRepository: "PHOENIX_TARGET_REPOSITORY",
} as const;
