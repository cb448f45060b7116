/**
 * The checks after the schema on the whole service (consistency.ts, service-checks.ts, decode-service.ts,
 * unicity-checks.ts, label-files.ts): the scenarios of
 * test/loading/ compare them with docker-compose; here, keep mode, where a value written with a variable is only
 * known when bake runs and so is not judged, while a literal one still is.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadProject } from "../../src/compose/load";
import { CompileError, DiagnosticBag } from "../../src/diagnostics";

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function load(service: string, variables: "keep" | "resolve"): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-service-checks-"));
  roots.push(dir);
  fs.writeFileSync(path.join(dir, "compose.yaml"), `services:\n  a:\n    build: .\n${service}`);
  try {
    loadProject({ cwd: dir, env: {}, variables }, new DiagnosticBag());
    return undefined;
  } catch (e) {
    if (e instanceof CompileError) return e.diagnostics[0]!.code;
    throw e;
  }
}

const WITH_VARIABLES = [
  ['    networks: ["${NET}"]\n', "undefined-network"],
  ['    volumes: ["${V:-nosuch}:/x"]\n', "undefined-volume"],
  ['    secrets: ["${S}"]\n', "undefined-service-secret"],
  ['    links: ["${L:-nosuch}"]\n', "undefined-dependency"],
  ['    ipc: "service:${X}"\n', "undefined-dependency"],
  ['    stop_grace_period: "${T}"\n', "invalid-duration"],
  ['    mem_limit: "${M:-1q}"\n', "invalid-size"],
  ['    extra_hosts: ["${H}"]\n', "invalid-extra-host"],
  ['    ports: ["${P:-abc}"]\n', "invalid-port"],
  ['    devices: ["${D:-a:b:c:d}"]\n', "invalid-device"],
  ['    ports: ["${P:-0}"]\n', "invalid-port"],
  ['    volumes: ["${V:-./a:/b:ro:x}"]\n', "invalid-volume"],
  ['    volumes: ["./a:${T:-/b}"]\n    tmpfs: [/b]\n', "mount-conflict"],
  ['    healthcheck:\n      test: ["${H:-FOO}"]\n', "invalid-healthcheck"],
  ["    container_name: web\n    scale: ${N:-2}\n", "container-name-scale"],
  ["    develop:\n      watch: [{path: ., action: '${A:-sync}'}]\n", "watch-target-missing"],
  ['    label_file: "${L:-nosuch.labels}"\n', "label-file-missing"],
] as const;

describe("a value written with a variable", () => {
  test.each(WITH_VARIABLES)("is judged as resolved in resolve mode: %s", (service, code) => {
    expect(load(service, "resolve")).toBe(code);
  });
  test.each(WITH_VARIABLES)("is left to bake in keep mode: %s", (service) => {
    expect(load(service, "keep")).toBeUndefined();
  });
});

test("in keep mode, a literal value beside one with a variable is still judged", () => {
  expect(load('    networks: ["${NET}", nosuch]\n', "keep")).toBe("undefined-network");
  expect(load('    ports: ["${P}:80", "abc"]\n', "keep")).toBe("invalid-port");
  expect(load("    scale: -1\n", "keep")).toBe("negative-scale");
  expect(load('    volumes: ["${V}:/x", "./a:/b:ro:x"]\n', "keep")).toBe("invalid-volume");
  expect(load("    label_file: nosuch.labels\n", "keep")).toBe("label-file-missing");
});

/** The first diagnostic of loading compose.yaml (which extends base.yaml's `b`), as `file:line:col code`. */
function loadExtending(base: string, variables: "keep" | "resolve"): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-service-checks-"));
  roots.push(dir);
  fs.writeFileSync(path.join(dir, "compose.yaml"), "services:\n  a:\n    extends: {file: base.yaml, service: b}\n");
  fs.writeFileSync(path.join(dir, "base.yaml"), base);
  try {
    loadProject({ cwd: dir, env: {}, variables }, new DiagnosticBag());
    return undefined;
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    const d = e.diagnostics[0]!;
    const at = d.pos?.offset === undefined ? undefined : d.pos.file.lineCol(d.pos.offset);
    return `${path.basename(d.pos?.file.path ?? "?")}:${at?.line}:${at?.column} ${d.code} ${d.message}`;
  }
}

// compose-go canonicalises every file an `extends` reads, each service of it: its ports and devices must parse
// (and open no port 0) even in a service nobody extends. Keep mode used to skip them: an extended file's values
// had no position there, so they could not be told from values written with a variable.
describe.each(["keep", "resolve"] as const)("an extended file's services, in %s mode", (variables) => {
  test.each([
    [
      'services:\n  b:\n    build: .\n    ports: ["0"]\n',
      "base.yaml:4:13 invalid-port service ports services.b.ports.[0] is missing a target port",
    ],
    [
      'services:\n  b:\n    build: .\n  c:\n    image: x\n    ports: ["0"]\n',
      "base.yaml:6:13 invalid-port service ports services.c.ports.[0] is missing a target port",
    ],
    ["services:\n  b:\n    build: .\n    ports: [abc]\n", "base.yaml:4:13 invalid-port"],
    ['services:\n  b:\n    build: .\n    devices: ["a:b:c:d"]\n', "base.yaml:4:15 invalid-device"],
  ])("%j is refused at its place", (base, expected) => {
    expect(loadExtending(base, variables)).toMatch(new RegExp(`^${expected.replace(/[.[\]]/g, "\\$&")}`));
  });
});

test("an extended file's port written with a variable is left to bake in keep mode", () => {
  expect(loadExtending('services:\n  b:\n    build: .\n    ports: ["${P:-0}"]\n', "keep")).toBeUndefined();
  expect(loadExtending('services:\n  b:\n    build: .\n    ports: ["${P:-0}"]\n', "resolve")).toMatch(/invalid-port/);
});

test("ports a later file resets are still refused (compose-go canonicalises each file as it merges it)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-service-checks-"));
  roots.push(dir);
  fs.writeFileSync(path.join(dir, "a.yaml"), 'services:\n  a:\n    build: .\n    ports: ["0"]\n');
  fs.writeFileSync(path.join(dir, "b.yaml"), "services:\n  a:\n    ports: !reset []\n");
  for (const variables of ["keep", "resolve"] as const)
    expect(() =>
      loadProject({ cwd: dir, env: {}, variables, files: ["a.yaml", "b.yaml"] }, new DiagnosticBag()),
    ).toThrow(/missing a target port/);
});

// The checks on the merged service (decoding, consistency) judge what an extended file gave it too: its values are
// placed where that file wrote them, so keep mode can tell a literal from a value written with a variable.
test.each([
  ["    mem_limit: 1x\n", "base.yaml:4:16 invalid-size", '    mem_limit: "${M:-1x}"\n'],
  ["    networks: [nosuch]\n", "base.yaml:4:16 undefined-network", '    networks: ["${N:-nosuch}"]\n'],
  [
    '    healthcheck:\n      test: ["FOO"]\n',
    "base.yaml:5:14 invalid-healthcheck",
    '    healthcheck:\n      test: ["${T:-FOO}"]\n',
  ],
])("an extended file's %j is judged in keep mode too, at its place", (service, expected, withVariable) => {
  const base = (s: string) => `services:\n  b:\n    build: .\n${s}`;
  expect(loadExtending(base(service), "keep")).toMatch(new RegExp(`^${expected}`));
  expect(loadExtending(base(service), "resolve")).toMatch(new RegExp(`^${expected}`));
  expect(loadExtending(base(withVariable), "keep")).toBeUndefined();
  expect(loadExtending(base(withVariable), "resolve")).toMatch(new RegExp(`^${expected.split(":")[0]}`));
});

/** The first diagnostic (`file:line:col code`) of loading `files`, the ones named in `composeFiles` with -f. */
function loadFiles(
  files: Record<string, string>,
  composeFiles: readonly string[],
  variables: "keep" | "resolve",
): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-service-checks-"));
  roots.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  try {
    loadProject({ cwd: dir, env: {}, variables, files: [...composeFiles] }, new DiagnosticBag());
    return undefined;
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    const d = e.diagnostics[0]!;
    const at = d.pos?.offset === undefined ? undefined : d.pos.file.lineCol(d.pos.offset);
    return `${path.basename(d.pos?.file.path ?? "?")}:${at?.line}:${at?.column} ${d.code}`;
  }
}

// Merged lists are not indexed like either document's: item 0 of `["${P}"]` + `["80"]` is the first file's. Keep
// mode judged it by the later file's item 0 (a literal), so the port resolved as if P were unset was refused
// ("No port specified"), where Compose, with P set, builds.
describe("a merged list's items are judged at their own place", () => {
  const first = 'services:\n  a:\n    build: .\n    ports: ["${P}"]\n';
  const later = 'services:\n  a:\n    ports: ["80"]\n';
  test.each([
    ["a later file", { "a.yaml": first, "b.yaml": later }, ["a.yaml", "b.yaml"]],
    [
      "an extending service",
      {
        "base.yaml": first.replace("a:", "b:"),
        "compose.yaml": 'services:\n  a:\n    extends: {file: base.yaml, service: b}\n    ports: ["80"]\n',
      },
      ["compose.yaml"],
    ],
    [
      "an extending service of the same file",
      { "compose.yaml": `${first}  c:\n    extends: a\n    ports: ["80"]\n` },
      ["compose.yaml"],
    ],
  ] as const)("a value written with a variable, then a literal from %s: left to bake", (_, files, composeFiles) => {
    expect(loadFiles(files, composeFiles, "keep")).toBeUndefined();
  });
  test("a literal bad item from a later file is refused at its own place", () => {
    const bad = 'services:\n  a:\n    ports: ["abc"]\n';
    expect(loadFiles({ "a.yaml": first, "b.yaml": bad }, ["a.yaml", "b.yaml"], "keep")).toBe(
      "b.yaml:3:13 invalid-port",
    );
    expect(loadFiles({ "a.yaml": first.replace("${P}", "80"), "b.yaml": bad }, ["a.yaml", "b.yaml"], "resolve")).toBe(
      "b.yaml:3:13 invalid-port",
    );
  });
});

// compose-go validates the whole merged model after each later file, the earlier files' lists already mappings:
// an empty name is the key '' the schema refuses, even when the later file does not touch the service (fuzz
// resolve seed 9403).
test.each([
  ['      additional_contexts: ["=./x"]\n', "a.yaml:5:29 schema"],
  ['      ssh: ["=keys/id"]\n', "a.yaml:5:12 schema"],
])("%j in one file, then any later file: refused in both modes", (line, expected) => {
  const files = {
    "a.yaml": `services:\n  a:\n    build:\n      context: .\n${line}`,
    "b.yaml": "services:\n  z:\n    image: x\n",
  };
  expect(loadFiles({ "a.yaml": files["a.yaml"] }, ["a.yaml"], "keep")).toBeUndefined();
  for (const variables of ["keep", "resolve"] as const)
    expect(loadFiles(files, ["a.yaml", "b.yaml"], variables)).toBe(expected);
});
