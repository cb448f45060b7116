/**
 * jest.e2e.config.js globalTeardown: when global-setup.ts started the engine, removes the base image and the
 * build cache, then stops it with `test/tools/engine.sh stop`, which fails when a process, a mount or a /run
 * folder of the engine is left behind. An engine that was already running is left as it was found.
 */
import { BASE_IMAGE, clearOwnerMark, docker, e2eEngine, engineScript } from "./support/engine";

export default async function globalTeardown(): Promise<void> {
  if (process.env.C2B_E2E_STARTED_ENGINE !== "1") return;
  const engine = e2eEngine();
  try {
    if (engine) {
      docker(engine, ["image", "rm", "--force", BASE_IMAGE]);
      docker(engine, ["builder", "prune", "--all", "--force"]);
    }
  } finally {
    const r = engineScript("stop");
    // eslint-disable-next-line no-unsafe-finally -- an engine left running must fail the run, whatever happened above
    if (r.status !== 0) throw new Error(`test/tools/engine.sh stop failed (exit ${r.status}); its log is above`);
    clearOwnerMark();
  }
}
