/**
 * The real-world sweep (`npm run sweep`, test/fuzz/sweep.ts), run as users run it on three small projects: one
 * both tools build alike (with `case.json`'s flags), one both refuse, and one line of a `--list` file. The projects
 * are copies of fixtures in a temporary folder (the sweep writes its bake files in the folder it checks).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findRealTools, whyNoRealTools } from "../support/realtools";
import { REPO } from "../support/run";

const tools = findRealTools();
if (!tools) console.warn(`real docker-buildx/docker-compose not found, SKIPPING the sweep test: ${whyNoRealTools()}`);
const withTools = tools ? test : test.skip;

function copyFixture(root: string, name: string): string {
  const to = path.join(root, name);
  fs.cpSync(path.join(REPO, "test", "fixtures", name), to, { recursive: true });
  return to;
}

withTools(
  "one line per project and mode, the refusals and the counts; the folders are left as found",
  () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-sweep-")));
    try {
      const profiles = copyFixture(root, "profiles");
      const refused = copyFixture(root, "error-undefined-secret");
      const kept = copyFixture(root, "kept-depends-on-variable");
      fs.writeFileSync(
        path.join(root, "list.txt"),
        "# one project, with its flags\nkept-depends-on-variable -f compose.yaml\n",
      );
      const before = fs.readdirSync(profiles).sort();
      const r = spawnSync(
        process.execPath,
        [
          path.join(REPO, "test", "fuzz", "run.js"),
          "sweep.ts",
          "--list",
          path.join(root, "list.txt"),
          profiles,
          refused,
        ],
        { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, timeout: 240_000 },
      );
      expect(r.stderr).toBe("");
      const lines = r.stdout.split("\n");
      expect(lines.filter((l) => l.startsWith(root)).map((l) => l.replace(/ {2}\(\d+ ms( SLOW)?\)$/, ""))).toEqual(
        expect.arrayContaining([
          `${profiles} --profile debug  keep: same  resolve: same`,
          `${refused}  keep: both-reject  resolve: both-reject`,
          `${kept} -f compose.yaml  keep: same  resolve: same`,
        ]),
      );
      // Our diagnostic, then both tools' messages.
      expect(r.stdout).toContain("undefined build secret missing [undefined-secret]");
      expect(r.stdout).toMatch(/\n {6}: compose: .*secret/);
      expect(r.stdout).toContain(
        "sweep: 3 projects (keep / resolve):\n     1  both-reject / both-reject\n     2  same / same\n",
      );
      expect(r.status).toBe(0);
      expect(fs.readdirSync(profiles).sort()).toEqual(before);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
  300_000,
);
