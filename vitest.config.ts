import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser/**", "test/soak/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Terraform and emulator suites start servers and child processes; two cores only.
    maxWorkers: 2,
    // The SDK warns once per process that its 2027 releases will need Node 22; CI runs Node 20 on purpose.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
