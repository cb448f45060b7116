/**
 * A jest reporter that ends the run with what it could not check: one line per reason tests were skipped
 * (noted by test/support/skips.ts, e.g. no real docker buildx), with how many, and one line naming the real
 * tools the differential tests used. Under CI=true a skip fails the run (`.ci/run` sets it): CI must judge
 * with the real tools, not pass for want of them. Plain JavaScript: jest loads reporters untransformed.
 */
const fs = require("fs");
const path = require("path");

class SkipReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.error = undefined;
  }

  onRunComplete(_contexts, results) {
    const log = process.env.C2B_SKIP_LOG;
    if (!log || !fs.existsSync(log)) return;
    const notes = fs
      .readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l));
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
    const pending = new Map(results.testResults.map((r) => [r.testFilePath, r.numPendingTests]));
    const lines = [];
    const tools = [...new Set(notes.filter((n) => n.kind === "tools").map((n) => n.what))];
    for (const t of tools) lines.push(t);
    const skips = new Map();
    for (const n of notes.filter((n) => n.kind === "skip")) {
      const key = `${n.what}\0${n.why}`;
      if (!skips.has(key)) skips.set(key, { what: n.what, why: n.why, files: new Set() });
      skips.get(key).files.add(n.testPath);
    }
    let skipped = 0;
    for (const { what, why, files } of skips.values()) {
      const count = [...files].reduce((sum, f) => sum + (pending.get(f) ?? 0), 0);
      skipped += count;
      const where = [...files]
        .map((f) => path.relative(this.rootDir, f))
        .sort()
        .join(", ");
      lines.push(`SKIPPED ${count} test${count === 1 ? "" : "s"}: ${what}, in ${where}: ${why}`);
    }
    if (skipped > 0 && process.env.CI === "true") {
      this.error = new Error(
        `${skipped} tests were skipped, which CI=true does not allow (see the SKIPPED lines above)`,
      );
      lines.push(`FAILED under CI=true: ${this.error.message}`);
    }
    // Written when jest exits, so the lines come after its summary, last in the output.
    const text = lines.map((l) => `compose2bake tests: ${l}\n`).join("");
    if (text !== "") process.once("exit", () => fs.writeSync(2, text));
  }

  getLastError() {
    return this.error;
  }
}

module.exports = SkipReporter;
