/**
 * loadProject on small projects written to a temporary folder: one test per loading rule that a scenario of
 * test/loading/ showed we had wrong against docker-compose 2.40.3 (the scenario name is in the test name).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadProject, type LoadOptions } from "../../src/compose/load";
import type { ComposeProject } from "../../src/compose/model";
import { DiagnosticBag } from "../../src/diagnostics";

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** Writes `files` to a new folder and loads it (cwd = that folder, or `cwd` below it). */
function load(files: Record<string, string>, options: Partial<LoadOptions> = {}): ComposeProject {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-load-"));
  roots.push(root);
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  }
  return loadProject({ env: {}, ...options, cwd: path.join(root, options.cwd ?? ".") }, new DiagnosticBag());
}
const args = (p: ComposeProject, service = "web") => ({ ...p.services[service]!.build!.args });
/** A service's build context, relative to the project folder. */
const context = (p: ComposeProject, service: string) =>
  path.relative(p.workingDir, p.services[service]!.build!.context);
const summary = (p: ComposeProject) => ({ name: p.name, args: args(p) });
const ARGS_X = "services:\n  web:\n    build:\n      context: .\n      args: [X]\n";

describe("loading rules checked against docker-compose 2.40.3", () => {
  test("compose-disable-env-file-in-dotenv: COMPOSE_DISABLE_ENV_FILE in .env disables .env but its COMPOSE_* keys stay", () =>
    expect(
      summary(load({ ".env": "COMPOSE_DISABLE_ENV_FILE=true\nX=1\nCOMPOSE_PROJECT_NAME=p\n", "compose.yaml": ARGS_X })),
    ).toEqual({ name: "p", args: {} }));
  test("error-compose-disable-env-file-invalid: COMPOSE_DISABLE_ENV_FILE must parse as a Go bool", () =>
    expect(() => load({ "compose.yaml": ARGS_X }, { env: { COMPOSE_DISABLE_ENV_FILE: "yes" } })).toThrow(
      'strconv.ParseBool: parsing "yes": invalid syntax',
    ));
  test("compose-env-files-in-dotenv-ignored: COMPOSE_ENV_FILES only comes from the process environment", () =>
    expect(
      args(
        load(
          {
            ".env": "X=root\n",
            "o.env": "X=other\n",
            "compose.yaml": ARGS_X,
            "sub/.env": "COMPOSE_ENV_FILES=../o.env\n",
          },
          { cwd: "sub" },
        ),
      ),
    ).toEqual({ X: "root" }));
  test("dotenv-pwd-and-earlier-pass: ${} in .env sees PWD and the keys of the first pass", () =>
    expect(
      args(
        load(
          { ".env": "X=${A}-${PWD}\n", "compose.yaml": ARGS_X, "sub/.env": "A=a\n" },
          { cwd: "sub", env: { PWD: "/pwd" } },
        ),
      ),
    ).toEqual({ X: "a-/pwd" }));
  test("include-dotenv-when-disabled: an include's .env is read even with COMPOSE_DISABLE_ENV_FILE", () =>
    expect(
      load(
        {
          "compose.yaml": "include: [inc/compose.yaml]\n",
          "inc/.env": "T=t\n",
          "inc/compose.yaml": "services:\n  api:\n    build: {context: ., target: '${T}'}\n",
        },
        { env: { COMPOSE_DISABLE_ENV_FILE: "true" } },
      ).services.api!.build!.target,
    ).toBe("t"));
  test("error-compose-file-missing: a missing COMPOSE_FILE entry is reported like compose-go (stat)", () =>
    expect(() => load({ "compose.yaml": ARGS_X }, { env: { COMPOSE_FILE: "nope.yaml" } })).toThrow(
      /^stat .*nope\.yaml: no such file or directory$/,
    ));
  test("merge-ssh-lists: an ssh list over the ssh of an earlier file cannot be merged", () =>
    expect(() =>
      load({
        "compose.yaml": "services:\n  web:\n    build: {context: ., ssh: [a=./a]}\n",
        "compose.override.yaml": "services:\n  web:\n    build: {ssh: [b=./b]}\n",
      }),
    ).toThrow("cannot override services.web.build.ssh"));
  test("extends-ssh-lists: ssh lists of a service and the one it extends in the same document are appended", () =>
    expect(
      load({
        "compose.yaml":
          "services:\n  base:\n    build: {context: ., ssh: [default]}\n  web:\n    extends: base\n    build: {ssh: [k=/k]}\n",
      }).services.web!.build!.ssh,
    ).toEqual([{ id: "default" }, { id: "k", path: "/k" }]));
  test("include-local-override: a local service is merged over an included one (current compose-go)", () => {
    const p = load({
      "compose.yaml": "include: [inc/compose.yaml]\nservices:\n  api:\n    image: x\n",
      "inc/compose.yaml": "services:\n  api:\n    build: .\n",
    });
    expect(p.services.api!.image).toBe("x");
    expect(context(p, "api")).toBe("inc");
  });
  test("include-project-directory-missing: a project_directory that does not exist resolves paths from its parent", () =>
    expect(
      context(
        load({
          "compose.yaml": "include:\n  - {path: inc/compose.yaml, project_directory: inc/nope}\n",
          "inc/compose.yaml": "services:\n  api:\n    build: ./api\n",
        }),
        "api",
      ),
    ).toBe("inc/api"));
  test("error-depends-on-disabled: an active service may not depend on a service that profiles disable", () =>
    expect(() =>
      load({
        "compose.yaml":
          "services:\n  web:\n    build: .\n    depends_on: [db]\n  db:\n    image: d\n    profiles: [db]\n",
      }),
    ).toThrow('service "web" depends on undefined service "db": invalid compose project'));
  test("depends-on: a required: false dependency on a disabled service is dropped", () =>
    expect(
      load({
        "compose.yaml":
          "services:\n  web:\n    build: .\n    depends_on: {db: {condition: service_started, required: false}}\n  db:\n    image: d\n    profiles: [db]\n",
      }).services.web!.active,
    ).toBe(true));
  test("error-profiles-named-service-dependency: a named service's dependencies must be active", () =>
    expect(() =>
      load(
        {
          "compose.yaml":
            "services:\n  web:\n    profiles: [w]\n    build: .\n    depends_on: [db]\n  db:\n    image: d\n    profiles: [db]\n",
        },
        { services: ["web"] },
      ),
    ).toThrow("no such service: db"));
  test("error-depends-on-cycle: a depends_on cycle is an error, searched in name order", () =>
    expect(() =>
      load({
        "compose.yaml": "services:\n  b:\n    image: b\n    depends_on: [a]\n  a:\n    image: a\n    depends_on: [b]\n",
      }),
    ).toThrow("dependency cycle detected: a -> b -> a"));
  test("name-field-last-wins: the last non-empty name as written wins, then it is interpolated", () =>
    expect(() =>
      load(
        { "a.yaml": "name: first\nservices:\n  web: {build: .}\n", "b.yaml": "name: '${EMPTY}'\n" },
        { files: ["a.yaml", "b.yaml"], env: { EMPTY: "" } },
      ),
    ).toThrow("project name must not be empty"));
});
