/**
 * The CLI's standard output and error, written to file descriptors 1 and 2 directly (see writeStdout for why).
 */
import * as fs from "node:fs";
import { OutputError } from "./write-file";

/** Set once a write went through `process.stdout`/`process.stderr`, which may still hold it when the run ends. */
let streamed = false;

/**
 * Whether the process may end the moment the run returns (bin/compose2bake.js then calls `process.exit`, which
 * skips freeing the V8 heap, a few ms): only when every byte went out through writeSync, none is queued on a stream.
 */
export function outputFlushed(): boolean {
  return !streamed;
}

/**
 * Writes straight to file descriptor 1: creating `process.stdout` loads Node's stream machinery, a twentieth
 * of a small run. A non-blocking stdout that is full (EAGAIN) gets the rest through `process.stdout`, which
 * waits for it; a reader that has gone away (EPIPE, as in `compose2bake | head`) gets nothing more. Any other
 * failure (`> /dev/full`) is the user's environment: exit 2, "cannot write standard output".
 */
export function writeStdout(text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let written = 0;
  while (written < bytes.length) {
    try {
      written += fs.writeSync(1, bytes, written);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "EAGAIN") {
        streamed = true;
        process.stdout.write(bytes.subarray(written));
        return;
      }
      if (err.code === "EPIPE") return;
      throw new OutputError(
        err.code ?? "EIO",
        "-",
        `cannot write standard output: ${err.code === "ENOSPC" ? "no space left on device" : err.message}`,
      );
    }
  }
}

/**
 * Diagnostics to file descriptor 2. A stderr that cannot be written is ignored: it must not change the exit
 * code (an error there used to end the run with 1, the "stale" code), and there is nowhere left to say so.
 */
export function writeStderr(text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let written = 0;
  while (written < bytes.length) {
    try {
      written += fs.writeSync(2, bytes, written);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") {
        streamed = true;
        process.stderr.on("error", () => undefined);
        process.stderr.write(bytes.subarray(written));
      }
      return;
    }
  }
}
