import { requiredServiceVariable } from "./required-service.js";

/** AWS SDK client settings for the moto server that scripts/test-services.sh starts. */
export function motoClientConfig() {
  return {
    endpoint: requiredServiceVariable("PHOENIX_TEST_AWS_ENDPOINT"),
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
}
