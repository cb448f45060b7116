/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // test/e2e needs a Docker engine: `npm run test:e2e` (jest.e2e.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/e2e/"],
  // Source maps on for tests only, so stack traces and code frames point at the right lines.
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: { ...require("./tsconfig.json").compilerOptions, sourceMap: true } }],
  },
  testTimeout: 60000,
  // Generates the schema validator (scripts/build-schema.js) when missing or stale, and starts the list of what
  // could not be checked (no real docker buildx, …), said at the end; under CI=true a skip fails the run.
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  reporters: ["default", "<rootDir>/test/support/skip-reporter.js"],
};
