#!/usr/bin/env node
// Launcher for `npx wsstack`: registers tsx in this process and runs local/cli.ts, so
// Ctrl-C reaches the emulator directly (clean shutdown; a second Ctrl-C forces exit).
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../local/cli.ts");
runCli(process.argv.slice(2));
