/**
 * Kept additional-context names equal to Compose under every environment (issue #13, item 1): an
 * `additional_contexts` list item whose name holds a `${VAR}` (`- ${K}=./ctx`) makes the whole map one bake
 * expression (src/bake/kept-contexts.ts) instead of being resolved as if unset. Compose cuts each interpolated
 * item at its first `=`, gives the value its path rule from the declaring file's folder, keeps the last value of
 * a name (in a file, and across files and `extends`, after interpolation), refuses an item without `=` (in every
 * service, active or not) and an empty name that a later document meets as a mapping.
 *
 * As in exact-ssh.test.ts, the kept file is generated once (JSON and HCL), then for each environment E
 * `docker buildx bake --print` of it under E must equal `docker compose build --print` under E resolved by the
 * same bake, or both must fail (with Compose's message when the case names one). Every environment has a fake
 * HOME (for `~`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { bakePrintAsync, findRealTools } from "../support/realtools";
import { describeKeptCases, type KeptCase } from "../support/kept-differential";
import { fixedEnv, runCli, tempProject } from "../support/run";

const tools = findRealTools();
// Without them, describeKeptCases notes the skip (the run ends saying so; under CI=true it fails).
const withTools = tools ? test : test.skip;

const cases: KeptCase[] = [
  {
    name: "one file: names from variables (empty, equal to a literal one, holding `=`), values under every rule",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      additional_contexts: ["${K}=./ctx", "other=${P}", "b=./y", "${K2-c}=${V2:-./z}"]\n  d:\n    build: .\n',
    },
    envs: [
      {},
      { K: "" },
      { K: "b" },
      { K: "x=y" },
      { K: "other", P: "service:d" },
      { K: "c", P: "https://github.com/docker/buildx.git" },
      { P: "/opt/abs" },
      { P: "~/q", K: "n" },
      { K2: "", V2: "docker-image://alpine" },
      { K2: "b", V2: "~" },
      { K2: "e", V2: "service:d" },
      { K2: "q=r", V2: "" },
    ],
    expression: '{ for m in [regex("^([^=]*)=([\\\\s\\\\S]*)$", "${K}=./ctx")] : m[0] =>',
  },
  {
    name: "a later -f file overrides by the interpolated name, whatever the order",
    files: {
      "compose.yaml": 'services:\n  a:\n    build:\n      context: .\n      additional_contexts: [A=./x, "${K}=./y"]\n',
      "override.yaml": 'services:\n  a:\n    build:\n      additional_contexts: [A=./z, "${K2:-B}=./w"]\n',
    },
    composeFile: "compose.yaml:override.yaml",
    envs: [{}, { K: "A" }, { K: "B" }, { K: "A=q" }, { K2: "A", K: "B" }, { K2: "" }],
    expression: "merge(",
  },
  {
    name: "an empty name that a later -f file meets as a mapping is refused (the schema's key '')",
    files: {
      "compose.yaml": 'services:\n  a:\n    build:\n      context: .\n      additional_contexts: [A=./x, "${K}=./y"]\n',
      "override.yaml": "services:\n  a:\n    build:\n      target: base\n",
    },
    composeFile: "compose.yaml:override.yaml",
    envs: [{}, { K: "" }, { K: "A" }, { K: "k=v" }],
    expression: "merge(",
    message: /services\.a\.build\.additional_contexts additional properties '' not allowed/,
  },
  {
    name: "extends from another file's folder: the extending service's items override by the interpolated name",
    files: {
      "ext/base.yaml":
        'services:\n  base:\n    build:\n      context: .\n      additional_contexts: [A=./x, "${K}=./y", "${K3:-C}=${P3:-../up}"]\n',
      "compose.yaml":
        'services:\n  a:\n    extends: {file: ext/base.yaml, service: base}\n    build:\n      additional_contexts: [A=./z]\n  s:\n    build:\n      context: .\n      additional_contexts: ["${KS}=./x"]\n  t:\n    extends: s\n    build:\n      additional_contexts: [B=./q]\n',
    },
    envs: [{}, { K: "A" }, { K: "B" }, { K3: "A", P3: "sub" }, { P3: "~/h" }, { KS: "B" }, { KS: "" }],
    expression: '"ext/${p}"',
  },
  {
    name: "extends from another file with no items of its own: an empty name is refused",
    files: {
      "ext/base.yaml": 'services:\n  base:\n    build:\n      context: .\n      additional_contexts: ["${K}=./y"]\n',
      "compose.yaml": "services:\n  a:\n    extends: {file: ext/base.yaml, service: base}\n",
    },
    envs: [{}, { K: "k" }, { K: "=x" }, { K: "k=v" }],
    expression: "substr(",
    message: /services\.a\.build\.additional_contexts additional properties '' not allowed/,
  },
  {
    name: "an include from a sub-folder (its values start there; an empty name is refused)",
    files: {
      "compose.yaml": "include:\n  - sub/compose.yaml\n",
      "sub/compose.yaml":
        'services:\n  i:\n    build:\n      context: .\n      additional_contexts: ["${K-k}=./x", "y=${P}", "${K4:-z}=${P4-../up}"]\n',
      "sub/Dockerfile": "FROM alpine\n",
    },
    envs: [{}, { K: "n" }, { P: "a/b" }, { P: "~/h" }, { K: "" }, { K: "n=v" }, { P: "/abs" }, { K4: "y", P4: "" }],
    expression: '"sub/${p}"',
    message: /services\.i\.build\.additional_contexts additional properties '' not allowed/,
  },
  {
    name: "a service no profile enables: an item without `=` is refused all the same",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build: .\n  b:\n    profiles: [never]\n    build:\n      context: .\n      additional_contexts: ["${K}", "x=./y"]\n',
    },
    envs: [{}, { K: "a=b" }, { K: "zz" }, { K: "=q" }],
    expression: 'if m[1] != ""',
    message: /services\.b\.build\.additional_contexts: invalid value (zz)?, expected key=value/,
  },
  {
    name: "a kept item naming `service:` a service no profile enables: Compose refuses the project (fuzz keep 9612)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    profiles: [p1]\n    build: .\n  w:\n    build:\n      context: .\n      additional_contexts: ["${K-img}=service:a", "c=./x"]\n',
    },
    envs: [{}, { K: "" }, { K: "x=y" }, { K: "c" }],
    expression: "substr(",
    message: /service "w" declares unknown service "a" as additional contexts (img)?/,
  },
  {
    name: "a literal `service:` context of a service no profile enables, which a later kept item may replace",
    files: {
      "compose.yaml":
        'services:\n  a:\n    profiles: [p1]\n    build: .\n  w:\n    build:\n      context: .\n      additional_contexts: ["n=service:a", "${K-m}=./x"]\n',
    },
    envs: [{}, { K: "n" }, { K: "n=z" }, { K: "" }],
    expression: "substr(",
    message: /service "w" declares unknown service "a" as additional contexts n/,
  },
  {
    name: "a kept value under a literal name that comes out `service:X`: X must be an active service with a build",
    files: {
      "compose.yaml":
        "services:\n  a:\n    profiles: [p1]\n    build: .\n  d:\n    build: .\n  img:\n    image: alpine\n  w:\n    build:\n      context: .\n      additional_contexts:\n        n: ${S:-service:d}\n        m: service:${T:-d}\n        o: ./${U:-x}\n",
    },
    envs: [
      {},
      { S: "service:img" },
      { S: "service:nope" },
      { S: "./x" },
      { S: "service:a" },
      { T: "img" },
      { T: "d", U: "y" },
    ],
    expression: "substr(",
    message: /service "w" declares (unknown|non-buildable) service "(img|nope|a)" as additional contexts [nm]/,
  },
];

/** The project in proj/ of a temporary folder (with the folders the values name), a fake home. */
function layout(files: Record<string, string>): { root: string; cwd: string } {
  const root = tempProject({
    "proj/Dockerfile": "FROM alpine\n",
    "home/q/.keep": "",
    "home/h/.keep": "",
    ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`proj/${k}`, v])),
  });
  for (const dir of ["ctx", "x", "y", "z", "w", "q", "up", "ext/x", "ext/y", "ext/sub", "sub/x", "sub/a/b"])
    fs.mkdirSync(path.join(root, "proj", dir), { recursive: true });
  return { root, cwd: path.join(root, "proj") };
}

describeKeptCases(cases, { layout, around: async (root) => ({ env: { HOME: path.join(root, "home") } }) });

describe("compose2bake.toml on a target with kept contexts", () => {
  withTools("its contexts are merged over the expression, and a renamed target is followed", async () => {
    const dir = tempProject({
      Dockerfile: "FROM alpine\n",
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      additional_contexts: ["${K}=./ctx", "other=${P:-service:d}", "c=service:d"]\n  d:\n    build: .\n',
      "compose2bake.toml": [
        'output = "docker-bake.hcl"',
        "[rename]",
        'd = "dd"',
        "[target.a]",
        'contexts = { extra = "./q", b = "./w" }',
      ].join("\n"),
    });
    expect(runCli([], { cwd: dir }).status).toBe(0);
    const contextsUnder = async (env: Record<string, string>) => {
      const r = await bakePrintAsync(tools!, { files: ["docker-bake.hcl"], cwd: dir, env: fixedEnv(env) });
      if (!r.ok) throw new Error(r.stderr);
      return r.json.target?.a?.contexts;
    };
    // The setting wins over a name the list gives too (`b`), as over any compose value.
    expect(await contextsUnder({ K: "b" })).toEqual({
      b: "./w",
      c: "target:dd",
      extra: "./q",
      other: "target:dd",
    });
    expect(await contextsUnder({ K: "n", P: "./p" })).toEqual({
      b: "./w",
      c: "target:dd",
      extra: "./q",
      // The path rule's `./` before a relative value, as for any kept path (bake prints it as written).
      n: "././ctx",
      other: "././p",
    });
  });
});
