/**
 * User-chosen names that are also names of `Object.prototype` members (`__proto__`, `constructor`, `toString`,
 * `hasOwnProperty`, `valueOf`) are ordinary names everywhere: as services, targets, groups, args, labels, contexts,
 * hosts, ulimits, ssh ids, secrets, variables and environment variables (docker compose 2.40.3 keeps them all;
 * `docker compose config` shows each of the entries checked below).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fixedEnv, runCli, tempProject } from "../support/run";

type Json = { [key: string]: unknown };

/** Own keys, sorted: JSON.parse makes `__proto__` an own property, which matchers on objects do not always see. */
function keys(value: unknown): string[] {
  return Object.keys(value as object).sort();
}

function get(value: unknown, ...names: string[]): unknown {
  let v = value;
  for (const n of names) {
    if (v === null || typeof v !== "object" || !Object.prototype.hasOwnProperty.call(v, n)) return undefined;
    v = (v as Json)[n];
  }
  return v;
}

const COMPOSE = `services:
  __proto__:
    build:
      context: .
      args:
        __proto__: a
        constructor: b
        X: \${__proto__:-p}
      labels:
        __proto__: l
        toString: t
      additional_contexts:
        __proto__: ./ctx
        hasOwnProperty: service:constructor
      extra_hosts:
        __proto__: 1.2.3.4
      ulimits:
        __proto__: 5
      ssh:
        __proto__: ./key
      secrets: [__proto__, constructor]
  constructor:
    build:
      context: .
      x-bake:
        contexts:
          constructor: ./ctx
          __proto__: ./ctx
  toString:
    extends: { file: base.yaml, service: hasOwnProperty }
  valueOf:
    image: x
secrets:
  __proto__:
    file: ./s
  constructor:
    environment: TOKEN
`;

const BASE = `services:
  hasOwnProperty:
    build:
      context: .
      labels: { valueOf: v }
`;

function project(): string {
  const dir = tempProject({ "compose.yaml": COMPOSE, "base.yaml": BASE, s: "", key: "" });
  fs.mkdirSync(path.join(dir, "ctx"));
  return dir;
}

function run(dir: string, args: string[] = [], env: Record<string, string> = {}): Json {
  const r = runCli(args, { cwd: dir, env: fixedEnv(env) });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
  return JSON.parse(r.stdout) as Json;
}

describe("Object member names as user keys", () => {
  test.each([
    ["keep", []],
    ["resolve", ["--resolve"]],
  ] as const)("every entry is kept (%s mode)", (_mode, flags) => {
    const bake = run(project(), [...flags]);
    expect(keys(bake.target)).toEqual(["__proto__", "constructor", "toString"]);
    expect(get(bake, "group", "default", "targets")).toEqual(["__proto__", "constructor", "toString"]);
    const t = get(bake, "target", "__proto__");
    expect(keys(get(t, "args"))).toEqual(["X", "__proto__", "constructor"]);
    expect(get(t, "args", "__proto__")).toBe("a");
    expect(get(t, "labels")).toEqual({ toString: "t", ["__proto__"]: "l" });
    expect(keys(get(t, "labels"))).toEqual(["__proto__", "toString"]);
    expect(keys(get(t, "contexts"))).toEqual(["__proto__", "hasOwnProperty"]);
    expect(get(t, "contexts", "hasOwnProperty")).toBe("target:constructor");
    expect(get(t, "extra-hosts", "__proto__")).toBe("1.2.3.4");
    expect(get(t, "ulimits")).toEqual(["__proto__=5"]);
    expect(get(t, "ssh")).toEqual(["__proto__=key"]);
    expect(get(t, "secret")).toEqual(["id=__proto__,src=s", "id=constructor,env=TOKEN"]);
    expect(keys(get(bake, "target", "constructor", "contexts"))).toEqual(["__proto__", "constructor"]);
    expect(get(bake, "target", "toString", "labels", "valueOf")).toBe("v");
  });

  test("a variable named __proto__ gets its variable block (keep mode)", () => {
    const bake = run(project());
    expect(keys(bake.variable)).toEqual(["__proto__"]);
    expect(get(bake, "variable", "__proto__", "default")).toBe("");
    expect(get(bake, "target", "__proto__", "args", "X")).toBe('${__proto__ == "" ? "p" : __proto__}');
    const hcl = runCli(["--format", "hcl"], { cwd: project(), env: fixedEnv() });
    expect(hcl.status).toBe(0);
    expect(hcl.stdout).toContain('variable "__proto__" {\n  default = ""\n}');
    expect(hcl.stdout).toContain('target "__proto__" {');
  });

  test("a variable named __proto__ is read from the environment (resolve mode)", () => {
    const bake = run(project(), ["--resolve"], { ["__proto__"]: "set" });
    expect(get(bake, "target", "__proto__", "args", "X")).toBe("set");
  });

  test("a service named __proto__ can be selected on the command line", () => {
    const bake = run(project(), ["__proto__"]);
    expect(get(bake, "group", "default", "targets")).toEqual(["__proto__", "constructor"]);
  });

  test("an undefined secret named constructor or toString is reported, a defined __proto__ is not", () => {
    const dir = tempProject({
      "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      secrets: [toString]\n",
    });
    const r = runCli([], { cwd: dir, env: fixedEnv() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("refers to undefined build secret toString");
  });

  test("variables named like Object members are unset unless the environment sets them (include, .env)", () => {
    const dir = tempProject({
      "compose.yaml":
        "include:\n  - sub/compose.yaml\nservices:\n  b:\n    build:\n      context: .\n      args:\n        E: ${E}\n",
      ".env": "E=${hasOwnProperty}\n",
      "sub/compose.yaml":
        "services:\n  a:\n    build:\n      context: .\n      args:\n        X: ${constructor}\n        Y: ${toString:-d}\n",
    });
    const r = runCli(["--resolve"], { cwd: dir, env: fixedEnv() });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("native code");
    const bake = JSON.parse(r.stdout) as Json;
    expect(get(bake, "target", "a", "args")).toEqual({ X: "", Y: "d" });
    expect(get(bake, "target", "b", "args")).toEqual({ E: "" });
  });
});
