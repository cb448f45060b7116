/**
 * Kept paths equal to Compose under every environment (issue #13, item 1): a build context, a local additional
 * context, an ssh key path and a secret's `file:` holding `${VAR}` stay bake expressions with Compose's path rules
 * (src/bake/path-expression.ts), also when an included file in a sub-folder or an extended file in another folder
 * declares them (their relative paths start from that file's folder). As in exact.test.ts, the kept file is
 * generated once (JSON and HCL), then for each environment E `docker buildx bake --print` of it under E must equal
 * `docker compose build --print` under E resolved by the same bake (paths compared absolute and cleaned:
 * normaliseBakePrint resolves both sides, so `./sub/../x` equals Compose's `/…/x`), or both must fail.
 *
 * The project sits in `proj/` of a temporary folder, so that `../outside` and a fake home (`home/`, HOME in every
 * environment) are real folders; `{root}` in a value is that temporary folder. ssh keys are real keys (bake parses
 * them) and secret files exist, or bake fails for both.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeSshPrivateKey } from "../support/realtools";
import { describeKeptCases, type KeptCase } from "../support/kept-differential";
import { tempProject } from "../support/run";

/** Values every place is tried with: unset, empty, relative, up a folder, absolute, under home, remote. */
function values(name: string, relative: string, remote?: string): Array<Record<string, string>> {
  return [
    {},
    { [name]: "" },
    { [name]: relative },
    { [name]: `../outside/${path.basename(relative)}` },
    { [name]: `{root}/proj/${relative}` },
    { [name]: `~/${path.basename(relative)}` },
    { [name]: `~` },
    ...(remote === undefined ? [] : [{ [name]: remote }]),
  ];
}

/** Files are under `proj/` (a Dockerfile is added to proj/ and proj/sub/); HOME is the fake home. */
const cases: KeptCase[] = [
  {
    name: "build context, short and long form",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build: "${CTX}"\n  b:\n    build:\n      context: "${CTX:-sub}/"\n      dockerfile: Dockerfile\n',
    },
    envs: [
      ...values("CTX", "sub", "https://github.com/docker/buildx.git#v0.29.1"),
      { CTX: "github.com/docker/buildx" },
    ],
    expression: 'substr(CTX, 0, 1) == "~" ? "${homedir()}/${substr(CTX, 1, -1)}"',
  },
  {
    name: "additional contexts, map and list form",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      additional_contexts:\n        x: "${AC}"\n  b:\n    build:\n      context: .\n      additional_contexts: ["y=${AC2-./sub}"]\n  c.d:\n    build: .\n',
    },
    envs: [
      ...values("AC", "sub", "docker-image://alpine:3"),
      { AC: "service:c.d" },
      { AC: "target:sub" },
      { AC: "oci-layout://{root}/proj/sub" },
      { AC2: "" },
      { AC2: "github.com/docker/buildx" },
    ],
    expression: 'substr(AC, 0, 8) == "service:" ? "target:${replace(substr(AC, 8, -1), ".", "_")}"',
  },
  {
    name: "ssh key paths, map and list form",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      ssh:\n        k: "${KEY:-keys/id}"\n  b:\n    build:\n      context: .\n      ssh: ["j=${KEY2:-keys/id}"]\n',
    },
    envs: [
      ...values("KEY", "keys/id").filter((e) => e.KEY !== "" && e.KEY !== "~"),
      { KEY2: "keys/id" },
      { KEY2: "~/id" },
      { KEY2: "{root}/outside/id" },
    ],
    expression: 'can(regex("^(/|[A-Za-z]:[/\\\\\\\\]|[/\\\\\\\\]{2}[^/\\\\\\\\])", p)) ? p : "./${p}"',
  },
  {
    name: "secret files",
    files: {
      "compose.yaml":
        'secrets:\n  s:\n    file: "${SF}"\n  t:\n    file: "~/${TF:-id}"\nservices:\n  a:\n    build:\n      context: .\n      secrets: [s, t]\n',
    },
    envs: values("SF", "keys/id"),
    expression: '"id=s,src=${SF == "" ? "." : substr(SF, 0, 1) == "~"',
  },
  {
    name: "paths declared by an included file in a sub-folder (an empty context is the main project's folder)",
    files: {
      "compose.yaml": "include:\n  - sub/compose.yaml\n",
      "sub/compose.yaml":
        'secrets:\n  s:\n    file: "${SF:-id}"\nservices:\n  i:\n    build:\n      context: "${CTX}"\n      additional_contexts: {x: "${AC:-.}"}\n      ssh: ["k=${KEY:-id}"]\n      secrets: [s]\n',
      "sub/id": "key",
    },
    envs: [
      ...values("CTX", "sub"),
      { AC: "" },
      { AC: "../keys" },
      { AC: "~/x" },
      { KEY: "../keys/id" },
      { KEY: "{root}/outside/id" },
      { SF: "../keys/id" },
      { SF: "~/id" },
    ],
    expression: '[for p in [AC == "" ? "." : AC] :',
  },
  {
    name: "paths declared by an extended service in a file of another folder",
    files: {
      "compose.yaml": "services:\n  a:\n    extends: {file: ext/base.yaml, service: base}\n",
      "ext/base.yaml":
        'services:\n  base:\n    build:\n      context: "${CTX:-.}"\n      additional_contexts: ["x=${AC:-../sub}"]\n      ssh: {k: "${KEY:-id}"}\n',
    },
    envs: [...values("CTX", "sub"), { AC: "" }, { AC: "~/x" }, { AC: "/abs" }, { KEY: "../keys/id" }, { KEY: "~/id" }],
    expression: '"ext/${p}"',
  },
];

/** The temporary folder: the project in proj/, keys and secrets in proj/keys, outside/, home/ and proj/ext. */
function layout(files: Record<string, string>): { root: string; cwd: string } {
  const root = tempProject({
    "proj/Dockerfile": "FROM alpine\n",
    "proj/sub/Dockerfile": "FROM alpine\n",
    "outside/Dockerfile": "FROM alpine\n",
    "home/x/Dockerfile": "FROM alpine\n",
    "home/sub/Dockerfile": "FROM alpine\n",
    ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`proj/${k}`, v])),
  });
  // ssh keys (and the same files as secrets) wherever a value may point.
  for (const dir of ["proj/keys", "proj/ext", "proj/sub", "outside", "home"]) {
    writeSshPrivateKey(path.join(root, dir, "id"));
  }
  writeSshPrivateKey(path.join(root, "home/keys/id"));
  fs.mkdirSync(path.join(root, "proj/ext/sub"), { recursive: true });
  fs.writeFileSync(path.join(root, "proj/ext/sub/Dockerfile"), "FROM alpine\n");
  return { root, cwd: path.join(root, "proj") };
}

describeKeptCases(cases, { layout, around: async (root) => ({ env: { HOME: path.join(root, "home") } }) });
