"use strict";
/**
 * The `yaml` package prints every token it parses to stdout when LOG_TOKENS (its Parser) or LOG_STREAM (its
 * Composer) is set in the environment: a bake file written to stdout would start with the Compose file's text,
 * with exit 0, and a CI log would show it. Its Parser also reads the variable for every token, and process.env is
 * a lookup in C++ (about 11 ms of a 1,000-service file's parse). The release bundle (scripts/bundle.js) leaves
 * both hooks out, and the benchmark's yaml-only floor (bench/run.js) measures the Parser the same way.
 */
const HOOKS = [
  { file: "parse/parser.js", read: "node_process.env.LOG_TOKENS" },
  { file: "compose/composer.js", read: "node_process.env.LOG_STREAM" },
];

/** Matches the yaml package's files that hold a debug hook (an esbuild filter: Go's regexp syntax). */
const HOOKED_FILES = new RegExp(
  `[\\\\/]node_modules[\\\\/]yaml[\\\\/]dist[\\\\/](${HOOKS.map((h) => h.file.replace(/[./]/g, (c) => (c === "/" ? "[\\\\/]" : "\\."))).join("|")})$`,
);

/**
 * `text` (the source of the file at `file`, in the yaml package's dist folder or a copy of it) with its debug hook
 * read as `false`. Throws if the hook is not there exactly once: a new version of the package must have its debug
 * hooks looked at again.
 */
function withoutDebugHook(file, text) {
  const normal = file.replace(/\\/g, "/");
  const hook = HOOKS.find((h) => normal.endsWith(`/${h.file}`));
  if (!hook) throw new Error(`${file}: not a yaml file with a debug hook`);
  const parts = text.split(hook.read);
  if (parts.length !== 2) throw new Error(`${file}: expected ${hook.read} once, found it ${parts.length - 1} times`);
  return parts.join("false");
}

module.exports = { HOOKED_FILES, withoutDebugHook };
