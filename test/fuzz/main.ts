/**
 * `npm run fuzz -- --runs N [--seed S] [--mode keep|resolve] [--parallel P] [--shrink-seconds T]`: long runs
 * (test/fuzz/fuzz.ts). Prints the seed first, progress every 100 runs, and on a difference the shrunk
 * counterexample as a shell script that recreates it as a test/fixtures/ case folder (also written under the
 * system's temporary folder). Exit 0: no difference; 1: a counterexample; 2: usage or no real tools.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findRealTools, whyNoRealTools } from "../support/realtools";
import { asFixtureScript, writeProject, type Mode } from "./check";
import { EXERCISE_KEPT_AS_UNSET_PLACES, EXERCISE_NO_CACHE_FILTER } from "./generate";
import { fuzz } from "./fuzz";

function usage(message: string): never {
  process.stderr.write(
    `fuzz: ${message}\nusage: npm run fuzz -- --runs N [--seed S] [--mode keep|resolve] [--parallel P] [--shrink-seconds T]\n`,
  );
  process.exit(2);
}

async function run(argv: string[]): Promise<number> {
  let runs = 100;
  let seed = (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
  let modes: Mode[] = ["keep", "resolve"];
  let parallel = Math.max(2, os.cpus().length * 2);
  let shrinkSeconds = 600;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    const int = (v: string) => (/^\d+$/.test(v) ? Number(v) : usage(`${a}: not a number: ${v}`));
    if (a === "--runs") runs = int(value());
    else if (a === "--seed") seed = int(value());
    else if (a === "--parallel") parallel = Math.max(1, int(value()));
    else if (a === "--shrink-seconds") shrinkSeconds = int(value());
    else if (a === "--mode") {
      const m = value();
      if (m !== "keep" && m !== "resolve") usage(`--mode must be keep or resolve, not ${m}`);
      modes = [m];
    } else usage(`unknown argument ${a}`);
  }
  const tools = findRealTools();
  if (!tools) usage(`the real docker buildx and docker compose are needed: ${whyNoRealTools()}`);
  process.stdout.write(
    `fuzz: seed ${seed}, ${runs} runs, mode ${modes.join(" + ")}, ${parallel} at once` +
      `${EXERCISE_KEPT_AS_UNSET_PLACES ? ", kept-as-unset places exercised" : ""}${EXERCISE_NO_CACHE_FILTER ? ", no_cache_filter" : ""}\n`,
  );
  const started = Date.now();
  const result = await fuzz(tools!, {
    runs,
    seed,
    modes,
    parallel,
    shrinkTimeLimitMs: shrinkSeconds * 1000,
    onProgress: (done, stats) => {
      if (done % 100 === 0)
        process.stdout.write(
          `  ${done}/${runs} ${JSON.stringify(stats)} ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
        );
    },
  });
  process.stdout.write(`fuzz: ${JSON.stringify(result.stats)} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  const c = result.counterexample;
  if (!c) {
    process.stdout.write(`fuzz: no difference (seed ${seed}, ${runs} runs)\n`);
    return 0;
  }
  const folder = path.join(os.tmpdir(), `c2b-fuzz-counterexample-${seed}`);
  fs.rmSync(folder, { recursive: true, force: true });
  writeProject(folder, c.rendered);
  if (c.rendered.args.length) fs.writeFileSync(path.join(folder, "args"), c.rendered.args.join("\n") + "\n");
  if (Object.keys(c.rendered.env).length)
    fs.writeFileSync(path.join(folder, "env.json"), JSON.stringify(c.rendered.env, null, 2) + "\n");
  process.stdout.write(
    [
      `fuzz: COUNTEREXAMPLE (run ${c.index} of seed ${seed}, shrunk in ${c.shrinkSteps} failing steps; fast-check path ${c.path})`,
      c.reason,
      "",
      `The project (also written to ${folder}); to save it as a fixture:`,
      asFixtureScript(c.rendered, "test/fixtures/NAME"),
    ].join("\n"),
  );
  return 1;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fuzz: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(3);
  },
);
