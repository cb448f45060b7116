/**
 * The command-line shell: flags (named like `docker compose`'s), output to stdout or an atomically written
 * file, `--check`, diagnostics on stderr, exit codes. Every Compose or bake decision lives in the library.
 *
 * Exit codes: 0 success; 1 `--check` found the file stale or missing; 2 invalid input or usage;
 * 3 an internal error (a bug: the message asks for a report).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommandLine, UsageError, type Args } from "./args";
import { V8Tuning } from "./v8-tuning";
import { outputFormatProblem } from "../emit";
import { writeStderr, writeStdout } from "./stdout";

export { outputFlushed } from "./stdout";
import { MAX_FILE_BYTES } from "../compose/yaml";
import {
  CompileError,
  compose2bake,
  formatDiagnostic,
  loadConfig,
  regenerateHint,
  withConfig,
  type Compose2BakeResult,
  type Config,
} from "../index";
import { realPath } from "../platform/node-fs";
import { isInside, OutputError, readExisting, writeFileAtomic } from "./write-file";
import { visible } from "../diagnostics";

export interface CliIO {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * The run is the whole process (the `compose2bake` command), so it may tune V8 for itself: TurboFan and the
   * young generation, and a collection after a large file (v8-tuning.ts). Off for a caller that
   * runs main() inside its own process, such as the tests.
   */
  readonly ownsProcess?: boolean;
}

const EXIT = { ok: 0, stale: 1, invalid: 2, internal: 3 } as const;

/**
 * `--check`'s diff gives up past this many changed lines (jsdiff's maxEditLength: its work grows with the text's
 * length times this), or after DIFF_TIMEOUT ms, and says "diff too large to show" instead.
 */
const DIFF_MAX_EDIT_LENGTH = 2000;
const DIFF_TIMEOUT = 5000;

/** A problem of the run's setting (not of the Compose files): `compose2bake: error: …`, exit 2. */
class CliError extends Error {}

export async function main(argv: readonly string[], given: CliIO = processIO()): Promise<number> {
  // Everything on stderr quotes user text (keys, names, paths, a diff of a committed file): control and invisible
  // characters are written visibly, so no escape sequence from a Compose file reaches the terminal.
  const io: CliIO = { ...given, stderr: (text) => given.stderr(visible(text, true)) };
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`compose2bake: ${e.message}\nRun compose2bake --help for usage.\n`);
      return EXIT.invalid;
    }
    if (e instanceof CompileError) {
      for (const d of e.diagnostics) io.stderr(formatDiagnostic(d, io.cwd) + "\n");
      return EXIT.invalid;
    }
    if (e instanceof CliError) {
      io.stderr(`compose2bake: error: ${e.message}\n`);
      return EXIT.invalid;
    }
    if (e instanceof OutputError) {
      // The output cannot be written (or read, for --check): the user's environment, not a bug.
      io.stderr(`compose2bake: error: ${e.message}\n`);
      return EXIT.invalid;
    }
    const err = e as Error | undefined;
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
    stderr: writeStderr,
    ownsProcess: true,
  };
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { args, text } = parseCommandLine(argv, readVersion);
  if (!args) {
    io.stdout(text.endsWith("\n") ? text : text + "\n");
    return EXIT.ok;
  }
  // compose2bake.toml gives defaults for every flag; `-o -` prints to stdout even when it names an output file.
  const found = loadConfig({ cwd: io.cwd, file: args.config, projectDirectory: args["project-directory"] });
  if (args.output === "") throw new UsageError("-o/--output needs a file name (or - for stdout)");
  const toStdout = args.output === "-";
  if (toStdout && args.check) throw new UsageError("--check needs the file to compare with, not -o -");
  const tuning = io.ownsProcess ? new V8Tuning() : undefined;
  const options = withConfig(
    {
      cwd: io.cwd,
      env: io.env,
      files: args.file,
      projectDirectory: args["project-directory"],
      projectName: args["project-name"],
      envFiles: args["env-file"],
      profiles: args.profile,
      services: args.services,
      format: args.format,
      outputFile: args.output && !toStdout ? path.resolve(io.cwd, args.output) : undefined,
      absolutePaths: args["absolute-paths"],
      variables: args.resolve === undefined ? undefined : args.resolve ? "resolve" : "keep",
      onFileRead: (_file, size) => tuning?.fileRead(size),
      onFileParsed: (_file, size, values) => tuning?.fileParsed(size, values),
    },
    found && toStdout ? { ...found, output: undefined } : found,
  );
  const outputFile = options.outputFile;
  if (args.check && !outputFile) {
    throw new UsageError("--check needs the file to compare with: -o/--output FILE, or output in compose2bake.toml");
  }
  if (args["fail-on-change"] && !outputFile) {
    throw new CliError("no output file: set `output` in compose2bake.toml or `args: [-o, docker-bake.hcl]`");
  }
  // Relative to the current folder when inside it, else absolute.
  const shown = (file: string): string => {
    const rel = path.relative(io.cwd, file);
    return rel && isInside(io.cwd, file) ? rel : file;
  };
  const fromConfig = outputFile !== undefined && args.output === undefined;
  const formatProblem = outputFormatProblem(
    args.format ?? (fromConfig ? found?.format : undefined),
    outputFile,
    outputFile && shown(outputFile),
  );
  if (formatProblem) throw new CliError(formatProblem);
  if (outputFile) confineOutput(outputFile, fromConfig, found, args, io.cwd, shown);

  const result = compose2bake(options);
  if (!args.quiet) for (const d of result.diagnostics) io.stderr(formatDiagnostic(d, io.cwd) + "\n");

  if (!outputFile) {
    io.stdout(result.text);
    return EXIT.ok;
  }
  refuseInput(outputFile, result.inputs, args.check ? "compare with" : "write", shown);
  // Never more than an input may hold, unless the new text is larger (a larger file cannot be equal to it).
  const limit = Math.max(MAX_FILE_BYTES, Buffer.byteLength(result.text));
  if (args.check)
    return check(outputFile, result.text, limit, shown(outputFile), regenerateHint(result.regenerate!, io.cwd), io);

  const before = args["fail-on-change"] ? readExisting(outputFile, limit) : undefined;
  await writeFileAtomic(outputFile, result.text);
  const name = shown(outputFile);
  if (before && !(before.kind === "text" && before.text === result.text)) {
    io.stderr(
      `compose2bake: ${before.kind === "missing" ? "created" : "updated"} ${name}: review and \`git add\` it\n`,
    );
    return EXIT.stale;
  }
  if (!args.quiet) io.stderr(`compose2bake: wrote ${name} (${summary(result)})\n`);
  return EXIT.ok;
}

/** `12 targets, 3 groups`. */
function summary(result: Compose2BakeResult): string {
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? "" : "s"}`;
  return `${count(Object.keys(result.bake.target).length, "target")}, ${count(Object.keys(result.bake.group).length, "group")}`;
}

/**
 * Where the output may be (issue #12): the project folder is `--project-directory`, else the current folder
 * (where compose2bake.toml is looked for), symlinks resolved. An `output` from compose2bake.toml must resolve
 * inside it; so must a `-o` path that is written inside it (a committed symlink must not lead the write, or
 * `--check`'s diff, elsewhere). A `-o` path outside the project folder is the user's own choice.
 */
function confineOutput(
  file: string,
  fromConfig: boolean,
  config: Config | undefined,
  args: Args,
  cwd: string,
  shown: (f: string) => string,
): void {
  const given = path.resolve(cwd, args["project-directory"] ?? ".");
  const root = realPath(given);
  if (!fromConfig && !isInside(given, file) && !isInside(root, file)) return;
  const real = realPath(file);
  if (isInside(root, real)) return;
  const verb = args.check ? "read" : "write";
  const via = real === file ? "" : ` (it resolves to ${real})`;
  if (fromConfig) {
    const where = config?.file ? shown(config.file) : "compose2bake.toml";
    throw new CliError(
      `refusing to ${verb} ${shown(file)}${via}: the output named in ${where} must be inside the project folder ${root}`,
    );
  }
  throw new CliError(`refusing to ${verb} ${shown(file)}${via}: it leads outside the project folder ${root}`);
}

/** Refuses an output that is one of the run's inputs (by real path, or the same file through a hard link). */
function refuseInput(file: string, inputs: readonly string[], verb: string, shown: (f: string) => string): void {
  const real = realPath(file);
  let clash = inputs.find((input) => input === real);
  if (!clash) {
    const out = statOrUndefined(real);
    if (out)
      clash = inputs.find((input) => {
        const s = statOrUndefined(input);
        return s !== undefined && s.dev === out.dev && s.ino === out.ino;
      });
  }
  if (clash) {
    const same = clash === real ? "" : ` (the same file as ${shown(clash)})`;
    throw new CliError(
      `refusing to ${verb} ${shown(file)}${same}: it is an input of this run; choose another output file`,
    );
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** `--check`: exit 0 when the file holds `text`, else 1 with the reason and, when it can be shown, a diff. */
function check(file: string, text: string, limit: number, name: string, hint: string, io: CliIO): number {
  const current = readExisting(file, limit);
  if (current.kind === "text" && current.text === text) return EXIT.ok;
  if (current.kind === "missing") {
    io.stderr(`compose2bake: ${name} does not exist; run ${hint} to create it\n`);
    return EXIT.stale;
  }
  io.stderr(`compose2bake: ${name} is stale; run ${hint} to update it\n`);
  if (current.kind === "too-large") {
    io.stderr("compose2bake: stale (diff too large to show)\n");
    return EXIT.stale;
  }
  if (current.text.replace(/\r\n/g, "\n") === text) {
    io.stderr(
      `compose2bake: only the line endings differ: ${name} has CRLF, compose2bake writes LF (check git's core.autocrlf or .gitattributes)\n`,
    );
    return EXIT.stale;
  }
  const { createTwoFilesPatch } = require("diff") as typeof import("diff");
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, current.text, text, "", "", {
    context: 3,
    maxEditLength: DIFF_MAX_EDIT_LENGTH,
    timeout: DIFF_TIMEOUT,
  });
  io.stderr(patch ?? "compose2bake: stale (diff too large to show)\n");
  return EXIT.stale;
}

function readVersion(): string {
  // dist/src/cli/main.js sits three levels below the package root, src/cli/main.ts two, the bundle (dist/) one.
  for (const rel of ["../../../package.json", "../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, rel), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "compose2bake" && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return "unknown";
}
