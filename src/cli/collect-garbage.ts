/**
 * A full garbage collection on demand, for the command line only (the library never changes V8's flags).
 * Parsing a large Compose file leaves tens of megabytes of the `yaml` package's garbage (its CST and Document)
 * that V8, growing the heap lazily in a short run, would otherwise keep until exit: collecting it once after a
 * file of 128 KB or more lowers the run's peak memory by 3 to 15% for no measurable time (see bench/README.md;
 * v8-tuning.ts decides when). `--expose-gc` set at run time only adds `gc` to contexts created afterwards, so the
 * function is taken from a fresh one. If V8 ever refuses, this is a no-op.
 */
import type * as V8 from "node:v8";
import type * as Vm from "node:vm";

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      // Required here, not at load: node:v8 brings Node's stream modules with it (about 6 ms of CPU on every
      // run), and only runs on a large file get here.
      const v8 = require("node:v8") as typeof V8;
      const vm = require("node:vm") as typeof Vm;
      v8.setFlagsFromString("--expose-gc");
      const fn: unknown = vm.runInNewContext("typeof gc === 'function' ? gc : null");
      gc = typeof fn === "function" ? (fn as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
