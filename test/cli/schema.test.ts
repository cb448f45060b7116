/**
 * The built CLI on the schema scenarios of test/loading/ (`error-schema-*`, `schema-*`), in its default "keep"
 * mode: every input Docker Compose rejects with a schema error (test/loading.test.ts checks that against the real
 * `docker-compose config` and records its message in compose-error.txt) exits 2, names every problem with a
 * `file:line:col`, and includes compose's own message; the valid ones convert.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fixedEnv, runCli } from "../support/run";

const ROOT = path.join(__dirname, "..", "loading");
const names = fs
  .readdirSync(ROOT)
  .filter((n) => /^(error-)?schema-/.test(n))
  .sort();

interface Args {
  readonly files?: readonly string[];
  readonly profiles?: readonly string[];
}

function cliArgs(dir: string): string[] {
  const file = path.join(dir, "args.json");
  const args = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Args) : {};
  return [...(args.files ?? []).flatMap((f) => ["-f", f]), ...(args.profiles ?? []).flatMap((p) => ["--profile", p])];
}

test("at least 30 invalid schema scenarios", () => {
  expect(names.filter((n) => n.startsWith("error-")).length).toBeGreaterThanOrEqual(30);
});

describe.each(names)("%s", (name) => {
  const dir = path.join(ROOT, name);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");

  test(name.startsWith("error-") ? "exit 2, every problem at file:line:col, compose's message among them" : "converts", () => {
    const r = runCli(cliArgs(dir), { cwd: dir, env: fixedEnv() });
    if (!name.startsWith("error-")) {
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
      return;
    }
    expect(r.status).toBe(2);
    // The same diagnostics as the library's (the scenario's expected-error.txt), paths relative to the folder.
    expect(r.stderr).toBe(read("expected-error.txt"));
    for (const line of r.stderr.trimEnd().split("\n")) expect(line).toMatch(/^[^:\s]+:\d+:\d+: error: .+ \[schema\]$/);
    // compose-error.txt: `validating <file>: <message>` (the top level has an empty path in compose's message).
    const composeLine = read("compose-error.txt").split("\n")[0]!;
    const message = composeLine.replace(/^validating [^:]+: /, "").trim();
    expect(r.stderr).toContain(message);
  });
});
