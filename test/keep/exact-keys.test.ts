/**
 * Kept args and labels keys equal to Compose under every environment (issue #13, README "Kept variables"): a
 * list-form `build.args` or `build.labels` item whose key holds a `${VAR}` (`- ${K}=v`, `- PRE_${K}=v`, a labels
 * `- ${L}`) makes the whole map one expression bake builds when it runs (src/bake/kept-key-values.ts), instead of
 * a key resolved from the environment when the file is generated. Compose interpolates each file, cuts each item
 * at its first `=`, keeps the last item of a key (across a later `-f` file and `extends` too, by the interpolated
 * key), looks a value-less arg up in the environment (dropped when unset) and refuses an args key ending in white
 * space, in every service, active or not.
 *
 * As in exact.test.ts, the kept file is generated once (JSON and HCL) with an environment that sets every
 * variable to a value that must not reach the file, then for each environment E `docker buildx bake --print` of
 * it under E must equal `docker compose build --print` under E resolved by the same bake, or both must fail
 * (with Compose's message when the case names one).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compose2bake, parseConfig } from "../../src/index";
import { SourceFile } from "../../src/diagnostics";
import { bakePrintAsync, composeViaBakeAsync, findRealTools, normaliseBakePrint } from "../support/realtools";
import { describeKeptCases, type KeptCase } from "../support/kept-differential";
import { tempProject } from "../support/run";

const tools = findRealTools();
// Without them, describeKeptCases notes the skip (the run ends saying so; under CI=true it fails).
const withTools = tools ? test : test.skip;

/** Values of the generating machine: none may reach the file. */
const SECRET = "s3cr3t-Gen-Value";

/** The environments every case runs under: unset, empty, a literal key, a `=` in the key, a secret-looking value. */
const COMMON: ReadonlyArray<Record<string, string>> = [
  {},
  { K: "" },
  { K: "FOO" },
  { K: "BAR", BAR: "from-env" },
  { K: "A=B" },
  { K: "FOO=x=y", V: "v" },
  { K: "NEW", V: "ghp_0123456789abcdefSECRET" },
  { K: "-", L: "lbl" },
  { L: "" },
  { L: "com.example=1", L2: "x=y" },
  { L: "lbl", L2: "" },
];

const cases: KeptCase[] = [
  {
    name: "args and labels keys from variables in one list, beside literal ones",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      args:\n        - FOO=b\n        - "${K}=a${V}"\n        - "PRE_${P:-x}=p"\n        - BAR\n        - "${K:+FOO}=last"\n      labels:\n        - lbl=y\n        - "${L}=x"\n        - "${L2}"\n        - "${L3-lbl}=z"\n',
    },
    envs: [...COMMON, { P: "=" }, { P: "" }, { K: "", P: "" }, { L3: "" }],
    expression: '{ for m in [regex("^([^=]*)=?([\\\\s\\\\S]*)$", "${K}=a${V}")] : m[0] => m[1] }',
  },
  {
    name: "an args key ending in white space is refused by both (Go reads the last byte: Å too), in an inactive service as well",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      args: ["${K}=a"]\n  b:\n    profiles: [never]\n    build:\n      context: .\n      args: ["X${KB-}=b"]\n',
    },
    envs: [{}, { K: "FOO " }, { K: "FOO\t" }, { K: "Å" }, { K: "é" }, { K: "a+" }, { KB: " " }, { KB: "\u2005" }],
    expression: "urlencode(",
    message:
      /'services\[[ab]\]\.build\.args' environment variable (FOO |FOO\t|Å|X |X\u2005) is declared with a trailing space/,
  },
  {
    name: "a later -f file overrides by the interpolated key (the kept item first)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      args: [FOO=b, "${K}=a"]\n      labels: ["${L}=x", lbl=y]\n',
      "over.yaml": "services:\n  a:\n    build:\n      args: [FOO=c]\n      labels: {lbl: w, com.example: v}\n",
    },
    composeFile: "compose.yaml:over.yaml",
    envs: COMMON,
    expression: '"FOO" = "c"',
  },
  {
    name: "a later -f file's kept item overrides a literal key, and a value-less item over a value",
    files: {
      "compose.yaml": "services:\n  a:\n    build:\n      context: .\n      args: {FOO: c, BAR: d, NEW: n}\n",
      "over.yaml": 'services:\n  a:\n    build:\n      args: ["${K}=a", BAR]\n      labels: ["${L}"]\n',
    },
    composeFile: "compose.yaml:over.yaml",
    envs: COMMON,
    expression: '"BAR" = "${BAR}"',
  },
  {
    name: "extends in the same file, both orders",
    files: {
      "compose.yaml":
        'services:\n  base:\n    build:\n      context: .\n      args: ["${K}=a", NEW=n]\n  a:\n    extends: base\n    build:\n      args: [FOO=c, NEW=m]\n  b:\n    extends: a2\n    build:\n      args: ["${K:-FOO}=z"]\n      labels: ["${L}=q"]\n  a2:\n    build:\n      context: .\n      args: [FOO=y]\n      labels: {lbl: r}\n',
    },
    envs: COMMON,
    expression: '"${K == "" ? "FOO" : K}=z"',
  },
  {
    name: "extends from another file, then a later -f file over it",
    files: {
      "base.yaml": 'services:\n  base:\n    build:\n      context: .\n      args: [FOO=b, "${K}=a"]\n',
      "compose.yaml":
        "services:\n  a:\n    extends: {file: base.yaml, service: base}\n    build:\n      args: {NEW: c}\n",
      "over.yaml": 'services:\n  a:\n    build:\n      args: ["${V:-FOO}=o"]\n',
    },
    composeFile: "compose.yaml:over.yaml",
    envs: [...COMMON, { V: "NEW" }, { V: "A", K: "A=B" }],
    expression: '"${V == "" ? "FOO" : V}=o"',
  },
  {
    name: "an included file's list (its env file is its own, the key still read when bake runs)",
    files: {
      "compose.yaml": "include:\n  - sub/compose.yaml\n",
      "sub/compose.yaml": 'services:\n  i:\n    build:\n      context: .\n      args: ["${K}=a", "${IK}=i"]\n',
      "sub/.env": "IK=FROM_SUB_ENV\n",
      "sub/Dockerfile": "FROM alpine\n",
    },
    envs: [...COMMON, { IK: "K2" }, { IK: "" }],
    expression: "FROM_SUB_ENV",
  },
];

describeKeptCases(cases, { mustNotLeak: { K: SECRET, L: SECRET, L2: SECRET, V: SECRET, P: SECRET } });

describe("compose2bake.toml settings on a target whose args and labels are kept maps", () => {
  const compose =
    'services:\n  a:\n    build:\n      context: .\n      args: [FOO=b, "${K}=a"]\n      labels: ["${L}=x"]\n';
  const toml = '[target.a]\nargs = { FOO = "t", EXTRA = "e" }\nlabels = { "com.example" = "c" }\n';

  test("are merged into the expression with merge(), the settings last", () => {
    const cwd = tempProject({ Dockerfile: "FROM alpine\n", "compose.yaml": compose });
    const r = compose2bake({
      cwd,
      env: {},
      format: "hcl",
      config: parseConfig(new SourceFile(path.join(cwd, "compose2bake.toml"), toml)),
    });
    expect(r.text).toContain('{ "FOO" = "t", "EXTRA" = "e" })');
  });

  withTools(
    "bake's map is Compose's, with the settings over it",
    async () => {
      const cwd = tempProject({ Dockerfile: "FROM alpine\n", "compose.yaml": compose });
      const config = parseConfig(new SourceFile(path.join(cwd, "compose2bake.toml"), toml));
      for (const format of ["json", "hcl"] as const)
        fs.writeFileSync(path.join(cwd, `docker-bake.${format}`), compose2bake({ cwd, env: {}, format, config }).text);
      const envs: Array<Record<string, string>> = [
        {},
        { K: "FOO" },
        { K: "EXTRA", L: "com.example" },
        { K: "A=B", L: "lbl" },
      ];
      for (const env of envs) {
        const theirs = await composeViaBakeAsync(tools!, { cwd, env: { ...env, COMPOSE_FILE: "compose.yaml" } });
        if (!theirs.ok) throw new Error(`compose refused: ${theirs.stderr}`);
        const compose = normaliseBakePrint(theirs.json, cwd).targets.a!;
        const labels = Object.fromEntries(
          Object.entries((compose.labels ?? {}) as Record<string, string>).filter(
            ([k]) => !k.startsWith("com.docker.compose."),
          ),
        );
        for (const format of ["json", "hcl"]) {
          const ours = await bakePrintAsync(tools!, { files: [`docker-bake.${format}`], cwd, env, targets: ["a"] });
          if (!ours.ok) throw new Error(`bake refused: ${ours.stderr}`);
          const t = normaliseBakePrint(ours.json, cwd).targets.a!;
          expect({ env, format, args: t.args, labels: t.labels }).toEqual({
            env,
            format,
            args: { ...(compose.args as Record<string, string>), FOO: "t", EXTRA: "e" },
            labels: { ...labels, "com.example": "c" },
          });
        }
      }
    },
    180_000,
  );
});
