// Starts @architect/sandbox on a generated project, in its own process so its RSS is its own.
// `node bench/peers/sandbox-server.cjs <project dir> <port>` (ARC_INTERNAL_PORT picks the _arc port)
// Here, next to bench/peers/package.json, so the require resolves from bench/peers/node_modules.
const sandbox = require("@architect/sandbox");

const [cwd, port] = process.argv.slice(2);
sandbox.start({ cwd, port: Number(port), quiet: true }).catch((error) => {
  console.error(error);
  process.exit(1);
});
