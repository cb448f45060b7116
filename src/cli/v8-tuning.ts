/**
 * How V8 runs the command line (the library never changes V8's flags): its optimizing compiler and its young
 * generation, set from the size of what the run reads. Measured on Node 20, 2 cores (bench/README.md, "The
 * optimizing compiler" and "The young generation").
 *
 * TurboFan. A run is short, and on most projects TurboFan costs more than it wins: its compilations take memory of
 * their own (compiler zones, the compiler's pages of the `node` binary) and compete with the run for a small
 * machine's cores. Without it, 100 services take 72 instead of 103 ms and peak at 50 instead of 60 MB, 1,000
 * services 85 instead of 101 MB in the same time; from about 1,300 services (400 KB) on, its code wins (1,400
 * services: 467 ms with it, 534 without).
 *
 * The young generation. V8 doubles its new space each time many objects survive a scavenge, and the `yaml`
 * Parser's CST survives until the document ends: at 1,000 services the new space grows to its 32 MB maximum,
 * whose pages the rest of the run then uses. A growth factor of 1 keeps it at 2 MB (V8 raises a factor below 2 to
 * 2 when it reads its command line, but takes one set at run time as it is; test/cli/v8-tuning.test.ts checks
 * that it still does). Scavenges are then more frequent but each is small, the survivors reach the old space
 * within two of them, and one thread does each (a helper's start costs more than it shares of so small a
 * scavenge): 1,000 services peak at 63 instead of 86 MB, 100 services at 47 instead of 51, in the same time or
 * less. On a large
 * project the larger new space is faster (5,000 services: 1.05 s against 1.09 s, for 14 MB more), so V8's
 * defaults come back with TurboFan.
 *
 * So the CLI sets SMALL_RUN_FLAGS before the yaml parser starts on a project of COMPILE_LATER characters or more,
 * and LARGE_RUN_FLAGS (V8's defaults) as soon as what it has read is large: LARGE_INPUT characters, LARGE_VALUES
 * values (a small file of anchors and aliases can expand to many), or a few long values (LONG_VALUES). In between
 * only V8's interpreter and its baseline compiler run.
 * Below COMPILE_LATER nothing changes: the 3 KB file of 10 services gets little compiled, and loading `node:v8`
 * would cost more than that saves. V8 reads each of these flags when it next uses it (whether to optimize a
 * function, how far to grow the new space, how many threads scavenge); no function has been optimized yet when
 * they are first set, and the code cache, already accepted, is kept.
 *
 * After a file of LARGE_FILE characters and MANY_VALUES values is parsed, one full collection
 * (collect-garbage.ts) returns the parser's garbage before the rest of the run adds to the peak.
 */
import type * as V8 from "node:v8";
import { collectGarbage } from "./collect-garbage";

/** From this many characters read, SMALL_RUN_FLAGS are set (10 services: 3 KB; 15 services: 4.7 KB, 5 ms faster). */
export const COMPILE_LATER = 4 * 1024;
/** From this many characters read in all, LARGE_RUN_FLAGS are set (1,200 services: 360 KB; 1,400: 430 KB). */
export const LARGE_INPUT = 384 * 1024;
/** ... or from this many values reached by the walk, `<<` and aliases counting again (1,200 services: 20,000). */
export const LARGE_VALUES = 24_000;

/**
 * ... or once the files parsed hold this many characters per value: the work is then in scanning a few long
 * strings (a 188 KB label key, 2,000 nested `${…}`), the loops TurboFan speeds up most (a 234 KB key: 70 ms with
 * it, 86 ms without), not in a large tree. The bench's projects have 18.
 */
export const LONG_VALUES = 256;

/** A middle-sized project: no TurboFan, and a young generation that stays at 2 MB, scavenged on one thread. */
export const SMALL_RUN_FLAGS = "--no-turbofan --semi-space-growth-factor=1 --no-parallel-scavenge";
/** A large one: V8's defaults (the same on V8 11 to 14). */
export const LARGE_RUN_FLAGS = "--turbofan --semi-space-growth-factor=2 --parallel-scavenge";

/**
 * From this size (in characters) a parsed file's garbage is worth a collection: from about 400 services on (at 500
 * services 99 → 90 MB peak, at 1,000 105 → 102 MB, no CPU time measurably added; with the small young generation,
 * 1,000 services 69 → 63 MB); at 100 services (30 KB) it frees nothing that the rest of the run would otherwise
 * add to the peak.
 */
export const LARGE_FILE = 128 * 1024;
/**
 * ... and from this many values: the garbage is the parser's tree, which grows with the values, not the bytes. A
 * large file of a few long values (a 234 KB label key, a 10 MB arg) leaves little to collect, and there the
 * collection (a new V8 context to take `gc` from, then a full mark) was most of what the run cost beyond Node's
 * start. 400 services hold about 6,700.
 */
export const MANY_VALUES = 5_000;

export type SetFlags = (flags: string) => void;

/**
 * Follows what a run reads: sets V8's flags when the input crosses COMPILE_LATER or the large marks, and collects
 * after a large file.
 */
export class V8Tuning {
  private characters = 0;
  private parsedCharacters = 0;
  private values = 0;
  private state: "untouched" | "small" | "large" = "untouched";

  constructor(
    private readonly setFlags: SetFlags = setV8Flags,
    private readonly collect: () => void = collectGarbage,
  ) {}

  /** A Compose file of `size` characters was read and is about to be parsed. */
  fileRead(size: number): void {
    this.characters += size;
    this.update();
  }

  /** The file of `size` characters read last was parsed; the walk reached `values` values. */
  fileParsed(size: number, values: number): void {
    this.parsedCharacters += size;
    this.values += values;
    this.update();
    if (size >= LARGE_FILE && values >= MANY_VALUES) this.collect();
  }

  private update(): void {
    const large =
      this.characters >= LARGE_INPUT ||
      this.values >= LARGE_VALUES ||
      this.parsedCharacters >= LONG_VALUES * Math.max(this.values, 1);
    if (large) {
      // Never changed (a first file already large) or small until now: V8's defaults.
      if (this.state === "small") this.set(LARGE_RUN_FLAGS, "large");
      return;
    }
    if (this.state === "untouched" && this.characters >= COMPILE_LATER) this.set(SMALL_RUN_FLAGS, "small");
  }

  private set(flags: string, state: "small" | "large"): void {
    this.setFlags(flags);
    this.state = state;
  }
}

/**
 * Whether this V8 has the flags set here (`--turbofan` appeared in V8 11, Node 20; each is in V8 11 to 14, Node 20
 * to 25, with the same defaults): V8 prints "unrecognized flag" on stderr for a flag it lacks, so on another
 * version the CLI changes nothing rather than write that on every run.
 */
export function knowsTuningFlags(v8Version: string): boolean {
  const major = Number(v8Version.split(".")[0]);
  return major >= 11 && major <= 14;
}

function setV8Flags(flags: string): void {
  if (!knowsTuningFlags(process.versions.v8)) return;
  try {
    // Required here, not at load: a run on a small file never needs node:v8 (about 1.5 ms to load).
    (require("node:v8") as typeof V8).setFlagsFromString(flags);
  } catch {
    // A runtime that imitates Node's API without this function: the tuning is only ever an optimisation.
  }
}
