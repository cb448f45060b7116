/**
 * Compose's platform checks on kept values (issue #13, item 6), judged by the real tools: a platform list holding
 * a variable cannot be checked when the file is generated, so the kept file carries a bake `validation` with
 * Compose's message. For each project and environment E: the kept file (generated once, with only the control
 * variable DOCKER_DEFAULT_PLATFORM, which applies at generation time like a flag), run by `bake --print` with E,
 * and `docker compose build --print` with E, resolved by the same bake, either both fail with Compose's message
 * or both build the same targets. Without the tools the tests are skipped, with a message.
 */
import { compose2bake } from "../../src/index";
import { findRealTools, whyNoRealTools } from "../support/realtools";
import { keptFileAgainstCompose } from "../support/kept-differential";
import { tempProject } from "../support/run";

const tools = findRealTools();
const withTools = tools ? test : test.skip;
// Skipped only without the real tools; findRealTools has then noted why (test/support/skips.ts), the run ends
// saying so, and under CI=true it fails.
if (!tools) test.skip(`real tools missing: ${whyNoRealTools()}`, () => undefined);

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

const cases: Array<{
  name: string;
  compose: string;
  generation: Record<string, string>;
  envs: Array<Record<string, string>>;
  message: string;
}> = [
  {
    name: "service platform beside a kept platform list",
    compose: SERVICE_PLATFORM,
    generation: {},
    envs: [{}, { PLAT: "linux/arm64" }, { EXTRA: "linux/arm64" }, { PLAT: "linux/s390x" }],
    message: 'service.build.platforms MUST include service.platform "linux/arm64"',
  },
  {
    name: "DOCKER_DEFAULT_PLATFORM beside a kept platform list",
    compose: DEFAULT_PLATFORM,
    generation: { DOCKER_DEFAULT_PLATFORM: "linux/amd64" },
    envs: [
      { PLAT: "linux/amd64", PLAT2: "linux/amd64" },
      {},
      { PLAT: "linux/amd64" },
      { PLAT: "linux/arm64", PLAT2: "linux/amd64" },
    ],
    message: "build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: linux/amd64",
  },
];

describe.each(cases)("$name", (c) => {
  test("the kept file is written (the check is left to bake)", () => {
    const cwd = tempProject({ "compose.yaml": c.compose, Dockerfile: "FROM alpine\n" });
    const r = compose2bake({ cwd, env: c.generation, format: "hcl" });
    expect(r.text).toContain("validation {");
    expect(r.text).toContain(c.message.replace(/"/g, '\\"'));
  });

  withTools(
    "bake runs Compose's check: both refuse with its message, or both build the same",
    async () => {
      const envs = c.envs.map((e) => ({ ...c.generation, ...e }));
      const refusals = await keptFileAgainstCompose(tools!, {
        cwd: tempProject({ "compose.yaml": c.compose, Dockerfile: "FROM alpine\n" }),
        generation: c.generation,
        envs: envs.map((env) => [JSON.stringify(env), env] as const),
      });
      for (const r of refusals) {
        expect(r.theirs).toContain(c.message);
        expect(r.ours).toContain(c.message);
      }
      // Each case has environments on both sides of the check.
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.length).toBeLessThan(c.envs.length * 2);
    },
    60_000,
  );
});
