// Starts @architect/sandbox on a generated project, in its own process so its RSS is its own.
// `node bench/emulator/sandbox-server.cjs <project dir> <port>` (ARC_INTERNAL_PORT picks the _arc port)
const sandbox = require("@architect/sandbox");

const [cwd, port] = process.argv.slice(2);
sandbox.start({ cwd, port: Number(port), quiet: true }).catch((error) => {
  console.error(error);
  process.exit(1);
});
