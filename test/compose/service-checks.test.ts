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
