/**
 * The command-line shell: flags (named like `docker compose`'s), output to stdout or an atomically written
 * file, `--check`, diagnostics on stderr, exit codes. Every Compose or bake decision lives in the library.
 *
 * Exit codes: 0 success; 1 `--check` found the file stale or missing; 2 invalid input or usage;
 * 3 an internal error (a bug: the message asks for a report).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommandLine, UsageError } from "./cli-args";
import { collectGarbage } from "./collect-garbage";
import { CompileError, compose2bake, formatDiagnostic, formatFromFileName, loadConfig, withConfig } from "./index";
import { readExisting, writeFileAtomic } from "./write-file";
import { visible } from "./diagnostics";

export interface CliIO {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const EXIT = { ok: 0, stale: 1, invalid: 2, internal: 3 } as const;

/** From this size (in characters) a parsed file's garbage is worth a collection (src/collect-garbage.ts). */
const LARGE_FILE = 512 * 1024;

export async function main(argv: readonly string[], given: CliIO = processIO()): Promise<number> {
  // Everything on stderr quotes user text (keys, names, paths, a diff of a committed file): control and invisible
  // characters are written visibly, so no escape sequence from a Compose file reaches the terminal.
  const io: CliIO = { ...given, stderr: (text) => given.stderr(visible(text, true)) };
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
    stdout: writeStdout,
    stderr: (t) => process.stderr.write(t),
  };
}

/**
 * Writes straight to file descriptor 1: creating `process.stdout` loads Node's stream machinery, a twentieth
 * of a small run. A non-blocking stdout that is full (EAGAIN) gets the rest through `process.stdout`, which
 * waits for it; a reader that has gone away (EPIPE, as in `compose2bake | head`) gets nothing more.
 */
function writeStdout(text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let written = 0;
  while (written < bytes.length) {
    try {
      written += fs.writeSync(1, bytes, written);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        process.stdout.write(bytes.subarray(written));
        return;
      }
      if (code === "EPIPE") return;
      throw e;
    }
  }
}

function run(argv: readonly string[], io: CliIO): number {
  const { args, text } = parseCommandLine(argv, readVersion);
  if (!args) {
    io.stdout(text.endsWith("\n") ? text : text + "\n");
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
    onFileParsed: (_file, size) => {
      if (size >= LARGE_FILE) collectGarbage();
    },
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
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createTwoFilesPatch } = require("diff") as typeof import("diff");
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
