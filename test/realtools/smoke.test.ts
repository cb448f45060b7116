/**
 * Smoke test of the differential pipeline with the real tools (.tools/, from test/tools/fetch-docker-tools.sh):
 * a one-service project goes through `docker-compose build --print` → `docker-buildx bake --print`, and a
 * hand-written equivalent bake file goes through `docker-buildx bake --print`; after normalising, the
 * comparator must find nothing, and must find a secret we deliberately leave out.
 * Without the tools every test here is reported as skipped, with a message saying why.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  bakePrintAsync,
  COMPOSE_DOCUMENTED_DIFFERENCES,
  composeBuildPrintAsync,
  findRealTools,
  formatDifferences,
  runDifferentialAsync,
  whyNoRealTools,
  withSshAgentSocket,
} from "../support/realtools";

const tools = findRealTools();
if (!tools) {
  console.warn(`real docker-buildx/docker-compose not found, skipping the smoke tests: ${whyNoRealTools()}`);
}
const withTools = tools ? test : test.skip;

const COMPOSE_YAML = `services:
  web:
    build:
      context: ./app
      args:
        FOO: bar
        NUM: 1
      secrets:
        - mysecret
      ssh:
        - default
secrets:
  mysecret:
    file: ./secret.txt
`;

/** What compose2bake should write for it: paths relative to the bake file, CSV entries, bare `default`. */
function handWritten(withSecret: boolean) {
  return {
    group: { default: { targets: ["web"] } },
    target: {
      web: {
        context: "app",
        dockerfile: "Dockerfile",
        args: { FOO: "bar", NUM: "1" },
        tags: ["smoke-web"],
        ...(withSecret ? { secret: ["id=mysecret,type=file,src=secret.txt"] } : {}),
        ssh: ["default"],
      },
    },
  };
}

let dir: string;
let agent: { path: string; close: () => Promise<void> } | undefined;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-smoke-"));
  fs.mkdirSync(path.join(dir, "app"));
  fs.writeFileSync(path.join(dir, "app", "Dockerfile"), "FROM scratch\n");
  fs.writeFileSync(path.join(dir, "secret.txt"), "s3cret\n");
  fs.writeFileSync(path.join(dir, "compose.yaml"), COMPOSE_YAML);
  fs.writeFileSync(path.join(dir, "ours.json"), JSON.stringify(handWritten(true), null, 2));
  fs.writeFileSync(path.join(dir, "ours-no-secret.json"), JSON.stringify(handWritten(false), null, 2));
  if (tools) agent = await withSshAgentSocket();
});

afterAll(async () => {
  await agent?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

withTools("compose's output resolved by bake equals the hand-written bake file", async () => {
  const env = { SSH_AUTH_SOCK: agent!.path };
  const r = await runDifferentialAsync(tools!, {
    ours: { files: ["ours.json"], cwd: dir, env },
    compose: { cwd: dir, projectName: "smoke", env },
    ignore: COMPOSE_DOCUMENTED_DIFFERENCES,
  });
  if (!r.ok) throw new Error(`${r.side} side failed: ${r.command}\n${r.stderr}`);
  expect(formatDifferences(r.differences)).toBe("");
  // Make sure the comparison really looked at the fields of interest.
  expect(Object.keys(r.theirs.targets.web ?? {}).sort()).toEqual(
    ["args", "context", "dockerfile", "labels", "output", "secret", "ssh", "tags"].sort(),
  );
  expect(r.composeJson).toMatchObject({
    target: { web: { secret: [expect.stringContaining("id=mysecret")], ssh: ["default="] } },
  });
});

withTools("a secret left out of our file is found (deliberate mismatch)", async () => {
  const env = { SSH_AUTH_SOCK: agent!.path };
  const r = await runDifferentialAsync(tools!, {
    ours: { files: ["ours-no-secret.json"], cwd: dir, env },
    compose: { cwd: dir, projectName: "smoke", env },
    ignore: COMPOSE_DOCUMENTED_DIFFERENCES,
  });
  if (!r.ok) throw new Error(`${r.side} side failed: ${r.command}\n${r.stderr}`);
  const secretFile = path.join(fs.realpathSync(dir), "secret.txt");
  expect(r.differences).toEqual([
    { target: "web", field: "secret[mysecret]", ours: undefined, theirs: `type=file,src=${secretFile}` },
  ]);
});

withTools("bake --print refuses ssh default without SSH_AUTH_SOCK (why withSshAgentSocket exists)", async () => {
  const r = await bakePrintAsync(tools!, { files: ["ours.json"], cwd: dir });
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.stderr).toMatch(/SSH_AUTH_SOCK/);
});

withTools("compose build --print works with no engine and without warnings", async () => {
  const r = await composeBuildPrintAsync(tools!, { cwd: dir, projectName: "smoke" });
  if (!r.ok) throw new Error(r.stderr);
  expect(r.stderr).toBe("");
  expect(r.json).toMatchObject({ group: { default: { targets: ["web"] } } });
});
