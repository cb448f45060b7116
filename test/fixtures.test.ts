/**
 * Fixture corpus: every folder under test/fixtures/ is a small Compose project, compiled the way a user
 * would compile it, and compared byte for byte with the expected files beside it.
 *
 * A case folder holds:
 * - the input files (compose files, `.env`, env files, Dockerfiles, secret files, …);
 * - `args` (optional): extra command-line arguments, one per line (`--profile` then `debug`, `-f` then `a.yaml`);
 * - `env.json` (optional): extra environment variables, a JSON object laid over the fixed test environment;
 * - `expected.json`, `expected.hcl`: the output, as written with `-o <case>/docker-bake.<ext>` (paths relative to
 *   the case folder), and `expected.stderr`: the diagnostics, one per line, with file names relative to the case
 *   folder (empty: silent). Error cases have only `expected.stderr`, which then holds the error line(s).
 *
 * File names inside messages that quote an absolute path are written relative to the case, as `<case>/compose.yaml`.
 *
 * Each case runs the CLI's own `main` (flag parsing included) in this process, with the case folder as the
 * current folder and stdout as the output, which gives exactly the files above. `UPDATE_GOLDEN=1` rewrites
 * them: read every changed file before committing it, since a wrong output is a bug, not an expectation.
 *
 * SSH key files named in fixtures are not committed: compose2bake never opens them (only `docker buildx bake`
 * does), so test/realtools/differential.test.ts generates throwaway keys in its temporary copy of the case.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { KNOWN_BUGS, fixtureNames, loadFixture, runCase, type CaseRun, type FixtureCase } from "./support/fixtures";
import { hclToBakeJson } from "./support/hcl";

const names = fixtureNames();
const update = Boolean(process.env.UPDATE_GOLDEN);

test("the corpus has at least 45 cases, error cases included", () => {
  expect(names.length).toBeGreaterThanOrEqual(45);
  expect(names.filter((n) => loadFixture(n).error).length).toBeGreaterThanOrEqual(8);
});

test("every known bug names an existing case", () => {
  expect(Object.keys(KNOWN_BUGS).filter((n) => !names.includes(n))).toEqual([]);
});

describe.each(names)("fixtures/%s", (name) => {
  const c = loadFixture(name);
  /**
   * A few messages quote the absolute path of a file (compose's own wording for YAML errors:
   * `failed to parse /abs/compose.yaml: …`); it is written as `<case>` so the files do not depend on the checkout.
   */
  const stable = (r: CaseRun): CaseRun => ({ ...r, stderr: r.stderr.split(c.dir + path.sep).join("<case>/") });
  const file = (f: string) => path.join(c.dir, f);
  const read = (f: string) => fs.readFileSync(file(f), "utf8");

  const knownBug = KNOWN_BUGS[name];
  (knownBug ? (update ? test.skip : test.failing) : test)(`output and diagnostics equal the expected files${knownBug ? ` (KNOWN BUG: ${knownBug})` : ""}`, async () => {
    const json = stable(await runCase(c, "json"));
    const hcl = stable(await runCase(c, "hcl"));
    if (update) {
      const ok = json.status === 0;
      for (const [f, text] of [
        ["expected.json", json.stdout],
        ["expected.hcl", hcl.stdout],
      ] as const) {
        if (ok) fs.writeFileSync(file(f), text);
        else fs.rmSync(file(f), { force: true });
      }
      fs.writeFileSync(file("expected.stderr"), json.stderr);
      c.error = !ok;
    }
    // The diagnostics do not depend on the format.
    expect(hcl.stderr).toBe(json.stderr);
    expect(json.stderr).toBe(read("expected.stderr"));
    if (c.error) {
      expect({ status: json.status, stdout: json.stdout }).toEqual({ status: 2, stdout: "" });
      expect({ status: hcl.status, stdout: hcl.stdout }).toEqual({ status: 2, stdout: "" });
      expect(json.stderr).toMatch(/^(.+: )?error: .+ \[[a-z-]+\]$/m);
      expect(fs.existsSync(file("expected.hcl"))).toBe(false);
    } else {
      expect(json.status).toBe(0);
      expect(hcl.status).toBe(0);
      expect(json.stdout).toBe(read("expected.json"));
      expect(hcl.stdout).toBe(read("expected.hcl"));
      expect(json.stderr).not.toMatch(/error:/);
    }
  });

  if (!c.error) {
    // hcl2json prints kept-variable expressions in its own form, so this check runs with --resolve (no
    // expressions, as in test/golden.test.ts); with them, the real `docker buildx bake --print` compares the two
    // files (test/realtools/differential.test.ts).
    test("the HCL file describes the same bake file as the JSON file (HashiCorp's parser, --resolve)", async () => {
      const resolved: FixtureCase = { ...c, args: c.args.includes("--resolve") ? c.args : [...c.args, "--resolve"] };
      const json = await runCase(resolved, "json");
      const hcl = await runCase(resolved, "hcl");
      expect(json.status).toBe(0);
      expect(await hclToBakeJson(hcl.stdout)).toEqual(JSON.parse(json.stdout));
    });
  }
});
