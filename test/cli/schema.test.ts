/**
 * The built CLI on the schema scenarios of test/loading/ (`error-schema-*`, `schema-*`), in its default "keep"
 * mode: every input Docker Compose rejects with a schema error (test/loading.test.ts checks that against the real
 * `docker-compose config` and records its message in expected-compose-error.txt) exits 2, names every problem with a
 * `file:line:col`, and includes compose's own message; the valid ones convert.
 */
import { caseNames, readCase, readCaseFile } from "../support/cases";
import { fixedEnv, runCli } from "../support/run";

const names = caseNames("loading").filter((n) => /^(error-)?schema-/.test(n));

test("at least 30 invalid schema scenarios", () => {
  expect(names.filter((n) => n.startsWith("error-")).length).toBeGreaterThanOrEqual(30);
});

describe.each(names)("%s", (name) => {
  const c = readCase("loading", name);
  const read = (f: string) => readCaseFile(c, f);

  test(
    name.startsWith("error-") ? "exit 2, every problem at file:line:col, compose's message among them" : "converts",
    () => {
      const r = runCli([...c.args], { cwd: c.cwd, env: { ...fixedEnv(), ...c.env } });
      if (!name.startsWith("error-")) {
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
        return;
      }
      expect(r.status).toBe(2);
      // The same diagnostics as the library's (the scenario's expected-load-error.txt), paths relative to the folder.
      expect(r.stderr).toBe(read("expected-load-error.txt"));
      for (const line of r.stderr.trimEnd().split("\n"))
        expect(line).toMatch(/^[^:\s]+:\d+:\d+: error: .+ \[schema\]$/);
      // expected-compose-error.txt: `validating <file>: <message>` (the top level has an empty path in compose's message).
      const composeLine = read("expected-compose-error.txt").split("\n")[0]!;
      const message = composeLine.replace(/^validating [^:]+: /, "").trim();
      expect(r.stderr).toContain(message);
    },
  );
});
