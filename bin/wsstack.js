#!/usr/bin/env node
// Launcher for `npx wsstack`: registers tsx in this process and runs dev/cli.ts (wsstack emulate and wsstack dev), so
// Ctrl-C reaches the emulator directly (clean shutdown; a second Ctrl-C forces exit).
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../dev/cli.ts");
runCli(process.argv.slice(2));
