/**
 * No message shows the content of an env file or a value from the environment: an env file may hold tokens, and
 * `--env-file` (or a committed `env_file`/`include` env file) may name a file that is no env file at all, such as
 * a private key. docker compose 2.40.3 prints the value of an unterminated quote, the first line of a file that
 * is not an env file, and `${X:?…}` messages interpolated with environment values; compose2bake prints the
 * position and the key.
 */
import { fixedEnv, runCli } from "../support/run";
import { expectCleanFailure, hostileProject, runHostile } from "./support";

const COMPOSE = {
  "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      args:\n        A: ${A:-x}\n",
};
const SECRET = "S3CRET";

describe("hostile inputs never echo secrets", () => {
  test.each([
    ["an unterminated double quote", `TOKEN="${SECRET}\nB=1\n`, 'line 1: unterminated quoted value of "TOKEN"'],
    ["an unterminated single quote", `A=1\nTOKEN='${SECRET}`, 'line 2: unterminated quoted value of "TOKEN"'],
    [
      "a file that is no env file (a private key)",
      `-----BEGIN ${SECRET} KEY-----\nMIIEvQ${SECRET}\n`,
      "line 1: key cannot contain a space",
    ],
    [
      "a file that is no env file (JSON)",
      `{"token": "${SECRET}"}\n`,
      'line 1: unexpected character "{" in variable name',
    ],
    ["a bad key followed by a value", `TO%KEN=${SECRET}\n`, 'line 1: unexpected character "%" in variable name'],
    [
      "an invalid reference in a value",
      `TOKEN="${SECRET}\${ }"\n`,
      'line 1: invalid interpolation format in the value of "TOKEN"',
    ],
    [
      "a required variable in a value",
      `TOKEN=${SECRET}\${UNSET:?${SECRET}}\n`,
      'line 1: required variable UNSET is missing a value in the value of "TOKEN"',
    ],
  ])(".env with %s", (_what, env, message) => {
    const dir = hostileProject({ ...COMPOSE, ".env": env });
    const r = runHostile(dir, ["--resolve"]);
    expect(r.stderr).not.toContain(SECRET);
    expectCleanFailure(r, dir, { file: ".env", message: `failed to read ${dir}/.env: ${message} [env-file-syntax]` });
  });

  test("--env-file naming a file that is no env file", () => {
    const dir = hostileProject({ ...COMPOSE, id_rsa: `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRET}\n` });
    const r = runHostile(dir, ["--env-file", "id_rsa"]);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toContain("OPENSSH");
    expect(r.status).toBe(2);
  });

  test("a ${X:?message} error shows the message as written, not the environment's values in it", () => {
    const dir = hostileProject({
      "compose.yaml":
        "services:\n  web:\n    build:\n      context: .\n      args:\n        A: ${REQUIRED:?token is ${GITHUB_TOKEN}}\n",
    });
    for (const flags of [["--resolve"], []]) {
      const r = runCli([...flags, "-o", "-"], { cwd: dir, env: fixedEnv({ GITHUB_TOKEN: SECRET }) });
      expect(r.stderr).not.toContain(SECRET);
      if (flags.length > 0) {
        expect(r.status).toBe(2);
        expect(r.stderr).toContain("required variable REQUIRED is missing a value: token is ${GITHUB_TOKEN}");
      }
      expect(r.stdout).not.toContain(SECRET);
    }
  });
});
