/** Reads a variable exported by `scripts/test-services.sh up`; a missing service fails the test, never skips it. */
export function requiredServiceVariable(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: start the local test services with \`scripts/test-services.sh up\` (or run \`./dev test\`)`,
    );
  }
  return value;
}
