/**
 * When V8's optimizing compiler (TurboFan) runs, for the command line only (the library never changes V8's
 * flags). A run is short, and on most projects TurboFan costs more than it wins: its compilations take memory of
 * their own (compiler zones, the compiler's pages of the `node` binary) and compete with the run for a small
 * machine's cores. Measured on Node 20, 2 cores (bench/README.md, "The optimizing compiler"): without it, 100
 * services take 72 instead of 103 ms and peak at 50 instead of 60 MB, 1,000 services 85 instead of 101 MB in the
 * same time; from about 1,300 services (400 KB) on, its code wins (1,400 services: 467 ms with it, 534 without).
 *
 * So the CLI turns TurboFan off before the yaml parser starts on a project of COMPILE_LATER characters or more,
 * and back on as soon as what it has read is large: LARGE_INPUT characters, LARGE_VALUES values (a small file of
 * anchors and aliases can expand to many), or a few long values (LONG_VALUES). In between only V8's interpreter
 * and its baseline compiler run.
 * Below COMPILE_LATER nothing changes: the 3 KB file of 10 services gets little compiled, and loading `node:v8`
 * would cost more than that saves. The flag only decides whether V8 starts optimizing a function; V8 reads it
 * each time it considers one, and no function has been optimized yet when it is first set.
 */
import type * as V8 from "node:v8";

/** From this many characters read, TurboFan is turned off (10 services: 3 KB; 15 services: 4.7 KB, 5 ms faster). */
export const COMPILE_LATER = 4 * 1024;
/** From this many characters read in all, TurboFan is back on (1,200 services: 360 KB; 1,400: 430 KB). */
export const LARGE_INPUT = 384 * 1024;
/** ... or from this many values reached by the walk, `<<` and aliases counting again (1,200 services: 20,000). */
export const LARGE_VALUES = 24_000;

/**
 * ... or once the files parsed hold this many characters per value: the work is then in scanning a few long
 * strings (a 188 KB label key, 2,000 nested `${…}`), the loops TurboFan speeds up most (a 234 KB key: 70 ms with
 * it, 86 ms without), not in a large tree. The bench's projects have 18.
 */
export const LONG_VALUES = 256;

export type SetFlags = (flags: string) => void;

/** Follows what a run reads and sets TurboFan's flag when the input crosses COMPILE_LATER or the large marks. */
export class OptimizingCompiler {
  private characters = 0;
  private parsedCharacters = 0;
  private values = 0;
  private state: "untouched" | "off" | "on" = "untouched";

  constructor(private readonly setFlags: SetFlags = setV8Flags) {}

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
  }

  private update(): void {
    const large =
      this.characters >= LARGE_INPUT ||
      this.values >= LARGE_VALUES ||
      this.parsedCharacters >= LONG_VALUES * Math.max(this.values, 1);
    if (large) {
      // Never turned off (a first file already large) or off until now: V8's default, on.
      if (this.state === "off") this.set("--turbofan", "on");
      return;
    }
    if (this.state === "untouched" && this.characters >= COMPILE_LATER) this.set("--no-turbofan", "off");
  }

  private set(flags: string, state: "off" | "on"): void {
    this.setFlags(flags);
    this.state = state;
  }
}

/**
 * Whether this V8 has `--turbofan` (V8 11, Node 20, through V8 14): V8 prints "unrecognized flag" on stderr for a
 * flag it lacks, so on another version the CLI changes nothing rather than write that on every run.
 */
export function knowsTurbofanFlag(v8Version: string): boolean {
  const major = Number(v8Version.split(".")[0]);
  return major >= 11 && major <= 14;
}

function setV8Flags(flags: string): void {
  if (!knowsTurbofanFlag(process.versions.v8)) return;
  // Required here, not at load: a run on a small file never needs node:v8 (about 1.5 ms to load).
  (require("node:v8") as typeof V8).setFlagsFromString(flags);
}
