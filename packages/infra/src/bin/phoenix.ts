#!/usr/bin/env node
// The CDK app (cdk.json): `cdk synth -c phoenixConfig=config/two-accounts.json`, or a `phoenix`
// object in cdk.json's context; `cdk deploy --all` deploys in dependency order.
import { App } from "aws-cdk-lib";
import { phoenixConfigFromContext } from "../config/config-source.js";
import { buildPhoenixApp } from "../stack/phoenix-app.js";

const app = new App();
buildPhoenixApp(app, phoenixConfigFromContext(app));
app.synth();
