import { App } from "cdktf";
import { ChatStack } from "./stacks/chat-stack.ts";
import { stackSettingsFromEnvironment } from "./stacks/stack-settings.ts";

const app = new App();
new ChatStack(app, "wsstack", stackSettingsFromEnvironment(process.env));
app.synth();
