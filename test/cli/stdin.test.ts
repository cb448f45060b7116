/** `-f -` reads the Compose file from standard input, as docker compose does; the project folder is the current one. */
import * as path from "node:path";
import { runCli, tempProject } from "../support/run";

const COMPOSE = "services:\n  web:\n    build: ./web\n    image: example/web:${TAG:-1}\n";

function runWithStdin(args: string[], cwd: string, input: string) {
  return runCli(args, { cwd, input });
}

test("-f - gives what the same file named with -f gives, paths resolved from the current folder", () => {
  const dir = tempProject({ "elsewhere/compose.yaml": COMPOSE, "web/Dockerfile": "FROM scratch\n" });
  const named = runCli(["-f", "elsewhere/compose.yaml", "--project-directory", "."], { cwd: dir });
  const piped = runWithStdin(["-f", "-"], dir, COMPOSE);
  expect(piped.stderr).toBe("");
  expect(piped.status).toBe(0);
  expect(piped.stdout).toBe(named.stdout);
  expect(JSON.parse(piped.stdout).target.web.context).toBe("web");
});

test("-f - merges with other files in order, and .env is read from the current folder", () => {
  const dir = tempProject({
    "override.yaml": "services:\n  web:\n    build:\n      target: prod\n",
    ".env": "TAG=7\n",
  });
  const r = runWithStdin(["-f", "-", "-f", "override.yaml", "--resolve"], dir, COMPOSE);
  expect(r.status).toBe(0);
  const web = JSON.parse(r.stdout).target.web;
  expect(web.target).toBe("prod");
  expect(web.tags).toEqual(["example/web:7"]);
});

test("an error in standard input is reported as -:line:col", () => {
  const dir = tempProject({});
  const r = runWithStdin(["-f", "-"], dir, "services:\n  web:\n    build: [\n");
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^-:\d+:\d+: error: /);
  expect(path.isAbsolute(dir)).toBe(true);
});

test("empty standard input is an empty compose file", () => {
  const dir = tempProject({});
  const r = runWithStdin(["-f", "-"], dir, "");
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("empty compose file");
});
