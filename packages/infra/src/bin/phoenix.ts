#!/usr/bin/env node
// The CDK app (cdk.json): `cdk synth`, `cdk deploy Phoenix-staging`, or `-c environment=production`.
import { App } from "aws-cdk-lib";
import { buildPhoenixApp } from "../stack/phoenix-app.js";

const app = new App();
buildPhoenixApp(app);
app.synth();
