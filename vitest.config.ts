// Test runner configuration: source-mode imports ("hud-source" condition), every test in the repo.
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["hud-source"] },
  ssr: { resolve: { conditions: ["hud-source"], externalConditions: ["hud-source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
