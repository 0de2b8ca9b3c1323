import { App } from "cdktf";
import { rmSync } from "node:fs";
import path from "node:path";
import { ChatStack } from "./stacks/chat-stack.ts";
import { stackSettingsFromEnvironment } from "./stacks/stack-settings.ts";

const STACK_ID = "wsstack";

const app = new App();
new ChatStack(app, STACK_ID, stackSettingsFromEnvironment(process.env));
app.synth();

// `npm run synth` leaves cdk.tf (HCL, for reading) beside cdk.tf.json. Terraform
// would load both and see every resource twice, so a JSON synth, which is what
// `cdktf deploy` runs, removes the HCL copy first.
if (process.env.SYNTH_HCL_OUTPUT !== "true") {
  rmSync(path.join(app.outdir, "stacks", STACK_ID, "cdk.tf"), { force: true });
}
