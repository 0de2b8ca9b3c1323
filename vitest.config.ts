import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Terraform and emulator suites start servers and child processes; two cores only.
    maxWorkers: 2,
  },
});
