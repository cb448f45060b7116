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
  // Generates src/compose/schema/compose-spec.generated.ts (the schema validator) when it is missing or stale.
  globalSetup: "<rootDir>/scripts/build-schema.js",
};
