/**
 * Compose's platform checks on kept values (issue #13, item 6), judged by the real tools: a platform list holding
 * a variable cannot be checked when the file is generated, so the kept file carries a bake `validation` with
 * Compose's message. For each project and environment E: the kept file (generated once, with only the control
 * variable DOCKER_DEFAULT_PLATFORM, which applies at generation time like a flag), run by `bake --print` with E,
 * and `docker compose build --print` with E, resolved by the same bake, either both fail with Compose's message
 * or both build the same targets. Without the tools the tests are skipped, with a message.
 */
import { describeKeptCases, type KeptCase } from "../support/kept-differential";

const SERVICE_PLATFORM = `services:
  app:
    platform: linux/arm64
    build:
      context: .
      platforms: ["\${PLAT:-linux/amd64}", "\${EXTRA}"]
`;
const DEFAULT_PLATFORM = `services:
  app:
    build:
      context: .
      platforms: ["\${PLAT}"]
  other:
    build:
      context: .
      platforms: ["linux/riscv64", "\${PLAT2:-linux/arm64}"]
`;

const cases: KeptCase[] = [
  {
    name: "service platform beside a kept platform list",
    files: { "compose.yaml": SERVICE_PLATFORM },
    generation: {},
    envs: [{}, { PLAT: "linux/arm64" }, { EXTRA: "linux/arm64" }, { PLAT: "linux/s390x" }],
    expression: ["validation {", 'service.build.platforms MUST include service.platform \\"linux/arm64\\"'],
    message: 'service.build.platforms MUST include service.platform "linux/arm64"',
  },
  {
    name: "DOCKER_DEFAULT_PLATFORM beside a kept platform list",
    files: { "compose.yaml": DEFAULT_PLATFORM },
    generation: { DOCKER_DEFAULT_PLATFORM: "linux/amd64" },
    envs: [
      { PLAT: "linux/amd64", PLAT2: "linux/amd64" },
      {},
      { PLAT: "linux/amd64" },
      { PLAT: "linux/arm64", PLAT2: "linux/amd64" },
    ],
    expression: ["validation {", "build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: linux/amd64"],
    message: "build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: linux/amd64",
  },
];

// Each case has environments on both sides of the check: both refuse with its message, or both build the same.
describeKeptCases(cases, { bothSides: true, timeout: 60_000 });
