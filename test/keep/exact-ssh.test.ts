/**
 * Kept ssh ids equal to Compose under every environment (issue #13, item 1): an ssh list item whose id holds a
 * `${VAR}` (`- ${ID}=keys/id`, `- ${ID}`) stays a bake expression (src/bake/kept-ssh.ts) instead of being resolved
 * as if unset. Compose cuts each interpolated item at its first `=`, keeps the last path of a repeated id, refuses
 * an item without `=` that is not `default` and a list whose items come out equal, and lets a mapping written over
 * the list (an extending service) replace its entries, except that an id with no path keeps the list's path.
 *
 * As in exact.test.ts, the kept file is generated once (JSON and HCL), then for each environment E
 * `docker buildx bake --print` of it under E must equal `docker compose build --print` under E resolved by the
 * same bake, or both must fail (with Compose's message when the case names one). Every environment has an ssh
 * agent socket (SSH_AUTH_SOCK) and a fake HOME; the keys are real keys, as bake parses them.
 */
import * as path from "node:path";
import { withSshAgentSocket, writeSshPrivateKey } from "../support/realtools";
import { describeKeptCases, type KeptCase } from "../support/kept-differential";
import { tempProject } from "../support/run";

/** Files are under `proj/` (a Dockerfile is added); every environment gets SSH_AUTH_SOCK and HOME. */
const cases: KeptCase[] = [
  {
    name: "ids from variables (a repeated id keeps its last path; an empty id is the default agent's)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      ssh:\n        - "${ID}=keys/k1"\n        - k2=keys/k2\n        - "${ID2-k2}=keys/k3"\n',
    },
    envs: [{ ID: "k1" }, {}, { ID: "k2" }, { ID: "default" }, { ID2: "" }, { ID2: "k9", ID: "k9" }, { ID: "k5=x" }],
    expression: '[for m in [regex("^([^=]*)=([\\\\s\\\\S]*)$", "${ID}=keys/k1")] :',
  },
  {
    name: "an id-only item: `default` is the agent, an item holding `=` is a key, anything else is refused",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      ssh: ["${AG-default}"]\n  b:\n    profiles: [never]\n    build:\n      context: .\n      ssh: ["k=keys/k1", "${AG2:-default}"]\n',
    },
    envs: [
      {},
      { AG: "default" },
      { AG: "k5=keys/k1" },
      { AG: "k6=~/id" },
      { AG: "k7=" },
      { AG: "" },
      { AG: "foo" },
      { AG2: "k=keys/k2" },
      { AG2: "bar" },
    ],
    expression: 'm[1] == "" ? m[0] :',
    // Compose checks the services no profile enables too; `k7=` is the project folder, which bake cannot read.
    message: /invalid ssh key "(foo|bar)?"|: is a directory/,
  },
  {
    name: "items that come out equal (Compose's schema refuses the list)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      ssh: ["${A}=keys/k1", "${B:-b}=keys/k1", "${C-default}"]\n',
    },
    envs: [{ A: "a" }, { A: "b" }, { A: "x", B: "x" }, { A: "a", C: "default" }, { A: "default=keys/k1", C: "" }],
    expression: "length(distinct([",
    message: /services\.a\.build\.ssh must be a mapping|invalid ssh key ""/,
  },
  {
    name: "a mapping written over the list by an extending service (an id with no path keeps the list's one)",
    files: {
      "base.yaml": 'services:\n  base:\n    build:\n      context: .\n      ssh: ["${ID:-k1}=keys/k1", "k2=keys/k2"]\n',
      "compose.yaml":
        "services:\n  a:\n    extends: {file: base.yaml, service: base}\n    build:\n      ssh: {default: null, k2: null, k3: keys/k3}\n",
    },
    envs: [{}, { ID: "default" }, { ID: "k2" }, { ID: "k3" }, { ID: "x" }],
    expression: '"${ID == "" ? "k1" : ID}=keys/k1"',
  },
  {
    // Found by the fuzzer (keep, seed 9201, with a later -f file): one file alone accepts `=path`.
    name: "an id that comes out empty in a list another file's service extends (the mapping's key '' is refused)",
    files: {
      "base.yaml": 'services:\n  base:\n    build:\n      context: .\n      ssh: ["${SID-default}=keys/k1"]\n',
      "compose.yaml": "services:\n  a:\n    extends: {file: base.yaml, service: base}\n",
    },
    envs: [{}, { SID: "k1" }, { SID: "" }],
    expression: 'substr("${SID == null ? "default" : SID}=keys/k1", 0, 1) != "="',
    message: /services\.a\.build\.ssh additional properties '' not allowed/,
  },
  {
    // Found by the fuzzer (keep, seed 7101): literal ids, a path from a variable that may repeat another item.
    name: "items of one literal id whose paths may come out equal (Compose's schema refuses the list)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      ssh: ["default=keys/k1", "default=${KEY:-keys/k1}"]\n',
    },
    envs: [{}, { KEY: "keys/k2" }, { KEY: "" }, { KEY: "./keys/k1" }],
    expression: "length(distinct([",
    message: /services\.a\.build\.ssh must be a mapping/,
  },
  {
    name: "lists of a service and the one it extends in the same file, appended, then one mapping",
    files: {
      "compose.yaml":
        'services:\n  base:\n    build:\n      context: .\n      ssh: ["${ID:-k1}=keys/k1"]\n  a:\n    extends: base\n    build:\n      ssh: ["k2=keys/k2"]\n',
    },
    envs: [{}, { ID: "k2" }, { ID: "default" }],
    expression: "== 2",
  },
  {
    name: "a list declared by an included file in a sub-folder (its paths start there)",
    files: {
      "compose.yaml": "include:\n  - sub/compose.yaml\n",
      "sub/compose.yaml": 'services:\n  i:\n    build:\n      context: .\n      ssh: ["${ID:-k}=id", "${J-j}"]\n',
      "sub/Dockerfile": "FROM alpine\n",
    },
    envs: [{}, { ID: "default" }, { J: "default" }, { J: "j=../keys/k2" }, { J: "j=" }],
    expression: '"sub/${p}"',
    // `j=` is the included file's folder, which bake cannot read.
    message: /invalid ssh key "j"|: is a directory/,
  },
];

/** The project in proj/ of a temporary folder, keys in proj/keys (and the folder `x=keys`), a fake home. */
function layout(files: Record<string, string>): { root: string; cwd: string } {
  const root = tempProject({
    "proj/Dockerfile": "FROM alpine\n",
    ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`proj/${k}`, v])),
  });
  for (const key of ["proj/keys/k1", "proj/keys/k2", "proj/keys/k3", "proj/x=keys/k1", "proj/sub/id", "home/id"])
    writeSshPrivateKey(path.join(root, key));
  return { root, cwd: path.join(root, "proj") };
}

describeKeptCases(cases, {
  layout,
  around: async (root) => {
    const agent = await withSshAgentSocket();
    return { env: { SSH_AUTH_SOCK: agent.path, HOME: path.join(root, "home") }, close: () => agent.close() };
  },
});
