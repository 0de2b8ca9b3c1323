import { defineConfig } from "vitest/config";

// Soak tests (npm run test:soak): the long load, fault and fuzz runs of
// test/soak/, each against the emulator serving the synthesized stack.
// Separate from `vitest run` (see vitest.config.ts, which excludes test/soak)
// because they take minutes; .ci/run runs them too.
export default defineConfig({
  test: {
    include: ["test/soak/**/*.test.ts"],
    // One emulator at a time: each file holds hundreds of connections on two cores.
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 300_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
