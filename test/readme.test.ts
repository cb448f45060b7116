/**
 * Every code block of README.md is checked (issue #11 item 6), so the README cannot drift from the tool:
 * - yaml: parses as YAML; a Compose file converts (and equals the hcl block that follows it after "becomes");
 *   a pre-commit config names hooks of .pre-commit-hooks.yaml; a docker/bake-action step sets `files` and
 *   `workdir`; every compose2bake command line found in it parses with the CLI's own flag parser;
 * - hcl: the header block equals the head of a generated example file; other blocks parse (@cdktf/hcl2json);
 * - toml: a valid compose2bake.toml; ts: type-checks against the library; js: runs, and its commands parse;
 * - console/sh: compose2bake and npx compose2bake commands parse with the CLI's flags, `docker buildx bake`
 *   uses only flags buildx 0.29 has, `npm run X` names a script, repository paths exist, the npm pack tarball
 *   name is the one npm writes; console output lines shaped like diagnostics are in compose2bake's format.
 * New blocks are picked up automatically: a block this test cannot classify fails it, unless ILLUSTRATIVE lists
 * it with the reason it cannot be checked.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import YAML from "yaml";
import { parseCommandLine } from "../src/cli/args";
import { compose2bake, parseConfig } from "../src/index";
import { SourceFile } from "../src/diagnostics";
import { fixedEnv, REPO, tempProject } from "./support/run";
import { hclToBakeJson } from "./support/hcl";

interface Block {
  readonly lang: string;
  readonly text: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The prose between the previous block and this one. */
  readonly before: string;
}

/** Blocks that cannot be checked, by language and first line, each with the reason. Keep it short. */
const ILLUSTRATIVE: ReadonlyArray<{ lang: string; firstLine: string; reason: string }> = [];

const README = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
  name: string;
  version: string;
  license: string;
  scripts: Record<string, string>;
};

function readmeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  let prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) {
      prose.push(lines[i]!);
      continue;
    }
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    while (
      j < lines.length &&
      !(lines[j]!.startsWith(fence[0]!.repeat(fence.length)) && lines[j]!.trim().replace(/^[`~]+/, "") === "")
    )
      body.push(lines[j++]!);
    if (j >= lines.length) throw new Error(`README.md:${i + 1}: code block never closed`);
    blocks.push({ lang: open[2]!.toLowerCase(), text: body.join("\n") + "\n", line: i + 1, before: prose.join("\n") });
    prose = [];
    i = j;
  }
  return blocks;
}

const blocks = readmeBlocks(README);

// ---------------------------------------------------------------------------------------------------------------
// Command lines

/** Shell words of one line, split at `&&`, `||`, `;`, `|`; redirections and comments dropped. Quotes are removed. */
function commands(line: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  let redirect = false;
  const endWord = () => {
    if (word === undefined) return;
    if (redirect) redirect = false;
    else words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) out.push(words);
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unclosed quote in: ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === " " || c === "\t") endWord();
    else if (c === "#" && word === undefined) break;
    else if (c === ">" || c === "<") {
      endWord();
      redirect = true;
      if (line[i + 1] === ">") i++;
    } else if ((c === "&" && line[i + 1] === "&") || (c === "|" && line[i + 1] === "|")) {
      endCommand();
      i++;
    } else if (c === ";" || c === "|" || c === "(" || c === ")" || c === "{" || c === "}") endCommand();
    else word = (word ?? "") + c;
  }
  endCommand();
  return out;
}

/** compose2bake's arguments when the command runs it (directly or through npx), else undefined. */
function compose2bakeArgs(words: readonly string[]): string[] | undefined {
  let i = 0;
  while (i < words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[i]!)) i++;
  if (words[i] === "npx") {
    i++;
    while (i < words.length && words[i]!.startsWith("-")) i++;
  }
  return words[i] === PACKAGE.name ? words.slice(i + 1) : undefined;
}

/** The flags of `docker buildx bake` used in the README, all present in buildx 0.29.1. */
const BAKE_FLAGS = new Set(["-f", "--file", "--print", "--load", "--push", "--set", "--progress", "--list"]);

function checkCommand(words: readonly string[], where: string): void {
  const args = compose2bakeArgs(words);
  if (args) {
    expect({ where, args, parsed: tryParse(args) }).toEqual({ where, args, parsed: "ok" });
    return;
  }
  if (words[0] === "docker" && words[1] === "buildx" && words[2] === "bake") {
    const unknown = words.slice(3).filter((w) => w.startsWith("-") && !BAKE_FLAGS.has(w.split("=")[0]!));
    expect({ where, unknown }).toEqual({ where, unknown: [] });
    return;
  }
  if (words[0] === "npm" && words[1] === "run")
    expect({ where, script: words[2], exists: words[2]! in PACKAGE.scripts }).toEqual({
      where,
      script: words[2],
      exists: true,
    });
  if (words[0] === "npm" && (words[1] === "start" || words[1] === "test"))
    expect(PACKAGE.scripts[words[1]]).toBeDefined();
  if (words[0] === "echo" && words.length === 2) for (const c of commands(words[1]!)) checkCommand(c, where);
  // Paths into this repository (test/…, scripts/…) must exist.
  for (const w of words) {
    if (/^(test|scripts|examples|bench|docs|src)\/\S+$/.test(w))
      expect({ where, path: w, exists: fs.existsSync(path.join(REPO, w)) }).toEqual({ where, path: w, exists: true });
  }
  for (const w of words) {
    const tarball = /^(?:.*\/)?(compose2bake-[^/]+\.tgz)$/.exec(w);
    if (tarball) expect(tarball[1]).toBe(`${PACKAGE.name}-${PACKAGE.version}.tgz`);
  }
}

function tryParse(args: readonly string[]): string {
  try {
    parseCommandLine(args, () => PACKAGE.version);
    return "ok";
  } catch (e) {
    return (e as Error).message;
  }
}

/** Every compose2bake command in a YAML/JSON value: strings that run it, and `args:` lists of pre-commit hooks. */
function checkCommandsIn(value: unknown, where: string): number {
  let n = 0;
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      for (const line of v.split("\n")) {
        for (const c of commands(line)) {
          if (compose2bakeArgs(c)) n++;
          checkCommand(c, where);
        }
      }
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk(value);
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// The checks

const checked = new Set<Block>();

async function check(block: Block, i: number): Promise<void> {
  const where = `README.md:${block.line}`;
  const illustrative = ILLUSTRATIVE.find((a) => a.lang === block.lang && block.text.startsWith(a.firstLine));
  if (illustrative) {
    expect(illustrative.reason.length).toBeGreaterThan(10);
    return;
  }
  switch (block.lang) {
    case "yaml":
    case "yml":
      return checkYaml(block, i, where);
    case "hcl":
      return checkHcl(block, where);
    case "toml":
      parseConfig(new SourceFile(path.join(os.tmpdir(), "compose2bake.toml"), block.text));
      return;
    case "console":
      for (const line of block.text.split("\n")) {
        if (line.startsWith("$ ")) for (const c of commands(line.slice(2))) checkCommand(c, where);
        else if (/: (error|warning): /.test(line))
          expect(line).toMatch(/^[^\s:]+(:\d+:\d+)?: (error|warning): .+ \[[a-z0-9-]+\]$/);
      }
      return;
    case "sh":
    case "bash":
    case "shell":
      for (const line of block.text.split("\n")) for (const c of commands(line)) checkCommand(c, where);
      return;
    case "ts":
    case "typescript":
      return checkTypeScript(block, where);
    case "js":
    case "javascript":
      return checkJavaScript(block, where);
    case "json":
      checkCommandsIn(JSON.parse(block.text), where);
      return;
    case "":
      // The usage synopsis: the first line of `compose2bake --help`.
      expect(block.text.trim()).not.toContain("\n");
      expect(parseCommandLine(["--help"], () => PACKAGE.version).text).toContain(block.text.trim());
      return;
    default:
      throw new Error(
        `${where}: a \`${block.lang}\` block this test cannot check: add a check, or list it in ILLUSTRATIVE with a reason`,
      );
  }
}

function checkYaml(block: Block, i: number, where: string): void {
  const docs = YAML.parseAllDocuments(block.text);
  for (const d of docs) expect({ where, errors: d.errors.map((e) => e.message) }).toEqual({ where, errors: [] });
  const value = docs[0]?.toJS() as unknown;
  const map =
    value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  if (map && "services" in map) {
    // A Compose file: it converts; when the next block follows "becomes", that block is the result.
    const next = blocks[i + 1];
    const shown = next && next.lang === "hcl" && /becomes/.test(next.before) ? next : undefined;
    const dir = tempProject({ "compose.yaml": block.text });
    const { text } = compose2bake({ cwd: dir, env: fixedEnv(), format: shown ? "hcl" : "json" });
    if (shown) {
      expect(shown.text).toBe(text);
      checked.add(shown);
    }
    return;
  }
  if (map && "repos" in map) {
    const hooks = (
      YAML.parse(fs.readFileSync(path.join(REPO, ".pre-commit-hooks.yaml"), "utf8")) as Array<{ id: string }>
    ).map((h) => h.id);
    for (const repo of map.repos as Array<{ hooks: Array<{ id: string; args?: string[] }> }>) {
      for (const hook of repo.hooks) {
        expect(hooks).toContain(hook.id);
        if (hook.args) expect(tryParse(hook.args)).toBe("ok");
      }
    }
  }
  // GitHub Actions: every docker/bake-action step says which files and which working folder.
  const steps: Array<Record<string, unknown>> = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o.uses === "string") steps.push(o);
      Object.values(o).forEach(collect);
    }
  };
  collect(value);
  for (const step of steps.filter((s) => (s.uses as string).startsWith("docker/bake-action@"))) {
    const withs = (step.with ?? {}) as Record<string, unknown>;
    expect({ where, files: typeof withs.files, workdir: typeof withs.workdir }).toEqual({
      where,
      files: "string",
      workdir: "string",
    });
  }
  checkCommandsIn(value, where);
}

async function checkHcl(block: Block, where: string): Promise<void> {
  if (checked.has(block)) return;
  if (block.text.startsWith("# Generated by compose2bake")) {
    // The header shown is the one compose2bake writes for examples/override.
    const file = fs.readFileSync(path.join(REPO, "examples", "override", "docker-bake.hcl"), "utf8");
    expect(file.startsWith(block.text + "\n")).toBe(true);
    return;
  }
  await expect(hclToBakeJson(block.text)).resolves.toBeDefined();
  void where;
}

function checkTypeScript(block: Block, where: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-readme-"));
  const file = path.join(dir, "snippet.ts");
  fs.writeFileSync(
    file,
    block.text.replace(/from "compose2bake"/g, `from ${JSON.stringify(path.join(REPO, "src", "index"))}`),
  );
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [path.join(REPO, "node_modules", "@types")],
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  expect({ where, problems }).toEqual({ where, problems: [] });
}

function checkJavaScript(block: Block, where: string): void {
  const module = { exports: {} as unknown };
  new Function("module", "exports", "require", block.text)(module, module.exports, () => ({}));
  const values = Object.values(module.exports as Record<string, unknown>).map((v) =>
    typeof v === "function" ? (v as (files: string[]) => unknown)(["compose.yaml"]) : v,
  );
  expect(checkCommandsIn(values, where)).toBeGreaterThan(0);
}

// ---------------------------------------------------------------------------------------------------------------

test("README.md has code blocks to check", () => expect(blocks.length).toBeGreaterThan(10));

describe.each(blocks.map((b, i) => [`${b.lang || "plain"} block at README.md:${b.line}`, b, i] as const))(
  "%s",
  (_title, block, i) => {
    test("is what compose2bake does", () => check(block, i));
  },
);

test("ILLUSTRATIVE names only blocks that exist", () => {
  for (const a of ILLUSTRATIVE)
    expect(blocks.some((b) => b.lang === a.lang && b.text.startsWith(a.firstLine))).toBe(true);
});

test("the Quick start is two commands, on a bundled example", () => {
  const quick = blocks.find((b) => /## Quick start/.test(b.before))!;
  expect(quick.text.trim().split("\n")).toHaveLength(2);
  expect(quick.text).toMatch(/^npm ci && npm start\s/);
  expect(PACKAGE.scripts.start).toMatch(/examples\/\w+/);
  expect(fs.existsSync(path.join(REPO, /examples\/\w+/.exec(PACKAGE.scripts.start)![0], "compose.yaml"))).toBe(true);
});

test("Install: npm pack writes the tarball the README names", () => {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, encoding: "utf8" });
  expect(r.status).toBe(0);
  const [packed] = JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  expect(README).toContain(packed!.filename);
  const files = packed!.files.map((f) => f.path);
  for (const needed of ["LICENSE", "bin/compose2bake.js", "templates/bake.hcl.hbs"]) expect(files).toContain(needed);
});

test("LICENSE is the MIT licence package.json names", () => {
  expect(PACKAGE.license).toBe("MIT");
  expect(fs.readFileSync(path.join(REPO, "LICENSE"), "utf8")).toMatch(
    /^MIT License\n\nCopyright \(c\) \d{4} [^\n]+\n\nPermission is hereby granted, free of charge/,
  );
});
