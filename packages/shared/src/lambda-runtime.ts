/**
 * The Node.js major the ops bot's Lambda runs: scripts/test-services.sh reads it from this line
 * (a shell script cannot import the module), to install a release of it for the bundle's test.
 */
const LAMBDA_NODE_MAJOR = 24;

/**
 * The ops bot's Lambda runtime: the infrastructure creates the function on it, the bot's bundle is
 * compiled for its Node.js major, and the bundle's test runs on a release of that major. Pinned,
 * not "latest": a runtime change should be a reviewed diff here, not a side effect of a
 * dependency bump. It must be a runtime aws-cdk-lib lists (and its newest Node.js one, or
 * cdk-nag's AwsSolutions-L1 fails the synth).
 */
export const OPS_BOT_LAMBDA_RUNTIME = {
  /** Lambda's name for the runtime, as `Runtime` of `AWS::Lambda::Function` carries it. */
  name: `nodejs${LAMBDA_NODE_MAJOR}.x`,
  /** The Node.js major it runs; AWS keeps the runtime on that major's newest release. */
  nodeMajor: LAMBDA_NODE_MAJOR,
} as const;
