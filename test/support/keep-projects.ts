/**
 * Small generated Compose projects for the "keep" contract (test/keep/property.test.ts): for any environment E,
 * `docker buildx bake --print` of the kept file (generated once, with an empty environment) under E equals
 * `compose2bake --resolve` under E, or both fail on the same missing required variable.
 *
 * Every project is built from a seeded random generator (so the set is the same on every run) over a grammar of
 * `${…}` templates: every operator (`${V}`, `$V`, `:-`, `-`, `:?`, `?`, `:+`, `+`), nesting (defaults inside
 * defaults, requirements inside defaults), literal text with quotes, backslashes, `$$`, `%{`, braces and unicode.
 * The templates go into args (map and list form, with value-less args), labels (both forms), tags, image, target,
 * network, cache_from, platforms, dockerfile_inline and x-bake tags, and (from variables of their own kinds) into
 * the values Compose parses: a service `platform`, `pull`/`no_cache`/`privileged` and `shm_size`, and the paths Compose
 * resolves: `context`, `additional_contexts`, ssh key paths and secret files (issue #13; their equality with Compose
 * itself is checked in test/keep/exact.test.ts and exact-paths.test.ts). Some projects add a db service whose
 * `environment`/`image` hold requirements, or an override file that replaces a value holding one.
 *
 * Variable names carry the project's prefix (`P07_A`, `p07_c`, `_P07_D`), so several projects can share one
 * `bake` invocation (one target each) with the union of their environments. Each variable has a kind that decides
 * the values it takes when set: free text with spaces, quotes, `${`, `%{` and unicode for most, but valid
 * platforms / cache references where bake would otherwise reject the value on both sides alike.
 *
 * `requiredFailures` is an independent oracle for the failing case: the messages of every `${V:?…}` / `${V?…}`
 * Compose would reach under E (evaluating defaults lazily, as compose-go does), since Compose and bake each report
 * only one of them, in an order of their own.
 */
import { generateKeyPairSync } from "node:crypto";
import { parseAllDocuments } from "yaml";
import { parseTemplate, type TemplatePart } from "../../src/compose/interpolate";

export type VarKind =
  | "text"
  | "platform"
  | "arch"
  | "cache"
  | "word"
  | "bool"
  | "size"
  | "attest"
  | "ip"
  | "ent"
  | "envname"
  | "path"
  | "keyfile";

export interface KeepVariable {
  readonly name: string;
  readonly kind: VarKind;
}

export interface KeepEnvironment {
  /** unset, empty, set, mixed-a, mixed-b, required-set. */
  readonly name: string;
  readonly env: Record<string, string>;
}

export interface KeepProject {
  /** Folder name and prefix, `p07`. */
  readonly name: string;
  /** Relative path → content. */
  readonly files: Record<string, string>;
  /** Services with a build section (= bake targets, same names). */
  readonly targets: string[];
  readonly variables: KeepVariable[];
  readonly environments: KeepEnvironment[];
  /** Which features the project uses, for the coverage check. */
  readonly features: Set<string>;
}

/** Values a variable of each kind takes when "set". */
const SET_VALUES: Record<VarKind, readonly string[]> = {
  text: [
    "a b",
    'say "hi"',
    "back\\slash\\",
    "${NOT_A_VAR}",
    "$${x}",
    "%{ if true }x%{ endif }",
    "ü ✓ 日本",
    "null",
    "true",
    "-",
    ":-x",
    "x}y{",
    "a=b,c=d",
    " ",
    "$",
    "it's",
    "line\tTab",
  ],
  platform: ["linux/arm64", "linux/amd64,linux/arm64", "linux/arm/v7"],
  arch: ["arm64", "s390x"],
  cache: ["user/app:cache", "type=registry,ref=example.com/app:cache", "type=local,src=cache-dir"],
  word: ["v1", "x-y", "1.2.3"],
  // Compose's boolean words in several cases, and sizes in go-units spellings (0 means no size).
  bool: ["true", "FALSE", "yes", "off", "On", "n"],
  size: ["64m", "1g", "0", "2048", "1.5GB", "12 MiB"],
  // Values Compose reshapes (keep-forms): attest options, IPs (brackets, lists), entitlements, variable names.
  attest: ["true", "false", "mode=max", "mode=min"],
  ip: ["10.0.0.9", "[::2]", "::1,10.0.0.8", "[fe80::1],[::3]"],
  ent: ["network.host", "security.insecure"],
  envname: ["FOO", "BAR_1"],
  // Contexts: relative, up a folder, with spaces, absolute, remote (bake checks no local context). Key files:
  // files every project has (bake --print reads ssh keys and secret files).
  path: ["sub", "../up/x", "a b/c", "/abs/ctx", "https://github.com/docker/buildx.git", "docker-image://alpine:3"],
  keyfile: ["id", "keys/id", "./keys/../id"],
};

/** One ssh private key for every project (bake --print parses the keys `ssh` names). */
const SSH_KEY = generateKeyPairSync("ed25519", {
  privateKeyEncoding: { format: "pem", type: "pkcs8" },
  publicKeyEncoding: { format: "pem", type: "spki" },
}).privateKey;

/** Literal text pieces of templates, as written in the Compose file (so `$$` is one `$`). */
const LITERALS = [
  "x",
  "-",
  "/",
  ":",
  "a b",
  '"q"',
  "it's",
  "back\\slash",
  "\\n",
  "$$",
  "$${LIT}",
  "$$$$",
  "%{x}",
  "%%{y}",
  "%",
  "ü",
  "日本",
  "✓",
  "{a}",
  "=",
  ",",
  "@",
  "$ ",
  "a$-b",
  "$$LIT",
  "{",
];

const MESSAGES = [
  "",
  "need it",
  '"quoted" message',
  "ü needed: set it",
  "a, b = c",
  "it's 100%",
  "cost $$5",
  "tab\there",
];

/**
 * Hand-written templates, one per project, for the cases a random draw may miss. `@A`…`@D` stand for the
 * project's variables; `requirement` ones only go where requirements are allowed.
 */
const HANDWRITTEN: ReadonlyArray<{ template: string; features: string[]; requirement?: boolean }> = [
  { template: "${@A:-$$$$${@B:-x}}", features: ["literal $ before a reference in a default"] },
  { template: "${@A:-$${NOT} %{x} %%{y} $$}", features: ["literal ${ in a default", "literal %{"] },
  { template: '${@A:-"q" \\ \\" ü ✓}', features: ["quotes/backslashes", "unicode"] },
  { template: "$$${@A}$$$@B/$$$$${@c:+x}", features: ["literal $ before reference"] },
  {
    template: "${@A:-${@B:?nested need}}-${@c:+${@D?alt needs D}}",
    features: ["nested requirement"],
    requirement: true,
  },
  { template: "${@A-}${@B:+}${@c+}${@D:-}", features: ["empty default"] },
  { template: "${@A:-{x}}${@B:-a{b}c}", features: ["braces in a default"] },
  { template: "pre-$@A-post/$@B", features: ["op bare"] },
  { template: "${@A:-${@B-${@c:-${@D:-deep}}}}", features: ["nested"] },
  { template: '${@A:?"quoted" ü msg}${@B?}', features: ["op :?", "op ?"], requirement: true },
];

type Op = "plain" | "bare" | ":-" | "-" | ":?" | "?" | ":+" | "+";
const OPS: readonly Op[] = ["plain", "bare", ":-", "-", ":?", "?", ":+", "+"];
const OP_WEIGHTS = [12, 8, 18, 12, 9, 7, 16, 14];

/** mulberry32: a small seeded PRNG, so the projects are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  readonly features = new Set<string>();
  private readonly r: () => number;
  constructor(
    seed: number,
    readonly textVars: readonly string[],
    /** Whether requirements may be generated. */
    readonly requirements: boolean,
  ) {
    this.r = rng(seed);
  }

  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  op(): Op {
    const weights = OPS.map((o, i) => (!this.requirements && (o === ":?" || o === "?") ? 0 : OP_WEIGHTS[i]!));
    let x = this.r() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < OPS.length; i++) {
      x -= weights[i]!;
      if (x < 0) return OPS[i]!;
    }
    return "plain";
  }

  /** A template that parses (retrying the rare combination that does not, e.g. a lone `{` closing too late). */
  template(depth = 0, pieces = 1 + this.int(3)): string {
    for (;;) {
      const t = this.rawTemplate(depth, pieces);
      try {
        parseTemplate(t);
        return t;
      } catch {
        continue;
      }
    }
  }

  private rawTemplate(depth: number, pieces: number): string {
    let out = "";
    let lastBare = false;
    for (let i = 0; i < pieces; i++) {
      if (i > 0 && this.chance(0.45)) {
        let lit = this.pick(LITERALS);
        if (depth > 0 && lit === "{") lit = "("; // an unbalanced brace in a default moves where the reference ends
        if (lastBare && /^[A-Za-z0-9_]/.test(lit)) lit = "/" + lit;
        if (lit.includes("$$")) this.features.add(depth > 0 ? "literal $$ in a default" : "literal $$");
        if (depth > 0 && lit.includes("${")) this.features.add("literal ${ in a default");
        if (lit.includes("%{")) this.features.add("literal %{");
        if (/[^\x00-\x7f]/.test(lit)) this.features.add("unicode");
        if (/["\\]/.test(lit)) this.features.add("quotes/backslashes");
        out += lit;
        lastBare = false;
        continue;
      }
      if (/(^|[^$])(\$\$)+$/.test(out))
        this.features.add(depth > 0 ? "literal $ before a reference in a default" : "literal $ before reference");
      const { text, bare } = this.reference(depth);
      out += text;
      lastBare = bare;
    }
    return out;
  }

  reference(depth: number): { text: string; bare: boolean } {
    const v = this.pick(this.textVars);
    const op = this.op();
    this.features.add(`op ${op}`);
    switch (op) {
      case "plain":
        return { text: `\${${v}}`, bare: false };
      case "bare":
        return { text: `$${v}`, bare: true };
      case ":?":
      case "?": {
        if (depth > 0) this.features.add("nested requirement");
        return { text: `\${${v}${op}${this.pick(MESSAGES)}}`, bare: false };
      }
      default: {
        // Defaults and alternatives: literal text, or (up to two levels down) a template of their own.
        let arg: string;
        if (depth < 2 && this.chance(0.5)) {
          arg = this.template(depth + 1, 1 + this.int(2));
          if (arg.includes("${") || /\$[A-Za-z_]/.test(arg.replace(/\$\$/g, ""))) this.features.add("nested");
        } else {
          const lit = this.pick(LITERALS);
          arg = this.chance(0.2) ? "" : lit === "{" ? "(" : lit;
        }
        return { text: `\${${v}${op}${arg}}`, bare: false };
      }
    }
  }
}

/** A YAML double-quoted scalar (JSON's string syntax is a subset of it). */
function q(s: string): string {
  return JSON.stringify(s);
}

/** The projects, generated the same way every time. */
export function keepProjects(count = 32): KeepProject[] {
  const out: KeepProject[] = [];
  for (let i = 1; i <= count; i++) out.push(project(i));
  return out;
}

function project(i: number): KeepProject {
  const name = `p${String(i).padStart(2, "0")}`;
  const P = name.toUpperCase();
  const textVars = [`${P}_A`, `${P}_B`, `${name}_c`, `_${P}_D`];
  const vars: KeepVariable[] = textVars.map((n) => ({ name: n, kind: "text" as const }));
  const platformVar = `${P}_PLATFORM`;
  const archVar = `${P}_ARCH`;
  const cacheVar = `${P}_CACHE`;
  const wordVar = `${P}_W`;
  const token = `${P}_TOKEN`;
  // Every fourth project has no requirement at all, so the unset and empty environments also build.
  const g = new Gen(0x5eed + i * 7919, textVars, i % 4 !== 0);
  const has = (feature: number) => (i + feature) % 3 !== 0 || (i % 5 === 0 && feature < 3);

  const app = `${name}-app`;
  const lines: string[] = ["services:", `  ${app}:`];
  if (has(0)) {
    lines.push(`    image: ${q(`example.com/${name}:${g.template()}`)}`);
    g.features.add("image");
  }
  const servicePlatform = !(has(0) && i % 2 === 1) && i % 3 !== 0;
  if (servicePlatform) {
    // A service platform without build.platforms: it is the platform (none when it comes out empty).
    const forms = [
      `\${${platformVar}:-linux/amd64}`,
      `\${${platformVar}}`,
      `linux/\${${archVar}:-arm64}`,
      `\${${platformVar}-linux/386}`,
    ];
    lines.push(`    platform: ${q(forms[i % forms.length]!)}`);
    vars.push({ name: platformVar, kind: "platform" }, { name: archVar, kind: "arch" });
    g.features.add("service platform");
  }
  // Paths (issue #13 item 1): a context, additional contexts, ssh keys and secret files holding variables.
  const pathVar = `${P}_PATH`;
  const keyVar = `${P}_KEY`;
  if (i % 3 === 2) {
    const forms = [`\${${pathVar}}`, `\${${pathVar}:-.}`, `./\${${pathVar}-sub}`, `\${${pathVar}:+sub}`];
    lines.push("    build:", `      context: ${q(forms[i % forms.length]!)}`);
    vars.push({ name: pathVar, kind: "path" });
    g.features.add("context");
  } else lines.push("    build:", "      context: .");
  if (i % 4 === 1) {
    const value = [`\${${pathVar}:-sub}`, `x/\${${pathVar}}`, `\${${pathVar}}`][i % 3]!;
    lines.push(
      "      additional_contexts:",
      ...(i % 8 === 1 ? [`        extra: ${q(value)}`] : [`        - ${q(`extra=${value}`)}`]),
    );
    vars.push({ name: pathVar, kind: "path" });
    g.features.add("additional_contexts");
  }
  const keyFiles = i % 5 === 3;
  if (keyFiles) {
    // Never empty: an empty key path is the project folder, which bake refuses as a key on both sides.
    lines.push(
      i % 2 === 0 ? `      ssh: [${q(`k=\${${keyVar}:-id}`)}]` : `      ssh: {k: ${q(`\${${keyVar}:-keys/id}`)}}`,
      "      secrets: [s]",
    );
    vars.push({ name: keyVar, kind: "keyfile" });
    g.features.add("ssh");
    g.features.add("secret file");
  }

  // args: map form or list form, with a value-less arg, and a hand-written template.
  const args = 2 + g.int(3);
  const handwritten = HANDWRITTEN.filter((h) => g.requirements || !h.requirement);
  const tricky = handwritten[i % handwritten.length]!;
  tricky.features.forEach((f) => g.features.add(f));
  const [A, B, C, D] = textVars as [string, string, string, string];
  const trickyText = tricky.template.replace(/@(A|B|c|D)/g, (_m, v: string) => ({ A, B, c: C, D })[v as "A"]);
  if (i % 2 === 0) {
    lines.push("      args:", `        TRICKY: ${q(trickyText)}`);
    for (let k = 0; k < args; k++) lines.push(`        ARG${k}: ${q(g.template())}`);
    if (has(1)) {
      lines.push(`        ${token}:`);
      g.features.add("value-less arg");
    }
    g.features.add("args map");
  } else {
    lines.push("      args:", `        - ${q(`TRICKY=${trickyText}`)}`);
    for (let k = 0; k < args; k++) lines.push(`        - ${q(`ARG${k}=${g.template()}`)}`);
    if (has(1)) {
      lines.push(`        - ${token}`);
      g.features.add("value-less arg");
    }
    g.features.add("args list");
  }
  if (has(2)) {
    if (i % 3 === 0) {
      lines.push(
        "      labels:",
        `        - ${q(`org.example.a=${g.template()}`)}`,
        `        - ${q(`org.example.b=${g.template()}`)}`,
      );
      g.features.add("labels list");
    } else {
      lines.push(
        "      labels:",
        `        org.example.a: ${q(g.template())}`,
        `        "org.example.b": ${q(g.template())}`,
      );
      g.features.add("labels map");
    }
  }
  if (has(0) || i % 4 === 1) {
    lines.push(
      "      tags:",
      `        - ${q(`registry.example.com/${name}:${g.template()}`)}`,
      `        - ${q(g.template())}`,
    );
    g.features.add("tags");
  }
  if (has(1)) {
    lines.push(`      target: ${q(i % 6 === 1 ? `\${${textVars[0]}}` : g.template())}`);
    g.features.add("target");
  }
  if (i % 4 === 2) {
    lines.push(`      network: ${q(i % 8 === 2 ? `\${${textVars[1]}-}` : g.template(0, 1))}`);
    g.features.add("network");
  }
  if (has(2)) {
    const forms = [
      `\${${cacheVar}}`,
      `\${${cacheVar}:-user/app:cache}`,
      `type=registry,ref=example.com/${name}:\${${wordVar}:-cache}`,
      `\${${cacheVar}:+type=inline}`,
    ];
    lines.push(
      "      cache_from:",
      `        - ${q(forms[i % forms.length]!)}`,
      `        - ${q(forms[(i + 1) % forms.length]!)}`,
    );
    vars.push({ name: cacheVar, kind: "cache" }, { name: wordVar, kind: "word" });
    g.features.add("cache_from");
  }
  if (has(0) && i % 2 === 1) {
    const forms = [
      `\${${platformVar}:-linux/amd64}`,
      `linux/\${${archVar}:-amd64}`,
      `\${${platformVar}-linux/386}`,
      `\${${platformVar}:+linux/ppc64le}`,
      `\${${platformVar}}`,
    ];
    lines.push("      platforms:", `        - ${q(forms[i % forms.length]!)}`);
    if (i % 3 === 1) lines.push(`        - ${q(forms[(i + 2) % forms.length]!)}`);
    vars.push({ name: platformVar, kind: "platform" }, { name: archVar, kind: "arch" });
    g.features.add("platforms");
  }
  // Values Compose parses (booleans, sizes): only forms that are valid under every environment, so a failure
  // is always a required variable's: `:-` forms only (`-` or `+` give "", invalid, when the variable is empty).
  const boolVar = `${P}_BOOL`;
  const sizeVar = `${P}_SHM`;
  if (i % 3 !== 1) {
    const forms = [`\${${boolVar}:-false}`, `\${${boolVar}:-on}`, `\${${boolVar}:-YES}`];
    const keys = ["pull", "no_cache", "privileged"];
    const key = keys[i % keys.length]!;
    lines.push(`      ${key}: ${q(forms[i % forms.length]!)}`);
    if (i % 4 === 0) lines.push(`      ${keys[(i + 1) % keys.length]!}: ${q(forms[(i + 1) % forms.length]!)}`);
    if (i % 5 === 0) lines.push("      entitlements: [network.host]");
    vars.push({ name: boolVar, kind: "bool" });
    g.features.add("booleans");
  }
  if (i % 3 === 0) {
    const forms = [`\${${sizeVar}:-1g}`, `\${${sizeVar}:-64m}`];
    lines.push(`      shm_size: ${q(forms[i % forms.length]!)}`);
    vars.push({ name: sizeVar, kind: "size" });
    g.features.add("shm_size");
  }
  // Values Compose reshapes after interpolating them (keep-forms): attest entries, entitlements, extra_hosts IPs
  // (both forms) and the variable a build secret reads (with a default: Compose refuses a secret without a name).
  const secretName = i % 4 === 1 ? `${P}_SN` : undefined;
  if (secretName !== undefined) {
    const [att, ent, ip] = [`${P}_ATT`, `${P}_ENT`, `${P}_IP`];
    const attest = [`\${${att}}`, `\${${att}:-mode=max}`, `\${${att}-true}`][i % 3]!;
    lines.push(`      ${i % 8 === 1 ? "provenance" : "sbom"}: ${q(attest)}`);
    // The boolean block above may have listed network.host already.
    const entitlements = `      entitlements: [${q(`\${${ent}}`)}, network.host]`;
    const listed = lines.indexOf("      entitlements: [network.host]");
    if (listed >= 0) lines[listed] = entitlements;
    else lines.push(entitlements);
    lines.push(
      "      extra_hosts:",
      ...(i % 8 === 1
        ? [`        - ${q(`h1=\${${ip}}`)}`, `        - ${q(`h2:\${${ip}:-10.0.0.1}`)}`]
        : [`        m1: ${q(`\${${ip}}`)}`]),
    );
    // The key-file block above may have listed the secret s already.
    const secretsAt = lines.indexOf("      secrets: [s]");
    if (secretsAt >= 0) lines[secretsAt] = "      secrets: [s, senv]";
    else lines.push("      secrets: [senv]");
    vars.push(
      { name: att, kind: "attest" },
      { name: ent, kind: "ent" },
      { name: ip, kind: "ip" },
      { name: secretName, kind: "envname" },
    );
    for (const f of ["attest", "entitlements", "extra_hosts", "secret env"]) g.features.add(f);
  }
  if (i % 3 === 2) {
    lines.push(
      `      dockerfile_inline: ${q(i % 9 === 2 ? `\${${textVars[2]}}` : `FROM alpine\nRUN echo ${g.template()}`)}`,
    );
    g.features.add("dockerfile_inline");
  }
  if (i % 4 === 3 || i % 7 === 0) {
    lines.push("      x-bake:", "        tags:", `          - ${q(`example.com/x:${g.template()}`)}`);
    g.features.add("x-bake tags");
  }

  const targets = [app];
  if (i % 5 === 1) {
    // A second target, with a plain value-less arg in map form and its own tags.
    const tool = `${name}-tool`;
    lines.push(
      `  ${tool}:`,
      "    build:",
      "      context: .",
      "      args:",
      `        PLAIN: ${q(g.template(0, 1))}`,
      "      tags:",
      `        - ${q(g.template())}`,
    );
    targets.push(tool);
  }
  if (g.requirements && i % 3 === 0) {
    // Requirements where nothing reaches bake: a service without build (its image) and an environment.
    const [a, b] = [textVars[0]!, textVars[3]!];
    lines.push(
      `  ${name}-db:`,
      `    image: ${q(`postgres:\${${b}:?db image tag}`)}`,
      "    environment:",
      `      PW: ${q(`\${${a}:-\${${b}?password}}`)}`,
    );
    g.features.add("requirement outside build");
  }
  if (secretName !== undefined || keyFiles) lines.push("secrets:");
  if (secretName !== undefined) lines.push("  senv:", `    environment: ${q(`\${${secretName}:-FALLBACK}`)}`);
  if (keyFiles) lines.push("  s:", `    file: ${q(`\${${keyVar}:-keys/id}`)}`);
  const files: Record<string, string> = { "compose.yaml": lines.join("\n") + "\n" };
  if (keyFiles) Object.assign(files, { id: SSH_KEY, "keys/id": SSH_KEY });
  if (g.requirements && i % 5 === 2) {
    // An override file that replaces a value holding a requirement: Compose still checks it.
    const [a] = textVars;
    const value = `\${${a}:?overridden but still checked}`;
    const [base, override] =
      i % 2 === 0
        ? [`OVERRIDDEN: ${q(value)}`, `OVERRIDDEN: "replaced"`]
        : [`- ${q(`OVERRIDDEN=${value}`)}`, `- "OVERRIDDEN=replaced"`];
    files["compose.yaml"] = files["compose.yaml"]!.replace("      args:\n", `      args:\n        ${base}\n`);
    files["compose.override.yaml"] = [
      "services:",
      `  ${app}:`,
      "    build:",
      "      args:",
      `        ${override}`,
      "",
    ].join("\n");
    g.features.add("overridden requirement");
  }
  if (has(1)) vars.push({ name: token, kind: "text" });

  const variables = dedupe(vars);
  return { name, files, targets, variables, environments: environments(i, variables, files), features: g.features };
}

function dedupe(vars: KeepVariable[]): KeepVariable[] {
  const seen = new Map<string, KeepVariable>();
  for (const v of vars) if (!seen.has(v.name)) seen.set(v.name, v);
  return [...seen.values()];
}

function environments(i: number, vars: readonly KeepVariable[], files: Record<string, string>): KeepEnvironment[] {
  const r = rng(0xe11 + i * 104729);
  const setValue = (v: KeepVariable, k: number) => SET_VALUES[v.kind][(k + i) % SET_VALUES[v.kind].length]!;
  const all = (f: (v: KeepVariable, k: number) => string | undefined): Record<string, string> => {
    const env: Record<string, string> = {};
    vars.forEach((v, k) => {
      const value = f(v, k);
      if (value !== undefined) env[v.name] = value;
    });
    return env;
  };
  const mixed = () =>
    all((v, k) => {
      const x = r();
      return x < 0.4 ? setValue(v, k + 3) : x < 0.7 ? "" : undefined;
    });
  const required = requiredNames(Object.values(files));
  return [
    { name: "unset", env: {} },
    { name: "empty", env: all(() => "") },
    { name: "set", env: all((v, k) => setValue(v, k)) },
    { name: "mixed-a", env: mixed() },
    { name: "mixed-b", env: mixed() },
    {
      name: "required-set",
      env: all((v, k) => (required.has(v.name) ? setValue(v, k + 1) : k % 2 === 0 ? "" : undefined)),
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle for required variables
// ---------------------------------------------------------------------------------------------------------------

/** Every string value (never keys) of the YAML documents. */
function stringValues(texts: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  for (const text of texts) for (const doc of parseAllDocuments(text)) walk(doc.toJS());
  return out;
}

function requiredNames(texts: readonly string[]): Set<string> {
  const names = new Set<string>();
  const walk = (parts: readonly TemplatePart[]): void => {
    for (const p of parts) {
      if (p.kind !== "var") continue;
      if (p.op === ":?" || p.op === "?") names.add(p.name);
      walk(p.arg ?? []);
    }
  };
  for (const s of stringValues(texts)) walk(parseTemplate(s));
  return names;
}

/**
 * The messages (`required variable X is missing a value[: msg]`) of every requirement that fails under env when
 * each value of the files is interpolated the way compose-go does it: defaults, alternatives and messages are
 * evaluated only when used. Empty when Compose succeeds.
 */
export function requiredFailures(files: Record<string, string>, env: Readonly<Record<string, string>>): Set<string> {
  const failures = new Set<string>();
  const evaluate = (parts: readonly TemplatePart[]): string => {
    let out = "";
    for (const p of parts) {
      if (p.kind === "text") {
        out += p.text;
        continue;
      }
      const value = env[p.name];
      const set = value !== undefined;
      const nonEmpty = set && value !== "";
      const arg = () => evaluate(p.arg ?? []);
      switch (p.op) {
        case undefined:
          out += value ?? "";
          break;
        case ":-":
          out += nonEmpty ? value : arg();
          break;
        case "-":
          out += set ? value : arg();
          break;
        case ":+":
          out += nonEmpty ? arg() : "";
          break;
        case "+":
          out += set ? arg() : "";
          break;
        case ":?":
        case "?": {
          const ok = p.op === ":?" ? nonEmpty : set;
          if (!ok) {
            const message = arg();
            failures.add(`required variable ${p.name} is missing a value${message === "" ? "" : ": " + message}`);
          }
          out += value ?? "";
          break;
        }
      }
    }
    return out;
  };
  for (const s of stringValues(Object.values(files))) evaluate(parseTemplate(s));
  return failures;
}
