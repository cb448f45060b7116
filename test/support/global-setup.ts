/**
 * Before `npm test`: src/compose/schema/compose-spec.generated.ts (the schema validator the sources import) made
 * by scripts/build-schema.js when missing or stale; and a fresh file for test/support/skips.ts to note skipped suites and the real tools in, read
 * by test/support/skip-reporter.js at the end. Workers inherit the variable.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export default async function globalSetup(): Promise<void> {
  const buildSchema = require("../../scripts/build-schema.js") as () => Promise<void>;
  await buildSchema();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-test-run-"));
  process.env.C2B_SKIP_LOG = path.join(dir, "skips.jsonl");
  fs.writeFileSync(process.env.C2B_SKIP_LOG, "");
}
