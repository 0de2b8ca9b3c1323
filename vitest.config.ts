import { defineConfig } from "vitest/config";

// The SDK warns once per process that its 2027 releases will need Node 22; CI runs Node 20 on purpose.
const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Terraform and emulator suites start servers and child processes; two cores only.
    maxWorkers: 2,
    env: QUIET_SDK,
    projects: [
      {
        extends: true,
        test: { name: "default", include: ["test/**/*.test.ts"], exclude: ["test/browser/**", "test/soak/**", "node_modules/**"] },
      },
      {
        // The conformance suite again, unchanged, against the HCL rendering of each of its stacks (issue 14).
        extends: true,
        test: { name: "conformance-hcl", include: ["test/local/conformance/**/*.test.ts"], env: { ...QUIET_SDK, WSSTACK_STACK_FORMAT: "hcl" } },
      },
    ],
  },
});
