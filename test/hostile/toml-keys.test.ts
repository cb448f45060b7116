/**
 * compose2bake.toml keys named like `Object` members (`constructor`, `valueOf`, `toString`, `__proto__`) are
 * ordinary names: targets, groups and renames work, unknown ones are reported, and parsing never writes onto
 * a global (the TOML parser used before, @iarna/toml, followed inherited members: `constructor.x = 1` set
 * `Object.x`).
 */
import { SourceFile } from "../../src/diagnostics";
import { parseConfig } from "../../src/config/load";
import { fixedEnv, runCli, tempProject } from "../support/run";

const COMPOSE =
  "services:\n  constructor:\n    build: .\n  valueOf:\n    build: .\n  __proto__:\n    build: .\n  web:\n    build: .\n";

function run(toml: string, args: string[] = []) {
  const dir = tempProject({ "compose.yaml": COMPOSE, "compose2bake.toml": toml });
  return runCli(["-p", "project", ...args], { cwd: dir, env: fixedEnv() });
}

function ownKeys(value: unknown): string[] {
  return Object.keys(value as object).sort();
}

describe("compose2bake.toml keys named like Object members", () => {
  test("[target.constructor], [target.__proto__], [group.valueOf] and [rename] apply", () => {
    const r = run(
      [
        "[target.constructor]",
        'tags = ["c"]',
        "[target.__proto__]",
        'tags = ["p"]',
        "[group.toString]",
        'targets = ["constructor", "hasOwnProperty"]',
        "[rename]",
        'valueOf = "hasOwnProperty"',
        "",
      ].join("\n"),
    );
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    const bake = JSON.parse(r.stdout) as {
      target: Record<string, { tags: string[] }>;
      group: Record<string, { targets: string[] }>;
    };
    expect(ownKeys(bake.target)).toEqual(["__proto__", "constructor", "hasOwnProperty", "web"]);
    expect(Object.getOwnPropertyDescriptor(bake.target, "__proto__")?.value.tags).toEqual(["project-__proto__", "p"]);
    expect(bake.target["constructor"]!.tags).toEqual(["project-constructor", "c"]);
    expect(ownKeys(bake.group)).toEqual(["default", "toString"]);
    expect(bake.group["toString"]!.targets).toEqual(["constructor", "hasOwnProperty"]);
  });

  test("unknown names are reported cleanly (no stack trace, exit 2)", () => {
    const r = run(
      '[group.ci]\ntargets = ["toString"]\n[target.hasOwnProperty]\ntags = ["x"]\n[rename]\nisPrototypeOf = "y"\n',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).not.toContain("    at ");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^compose2bake\.toml:2:12: error: group "ci": there is no target or group "toString" /),
        expect.stringMatching(
          /^compose2bake\.toml:3:1: error: target\.hasOwnProperty: there is no target "hasOwnProperty" /,
        ),
        expect.stringMatching(/^compose2bake\.toml:6:1: error: rename: there is no target "isPrototypeOf" /),
      ]),
    );
  });

  test("a group named like a target member of Object is a group, not a clash", () => {
    const r = run('[group.valueOf]\ntargets = ["web"]\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'compose2bake.toml:1:1: error: group "valueOf" has the name of a target [config-name-clash]\n',
    );
    const ok = run('[group.hasOwnProperty]\ntargets = ["web"]\n');
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: "" });
    expect((JSON.parse(ok.stdout) as { group: Record<string, unknown> }).group.hasOwnProperty).toEqual({
      targets: ["web"],
    });
  });

  test("top-level keys named like Object members are unknown keys", () => {
    const r = run("constructor = 1\ntoString = 2\n");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^compose2bake\.toml:1:1: error: unknown key "constructor" /);
    expect(r.stderr).toMatch(/\ncompose2bake\.toml:2:1: error: unknown key "toString" /);
  });

  test("parsing writes nothing onto globals", () => {
    const inputs = [
      "constructor.polluted = 1",
      "a.constructor.polluted = 1",
      "t = { constructor.polluted = 1 }",
      "[target.web]\nconstructor.polluted = 1",
      "toString.polluted = 1",
      "__proto__.polluted = 1",
      "[__proto__]\npolluted = 1",
      "[target.constructor]\npolluted = 1",
      "[[constructor.prototype]]\npolluted = 1",
    ];
    for (const text of inputs) {
      try {
        parseConfig(new SourceFile("/p/compose2bake.toml", text + "\n"));
      } catch {
        // unknown keys are errors; only the globals matter here
      }
    }
    expect((Object as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype.toString as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("deeply nested arrays are a clean error", () => {
    const r = run(`services = ${"[".repeat(5000)}${"]".repeat(5000)}\n`);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^compose2bake\.toml:1:\d+: error: invalid TOML: document contains excessively nested structures/,
    );
  });
});
