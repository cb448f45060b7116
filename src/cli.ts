/**
 * The command-line shell: flags (named like `docker compose`'s), output to stdout or an atomically written
 * file, `--check`, diagnostics on stderr, exit codes. Every Compose or bake decision lives in the library.
 *
 * Exit codes: 0 success; 1 `--check` found the file stale or missing; 2 invalid input or usage;
 * 3 an internal error (a bug: the message asks for a report).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import yargs from "yargs";
import { createTwoFilesPatch } from "diff";
import { CompileError, compose2bake, formatDiagnostic, formatFromFileName, loadConfig, withConfig, type OutputFormat } from "./index";
import { readExisting, writeFileAtomic } from "./write-file";

export interface CliIO {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

class UsageError extends Error {}

const EXIT = { ok: 0, stale: 1, invalid: 2, internal: 3 } as const;

export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  try {
    return run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`compose2bake: ${e.message}\nRun compose2bake --help for usage.\n`);
      return EXIT.invalid;
    }
    if (e instanceof CompileError) {
      for (const d of e.diagnostics) io.stderr(formatDiagnostic(d, io.cwd) + "\n");
      return EXIT.invalid;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === "string" && typeof err.path === "string") {
      // A file system problem while writing the output: the user's environment, not a bug.
      io.stderr(`compose2bake: error: ${err.message}\n`);
      return EXIT.invalid;
    }
    io.stderr(
      `compose2bake: internal error: ${err?.stack ?? String(e)}\n` +
        "This is a bug in compose2bake; please report it with the input that caused it.\n",
    );
    return EXIT.internal;
  }
}

function processIO(): CliIO {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  };
}

interface Args {
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
  /** undefined when not given, so compose2bake.toml's `variables` can decide. */
  resolve?: boolean;
  config?: string;
}

function parseArgs(argv: readonly string[]): { args?: Args; text?: string } {
  let text = "";
  const parser = yargs()
    .scriptName("compose2bake")
    .usage("$0 [options] [SERVICE...]\n\nCompile the build side of a Docker Compose project into a docker buildx bake file.")
    .option("file", { alias: "f", type: "string", array: true, nargs: 1, default: [], describe: "Compose configuration files (repeatable)" })
    .option("project-directory", { type: "string", describe: "Alternate working directory (default: the folder of the first file)" })
    .option("project-name", { alias: "p", type: "string", describe: "Project name" })
    .option("env-file", { type: "string", array: true, nargs: 1, default: [], describe: "Alternate environment files (repeatable; later wins)" })
    .option("profile", { type: "string", array: true, nargs: 1, default: [], describe: "Profiles to enable (repeatable)" })
    .option("output", { alias: "o", type: "string", describe: "Write to this file (atomically); the format follows its extension" })
    .option("format", { type: "string", choices: ["json", "hcl"], describe: "Output format (default: JSON, or the output file's extension)" })
    .option("absolute-paths", { type: "boolean", describe: "Write absolute local paths, like docker compose build --print" })
    .option("resolve", {
      type: "boolean",
      describe: "Substitute ${VAR} from the environment and .env like docker compose (default: keep them as bake variables)",
    })
    .option("check", { type: "boolean", default: false, describe: "Exit 1 with a diff if the output file is stale or missing; never writes" })
    .option("config", {
      type: "string",
      describe: "Settings file (default: compose2bake.toml in the project directory, if present); flags override it",
    })
    .example("$0 > docker-bake.json", "print the bake file for ./compose.yaml")
    .example("$0 -f compose.yaml -f compose.ci.yaml --format hcl -o docker-bake.hcl", "merge two files, write HCL")
    .example("$0 --check -o docker-bake.hcl", "fail in CI or pre-commit when the committed file is stale")
    .example("$0 --profile debug web", "only the web service (and its service: contexts), with the debug profile")
    .strictOptions()
    .exitProcess(false)
    .help()
    .alias("help", "h")
    .version(readVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? "invalid arguments");
    });
  const parsed = parser.parse([...argv], {}, (_err: unknown, _argv: unknown, output: string) => {
    text = output;
  }) as unknown as Record<string, unknown>;
  if (parsed.help || parsed.version) return { text };
  return {
    args: {
      services: ((parsed._ as Array<string | number>) ?? []).map(String),
      file: parsed.file as string[],
      "project-directory": parsed["project-directory"] as string | undefined,
      "project-name": parsed["project-name"] as string | undefined,
      "env-file": parsed["env-file"] as string[],
      profile: parsed.profile as string[],
      output: parsed.output as string | undefined,
      format: parsed.format as OutputFormat | undefined,
      "absolute-paths": parsed["absolute-paths"] as boolean | undefined,
      check: parsed.check as boolean,
      resolve: parsed.resolve as boolean | undefined,
      config: parsed.config as string | undefined,
    },
  };
}

function run(argv: readonly string[], io: CliIO): number {
  const { args, text } = parseArgs(argv);
  if (!args) {
    io.stdout(text!.endsWith("\n") ? text! : text + "\n");
    return EXIT.ok;
  }
  const fromName = formatFromFileName(args.output);
  if (args.format && fromName && args.format !== fromName) {
    throw new UsageError(`--format ${args.format} does not match the output file's extension (${args.output})`);
  }
  // compose2bake.toml gives defaults for every flag; `-o -` prints to stdout even when it names an output file.
  const found = loadConfig({ cwd: io.cwd, file: args.config, projectDirectory: args["project-directory"] });
  if (args.output === "") throw new UsageError("-o/--output needs a file name (or - for stdout)");
  const toStdout = args.output === "-";
  if (toStdout && args.check) throw new UsageError("--check needs the file to compare with, not -o -");
  const options = withConfig({
    cwd: io.cwd,
    env: io.env,
    files: args.file,
    projectDirectory: args["project-directory"],
    projectName: args["project-name"],
    envFiles: args["env-file"],
    profiles: args.profile,
    services: args.services,
    format: args.format ?? fromName,
    outputFile: args.output && !toStdout ? path.resolve(io.cwd, args.output) : undefined,
    absolutePaths: args["absolute-paths"],
    variables: args.resolve === undefined ? undefined : args.resolve ? "resolve" : "keep",
  }, found && toStdout ? { ...found, output: undefined } : found);
  const outputFile = options.outputFile;
  if (args.check && !outputFile) {
    throw new UsageError("--check needs the file to compare with: -o/--output FILE, or output in compose2bake.toml");
  }
  const extension = formatFromFileName(outputFile);
  if (options.format && extension && options.format !== extension) {
    throw new UsageError(`the format ${options.format} does not match the output file's extension (${path.relative(io.cwd, outputFile!)})`);
  }
  const result = compose2bake(options);
  for (const d of result.diagnostics) io.stderr(formatDiagnostic(d, io.cwd) + "\n");

  if (!outputFile) {
    io.stdout(result.text);
    return EXIT.ok;
  }
  if (args.check) {
    const current = readExisting(outputFile);
    if (current === result.text) return EXIT.ok;
    const shown = path.relative(io.cwd, outputFile) || outputFile;
    if (current === undefined) {
      io.stderr(`compose2bake: ${shown} does not exist; run compose2bake without --check to create it\n`);
    } else {
      io.stderr(`compose2bake: ${shown} is stale; run compose2bake without --check to update it\n`);
      io.stderr(createTwoFilesPatch(`a/${shown}`, `b/${shown}`, current, result.text, "", "", { context: 3 }));
    }
    return EXIT.stale;
  }
  writeFileAtomic(outputFile, result.text);
  return EXIT.ok;
}

function readVersion(): string {
  // dist/src/cli.js and src/cli.ts both sit two levels below the package root.
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, rel), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "compose2bake" && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return "unknown";
}
