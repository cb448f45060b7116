/**
 * End-to-end tests (test/e2e/): compose2bake's output built by a real Docker engine, started by
 * test/e2e/global-setup.ts with test/tools/engine.sh. Run with `npm run test:e2e` (builds first); not part of
 * `npm test`. One test file at a time: they share the engine, and each build uses both cores.
 */
const { compilerOptions } = require("./tsconfig.json");

// Tells test/e2e/support/engine.ts that it runs under this config (inherited by jest's workers).
process.env.C2B_E2E_SUITE = "1";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/e2e"],
  testMatch: ["**/*.test.ts"],
  // tsconfig.json's options with source maps on: with `sourceMap: false`, stack traces and code frames point
  // at the wrong lines.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { ...compilerOptions, sourceMap: true } }] },
  globalSetup: "<rootDir>/test/e2e/global-setup.ts",
  globalTeardown: "<rootDir>/test/e2e/global-teardown.ts",
  maxWorkers: 1,
  testTimeout: 600000,
};
