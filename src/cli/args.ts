/**
 * Command-line flags: one table, read by two parsers. yargs owns the interface (help, version, every usage
 * error, and the rarer spellings it accepts: `-fx`, `--no-check`, `--projectName`). But loading and running it
 * costs about a quarter of a small run's time (issue #7), so the spellings that nearly every run uses
 * (`--name value`, `--name=value`, `-x value`, positionals, `--`) are read first by Node's own `util.parseArgs`,
 * strictly; anything else, and anything it cannot read, goes to yargs. test/cli/args.test.ts checks that both
 * give the same answer wherever the fast one answers.
 */
import { parseArgs as parseArgsNode } from "node:util";
import type { OutputFormat } from "../emit";

export interface Args {
  services: string[];
  file: string[];
  "project-directory"?: string;
  "project-name"?: string;
  "env-file": string[];
  profile: string[];
  output?: string;
  format?: OutputFormat;
  /** undefined when not given, so compose2bake.toml can decide (`--no-absolute-paths` gives false). */
  "absolute-paths"?: boolean;
  check: boolean;
  /** Exit 1 when the written file was created or changed (hooks: the commit must include it). */
  "fail-on-change": boolean;
  /** No `wrote …` line and no warnings; errors still print. */
  quiet: boolean;
  /** undefined when not given, so compose2bake.toml's `variables` can decide. */
  resolve?: boolean;
  config?: string;
}

/** What the command line asks for: a run, or text to print (help, version) and exit 0. */
export type ParsedCommandLine = { args: Args; text?: undefined } | { args?: undefined; text: string };

interface OptionSpec {
  readonly name: keyof Args & string;
  readonly short?: string;
  readonly type: "string" | "boolean";
  readonly array?: true;
  readonly choices?: readonly string[];
  readonly describe: string;
}

const FORMATS: readonly OutputFormat[] = ["json", "hcl"];

const OPTIONS: readonly OptionSpec[] = [
  { name: "file", short: "f", type: "string", array: true, describe: "Compose configuration files (repeatable)" },
  {
    name: "project-directory",
    type: "string",
    describe: "Alternate working directory (default: the folder of the first file)",
  },
  { name: "project-name", short: "p", type: "string", describe: "Project name" },
  { name: "env-file", type: "string", array: true, describe: "Alternate environment files (repeatable; later wins)" },
  { name: "profile", type: "string", array: true, describe: "Profiles to enable (repeatable)" },
  {
    name: "output",
    short: "o",
    type: "string",
    describe:
      "Write to this file (atomically; never an input); the format follows its extension, .json or .hcl (else give --format)",
  },
  {
    name: "format",
    type: "string",
    choices: FORMATS,
    describe: "Output format (default: JSON, or the output file's extension)",
  },
  {
    name: "absolute-paths",
    type: "boolean",
    describe: "Write absolute local paths, like docker compose build --print",
  },
  {
    name: "resolve",
    type: "boolean",
    describe:
      "Substitute ${VAR} from the environment and .env like docker compose (default: keep them as bake variables)",
  },
  {
    name: "check",
    type: "boolean",
    describe: "Exit 1 with a diff if the output file is stale or missing; never writes",
  },
  {
    name: "fail-on-change",
    type: "boolean",
    describe:
      "Write the output file, then exit 1 if that created or changed it (for commit hooks: review and git add it)",
  },
  {
    name: "quiet",
    short: "q",
    type: "boolean",
    describe: "Print no 'wrote …' line and no warnings (errors still print)",
  },
  {
    name: "config",
    type: "string",
    describe: "Settings file (default: compose2bake.toml in the project directory, if present); flags override it",
  },
];

/** Thrown for a command line that yargs refuses; the message is yargs'. */
export class UsageError extends Error {}

export function parseCommandLine(argv: readonly string[], version: () => string): ParsedCommandLine {
  const args = parseCommon(argv);
  return args ? { args } : parseWithYargs(argv, version);
}

/**
 * The common spellings, or undefined for yargs to decide: help and version, unknown or negated flags, a value
 * that looks like a flag, `-fx` and `-f=x`, a single-valued flag given twice, a format outside the choices.
 */
export function parseCommon(argv: readonly string[]): Args | undefined {
  let parsed: ReturnType<
    typeof parseArgsNode<{ options: NodeOptions; tokens: true; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgsNode({
      args: [...argv],
      options: NODE_OPTIONS,
      tokens: true,
      allowPositionals: true,
      strict: true,
    });
  } catch {
    return undefined;
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const spec = OPTIONS.find((o) => o.name === token.name);
    if (!spec) return undefined;
    if (token.rawName.length === 2 && token.inlineValue) return undefined;
    if (!spec.array && seen.has(spec.name)) return undefined;
    seen.add(spec.name);
  }
  const format = parsed.values.format;
  if (typeof format === "string" && !FORMATS.includes(format as OutputFormat)) return undefined;
  return toArgs(parsed.values, parsed.positionals);
}

/** Args from either reader's values by flag name (yargs adds aliases and camelCase names, which are ignored). */
function toArgs(v: Readonly<Record<string, unknown>>, services: readonly unknown[]): Args {
  return {
    services: services.map(String),
    file: (v.file as string[] | undefined) ?? [],
    "project-directory": v["project-directory"] as string | undefined,
    "project-name": v["project-name"] as string | undefined,
    "env-file": (v["env-file"] as string[] | undefined) ?? [],
    profile: (v.profile as string[] | undefined) ?? [],
    output: v.output as string | undefined,
    format: v.format as OutputFormat | undefined,
    "absolute-paths": v["absolute-paths"] as boolean | undefined,
    check: (v.check as boolean | undefined) ?? false,
    "fail-on-change": (v["fail-on-change"] as boolean | undefined) ?? false,
    quiet: (v.quiet as boolean | undefined) ?? false,
    resolve: v.resolve as boolean | undefined,
    config: v.config as string | undefined,
  };
}

type NodeOptions = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

const NODE_OPTIONS: NodeOptions = Object.fromEntries(
  OPTIONS.map((o) => [
    o.name,
    { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.array ? { multiple: true } : {}) },
  ]),
);

export function parseWithYargs(argv: readonly string[], version: () => string): ParsedCommandLine {
  // Loaded here, not at the top: most runs never need it (see above).
  const yargs = require("yargs") as typeof import("yargs");
  let text = "";
  let parser = yargs()
    .scriptName("compose2bake")
    // yargs would translate its own words by the machine's locale, around our English text: English everywhere.
    .locale("en")
    .usage(
      "$0 [options] [SERVICE...]\n\nCompile the build side of a Docker Compose project into a docker buildx bake file.",
    )
    // Service names are names, even when they look like numbers ("007", "1e3").
    .parserConfiguration({ "parse-positional-numbers": false });
  for (const o of OPTIONS) {
    parser = parser.option(o.name, {
      type: o.type,
      describe: o.describe,
      ...(o.short ? { alias: o.short } : {}),
      ...(o.array ? { array: true, nargs: 1, default: [] } : {}),
      ...(o.choices ? { choices: [...o.choices] } : {}),
      // Plain switches read as false when absent, as toArgs gives them for the fast reader.
      ...(o.name === "check" || o.name === "fail-on-change" || o.name === "quiet" ? { default: false } : {}),
    });
  }
  parser = parser
    .example("$0 > docker-bake.json", "print the bake file for ./compose.yaml")
    .example("$0 -f compose.yaml -f compose.ci.yaml --format hcl -o docker-bake.hcl", "merge two files, write HCL")
    .example("$0 --check -o docker-bake.hcl", "fail in CI or pre-commit when the committed file is stale")
    .example("$0 --fail-on-change -o docker-bake.hcl", "regenerate, and fail a commit hook when that changed the file")
    .example("$0 --profile debug web", "only the web service (and its service: contexts), with the debug profile")
    .strictOptions()
    .exitProcess(false)
    .help()
    .alias("help", "h")
    .version(version())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? "invalid arguments");
    });
  const parsed = parser.parse([...argv], {}, (_err: unknown, _argv: unknown, output: string) => {
    text = output;
  }) as unknown as Record<string, unknown>;
  if (parsed.help || parsed.version) return { text };
  return { args: toArgs(parsed, (parsed._ as unknown[] | undefined) ?? []) };
}
