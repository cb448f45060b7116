/**
 * Random valid Compose projects for the differential fuzzer (test/fuzz/README in the test's header): a fast-check
 * arbitrary of a structured project description ({@link FuzzProject}), and {@link renderProject}, which writes it as
 * the files a user would commit plus the command line and environment to run it with.
 *
 * The description is plain data (records, arrays, small choices), so fast-check's shrinking removes services,
 * keys, list entries, template pieces and variable definitions one at a time: a counterexample comes out minimal.
 *
 * What is covered: every build key in each of its syntaxes (short `build: dir`, long form; args and labels as
 * mapping and list, value-less args, YAML-typed plain scalars; secrets short and long; ssh list and mapping;
 * cache_from/to, tags, platforms, network, extra_hosts in both forms, shm_size, ulimits single and soft/hard,
 * target, pull, no_cache, additional_contexts, dockerfile / dockerfile_inline, entitlements, privileged,
 * isolation), interpolation with every operator (`${V}`, `$V`, `:-`, `-`, `:+`, `+`, `:?`, `?`, nested, `$$`) over
 * variables set, empty or unset in the process environment, `.env` and an `--env-file`; a second Compose file
 * (through `-f` or Compose's own `compose.override.yaml` lookup) with `!reset` and `!override`; `extends` in the
 * same file and from a file in another folder; `include` with and without its own env file; profiles and
 * `--profile`; YAML anchors, aliases and `<<` merge keys; special characters in values, keys and service names.
 * Beyond `build:`, what Compose checks when it loads a service (compose2bake must refuse what it refuses): short
 * `ports:`, short and long `volumes:` and short `devices:`, in the first file and in a later file's override
 * (merged by Compose: ports appended, volumes and devices by target), with variables there in `--resolve` runs only.
 *
 * Two switches leave out what cannot be compared yet; each names why:
 * - {@link EXERCISE_KEPT_AS_UNSET_PLACES}: variables in the places kept mode resolves "as if unset";
 * - {@link EXERCISE_NO_CACHE_FILTER}: `no_cache_filter`, which docker compose 2.40.3 rejects.
 * And the generator avoids (rather than filters) three bugs of docker compose 2.40.3 that the fixtures already
 * record (test/realtools/differential.test.ts CASE_NOTES): see {@link LITERALS}.
 */
import * as fc from "fast-check";
import { alias, list, map, raw, str, yamlDocument, type YNode } from "./yaml-text";

/**
 * Issue #13 item 1: kept mode resolves a few values as if their variables were unset (`ulimits`, an extra_hosts
 * host name; paths, ssh ids and the reshaped values are kept exactly now), so a kept file differs from Compose
 * whenever such a variable is set. The generator puts variables in those places
 * only for `--resolve` runs; set this to true (or `C2B_FUZZ_KEPT_AS_UNSET=1`) to exercise them in kept mode too.
 */
export const EXERCISE_KEPT_AS_UNSET_PLACES = process.env.C2B_FUZZ_KEPT_AS_UNSET === "1";

/**
 * `no_cache_filter`: docker compose 2.40.3's schema does not know the key (`additional properties
 * 'no_cache_filter' not allowed`), so there is nothing to compare with; on only to check that both sides still
 * disagree in that one way (`C2B_FUZZ_NO_CACHE_FILTER=1`).
 */
export const EXERCISE_NO_CACHE_FILTER = process.env.C2B_FUZZ_NO_CACHE_FILTER === "1";

export interface GenerateOptions {
  /** Variables in the places kept mode resolves as if unset (true for `--resolve` runs). */
  readonly variablesInResolvedPlaces: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------------------------

/** What a value is, so that variables and literals give values both tools accept for that key. */
export type Kind =
  | "text"
  | "word"
  | "platform"
  | "path"
  | "key"
  | "size"
  | "number"
  | "bool"
  | "ip"
  | "ent"
  | "attest"
  | "envname"
  | "sshid"
  | "host"
  | "argkey"
  | "labelkey"
  | "ctxname"
  | "port"
  | "volume"
  | "device";

export type Op = "plain" | "bare" | ":-" | "-" | ":+" | "+" | ":?" | "?";

export type Piece =
  { readonly lit: string } | { readonly ref: string; readonly op: Op; readonly arg: readonly Piece[] };

/** A Compose string: literal pieces (written as in the Compose file: `$$` is one `$`) and `${…}` references. */
export type Template = readonly Piece[];

/** Variables of each kind, with the values they take when set (an empty value is generated separately). */
export const VARIABLES: Record<Kind, { names: readonly string[]; values: readonly string[] }> = {
  text: {
    names: ["T1", "t_2"],
    values: [
      "a b",
      'say "hi"',
      "back\\slash",
      "ü ✓ 日本",
      "null",
      "true",
      "-",
      ":-x",
      "x}y{",
      "a=b,c=d",
      "it's",
      "1.0",
      "#hash",
      " lead",
      "tab\there",
    ],
  },
  word: { names: ["W1", "_W2"], values: ["v1", "x-y", "1.2.3", "Ab"] },
  platform: { names: ["PLAT"], values: ["linux/arm64", "linux/amd64", "linux/arm/v7"] },
  // Contexts Compose resolves (relative, up a folder, absolute, under home): kept exactly since #13. No remote
  // URL: a suffix (`${DIR}.`) makes a git URL a tarball one, which docker compose 2.40.3 joins with the Dockerfile
  // as if it were a folder (the context-remote fixture records it; test/keep/exact-paths.test.ts has remote values).
  path: { names: ["DIR"], values: ["ctx", "./other", "ctx/", "../up", "/abs/ctx", "~/ctx"] },
  /** ssh keys and secret files that exist (the runner writes keys/id1 and keys/id2 in ., sub/ and common/). */
  key: { names: ["KEY"], values: ["keys/id1", "./keys/id2", "keys/../keys/id1"] },
  size: { names: ["SHM"], values: ["64m", "1g", "1000000", "2gb"] },
  number: { names: ["NUM"], values: ["1024", "2048"] },
  bool: { names: ["FLAG"], values: ["true", "false", "True"] },
  // Kept exactly since issue #13 item 1 (keep-forms): extra_hosts IPs, entitlements, provenance/sbom, and the
  // variable a build secret's `environment:` names.
  ip: { names: ["IP"], values: ["10.0.0.9", "[::2]", "::1,10.0.0.8", "[fe80::1],[::3]"] },
  ent: { names: ["ENT"], values: ["network.host", "security.insecure"] },
  attest: { names: ["ATT"], values: ["true", "false", "mode=max", "mode=min"] },
  envname: { names: ["SN"], values: ["T1", "W1", "NOPE"] },
  // ssh ids in list form, kept exactly since issue #13 item 1 (bake/kept-ssh.ts); `k3=…` makes an id-only item a
  // key, `nope` one Compose refuses.
  sshid: { names: ["SID"], values: ["default", "k1", "k.2", "k3=keys/id2", "nope"] },
  // extra_hosts host names in list form, kept exactly since this stop (the map built when bake runs); `somehost`
  // repeats a literal host (its IPs joined), `a=b` moves the cut.
  host: { names: ["HOST"], values: ["h-9", "somehost", "a=b"] },
  // args and labels keys in list form (`- ${AK:-ak_1}=v`), kept exactly since this stop (the map built when bake
  // runs): a value equal to a literal key overrides it or is overridden by the later item, `a=b` moves the cut.
  argkey: { names: ["AK"], values: ["ARG1", "ak_1", "W1", "a=b", "my.arg"] },
  labelkey: { names: ["LK"], values: ["lbl", "com.example.x", "a=b"] },
  // additional_contexts names in list form, kept exactly since this stop (the map built when bake runs): `img`
  // repeats a literal name (the last item wins), `c=d` moves the cut, an empty one is refused where a later
  // document meets it as a mapping.
  ctxname: { names: ["CTXN"], values: ["img", "extra", "c=d", "n.1"] },
  // A service's published port (`- ${PORT}:80`, not a build key): what Compose decodes after interpolating and
  // merging every file, judged in `--resolve` runs only (keep mode leaves a non-build value with a variable
  // unjudged: README); `abc` and `0.5` are refused, a range and an address are not, and `8080` repeats a literal.
  port: { names: ["PORT"], values: ["8080", "9000-9001", "127.0.0.1:8082", "abc", "0.5"] },
  // A short volume's source or target (`- ${VOL}:/app`, `- ./src:${VOL}`), judged in `--resolve` runs only, like
  // ports: `undecl` is a named volume no file declares (refused as a source), `a:b:c` adds colons (too many with a
  // mode), `data` is a relative target (accepted), `/app` repeats a literal target (the later item replaces it).
  volume: { names: ["VOL"], values: ["./src", "data", "/app", "/srv", "undecl", "a:b:c"] },
  // A short device's source or target (`- ${DEV}:/dev/xvda`): `a:b:c` makes too many colons (refused), an empty
  // value an empty section (accepted: compose-go reads it as the source again).
  device: { names: ["DEV"], values: ["/dev/fuse", "/dev/sdb", "/dev/a:/dev/b", "a:b:c"] },
};

export const ALL_VARIABLES: readonly string[] = Object.values(VARIABLES).flatMap((v) => v.names);

/**
 * Literal pieces per kind, written as in a Compose file. Avoided on purpose, as bugs of docker compose 2.40.3 that
 * would hide everything else (each recorded by a fixture: special-characters, dockerfile-inline-percent):
 * `%{` anywhere (compose never escapes it, so bake reads a template directive), and a literal `${` outside args
 * and dockerfile_inline (the only places compose escapes it) — `argText` has it, `text` has not. No literal starts
 * with `{`, so that none makes one with a `$$` or `%` before it.
 */
export const LITERALS = {
  text: [
    "x",
    "-",
    "/",
    ":",
    "a b",
    '"q"',
    "it's",
    "back\\slash",
    "$$",
    "$$x",
    "ü",
    "日本",
    "✓",
    "a{b}",
    "=",
    ",",
    "@",
    " #c",
    "a: b",
    "%",
    "\\n",
  ],
  argText: ["$${LIT}", "$$$$", "%", "b{c}"],
  /** Inside a default/alternative: no `}`, which would end it. */
  inner: ["x", "d-1", "a b", "ü", "$$", "'s", ":", "/"],
  word: ["v1", "x", "-", ".", "1", "Ab"],
  innerWord: ["d", "v0", "1-2"],
  platform: ["linux/amd64", "linux/arm64"],
  path: [".", "ctx", "./other", "ctx/"],
  key: ["keys/id1", "./keys/id2"],
  size: ["64m", "128m", "1gb", "1000000"],
  /** 1024 for a soft limit, 2048 for a hard one (a soft limit above the hard one is refused by both tools). */
  number: ["1024"],
  hardNumber: ["2048"],
  bool: ["true", "false"],
  ip: ["162.242.195.82", "::1", "10.0.0.1", "[::1]"],
  ent: ["network.host", "security.insecure"],
  attest: ["true", "false", "mode=max"],
  envname: ["T1"],
  sshid: ["default", "k1", "k.2"],
  host: ["h-5"],
  argkey: ["ak_1"],
  labelkey: ["lk"],
  ctxname: ["c-5"],
  port: ["8080", "8081", "127.0.0.1:8083"],
  /** Short volume sources (see {@link volumeArb} for targets, modes and the refused values). */
  volume: ["./src", "data", "/opt/host", "~/h", "../up"],
  /** Short device sources (see {@link devicesArb}). */
  device: ["/dev/fuse", "/dev/sda", "/dev/null"],
} as const;

/**
 * How often each operator is drawn. Both tools refuse a project whose value cannot be read, and a refused project
 * tests little, so the draws that make one are rare (each still happens: the refusal paths stay covered):
 * - a requirement (`:?`, `?`) fails whenever its variable is unset (or empty, for `:?`);
 * - in a value-like kind (a boolean, a size, a platform, an ssh key path, …) an empty value is refused, and a plain
 *   reference or an alternative (`:+`, `+`) gives one when its variable is unset: defaults (`:-`) are drawn most.
 * Measured on 200 runs, both tools refused 72% of the projects before this balance and 26% after (seed 1001,
 * `--resolve`); in kept mode 66% and 24% (seed 1002).
 */
const OP_WEIGHTS: ReadonlyArray<readonly [Op, number]> = [
  ["plain", 16],
  ["bare", 12],
  [":-", 20],
  ["-", 16],
  [":+", 12],
  ["+", 12],
  [":?", 1],
  ["?", 1],
];
const VALUE_OP_WEIGHTS: ReadonlyArray<readonly [Op, number]> = [
  ["plain", 6],
  ["bare", 4],
  [":-", 32],
  ["-", 12],
  [":+", 4],
  ["+", 4],
  [":?", 1],
  ["?", 1],
];

/** Kinds whose value is one word a key parses (an empty or concatenated value is refused); not text or word. */
const isValueKind = (kind: Kind) => kind !== "text" && kind !== "word";

/**
 * `nested`: a reference inside a default or alternative has no requirement operator: docker compose 2.40.3
 * interpolates unused branches too, so `${A:-${B:?}}` fails there even when A is set, where current compose-go (and
 * compose2bake) evaluate lazily (test/loading/interpolation-nested-lazy, -required).
 */
function refArb(kind: Kind, inner: fc.Arbitrary<Piece[]>, nested = false): fc.Arbitrary<Piece> {
  const weights = isValueKind(kind) ? VALUE_OP_WEIGHTS : OP_WEIGHTS;
  const ops = nested ? weights.filter(([o]) => o !== ":?" && o !== "?") : weights;
  const op = fc.oneof(...ops.map(([o, weight]) => ({ arbitrary: fc.constant(o), weight })));
  return fc.record({ ref: fc.constantFrom(...VARIABLES[kind].names), op, arg: inner });
}

/**
 * A default's or alternative's pieces: for a value-like kind mostly exactly one (an empty or a concatenated value,
 * `${FLAG:-}` or `${FLAG:-truefalse}`, is refused by both tools), sometimes none or two.
 */
function argPieces(kind: Kind, piece: fc.Arbitrary<Piece>): fc.Arbitrary<Piece[]> {
  const any = fc.array(piece, { maxLength: 2 });
  if (!isValueKind(kind)) return any;
  return fc.oneof({ arbitrary: piece.map((p) => [p]), weight: 8 }, { arbitrary: any, weight: 1 });
}

/** A template of one kind: literal pieces and references (none when `vars` is false). */
export function templateArb(
  kind: Kind,
  vars: boolean,
  where: "text" | "args" | "hard" = "text",
): fc.Arbitrary<Template> {
  const lits: readonly string[] =
    kind === "text"
      ? [...LITERALS.text, ...(where === "args" ? LITERALS.argText : [])]
      : where === "hard"
        ? LITERALS.hardNumber
        : LITERALS[kind as Exclude<Kind, "text">];
  const innerLits: readonly string[] = kind === "text" ? LITERALS.inner : kind === "word" ? LITERALS.innerWord : lits;
  const lit = fc.constantFrom(...lits).map((l): Piece => ({ lit: l }));
  if (!vars) return fc.array(lit, { minLength: 1, maxLength: kind === "text" || kind === "word" ? 3 : 1 });
  const innerLit = fc.constantFrom(...innerLits).map((l): Piece => ({ lit: l }));
  const deepest = argPieces(kind, innerLit);
  const inner = argPieces(kind, fc.oneof(innerLit, refArb(kind, deepest, true)));
  // Value-like kinds are a single piece: a literal or a reference (whose default holds the literal).
  if (isValueKind(kind)) return fc.oneof(lit, refArb(kind, inner)).map((p) => [p]);
  return fc.array(fc.oneof({ arbitrary: lit, weight: 2 }, { arbitrary: refArb(kind, inner), weight: 3 }), {
    minLength: 1,
    maxLength: 3,
  });
}

/** Compose text of a template (nested references inside defaults too). */
export function templateText(t: Template): string {
  let out = "";
  t.forEach((p, i) => {
    if ("lit" in p) {
      out += p.lit;
      return;
    }
    const next = t[i + 1];
    // `$V` followed by a name character would read a longer name: such a reference is written `${V}`.
    const bare = p.op === "bare" && !(next && "lit" in next && /^[A-Za-z0-9_]/.test(next.lit));
    if (p.op === "plain" || p.op === "bare") out += bare ? `$${p.ref}` : `\${${p.ref}}`;
    else out += `\${${p.ref}${p.op}${templateText(p.arg)}}`;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The project description
// ---------------------------------------------------------------------------------------------------------------

export type ArgValue = { readonly tpl: Template } | { readonly plain: string } | { readonly none: true };

export interface BuildSpec {
  /** `build: <context>` (only the context is written). */
  readonly short?: boolean;
  readonly context?: Template;
  readonly dockerfile?: Template;
  readonly dockerfile_inline?: Template;
  readonly args?: {
    readonly list: boolean;
    readonly entries: ReadonlyArray<readonly [string, ArgValue]>;
    readonly mergeShared: boolean;
  };
  readonly labels?: { readonly list: boolean; readonly entries: ReadonlyArray<readonly [string, Template]> };
  readonly tags?: readonly Template[];
  readonly target?: Template;
  readonly network?: Template;
  readonly platforms?: readonly Template[];
  readonly cache_from?: ReadonlyArray<readonly [string, Template | null]>;
  readonly cache_to?: ReadonlyArray<readonly [string, Template | null]>;
  readonly extra_hosts?: { readonly list: boolean; readonly entries: ReadonlyArray<readonly [string, Template]> };
  readonly shm_size?: Template;
  readonly ulimits?: ReadonlyArray<readonly [string, Template | { readonly soft: Template; readonly hard: Template }]>;
  readonly secrets?: ReadonlyArray<{ readonly source: string; readonly long: boolean; readonly target?: string }>;
  readonly ssh?: {
    readonly list: boolean;
    readonly entries: ReadonlyArray<readonly [string, Template | null]>;
    /** In list form, the id of the entry at the same index written as this template instead (`- ${SID}=…`). */
    readonly ids?: ReadonlyArray<Template | null>;
  };
  readonly pull?: Template;
  readonly no_cache?: Template;
  readonly additional_contexts?: {
    readonly list: boolean;
    readonly entries: ReadonlyArray<readonly [string, Template]>;
  };
  readonly entitlements?: readonly Template[];
  readonly provenance?: Template;
  readonly sbom?: Template;
  readonly privileged?: Template;
  readonly isolation?: string;
  readonly no_cache_filter?: readonly string[];
  /** `<<: *b<i>`: merge the long-form build of an earlier service. */
  readonly mergeFrom?: number;
}

export interface ServiceSpec {
  readonly name: string;
  readonly image?: Template;
  readonly platform?: Template;
  /** Short `ports:` items, each `<template>:80`. */
  readonly ports?: readonly Template[];
  readonly volumes?: readonly VolumeSpec[];
  readonly devices?: readonly DeviceSpec[];
  readonly profiles?: readonly string[];
  readonly build?: BuildSpec;
  /** Extends an earlier service of the same file (index), or `basesvc` of common/base.yaml. */
  readonly extends?: { readonly same: number; readonly long: boolean } | { readonly file: true };
}

/** A service's build keys in the second file, each plain, `!reset` or `!override`. */
export interface OverrideSpec {
  readonly service: number;
  readonly build: BuildSpec;
  readonly reset: readonly string[];
  readonly override: readonly string[];
  /** The service's `ports:` in this file, appended to the first file's by Compose's merge. */
  readonly ports?: readonly Template[];
  /** The service's `volumes:` and `devices:` in this file, merged by Compose with the first file's by target. */
  readonly volumes?: readonly VolumeSpec[];
  readonly devices?: readonly DeviceSpec[];
}

/** A `volumes:` item: short `[source:]target[:mode]` (a mode only with a source), or long `{type, source, target}`. */
export type VolumeSpec =
  | { readonly source?: Template; readonly target: Template; readonly mode?: string }
  | { readonly long: "bind" | "volume"; readonly target?: string };

/** A short `devices:` item, `source[:target[:permissions]]`. */
export interface DeviceSpec {
  readonly source: Template;
  readonly target?: Template;
  readonly permissions?: string;
}

export interface VariableSpec {
  readonly proc?: string;
  readonly dotenv?: string;
  readonly envFile?: string;
  /** How a value is quoted in an env file (0 plain, 1 single, 2 double; the first one that can hold it). */
  readonly quote: number;
}

export interface FuzzProject {
  readonly name?: string;
  readonly services: readonly ServiceSpec[];
  readonly sharedArgs?: ReadonlyArray<readonly [string, ArgValue]>;
  readonly second?: { readonly lookup: boolean; readonly overrides: readonly OverrideSpec[] };
  readonly baseBuild?: BuildSpec;
  readonly include?: { readonly envFile: boolean; readonly build: BuildSpec };
  readonly cliProfiles: readonly string[];
  readonly envFileFlag: boolean;
  readonly variables: Readonly<Record<string, VariableSpec>>;
  /** The `environment:` of the top-level secret `s_env` (else `T1`). */
  readonly secretEnv?: Template;
  /** The `file:` of the top-level secret `s_file` (default `./secrets/s.txt`). */
  readonly secretFile?: Template;
}

const SERVICE_NAMES = ["app", "web.api", "w-2", "x_y"];
/**
 * `${AK:-ak_1}` and `${LK:-lk}` are keys from variables in the list form (a mapping's keys are never interpolated:
 * they are written `ak_1` and `lk` there, as is a value-less arg's, which keep mode resolves as if unset).
 */
const ARG_KEYS = ["ARG1", "${AK:-ak_1}", "arg_2", "my.arg", "T1", "W1", "NOPE", "A-B"];
const LABEL_KEYS = ["com.example.x", "${LK:-lk}", "lbl", "a-b", "x.y_z"];
/** A key as a mapping writes it (see ARG_KEYS). */
const mapKey = (k: string): string => (k === "${AK:-ak_1}" ? "ak_1" : k === "${LK:-lk}" ? "lk" : k);
const PLAIN_SCALARS = ["true", "False", "1.0", "010", "0x1F", "1e3", ".5", "null", "~", "''", "12:30"];
const BUILD_KEYS = [
  "context",
  "dockerfile",
  "dockerfile_inline",
  "args",
  "labels",
  "tags",
  "target",
  "network",
  "platforms",
  "cache_from",
  "cache_to",
  "extra_hosts",
  "shm_size",
  "ulimits",
  "secrets",
  "ssh",
  "pull",
  "no_cache",
  "additional_contexts",
  "entitlements",
  "privileged",
  "isolation",
  "no_cache_filter",
  "provenance",
  "sbom",
] as const;

function mapOrList<T>(keys: readonly string[], value: fc.Arbitrary<T>, max = 3) {
  return fc.record({
    list: fc.boolean(),
    entries: fc.uniqueArray(fc.tuple(fc.constantFrom(...keys), value), {
      minLength: 1,
      maxLength: max,
      selector: (e) => e[0],
    }),
  });
}

function buildArb(o: GenerateOptions, services: number): fc.Arbitrary<BuildSpec> {
  const v = o.variablesInResolvedPlaces;
  const text = templateArb("text", true);
  const word = templateArb("word", true);
  const argValue: fc.Arbitrary<ArgValue> = fc.oneof(
    { arbitrary: templateArb("text", true, "args").map((tpl) => ({ tpl })), weight: 4 },
    { arbitrary: fc.constantFrom(...PLAIN_SCALARS).map((plain) => ({ plain })), weight: 1 },
    { arbitrary: fc.constant({ none: true as const }), weight: 1 },
  );
  const cacheRef = fc.tuple(
    fc.constantFrom(
      "user/app:cache",
      "type=registry,ref=example.com/app",
      "type=inline",
      "type=local,src=cache-dir",
      "type=gha,scope=x",
    ),
    fc.option(templateArb("word", true), { nil: null }),
  );
  const cacheTo = fc.tuple(
    fc.constantFrom("user/app:cache", "type=inline", "type=local,dest=out-dir", "type=registry,ref=r.example/a"),
    fc.constant(null),
  );
  const keys = {
    context: templateArb("path", true), // kept exactly since issue #13 item 1, like the other paths
    dockerfile: fc.constantFrom("Dockerfile", "Dockerfile.alt", "./Dockerfile").map((d): Template => [{ lit: d }]),
    dockerfile_inline: templateArb("text", true, "args").map((t): Template =>
      [{ lit: "FROM alpine\\nRUN echo " }, ...t].map(unescapeNewline),
    ),
    args: fc.record({
      list: fc.boolean(),
      entries: fc.uniqueArray(fc.tuple(fc.constantFrom(...ARG_KEYS), argValue), {
        minLength: 1,
        maxLength: 3,
        selector: (e) => e[0],
      }),
      mergeShared: fc.boolean(),
    }),
    labels: mapOrList(LABEL_KEYS, text),
    tags: fc.array(
      word.map((t): Template => [{ lit: "reg.example.com/img:" }, ...t]),
      { minLength: 1, maxLength: 2 },
    ),
    target: word,
    network: fc.oneof(
      fc.constantFrom("host", "none", "default").map((n): Template => [{ lit: n }]),
      word,
    ),
    platforms: fc.array(templateArb("platform", true), { minLength: 1, maxLength: 2 }),
    cache_from: fc.array(cacheRef, { minLength: 1, maxLength: 2 }),
    cache_to: fc.array(cacheTo, { minLength: 1, maxLength: 2 }),
    // `${HOST:-h-4}` is a host name from a variable in the list form (the mapping form's keys are never
    // interpolated: it is written `h-4` there).
    extra_hosts: mapOrList(["somehost", "other.host", "h-3", "${HOST:-h-4}"], templateArb("ip", true)),
    shm_size: templateArb("size", true), // kept exactly since issue #13 item 1 (with Compose's check as a validation)
    ulimits: fc.uniqueArray(
      fc.tuple(
        fc.constantFrom("nofile", "nproc", "memlock"),
        fc.oneof(
          // docker compose 2.40.3 refuses any string in a build ulimit ("invalid type string for external"), so a
          // variable there only makes both tools refuse: drawn rarely (and with none, literals, in kept mode).
          { arbitrary: templateArb("number", false), weight: 4 },
          { arbitrary: templateArb("number", v), weight: 1 },
          // No variable in soft/hard: docker compose 2.40.3 panics on an interpolated one ("interface {} is string, not int").
          {
            arbitrary: fc.record({ soft: templateArb("number", false), hard: templateArb("number", false, "hard") }),
            weight: 2,
          },
        ),
      ),
      { minLength: 1, maxLength: 2, selector: (e) => e[0] },
    ),
    secrets: fc.uniqueArray(
      fc.record(
        {
          source: fc.constantFrom("s_file", "s_env"),
          long: fc.boolean(),
          target: fc.option(fc.constantFrom("t1", "t.2"), { nil: undefined }),
        },
        { requiredKeys: ["source", "long"] },
      ),
      { minLength: 1, maxLength: 2, selector: (s) => s.source },
    ),
    ssh: fc
      .tuple(
        mapOrList(["default", "k1", "k.2"], fc.option(templateArb("key", true), { nil: null }), 2),
        // ids from variables, kept exactly since issue #13 item 1 (bake/kept-ssh.ts)
        fc.array(fc.option(templateArb("sshid", true), { nil: null }), { maxLength: 2 }),
      )
      .map(([ssh, ids]) => (ids.some((t) => t !== null) ? { ...ssh, ids } : ssh)),
    pull: templateArb("bool", true), // kept exactly since issue #13 item 1, like no_cache and privileged
    no_cache: templateArb("bool", true),
    // `${CTXN-img}` is a context name from a variable in the list form (written `c-4` in the mapping form, whose
    // keys are never interpolated).
    additional_contexts: mapOrList(
      ["extra", "img", "svc", "${CTXN-img}"],
      fc.oneof(
        fc.constantFrom<Template>(
          [{ lit: "./other" }],
          [{ lit: "docker-image://alpine:3" }],
          [{ lit: "ctx" }],
          ...(services > 1 ? [[{ lit: "service:app" }]] : []),
        ),
        templateArb("path", true),
      ),
      2,
    ),
    entitlements: fc.uniqueArray(templateArb("ent", true), { minLength: 1, maxLength: 2, selector: templateText }),
    provenance: templateArb("attest", true),
    sbom: templateArb("attest", true),
    privileged: templateArb("bool", true),
    isolation: fc.constantFrom("default", "process", "hyperv"),
    no_cache_filter: fc.uniqueArray(fc.constantFrom("base", "dev"), { minLength: 1, maxLength: 2 }),
    short: fc.boolean(),
    mergeFrom: fc.nat(3),
  };
  const { no_cache_filter, ...rest } = keys;
  const all: Record<string, fc.Arbitrary<unknown>> = EXERCISE_NO_CACHE_FILTER ? { ...rest, no_cache_filter } : rest;
  return sparseRecord(all, {}, 1 / 5) as fc.Arbitrary<BuildSpec>;
}

/** A record whose `optional` keys are each present with probability p (and removed first when shrinking). */
function sparseRecord(
  optional: Record<string, fc.Arbitrary<unknown>>,
  required: Record<string, fc.Arbitrary<unknown>>,
  p: number,
): fc.Arbitrary<Record<string, unknown>> {
  const parts = { ...required, ...Object.fromEntries(Object.entries(optional).map(([k, a]) => [k, sometimes(a, p)])) };
  return fc.record(parts).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
}

/**
 * `arb` with probability p, else undefined: a build has a few keys rather than all of them (each extra key is one
 * more way for both tools to refuse the project), and shrinking goes towards undefined (the key removed).
 */
export function sometimes<T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | undefined> {
  // Whole weights: p = 1/5 is 4 to 1, p = 2/3 is 1 to 2.
  const [absent, present] = p <= 1 / 2 ? [Math.round(1 / p) - 1, 1] : [1, Math.round(p / (1 - p))];
  // withCrossShrink: a drawn value shrinks towards the first arbitrary (undefined), so keys are removed.
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(undefined), weight: absent },
    { arbitrary: arb, weight: present },
  );
}

/** `\n` typed in a dockerfile_inline literal means a newline (the template text itself is JSON-quoted). */
function unescapeNewline(p: Piece): Piece {
  return "lit" in p ? { lit: p.lit.replace(/\\n/g, "\n") } : p;
}

/**
 * Where a variable is set (process environment, `.env`, `--env-file`) and to what. A value-like kind's variable is
 * set more often and empty more rarely than a text's: its plain reference is refused when empty or unset (see
 * VALUE_OP_WEIGHTS), which would make most projects ones that both tools refuse.
 */
function variableArb(kind: Kind): fc.Arbitrary<VariableSpec> {
  const valueKind = isValueKind(kind);
  const value = fc.oneof(
    { arbitrary: fc.constantFrom(...VARIABLES[kind].values), weight: valueKind ? 8 : 3 },
    { arbitrary: fc.constant(""), weight: 1 },
  );
  return sparseRecord(
    { proc: value, dotenv: value, envFile: value },
    { quote: fc.nat(2) },
    valueKind ? 2 / 3 : 1 / 2,
  ) as unknown as fc.Arbitrary<VariableSpec>;
}

export function projectArb(o: GenerateOptions): fc.Arbitrary<FuzzProject> {
  const build = (n: number) => buildArb(o, n);
  const service = (n: number) =>
    sparseRecord(
      {
        image: templateArb("word", true).map((t): Template => [{ lit: "img/" }, ...t]),
        platform: templateArb("platform", true), // kept exactly since issue #13 item 1
        ports: portsArb(o),
        volumes: volumesArb(o),
        devices: devicesArb(o),
        profiles: fc.constantFrom(["p1"], ["p2"], ["p1", "p2"]),
        extends: fc.oneof(fc.record({ same: fc.nat(3), long: fc.boolean() }), fc.constant({ file: true as const })),
      },
      { build: build(n) },
      1 / 4,
    ) as fc.Arbitrary<Omit<ServiceSpec, "name">>;
  const variables = fc.record(
    Object.fromEntries(
      (Object.keys(VARIABLES) as Kind[]).flatMap((kind) =>
        VARIABLES[kind].names.map((name) => [name, variableArb(kind)]),
      ),
    ) as Record<string, fc.Arbitrary<VariableSpec>>,
  );
  const n = 3;
  // Services are an array (not a count chained to a tuple), so shrinking can remove any of them; names go by position.
  return (
    sparseRecord(
      {
        name: fc.constantFrom("my_proj", "proj-2", "p3"),
        sharedArgs: fc.uniqueArray(
          fc.tuple(
            fc.constantFrom("S1", "ARG1", "W1"),
            fc.oneof(
              templateArb("text", true, "args").map((tpl): ArgValue => ({ tpl })),
              fc.constant<ArgValue>({ none: true }),
            ),
          ),
          { minLength: 1, maxLength: 2, selector: (e) => e[0] },
        ),
        second: fc.record({
          lookup: fc.boolean(),
          overrides: fc.array(
            fc.record({
              service: fc.nat(n - 1),
              build: build(n),
              reset: fc.uniqueArray(fc.constantFrom(...BUILD_KEYS), { maxLength: 2 }),
              override: fc.uniqueArray(fc.constantFrom(...BUILD_KEYS), { maxLength: 2 }),
              ports: fc.option(portsArb(o), { nil: undefined, freq: 3 }),
              volumes: fc.option(volumesArb(o), { nil: undefined, freq: 3 }),
              devices: fc.option(devicesArb(o), { nil: undefined, freq: 3 }),
            }),
            { minLength: 1, maxLength: 2 },
          ),
        }),
        baseBuild: build(n),
        include: fc.record({ envFile: fc.boolean(), build: build(1) }),
        secretEnv: templateArb("envname", true), // kept exactly since issue #13 item 1
        secretFile: templateArb("key", true),
      },
      {
        // No minLength: fast-check shrinks a list's tail only down to the list's own minimum, so with one it could
        // never drop a service after the first; an empty draw is one service with a default build instead.
        services: fc
          .array(service(n), { maxLength: n })
          .map((ss) => (ss.length > 0 ? ss : [{ build: {} }]))
          .map((ss) => ss.map((s, i): ServiceSpec => ({ name: SERVICE_NAMES[i]!, ...s }))),
        cliProfiles: fc.uniqueArray(fc.constantFrom("p1", "p2"), { maxLength: 2 }),
        envFileFlag: fc.boolean(),
        variables,
      },
      1 / 3,
    ) as unknown as fc.Arbitrary<FuzzProject>
  )
    .map(noSelfLink)
    .map((p) => (o.variablesInResolvedPlaces ? p : literalMergedHosts(p)));
}

/** A service's short ports: variables only where they are judged (`--resolve` runs; see VARIABLES.port). */
function portsArb(o: GenerateOptions): fc.Arbitrary<Template[]> {
  return fc.array(templateArb("port", o.variablesInResolvedPlaces), { minLength: 1, maxLength: 2 });
}

/**
 * One short value of `kind` (a volume's or device's source, target, …): a literal, mostly a common one (`rare` ones,
 * drawn one time in 21, are mostly those that make both tools refuse the project), or, in `--resolve` runs, one
 * time in five, a reference to the kind's variable whose default is such a literal (a third of the variable's
 * values, or its being empty or unset, make both tools refuse: at one time in three, 1,000 `--resolve` projects
 * were 42% refused, 30% without volumes and devices).
 */
function partArb(kind: Kind, vars: boolean, valid: readonly string[], rare: readonly string[]): fc.Arbitrary<Template> {
  const lit = fc
    .oneof(
      { arbitrary: fc.constantFrom(...valid), weight: 20 },
      ...(rare.length ? [{ arbitrary: fc.constantFrom(...rare), weight: 1 }] : []),
    )
    .map((l): Piece => ({ lit: l }));
  if (!vars) return lit.map((p) => [p]);
  return fc
    .oneof({ arbitrary: lit, weight: 4 }, { arbitrary: refArb(kind, argPieces(kind, lit)), weight: 1 })
    .map((p) => [p]);
}

/**
 * A service's `volumes:`: short items with or without a source and a mode (Compose reads an unknown mode or a
 * relative target without complaint; it refuses an empty section, too many colons and an undeclared named volume),
 * and a long one (refused without a target). Targets come from a small set, with `/app/` cleaned to `/app`, so a
 * later file or item often has an earlier one's target (Compose keeps the later item). Variables only in
 * `--resolve` runs (see VARIABLES.volume).
 */
function volumesArb(o: GenerateOptions): fc.Arbitrary<VolumeSpec[]> {
  const v = o.variablesInResolvedPlaces;
  const short = sparseRecord(
    {
      source: partArb("volume", v, LITERALS.volume, ["undecl"]),
      mode: fc.oneof(
        { arbitrary: fc.constantFrom("ro", "rw", "z", "ro,Z", "nocopy", "bad"), weight: 20 },
        { arbitrary: fc.constant("ro:x"), weight: 1 },
      ),
    },
    { target: partArb("volume", v, ["/app", "/app/", "/var/lib", "/data", "rel"], [""]) },
    2 / 3,
  ) as unknown as fc.Arbitrary<VolumeSpec>;
  const long = fc
    .record({
      long: fc.constantFrom("bind" as const, "volume" as const),
      target: fc.option(fc.constantFrom("/app", "/long"), { nil: undefined, freq: 20 }),
    })
    .map((l): VolumeSpec => (l.target === undefined ? { long: l.long } : { long: l.long, target: l.target }));
  return fc.array(fc.oneof({ arbitrary: short, weight: 4 }, { arbitrary: long, weight: 1 }), {
    minLength: 1,
    maxLength: 2,
  });
}

/**
 * A service's short `devices:`: `source[:target[:permissions]]` (Compose reads an unknown permission, an empty item
 * or section without complaint and refuses more than three sections). Variables only in `--resolve` runs.
 */
function devicesArb(o: GenerateOptions): fc.Arbitrary<DeviceSpec[]> {
  const v = o.variablesInResolvedPlaces;
  const device = sparseRecord(
    {
      target: partArb("device", v, ["/dev/xvda", "/dev/fuse", "/dev/sdc"], []),
      permissions: fc.oneof(
        { arbitrary: fc.constantFrom("rwm", "r", "mw", "bad"), weight: 20 },
        { arbitrary: fc.constant("rw:x"), weight: 1 },
      ),
    },
    { source: partArb("device", v, LITERALS.device, [""]) },
    1 / 2,
  ) as unknown as fc.Arbitrary<DeviceSpec>;
  return fc.array(device, { minLength: 1, maxLength: 2 });
}

/**
 * `additional_contexts: {x: service:app}` in app's own build is a link to itself, which both tools refuse: the first
 * service's build does not get one (a later file's override or an `extends` base still can, so the refusal stays
 * covered). Left in, it made 1 project in 20 a refused one.
 */
function noSelfLink(p: FuzzProject): FuzzProject {
  const first = p.services[0];
  const entries = first?.build?.additional_contexts?.entries;
  if (!first || !entries) return p;
  const kept = entries.filter(([, t]) => !(t.length === 1 && "lit" in t[0]! && t[0].lit === "service:app"));
  if (kept.length === entries.length) return p;
  const { additional_contexts, ...rest } = first.build!;
  const build: BuildSpec = kept.length
    ? { ...rest, additional_contexts: { ...additional_contexts!, entries: kept } }
    : rest;
  return { ...p, services: [{ ...first, build }, ...p.services.slice(1)] };
}

/**
 * Kept mode writes extra_hosts IPs as expressions, but when two definitions of one service's extra_hosts are merged
 * (a later file, `extends`), compose-go drops a later `host=ip` item equal to an earlier one after interpolating,
 * which the kept file does not do (README: the one difference left there). Such projects get literal IPs.
 */
function literalMergedHosts(p: FuzzProject): FuzzProject {
  if (!p.second && !p.services.some((s) => s.extends)) return p;
  const literal = (b: BuildSpec | undefined): BuildSpec | undefined =>
    b?.extra_hosts
      ? {
          ...b,
          extra_hosts: {
            ...b.extra_hosts,
            entries: b.extra_hosts.entries.map(
              ([h], i) => [h, [{ lit: LITERALS.ip[i % LITERALS.ip.length]! }]] as const,
            ),
          },
        }
      : b;
  return {
    ...p,
    services: p.services.map((s) => (s.build ? { ...s, build: literal(s.build) } : s)),
    ...(p.baseBuild ? { baseBuild: literal(p.baseBuild) } : {}),
    ...(p.second
      ? { second: { ...p.second, overrides: p.second.overrides.map((o) => ({ ...o, build: literal(o.build)! })) } }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------------------------

export interface RenderedProject {
  /** Relative path → content (Dockerfiles, secrets, env files included; ssh keys are made by the runner). */
  readonly files: Record<string, string>;
  /** compose2bake's command line, which docker compose takes too (`-f`, `--profile`, `--env-file`). */
  readonly args: string[];
  /** The process environment both tools run with (on top of the tools' minimal one). */
  readonly env: Record<string, string>;
  /** Whether an ssh entry may need key files `keys/id1`, `keys/id2` (in the project, sub/ and common/). */
  readonly sshKeys: boolean;
}

const tpl = (t: Template): YNode => str(templateText(t));

function argNode(v: ArgValue): YNode {
  if ("tpl" in v) return tpl(v.tpl);
  if ("plain" in v) return raw(v.plain);
  return raw("null");
}

function argListItem(k: string, v: ArgValue): YNode {
  if ("tpl" in v) return str(`${k}=${templateText(v.tpl)}`);
  if ("plain" in v) return str(`${k}=${v.plain === "''" ? "" : v.plain}`);
  return str(mapKey(k));
}

function keyedNode(list: boolean, entries: ReadonlyArray<readonly [string, YNode | string]>, sep = "="): YNode {
  if (list)
    return listNode(
      entries.map(([k, v]) =>
        str(typeof v === "string" ? `${k}${sep}${v}` : `${k}${sep}${(v as { text: string }).text}`),
      ),
    );
  return map(entries.map(([k, v]) => [k, typeof v === "string" ? str(v) : v] as const));
}

/** Short volumes as written; a long one as a mapping (a bind of ./src or the declared volume `data`). */
function volumesNode(volumes: readonly VolumeSpec[]): YNode {
  return list(
    volumes.map((v) => {
      if ("long" in v)
        return map([
          ["type", str(v.long)],
          ["source", str(v.long === "bind" ? "./src" : "data")],
          ...(v.target !== undefined ? [["target", str(v.target)] as const] : []),
        ]);
      const target = templateText(v.target);
      if (!v.source) return str(target);
      return str(`${templateText(v.source)}:${target}${v.mode !== undefined ? `:${v.mode}` : ""}`);
    }),
  );
}

function devicesNode(devices: readonly DeviceSpec[]): YNode {
  return list(
    devices.map((d) => {
      let text = templateText(d.source);
      if (d.target) text += `:${templateText(d.target)}${d.permissions !== undefined ? `:${d.permissions}` : ""}`;
      return str(text);
    }),
  );
}

/** Short ports, each published on the container's port 80. */
function portsNode(ports: readonly Template[]): YNode {
  return list(ports.map((t) => str(`${templateText(t)}:80`)));
}

function listNode(items: YNode[]): YNode {
  return list(items);
}

/** The YAML of one build key (undefined: the key is not written). */
function buildValue(b: BuildSpec, k: (typeof BUILD_KEYS)[number], sharedAnchor: boolean): YNode | undefined {
  switch (k) {
    case "context":
      return b.context && tpl(b.context);
    case "dockerfile":
      return b.dockerfile && !b.dockerfile_inline ? tpl(b.dockerfile) : undefined;
    case "dockerfile_inline":
      return b.dockerfile_inline && tpl(b.dockerfile_inline);
    case "args": {
      if (!b.args) return undefined;
      if (b.args.list) return list(b.args.entries.map(([key, v]) => argListItem(key, v)));
      const entries: Array<readonly [string, YNode]> = b.args.entries.map(
        ([key, v]) => [mapKey(key), argNode(v)] as const,
      );
      if (b.args.mergeShared && sharedAnchor) entries.unshift(["<<", alias("shared")]);
      return map(entries);
    }
    case "labels":
      if (!b.labels) return undefined;
      return b.labels.list
        ? list(b.labels.entries.map(([key, v]) => str(`${key}=${templateText(v)}`)))
        : map(b.labels.entries.map(([key, v]) => [mapKey(key), tpl(v)] as const));
    case "tags":
      return b.tags && list(b.tags.map(tpl));
    case "target":
    case "network":
    case "provenance":
    case "sbom":
    case "shm_size":
    case "pull":
    case "no_cache":
    case "privileged": {
      const t = b[k];
      if (!t) return undefined;
      // Plain scalars for a literal boolean or number, so that YAML types them as a user's file would.
      if (
        t.length === 1 &&
        "lit" in t[0]! &&
        (k === "pull" ||
          k === "no_cache" ||
          k === "privileged" ||
          ((k === "provenance" || k === "sbom") && /^(true|false)$/.test(t[0].lit)))
      )
        return raw(t[0].lit);
      if (k === "shm_size" && t.length === 1 && "lit" in t[0]! && /^\d+$/.test(t[0].lit)) return raw(t[0].lit);
      return tpl(t);
    }
    case "platforms":
      return b.platforms && list(b.platforms.map(tpl));
    case "cache_from":
    case "cache_to": {
      const entries = b[k];
      return entries && list(entries.map(([base, suffix]) => str(base + (suffix ? templateText(suffix) : ""))));
    }
    case "extra_hosts":
      if (!b.extra_hosts) return undefined;
      return b.extra_hosts.list
        ? list(
            b.extra_hosts.entries.map(([h, ip], i) => {
              const text = templateText(ip);
              return str(
                `${h}${i % 2 === 0 || (text.includes(":") && !ip.some((p) => "ref" in p)) ? "=" : ":"}${text}`,
              );
            }),
          )
        : map(b.extra_hosts.entries.map(([h, ip]) => [h.startsWith("$") ? "h-4" : h, tpl(ip)] as const));
    case "ulimits":
      return (
        b.ulimits &&
        map(
          b.ulimits.map(([name, v]) => {
            const n = (t: Template) => (t.length === 1 && "lit" in t[0]! ? raw(t[0].lit) : tpl(t));
            return [
              name,
              "soft" in v
                ? map([
                    ["soft", n(v.soft)],
                    ["hard", n(v.hard)],
                  ])
                : n(v as Template),
            ] as const;
          }),
        )
      );
    case "secrets":
      return (
        b.secrets &&
        list(
          b.secrets.map((s) =>
            s.long
              ? map([["source", str(s.source)], ...(s.target ? [["target", str(s.target)] as const] : [])])
              : str(s.source),
          ),
        )
      );
    case "ssh":
      if (!b.ssh) return undefined;
      return b.ssh.list
        ? list(
            b.ssh.entries.map(([literal, p], i) => {
              const t = b.ssh!.ids?.[i];
              const id = t ? templateText(t) : literal;
              return str(p ? `${id}=${templateText(p)}` : id);
            }),
          )
        : map(b.ssh.entries.map(([id, p]) => [id, p ? tpl(p) : raw("null")] as const));
    case "additional_contexts":
      return (
        b.additional_contexts &&
        keyedNode(
          b.additional_contexts.list,
          b.additional_contexts.entries.map(
            ([n, t]) => [!b.additional_contexts!.list && n.startsWith("$") ? "c-4" : n, templateText(t)] as const,
          ),
        )
      );
    case "entitlements":
      return b.entitlements && list(b.entitlements.map(tpl));
    case "isolation":
      return b.isolation === undefined ? undefined : str(b.isolation);
    case "no_cache_filter":
      return b.no_cache_filter && list(b.no_cache_filter.map(str));
  }
}

/** The empty value `!reset` is written with, by the key's type. */
function resetValue(k: string): YNode {
  if (["args", "labels", "extra_hosts", "ulimits", "additional_contexts"].includes(k)) return raw("{}", "!reset");
  if (["tags", "platforms", "cache_from", "cache_to", "secrets", "ssh", "entitlements", "no_cache_filter"].includes(k))
    return raw("[]", "!reset");
  return raw("null", "!reset");
}

function withTag(n: YNode, tag: string): YNode {
  if (n.t === "alias") return n;
  return { ...n, tag };
}

function buildNode(
  b: BuildSpec,
  opts: {
    anchor?: string;
    mergeAnchor?: string;
    sharedAnchor: boolean;
    reset?: readonly string[];
    override?: readonly string[];
  },
): YNode {
  if (b.short && b.context && !opts.reset?.length && !opts.override?.length && opts.mergeAnchor === undefined)
    return tpl(b.context);
  const entries: Array<readonly [string, YNode]> = [];
  if (opts.mergeAnchor) entries.push(["<<", alias(opts.mergeAnchor)]);
  for (const k of BUILD_KEYS) {
    if (opts.reset?.includes(k)) {
      entries.push([k, resetValue(k)]);
      continue;
    }
    const v = buildValue(b, k, opts.sharedAnchor);
    if (v === undefined) continue;
    entries.push([k, opts.override?.includes(k) ? withTag(v, "!override") : v]);
  }
  return map(entries, opts.anchor ? { anchor: opts.anchor } : {});
}

/** An env-file line: plain when safe, else single-quoted, else double-quoted (the first of those from `quote`). */
function envLine(name: string, value: string, quote: number): string {
  const forms = [
    /^[A-Za-z0-9_./:,=@+-]*$/.test(value) ? value : undefined,
    value.includes("'") ? undefined : `'${value}'`,
    /[$\\]/.test(value) ? undefined : `"${value.replace(/"/g, '\\"')}"`,
  ];
  for (let i = 0; i < 3; i++) {
    const f = forms[(quote + i) % 3];
    if (f !== undefined) return `${name}=${f}\n`;
  }
  return `${name}=${JSON.stringify(value)}\n`;
}

export function renderProject(p: FuzzProject): RenderedProject {
  const files: Record<string, string> = {
    Dockerfile: "FROM alpine\n",
    "Dockerfile.alt": "FROM alpine AS base\nFROM base AS dev\n",
    "ctx/Dockerfile": "FROM alpine\n",
    "ctx/Dockerfile.alt": "FROM alpine\n",
    "other/Dockerfile": "FROM alpine\n",
    "other/Dockerfile.alt": "FROM alpine\n",
    "common/Dockerfile": "FROM alpine\n",
    "sub/Dockerfile": "FROM alpine\n",
    "secrets/s.txt": "not a real secret\n",
  };
  const longBuilds = new Set<number>();
  const top: Array<readonly [string, YNode]> = [];
  if (p.name !== undefined) top.push(["name", str(p.name)]);
  const sharedAnchor = p.sharedArgs !== undefined;
  if (p.sharedArgs)
    top.push([
      "x-shared",
      map(
        p.sharedArgs.map(([k, v]) => [k, argNode(v)] as const),
        { anchor: "shared" },
      ),
    ]);
  if (p.include)
    top.push([
      "include",
      p.include.envFile
        ? list([
            map([
              ["path", str("sub/compose.yaml")],
              ["env_file", str("sub/inc.env")],
            ]),
          ])
        : list([str("sub/compose.yaml")]),
    ]);

  let usesSecrets = false;
  let usesVolumes = false;
  let sshKeys = false;
  const note = (b: BuildSpec | undefined) => {
    if (b?.secrets) usesSecrets = true;
    if (b?.ssh) sshKeys = true;
  };
  const services: Array<readonly [string, YNode]> = p.services.map((s, i) => {
    const entries: Array<readonly [string, YNode]> = [];
    if (s.extends) {
      if ("file" in s.extends)
        entries.push([
          "extends",
          map([
            ["file", str("common/base.yaml")],
            ["service", str("basesvc")],
          ]),
        ]);
      else if (s.extends.same < i) {
        const base = p.services[s.extends.same]!.name;
        entries.push(["extends", s.extends.long ? map([["service", str(base)]]) : str(base)]);
      }
    }
    let build: YNode | undefined;
    if (s.build) {
      note(s.build);
      const merge =
        s.build.mergeFrom !== undefined && longBuilds.has(s.build.mergeFrom) ? `b${s.build.mergeFrom}` : undefined;
      build = buildNode(s.build, { anchor: `b${i}`, mergeAnchor: merge, sharedAnchor });
      if (build.t === "map") longBuilds.add(i);
    }
    if (s.image) entries.push(["image", tpl(s.image)]);
    // Compose requires a service platform to be one of build.platforms: the first one written is used, unless it
    // reads a variable where the drawn platform does not (then kept mode may not have variables there: see
    // EXERCISE_KEPT_AS_UNSET_PLACES), and both tools may refuse the project.
    const first = build?.t === "map" ? s.build?.platforms?.[0] : undefined;
    const hasRef = (t: Template) => t.some((piece) => "ref" in piece);
    if (s.platform)
      entries.push(["platform", tpl(first && (hasRef(s.platform) || !hasRef(first)) ? first : s.platform)]);
    if (s.ports) entries.push(["ports", portsNode(s.ports)]);
    if (s.volumes) {
      entries.push(["volumes", volumesNode(s.volumes)]);
      usesVolumes = true;
    }
    if (s.devices) entries.push(["devices", devicesNode(s.devices)]);
    if (s.profiles) entries.push(["profiles", list(s.profiles.map(str))]);
    if (build) entries.push(["build", build]);
    return [s.name, map(entries)] as const;
  });
  top.push(["services", map(services)]);
  const anyExtendsFile = p.services.some((s) => s.extends && "file" in s.extends);
  if (anyExtendsFile) {
    const b = p.baseBuild ?? {};
    note(b);
    files["common/base.yaml"] = yamlDocument(
      map([["services", map([["basesvc", map([["build", buildNode(b, { sharedAnchor: false })]])]])]]),
    );
  }
  if (p.include) {
    note(p.include.build);
    const sub: Array<readonly [string, YNode]> = [
      ["services", map([["inc", map([["build", buildNode(p.include.build, { sharedAnchor: false })]])]])],
    ];
    files["sub/compose.yaml"] = yamlDocument(map(sub));
  }
  const args: string[] = [];
  if (p.second) {
    const overrides = new Map<string, Array<readonly [string, YNode]>>();
    for (const o of p.second.overrides) {
      const s = p.services[o.service % p.services.length];
      if (!s || overrides.has(s.name)) continue;
      note(o.build);
      overrides.set(s.name, [
        [
          "build",
          buildNode(
            { ...o.build, short: false, mergeFrom: undefined },
            { sharedAnchor: false, reset: o.reset, override: o.override },
          ),
        ],
        ...(o.ports ? [["ports", portsNode(o.ports)] as const] : []),
        ...(o.volumes ? [["volumes", volumesNode(o.volumes)] as const] : []),
        ...(o.devices ? [["devices", devicesNode(o.devices)] as const] : []),
      ]);
      if (o.volumes) usesVolumes = true;
    }
    const doc = yamlDocument(map([["services", map([...overrides].map(([n, e]) => [n, map(e)] as const))]]));
    if (p.second.lookup) files["compose.override.yaml"] = doc;
    else {
      files["second.yaml"] = doc;
      args.push("-f", "compose.yaml", "-f", "second.yaml");
    }
  }
  if (usesSecrets)
    top.push([
      "secrets",
      map([
        ["s_file", map([["file", p.secretFile ? tpl(p.secretFile) : str("./secrets/s.txt")]])],
        ["s_env", map([["environment", p.secretEnv ? tpl(p.secretEnv) : str("T1")]])],
      ]),
    ]);
  // `data` is declared in the first file whenever a volume may use it; `undecl` never is (both tools refuse it).
  if (usesVolumes) top.push(["volumes", map([["data", raw("{}")]])]);
  files["compose.yaml"] = yamlDocument(map(top));
  if (p.include?.envFile) files["sub/inc.env"] = "T1=from-include\nW1=inc1\n";

  const env: Record<string, string> = {};
  let dotenv = "";
  let envFile = "";
  for (const [name, v] of Object.entries(p.variables)) {
    if (v.proc !== undefined) env[name] = v.proc;
    if (v.dotenv !== undefined) dotenv += envLine(name, v.dotenv, v.quote);
    if (v.envFile !== undefined) envFile += envLine(name, v.envFile, v.quote);
  }
  if (dotenv) files[".env"] = dotenv;
  if (p.envFileFlag) {
    files["vars.env"] = envFile;
    args.push("--env-file", "vars.env");
  }
  for (const prof of p.cliProfiles) args.push("--profile", prof);
  return { files, args, env, sshKeys: sshKeys || (usesSecrets && p.secretFile !== undefined) };
}
