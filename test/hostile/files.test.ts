/**
 * Compose files that are not ordinary readable files: folders, unreadable files, symlink loops (given with -f,
 * through `include`, through `extends`), empty files and empty documents. The messages follow docker compose
 * 2.40.3's (`docker compose -f FILE config`), quoted in each test.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expectCleanFailure, expectOutputUntouched, hostileProject, runHostile, runUnprivileged } from "./support";

const SERVICE = "services:\n  web:\n    build: .\n";

describe("hostile files", () => {
  test("a compose file that is a directory (docker compose: `read …: is a directory`)", () => {
    const dir = hostileProject({ "compose.yaml/placeholder": "" });
    expectCleanFailure(runHostile(dir, ["-f", "compose.yaml"]), dir, {
      position: "none",
      message: `read ${dir}/compose.yaml: is a directory [compose-file-directory]`,
    });
  });

  test("an override file that is a directory", () => {
    const dir = hostileProject({ "compose.yaml": SERVICE, "compose.override.yaml/placeholder": "" });
    expectCleanFailure(runHostile(dir, ["-f", "compose.yaml", "-f", "compose.override.yaml"]), dir, {
      position: "none",
      message: `read ${dir}/compose.override.yaml: is a directory [compose-file-directory]`,
    });
  });

  test("an included compose file that is a directory", () => {
    const dir = hostileProject({ "compose.yaml": `include:\n  - sub\n${SERVICE}`, "sub/placeholder": "" });
    // Was: no position (docker compose gives none either); now the include item.
    const r = runHostile(dir);
    expectCleanFailure(r, dir, { message: `read ${dir}/sub: is a directory [compose-file-directory]` });
    expect(r.stderr).toMatch(/^compose\.yaml:2:5: /);
  });

  test("an unreadable compose file (docker compose: `open …: permission denied`)", () => {
    const dir = hostileProject({ "compose.yaml": SERVICE });
    fs.chmodSync(path.join(dir, "compose.yaml"), 0o000);
    // chmod does not stop root: run the CLI as "nobody" then, so that the permission check still happens.
    const r = runUnprivileged(dir, []);
    if (r)
      expectCleanFailure(r, dir, {
        position: "none",
        message: `open ${dir}/compose.yaml: permission denied [compose-file-unreadable]`,
      });
  });

  test("an unreadable env file", () => {
    const dir = hostileProject({ "compose.yaml": SERVICE, ".env": "A=1\n" });
    fs.chmodSync(path.join(dir, ".env"), 0o000);
    const r = runUnprivileged(dir, []);
    if (r)
      expectCleanFailure(r, dir, {
        position: "none",
        message: `open ${dir}/.env: permission denied [env-file-unreadable]`,
      });
  });

  // Was: `open …: no such file or directory` (or `cannot be read`), which sends the user looking for a missing file.
  test("-f naming a symlink to itself (docker compose: `open …: too many levels of symbolic links`)", () => {
    const dir = hostileProject({});
    fs.symlinkSync("loop.yaml", path.join(dir, "loop.yaml"));
    expectCleanFailure(runHostile(dir, ["-f", "loop.yaml"]), dir, {
      position: "none",
      message: `open ${dir}/loop.yaml: too many levels of symbolic links [compose-file-missing]`,
    });
  });

  test("include of a symlink to itself", () => {
    const dir = hostileProject({ "compose.yaml": `include:\n  - loop.yaml\n${SERVICE}` });
    fs.symlinkSync("loop.yaml", path.join(dir, "loop.yaml"));
    expectCleanFailure(runHostile(dir), dir, {
      message: `open ${dir}/loop.yaml: too many levels of symbolic links [include-missing]`,
    });
  });

  test("a file that includes itself through a symlink (docker compose: `include cycle detected`)", () => {
    const dir = hostileProject({ "compose.yaml": `include:\n  - link.yaml\n${SERVICE}` });
    fs.symlinkSync("compose.yaml", path.join(dir, "link.yaml"));
    expectCleanFailure(runHostile(dir), dir, {
      file: "link.yaml",
      message: `include cycle detected: ${dir}/compose.yaml include ${dir}/link.yaml include ${dir}/link.yaml [include-cycle]`,
    });
  });

  test("two files including each other through a symlink", () => {
    const dir = hostileProject({
      "a.yaml": `include:\n  - b.yaml\n${SERVICE}`,
      "b.yaml": "include:\n  - blink.yaml\n",
    });
    fs.symlinkSync("a.yaml", path.join(dir, "blink.yaml"));
    expectCleanFailure(runHostile(dir, ["-f", "a.yaml"]), dir, {
      file: "blink.yaml",
      message: `include cycle detected: ${dir}/a.yaml include ${dir}/b.yaml include ${dir}/blink.yaml include ${dir}/b.yaml [include-cycle]`,
    });
  });

  test("extends from a symlink to itself", () => {
    const dir = hostileProject({
      "compose.yaml": "services:\n  web:\n    build: .\n    extends:\n      file: loop.yaml\n      service: web\n",
    });
    fs.symlinkSync("loop.yaml", path.join(dir, "loop.yaml"));
    expectCleanFailure(runHostile(dir), dir, {
      position: "none",
      message: `open ${dir}/loop.yaml: too many levels of symbolic links [compose-file-unreadable]`,
    });
  });

  test("a service that extends itself through a symlink to its own file (docker compose: `Circular reference`)", () => {
    const dir = hostileProject({
      "compose.yaml": "services:\n  web:\n    build: .\n    extends:\n      file: link.yaml\n      service: web\n",
    });
    fs.symlinkSync("compose.yaml", path.join(dir, "link.yaml"));
    // At the `extends` in the linked file, where the cycle closes (it used to have no position).
    expectCleanFailure(runHostile(dir), dir, {
      file: "link.yaml",
      message:
        /^circular reference: web in .*compose\.yaml extends web in .*link\.yaml extends web in .*link\.yaml \[extends-cycle\]$/i,
    });
  });

  test.each([
    ["an empty file", ""],
    ["blank lines", "\n\n  \n"],
    ["only comments", "# nothing here\n# at all\n"],
  ])("%s: `empty compose file`", (_name, text) => {
    const dir = hostileProject({ "compose.yaml": text });
    expectCleanFailure(runHostile(dir), dir, { position: "file", message: "empty compose file [empty-compose-file]" });
  });

  // Was: accepted (`---`, `~`: "empty compose file"; a trailing `---` after a service: exit 0).
  test.each([
    ["`---` alone", "---\n", "1:4"],
    ["`---` and a comment", "---\n# c\n", "1:4"],
    ["`~`", "~\n", "1:1"],
    ["a trailing `---` after the services", `${SERVICE}---\n`, "4:4"],
  ])("an empty document, %s: `top-level object must be a mapping`", (_name, text, at) => {
    const dir = hostileProject({ "compose.yaml": text });
    const r = runHostile(dir);
    expectCleanFailure(r, dir, { message: "top-level object must be a mapping [yaml-top-level]" });
    expect(r.stderr).toMatch(new RegExp(`^compose\\.yaml:${at}: `));
  });

  test("an empty override file is fine, as in compose-go (TestLoadWithEmptyFile)", () => {
    const dir = hostileProject({ "compose.yaml": SERVICE, "empty.yaml": "" });
    const r = runHostile(dir, ["-f", "compose.yaml", "-f", "empty.yaml"]);
    expect(r.stderr).toBe("compose2bake: wrote out/docker-bake.json (1 target, 1 group)\n");
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "out/docker-bake.json"), "utf8")).toContain('"web"');
  });

  test("a file of NUL bytes is refused, not read as a key (docker compose: `control characters are not allowed`)", () => {
    const dir = hostileProject({ "compose.yaml": Buffer.concat([Buffer.alloc(16), Buffer.from(SERVICE)]) });
    const r = runHostile(dir);
    expectCleanFailure(r, dir, {
      message: `failed to parse ${dir}/compose.yaml: control characters are not allowed (U+0000) [yaml-control-character]`,
    });
    expectOutputUntouched(dir);
  });
});
