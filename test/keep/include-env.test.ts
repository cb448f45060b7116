/**
 * Variables set by an included project's env file (`include: [{path, env_file}]`, or the include folder's `.env`)
 * that another project reads too (issue #13): Compose interpolates the included services with the env file's
 * value unless the environment sets the name, set-to-empty included, while the main project reads the name as
 * unset. The kept file gives the variable `default = null` and writes `V == null ? "<value>" : V` in the included
 * services, so bake under every environment builds what Compose builds (test/support/kept-differential.ts: the
 * file is generated once, JSON and HCL, then compared under each environment, T1 unset, empty and set).
 *
 * Value-less args are looked up in the main project's environment, not the include's env file (checked against
 * docker compose 2.40.3: `args: [T1]` in an included service is dropped when only its env file sets T1).
 */
import { describeKeptCases, type KeptCase } from "../support/kept-differential";
import { tempProject } from "../support/run";

const include = (env: string) => `include:\n  - path: sub/compose.yaml\n    env_file: sub/${env}\n`;
const mainReads = (value: string) =>
  `services:\n  app:\n    build:\n      context: .\n      args:\n        M: "${value}"\n`;
const service = (name: string, body: string) => `services:\n  ${name}:\n    build:\n      context: .\n${body}`;
const T1: ReadonlyArray<Record<string, string>> = [{}, { T1: "" }, { T1: "x" }, { T1: "from-include" }];

/** A Dockerfile is added to the project folder and to each folder holding a compose.yaml. */
const cases: KeptCase[] = [
  {
    // Found by the fuzzer (keep, seed 203): the included value was written as text, so T1="" passed bake.
    name: "a requirement in the included service, T1 read by the main project too (the fuzzer's case)",
    files: {
      "compose.yaml": include("inc.env") + mainReads("${T1}"),
      "sub/inc.env": "T1=from-include\n",
      "sub/compose.yaml": service("inc", '      args:\n        ARG1: "${T1:?}${T1-}"\n'),
    },
    envs: T1,
    expression: 'T1 == null ? "from-include" : T1',
    message: /T1/,
  },
  {
    name: "every operator in the included service, others in the main one, value-less args in both",
    files: {
      "compose.yaml":
        include("inc.env") +
        'services:\n  app:\n    build:\n      context: .\n      args:\n        M1: "${T1:-main}"\n        M2: "${T1+alt}"\n        T1:\n',
      "sub/inc.env": "T1=from-include\n",
      "sub/compose.yaml": service(
        "inc",
        '      args:\n        A: "${T1}"\n        B: "${T1-d}"\n        C: "${T1:-d}"\n        D: "${T1+a}"\n        E: "${T1:+a}"\n        F: "${T1?}"\n        G: "$T1/${X:-${T1:-n}}"\n        H: "${T1:+${X-y}}"\n        I: "${X:-${T1:?need T1}}"\n        T1:\n',
      ),
    },
    // Not X=x with T1="": compose 2.40.3 checks a requirement in a default it does not take, current compose-go
    // and compose2bake do not (test/loading/interpolation-nested-lazy-required).
    envs: [...T1, { X: "" }, { X: "x", T1: "x" }, { X: "", T1: "" }],
    expression: 'T1 == "" ? "d" : (T1 == null ? "from-include" : T1)',
    message: /need T1/,
  },
  {
    name: "an env file setting the name to empty",
    files: {
      "compose.yaml": include("inc.env") + mainReads("${T1-main}"),
      "sub/inc.env": "T1=\n",
      "sub/compose.yaml": service(
        "inc",
        '      args:\n        A: "${T1}"\n        B: "${T1-d}"\n        C: "${T1:-d}"\n        D: "${T1+a}"\n        E: "${T1:+a}"\n        F: "${T1?}"\n',
      ),
    },
    envs: T1,
    expression: 'T1 == null || T1 == "" ? "d" : T1',
  },
  {
    name: "a requirement with `?` in the main project, the include's env file setting the name",
    files: {
      "compose.yaml": include("inc.env") + mainReads("${T1?main needs T1}"),
      "sub/inc.env": "T1=from-include\n",
      "sub/compose.yaml": service("inc", '      args:\n        A: "${T1?}"\n'),
    },
    envs: T1,
    expression: 'T1 == null ? "from-include" : T1',
    message: /main needs T1/,
  },
  {
    name: "two includes with different values, a third with none, the main project not reading the name",
    files: {
      "compose.yaml":
        "include:\n  - path: one/compose.yaml\n  - path: two/compose.yaml\n    env_file: two/vars.env\n  - path: three/compose.yaml\nservices:\n  app:\n    build: .\n",
      "one/.env": "T1=one\n",
      "one/compose.yaml": service("one", '      args:\n        V: "${T1:?need}"\n'),
      "two/vars.env": "T1=two\n",
      "two/compose.yaml": service("two", '      args:\n        V: "${T1-d}"\n      tags: ["two:${T1}"]\n'),
      "three/compose.yaml": service("three", '      args:\n        V: "${T1-three}"\n'),
    },
    envs: T1,
    expression: 'T1 == null ? "two" : T1',
    message: /need/,
  },
  {
    name: "nested includes: the outer env file's value wins in the inner one",
    files: {
      "compose.yaml": "include:\n  - path: outer/compose.yaml\n" + mainReads("${T1}${T2}"),
      "outer/.env": "T1=outer\n",
      "outer/compose.yaml":
        "include:\n  - path: inner/compose.yaml\n" + service("o", '      args:\n        V: "${T1}"\n'),
      "outer/inner/.env": "T1=inner\nT2=inner\n",
      "outer/inner/compose.yaml": service("i", '      args:\n        V: "${T1}/${T2:-d}"\n'),
    },
    envs: [{}, { T1: "" }, { T2: "" }, { T1: "x", T2: "y" }],
    expression: 'T2 == null ? "inner" : T2',
  },
  {
    name: "image (its default-name fallback), tags, target and labels in the included service",
    files: {
      "compose.yaml":
        include("inc.env") + "services:\n  app:\n    image: ${T1}\n    build:\n      context: .\n      target: ${T1}\n",
      "sub/inc.env": "T1=from-include\n",
      "sub/compose.yaml":
        "services:\n  inc:\n    image: ${T1}\n    build:\n      context: .\n      target: ${T1:+stage}\n      labels:\n        l: ${T1}\n",
      "sub/Dockerfile": "FROM alpine AS stage\n",
      Dockerfile: "FROM alpine AS x\n",
    },
    envs: [{}, { T1: "" }, { T1: "x" }],
    expression: 'T1 == null ? "from-include" : T1',
  },
  {
    name: "platform, booleans and shm_size in the included service",
    files: {
      "compose.yaml":
        include("inc.env") +
        'services:\n  app:\n    platform: "${P:-linux/amd64}"\n    build:\n      context: .\n      pull: "${B:-false}"\n      shm_size: "${S:-1g}"\n',
      "sub/inc.env": "P=linux/arm64\nB=true\nS=64m\n",
      "sub/compose.yaml":
        'services:\n  inc:\n    platform: "${P}"\n    build:\n      context: .\n      platforms: [linux/arm64, linux/s390x]\n      no_cache: "${B}"\n      shm_size: "${S}"\n',
    },
    envs: [{}, { P: "" }, { P: "linux/s390x" }, { P: "linux/riscv64" }, { B: "" }, { B: "off", S: "" }, { S: "2g" }],
    expression: 'P == null ? "linux/arm64" : P',
    message: /MUST include service.platform "linux\/riscv64"|invalid boolean|invalid (size|value)/,
  },
  {
    name: "a context and an additional context in the included service",
    files: {
      "compose.yaml": include("inc.env") + 'services:\n  app:\n    build: "${CTX:-.}"\n',
      "sub/inc.env": "CTX=ctx\n",
      "sub/compose.yaml":
        'services:\n  inc:\n    build:\n      context: "${CTX}"\n      dockerfile: Dockerfile\n      additional_contexts:\n        extra: "${CTX}"\n',
      "sub/ctx/Dockerfile": "FROM alpine\n",
      "sub/other/Dockerfile": "FROM alpine\n",
      "ctx/Dockerfile": "FROM alpine\n",
    },
    envs: [{}, { CTX: "other" }, { CTX: "ctx" }],
    expression: 'CTX == null ? "ctx" : CTX',
  },
  {
    name: "extra_hosts, provenance, privileged, entitlements and a secret's environment name in the included service",
    files: {
      "compose.yaml":
        include("inc.env") +
        'services:\n  app:\n    build:\n      context: .\n      args:\n        M: "${IP}${PROV}${PRIV}${NET}${SN}"\n',
      "sub/inc.env": "IP=10.0.0.1\nPROV=mode=max\nPRIV=true\nNET=network.host\nSN=SECRET_VALUE\n",
      "sub/compose.yaml":
        'services:\n  inc:\n    build:\n      context: .\n      extra_hosts:\n        - "h1=${IP}"\n        - "h2:${IP:-10.0.0.2}"\n      provenance: "${PROV}"\n      privileged: "${PRIV}"\n      entitlements: ["${NET}"]\n      secrets: [s]\nsecrets:\n  s:\n    environment: "${SN}"\n',
    },
    envs: [
      {},
      { IP: "", PROV: "", PRIV: "off", NET: "", SN: "OTHER" },
      { IP: "[::1]", PROV: "false", NET: "security.insecure" },
      { PRIV: "" },
      { SN: "" },
      { IP: "a=b" },
    ],
    expression: 'IP == null ? "10.0.0.1" : IP',
    message: /invalid boolean|must declare either|bad host name/,
  },
  {
    // Values the env file reads from the environment are read as if it set nothing (include-env.ts, with a
    // warning): equal to Compose under every environment that leaves the names they read unset.
    name: "env file values that read other variables, compared where those are unset",
    files: {
      "compose.yaml": include("inc.env") + mainReads("${T2:-main}"),
      "sub/inc.env": "T1=${OTHER:-dflt}\nT2=${T1}-2\n",
      "sub/compose.yaml": service("inc", '      args:\n        A: "${T2}"\n        B: "${T2:+alt}"\n'),
    },
    envs: [{}, { T2: "" }, { T2: "y" }],
    expression: 'T2 == null ? "dflt-2" : T2',
    warnings: ["variable-resolved"],
  },
];

/** The project, with a Dockerfile beside each compose.yaml. */
function layout(caseFiles: Record<string, string>): { root: string; cwd: string } {
  const files: Record<string, string> = { Dockerfile: "FROM alpine\n" };
  for (const f of Object.keys(caseFiles))
    if (f.endsWith("compose.yaml")) files[f.replace(/compose\.yaml$/, "Dockerfile")] = "FROM alpine\n";
  const cwd = tempProject(Object.assign(files, caseFiles));
  return { root: cwd, cwd };
}

describeKeptCases(cases, { layout, exactWarnings: true });
