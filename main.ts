import { App } from "cdktf";
import path from "node:path";
import { bundleHandlers } from "./stacks/bundle-handler.ts";
import { chatBackendBundles } from "./stacks/chat-backend.ts";
import { ChatStack } from "./stacks/chat-stack.ts";
import { removeStackHcl, writeStackHcl } from "./stacks/hcl-output.ts";
import { stackSettingsFromEnvironment } from "./stacks/stack-settings.ts";
import { STACK_ID } from "./contract/stack.ts";

const settings = stackSettingsFromEnvironment(process.env);

// Bundle every handler at once; the constructs below then find them cached.
await bundleHandlers(chatBackendBundles(settings.bundleRoot, settings.routes));

const app = new App();
const stack = new ChatStack(app, STACK_ID, settings);
app.synth();

// `npm run synth` sets WSSTACK_HCL=1 to get the HCL beside the JSON; any other
// JSON synth (such as `cdktf deploy`'s) drops it so Terraform sees each resource once.
if (process.env.SYNTH_HCL_OUTPUT !== "true") {
  const stackDir = path.join(app.outdir, "stacks", STACK_ID);
  if (process.env.WSSTACK_HCL === "1") await writeStackHcl(stack, stackDir);
  else removeStackHcl(stackDir);
}
