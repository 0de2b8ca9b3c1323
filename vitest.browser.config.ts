import { defineConfig } from "vitest/config";

// Browser tests (npm run test:browser): Debian's chromium driven by playwright-core
// against `wsstack dev` started in-process. Separate from `vitest run` (see
// vitest.config.ts, which excludes test/browser) because they need a browser.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["test/browser/support/global-setup.ts"],
    // One browser and one emulator at a time: the files share a port range and two cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
