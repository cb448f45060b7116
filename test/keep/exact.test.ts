/**
 * Kept mode equal to Compose under every environment (issue #13, item 1), for the places that used to be
 * resolved "as if unset" when the file was generated. For each case the kept file is generated once (JSON and
 * HCL, with only the generation environment: control variables such as DOCKER_DEFAULT_PLATFORM), then for each
 * environment E, `docker buildx bake --print` of it under E must equal `docker compose build --print` under E,
 * resolved by the same bake; or both fail (with Compose's message when the case names one).
 *
 * Without the real tools the differential tests are skipped, with a message; the library-level checks (no
 * `variable-resolved` warning, the value stays an expression) always run.
 */
import { describeKeptCases, type KeptCase } from "../support/kept-differential";

const cases: KeptCase[] = [
  {
    name: "service platform with a default (the issue's minimal case)",
    files: { "compose.yaml": 'services:\n  a:\n    build: .\n    platform: "${P:-linux/amd64}"\n' },
    envs: [{}, { P: "" }, { P: "linux/arm64" }, { P: "linux/amd64,linux/arm64" }],
    expression: 'P == "" ? "linux/amd64" : P',
  },
  {
    name: "service platform that may come out empty, beside DOCKER_DEFAULT_PLATFORM",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build: .\n    platform: "${Q}"\n  b:\n    build: .\n    platform: "${R-linux/arm64}"\n',
    },
    generation: { DOCKER_DEFAULT_PLATFORM: "linux/amd64" },
    envs: [
      {},
      { Q: "" },
      { Q: "linux/amd64" },
      { R: "" },
      { R: "linux/amd64" },
      { Q: "linux/arm64", R: "linux/amd64" },
    ],
    expression: 'Q == "" ? "linux/amd64" : Q',
    message: "build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: linux/amd64",
  },
  {
    name: "service platform beside a literal build.platforms list",
    files: {
      "compose.yaml":
        'services:\n  a:\n    platform: "${P}"\n    build:\n      context: .\n      platforms: [linux/amd64, "linux/${ARCH:-arm64}"]\n',
    },
    envs: [{}, { P: "linux/amd64" }, { P: "linux/arm64" }, { P: "linux/s390x" }, { P: "linux/s390x", ARCH: "s390x" }],
    expression: 'P == "" || "linux/amd64" == P',
    message: 'service.build.platforms MUST include service.platform "linux/s390x"',
  },
  {
    name: "booleans: pull, no_cache and privileged (Compose's words, any case; anything else fails)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      pull: ${PULL:-false}\n      no_cache: "${NC-yes}"\n      privileged: "${PRIV:+on}"\n      entitlements: [network.host]\n',
    },
    envs: [{}, { PULL: "TRUE", NC: "off" }, { PULL: "y", NC: "", PRIV: "x" }, { NC: "On", PRIV: "" }, { PULL: "0" }],
    expression: 'contains(["y", "yes", "true", "on"], lower(',
    // Compose reports every invalid boolean, bake one of them.
    message: /invalid boolean: (0|x|)(\n|, and)/,
  },
  {
    // Found by the fuzzer (seed 12): with security.insecure already listed, the kept privileged went unchecked.
    name: "privileged beside entitlements that already hold security.insecure (still a checked boolean)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      entitlements: [security.insecure]\n      privileged: "${FLAG-}"\n',
    },
    envs: [{ FLAG: "true" }, { FLAG: "off" }, {}, { FLAG: "maybe" }],
    expression: 'contains(["y", "yes", "true", "on"], lower(',
    message: /'services\[a\]\.build\.privileged' invalid boolean: (maybe|)/,
  },
  {
    name: "shm_size (a size, parsed by bake with Compose's own go-units RAMInBytes)",
    files: { "compose.yaml": 'services:\n  a:\n    build:\n      context: .\n      shm_size: "${SHM-1g}"\n' },
    envs: [
      {},
      { SHM: "12m" },
      { SHM: "0" },
      { SHM: "1.5GB" },
      { SHM: "2048" },
      { SHM: "64 MiB" },
      { SHM: "" },
      { SHM: "big" },
    ],
    expression: 'SHM == null ? "1g" : SHM',
    // Compose: invalid size: '…'; bake: invalid value … for membytes key shm-size.
    message: /invalid (size: ''|value {2}for)|invalid (size: 'big'|value big for)/,
  },
  {
    // Found by the fuzzer (stop 18, counterexample d): Compose decodes every service, active or not.
    name: "shm_size in a service no profile activates (an invalid size still refuses the project)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build: .\n  b:\n    profiles: [p]\n    build:\n      context: .\n      shm_size: "${SHM}"\n',
    },
    envs: [{ SHM: "1g" }, {}, { SHM: "big" }, { SHM: "-0" }, { SHM: "1e3 KiB" }, { SHM: "1_0" }, { SHM: "64 mb" }],
    expression: "can(regex(",
    message: /'services\[b\]\.build\.shm_size' invalid size: '(big)?'/,
  },
  {
    // Found by the fuzzer (keep, seed 102): Compose decodes every service, also one that gets no target because
    // no profile enables it and it could not be converted anyway (dockerfile beside dockerfile_inline).
    name: "pull in a service that gets no target (an invalid boolean still refuses the project)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build: .\n  b:\n    profiles: [p]\n    build:\n      dockerfile_inline: "FROM alpine"\n      dockerfile: Dockerfile\n      pull: "${FLAG}"\n',
    },
    envs: [{ FLAG: "true" }, { FLAG: "Off" }, {}, { FLAG: "maybe" }],
    expression: "lower(FLAG)",
    message: /'services\[b\]\.build\.pull' invalid boolean: (maybe|)/,
  },
  {
    name: "provenance and sbom (compose's attest entries: true, false, empty, or options)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      provenance: "${PROV}"\n      sbom: "${SB-true}"\n',
    },
    envs: [
      {},
      { PROV: "true" },
      { PROV: "false", SB: "false" },
      { PROV: "mode=max", SB: "" },
      { PROV: "mode=min,version=v1" },
      { SB: "generator=docker/buildkit-syft-scanner" },
    ],
    expression: 'PROV == "true" ? "type=provenance"',
  },
  {
    name: "entitlements items",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      entitlements: ["${ENT}", "network.${NET:-host}"]\n',
    },
    envs: [{}, { ENT: "security.insecure" }, { ENT: "network.host", NET: "" }],
    expression: '["${ENT}", "network.${NET == "" ? "host" : NET}"]',
  },
  {
    name: "extra_hosts IPs (mapping and list forms: split on commas in a list item, brackets removed)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      extra_hosts:\n        - "h1=${IP1:-10.0.0.1}"\n        - "h2:${IP2}"\n        - "h1=10.0.0.2"\n  b:\n    build:\n      context: .\n      extra_hosts:\n        m1: "${IP3}"\n        m2: ["${IP4-[::1]}", "10.0.0.3"]\n',
    },
    envs: [
      {},
      { IP1: "[::2],10.0.0.9", IP2: "[fe80::1]", IP3: "[::3],[::4]" },
      { IP2: "a=b" },
      { IP2: "::1", IP4: "" },
      { IP1: "[", IP3: "[x]", IP4: "[]" },
    ],
    expression: 'regex_replace(IP3, "^\\\\[([\\\\s\\\\S]+)\\\\]$", "$1")',
    message: "bad host name 'h2:a'",
  },
  {
    // Was resolved as if unset: with H unset that refused the project (bad host name '') whatever H was set to.
    name: "extra_hosts host names from variables (list form: cut when bake runs, IPs of one host joined)",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      extra_hosts:\n        - "h=1.1.1.1"\n        - "${H}=2.2.2.2"\n        - "g:3.3.3.3"\n        - "${HOSTS:-x=[::1],[::2]}"\n        - "h:${IP:-4.4.4.4}"\n',
    },
    envs: [
      { H: "k" },
      { H: "g" },
      { H: "h", IP: "[::9]" },
      { H: "a=b" },
      { H: "k", HOSTS: "y:5.5.5.5" },
      { H: "k", HOSTS: "h=6.6.6.6,[::7]" },
      {},
      { H: "x:y" },
      { H: "k", HOSTS: "nosep" },
      { H: "k", HOSTS: "[::1]=9.9.9.9" },
    ],
    expression: '{ for h, v in { for p in [for m in [for s in distinct(["h=1.1.1.1", "${H}=2.2.2.2"',
    message:
      /'services\[a\]\.build\.extra_hosts' (bad host name '(|x:y|\[::1\])'|invalid additional host, missing IP: nosep)/,
  },
  {
    // Found by the fuzzer (keep, seed 9101, with a later -f file): compose-go's merge of two definitions drops a
    // later item equal to an earlier one; `extends` merges the same way.
    name: "extra_hosts host name from a variable, merged over a mapping through extends",
    files: {
      "compose.yaml":
        'services:\n  base:\n    build:\n      context: .\n      extra_hosts:\n        somehost: "1.1.1.1"\n  a:\n    extends: base\n    build:\n      extra_hosts:\n        - "${HOST:-h-4}=1.1.1.1"\n        - "somehost=::1"\n',
    },
    envs: [{}, { HOST: "somehost" }, { HOST: "h-9" }, { HOST: "" }],
    expression: "distinct([",
  },
  {
    name: "a build secret's environment: name",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      secrets: [s1, {source: s2, target: t2}]\nsecrets:\n  s1:\n    environment: "${SNAME}"\n  s2:\n    environment: "PREFIX_${SUFFIX:-X}"\n',
    },
    envs: [{}, { SNAME: "FOO" }, { SNAME: "FOO", SUFFIX: "" }, { SUFFIX: "Y" }],
    expression: '"${SNAME == "" ? "" : "id=s1,env=${SNAME}"}"',
    message: 'secret "s1" must declare either `file` or `environment`',
  },
  {
    // Found by the fuzzer (seed 41): Compose checks every secret, used or not.
    name: "an unused secret whose environment: name comes out empty",
    files: {
      "compose.yaml": 'services:\n  a:\n    build: .\nsecrets:\n  s_env:\n    environment: "${SN}"\n',
    },
    envs: [{ SN: "T1" }, {}, { SN: "" }],
    expression: 'SN != ""',
    message: 'secret "s_env" must declare either `file` or `environment`',
  },
  {
    // Found by the fuzzer (keep, seed 9401): the schema's uniqueItems refuses one list whose items come out equal.
    name: "extra_hosts items of one list that come out equal",
    files: {
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      extra_hosts:\n        - "somehost=::1"\n        - "${HOST:-h-4}=::1"\n',
    },
    envs: [{}, { HOST: "somehost" }, { HOST: "other" }, { HOST: "" }],
    expression: "length(distinct([",
    message: "services.a.build.extra_hosts must be a mapping",
  },
];

describeKeptCases(cases, { timeout: 120_000 });
