/**
 * Inputs that chain or nest without end: nested `${A:-${B:-…}}` defaults, include chains, extends chains,
 * `service:` context chains and `depends_on` chains. Each ends in a result or a clean error with exit 2, never in
 * a stack overflow (exit 3). docker compose 2.40.3 accepts all of them (2,000 nested defaults in 5 s, a chain of
 * 900 includes in 47 s, 11,000 chained `service:` contexts in 184 s); compose2bake handles the chains of services
 * without limit and refuses nesting beyond its documented limits (README "Limits").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MAX_INTERPOLATION_DEPTH } from "../../src/compose/interpolate";
import { MAX_INCLUDE_DEPTH } from "../../src/compose/raw-model";
import { MAX_EXTENDS_DEPTH } from "../../src/compose/extends";
import { fixedEnv, runCli } from "../support/run";
import { OUTPUT, expectCleanFailure, hostileProject, runHostile } from "./support";

/** `${A0:-${A1:-…x…}}`, `depth` references deep. */
function nestedDefaults(depth: number): string {
  let v = "x";
  for (let i = depth - 1; i >= 0; i--) v = `\${A${i}:-${v}}`;
  return v;
}

function argsProject(value: string): string {
  return hostileProject({
    "compose.yaml": `services:\n  web:\n    build:\n      context: .\n      args:\n        X: "${value}"\n`,
  });
}

function output(dir: string): {
  target: Record<string, { args?: Record<string, unknown>; contexts?: Record<string, string> }>;
  group: Record<string, { targets: string[] }>;
} {
  return JSON.parse(fs.readFileSync(path.join(dir, OUTPUT), "utf8"));
}

describe("hostile nesting and chains", () => {
  test.each([[[]], [["--resolve"]]])(
    "nested defaults: up to the limit they work, 2,000 deep is a clean error (%j)",
    (flags) => {
      const ok = argsProject(nestedDefaults(MAX_INTERPOLATION_DEPTH));
      expect(runHostile(ok, [...flags]).status).toBe(0);
      if (flags.length > 0) expect(output(ok).target.web!.args).toEqual({ X: "x" });
      const dir = argsProject(nestedDefaults(2000));
      expectCleanFailure(runHostile(dir, [...flags]), dir, {
        message: `error while interpolating services.web.build.args.X: invalid interpolation format: references nested more than ${MAX_INTERPOLATION_DEPTH} levels deep [interpolation]`,
      });
    },
  );

  test("a chain of includes: up to the limit it works, 900 deep is a clean error", () => {
    const chain = (n: number): Record<string, string> => {
      const files: Record<string, string> = {
        "compose.yaml": "include:\n  - inc/f1.yaml\nservices:\n  web:\n    build: .\n",
      };
      for (let i = 1; i < n; i++) {
        const next = i + 1 < n ? `include:\n  - f${i + 1}.yaml\n` : "";
        files[`inc/f${i}.yaml`] = `${next}services:\n  s${i}:\n    build: .\n`;
      }
      return files;
    };
    const ok = hostileProject(chain(MAX_INCLUDE_DEPTH));
    expect(runHostile(ok).status).toBe(0);
    expect(Object.keys(output(ok).target)).toHaveLength(MAX_INCLUDE_DEPTH);
    const dir = hostileProject(chain(900));
    const at = MAX_INCLUDE_DEPTH - 1;
    expectCleanFailure(runHostile(dir), dir, {
      file: `inc/f${at}.yaml`,
      message: `include nesting is deeper than ${MAX_INCLUDE_DEPTH} levels: ${dir}/inc/f${at + 1}.yaml [include-too-deep]`,
    });
  });

  test("a chain of extends across files: up to the limit it works, 3,000 deep is a clean error", () => {
    const chain = (n: number): Record<string, string> => {
      const files: Record<string, string> = {
        "compose.yaml": "services:\n  web:\n    extends: { file: ext/e1.yaml, service: s }\n",
      };
      for (let i = 1; i <= n; i++) {
        files[`ext/e${i}.yaml`] =
          i < n
            ? `services:\n  s:\n    extends: { file: e${i + 1}.yaml, service: s }\n`
            : "services:\n  s:\n    build: .\n";
      }
      return files;
    };
    const ok = hostileProject(chain(MAX_EXTENDS_DEPTH));
    expect(runHostile(ok).status).toBe(0);
    const dir = hostileProject(chain(3000));
    const r = runHostile(dir);
    // At the `extends` of the file that reaches the limit (it used to have no position).
    expectCleanFailure(r, dir, {
      file: `ext/e${MAX_EXTENDS_DEPTH}.yaml`,
      message: `cannot extend service "s" in ${dir}/ext/e${MAX_EXTENDS_DEPTH}.yaml: extends chain is longer than ${MAX_EXTENDS_DEPTH} services [extends-too-deep]`,
    });
  });

  test("a chain of extends in one file: the limit does not depend on the order of the services", () => {
    const chain = (n: number, reversed: boolean): string => {
      const services = ["  s0:\n    build: .\n"];
      for (let i = 1; i <= n; i++) services.push(`  s${i}:\n    extends: s${i - 1}\n`);
      if (reversed) services.reverse();
      return `services:\n${services.join("")}`;
    };
    for (const reversed of [false, true]) {
      const ok = hostileProject({ "compose.yaml": chain(MAX_EXTENDS_DEPTH, reversed) });
      expect(runHostile(ok).status).toBe(0);
      const dir = hostileProject({ "compose.yaml": chain(5000, reversed) });
      expectCleanFailure(runHostile(dir), dir, {
        message: new RegExp(
          `^cannot extend service "s\\d+" in ${dir}/compose\\.yaml: extends chain is longer than ${MAX_EXTENDS_DEPTH} services \\[extends-too-deep\\]$`,
        ),
      });
    }
  });

  test("11,000 chained service: contexts and a chain of 11,000 depends_on convert", () => {
    const n = 11_000;
    const lines = ["services:", "  s0:", "    build: .", "    depends_on: [s1]"];
    for (let i = 1; i < n; i++) {
      lines.push(`  s${i}:`, "    build:", "      context: .", `      additional_contexts: {x: "service:s${i - 1}"}`);
      if (i + 1 < n) lines.push(`    depends_on: [s${i + 1}]`);
    }
    const dir = hostileProject({ "compose.yaml": lines.join("\n") + "\n" });
    const r = runCli(["s" + (n - 1), "-o", OUTPUT], { cwd: dir, env: fixedEnv() });
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 0,
      stderr: `compose2bake: wrote ${OUTPUT} (${n} targets, 1 group)\n`,
    });
    const bake = output(dir);
    expect(bake.group.default!.targets).toHaveLength(n);
    expect(bake.target[`s${n - 1}`]!.contexts).toEqual({ x: `target:s${n - 2}` });
  });

  test("a dependency cycle at the end of a long chain is found, with compose-go's message", () => {
    const n = 5000;
    const lines = ["services:"];
    for (let i = 0; i < n; i++) lines.push(`  s${i}:`, "    image: x", `    depends_on: [s${(i + 1) % n}]`);
    const dir = hostileProject({ "compose.yaml": lines.join("\n") + "\n" });
    const r = runHostile(dir);
    expect(r.status).toBe(2);
    const expected = [...Array(n).keys()].map((i) => `s${i}`).join(" -> ");
    expect(r.stderr).toMatch(/^compose\.yaml:\d+:\d+: error: dependency cycle detected: /);
    expect(r.stderr.endsWith(`: ${expected} -> s0 [dependency-cycle]\n`)).toBe(true);
  });
});
