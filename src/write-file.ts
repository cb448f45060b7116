/**
 * Atomic file replacement: write a temporary file beside the target, then rename it over the target, so a
 * reader (or a failed run) never sees a half-written bake file.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.writeFileSync(tmp, text, { mode: modeOf(file) });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function modeOf(file: string): number {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return 0o644;
  }
}
