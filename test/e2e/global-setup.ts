/**
 * jest.e2e.config.js globalSetup: makes the private engine ready and imports the base image.
 *
 * Engine: when `test/tools/engine.sh status` finds the engine that script started already running (a developer
 * started it, or .ci/run did), it is reused and left running; otherwise it is started here (fetching the
 * Debian packages the first time) and global-teardown.ts stops it. A running engine that an earlier e2e run
 * started (its socket is the one in .tools/engine/state/e2e-owner) was left by a run that died: it is
 * adopted and stopped at the end. Either way the tests talk to it only through its own socket and private
 * DOCKER_CONFIG.
 *
 * Base image (c2b-e2e/busybox:local): no registry is reachable, so nothing may be pulled. Debian's static
 * busybox (unpacked by test/tools/engine.sh) with its applets, plus this machine's /usr/bin/ssh-add and the
 * shared libraries `ldd` lists for it (so that `ssh-add -l` inside `RUN --mount=type=ssh` can list what
 * the forwarded agent holds), and a minimal /etc/passwd, turned into an image with `docker import`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  BASE_IMAGE,
  docker,
  engineScript,
  exportEngine,
  parseEngineEnv,
  readOwnerMark,
  REPO,
  writeOwnerMark,
  type Engine,
} from "./support/engine";

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  let engine: Engine;
  const running = engineScript("status");
  if (running.status === 0) {
    engine = parseEngineEnv(running.stdout);
    // An engine that an earlier run started and could not stop (jest was killed) is adopted: stopped at the end.
    const adopted = readOwnerMark() === engine.dockerHost;
    process.env.C2B_E2E_STARTED_ENGINE = adopted ? "1" : "0";
  } else {
    const r = engineScript("start");
    if (r.status !== 0) throw new Error(`test/tools/engine.sh start failed (exit ${r.status}); its log is above`);
    engine = parseEngineEnv(r.stdout);
    writeOwnerMark(engine.dockerHost);
    process.env.C2B_E2E_STARTED_ENGINE = "1";
  }
  exportEngine(engine);
  makeBaseImage(engine);
  process.stderr.write(`\ne2e: engine and ${BASE_IMAGE} ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function makeBaseImage(engine: Engine): void {
  const busybox = path.join(REPO, ".tools", "engine", "root", "bin", "busybox");
  if (!fs.existsSync(busybox)) throw new Error(`${busybox} missing: test/tools/engine.sh fetch unpacks it`);
  const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-e2e-rootfs-"));
  try {
    for (const d of ["bin", "etc", "tmp", "root", "out"]) fs.mkdirSync(path.join(rootfs, d));
    fs.chmodSync(path.join(rootfs, "tmp"), 0o1777);
    fs.copyFileSync(busybox, path.join(rootfs, "bin", "busybox"));
    fs.chmodSync(path.join(rootfs, "bin", "busybox"), 0o755);
    const applets = run(busybox, ["--list"])
      .split("\n")
      .filter((a) => /^[\w.[-]+$/.test(a) && a !== "busybox");
    for (const a of applets) fs.symlinkSync("busybox", path.join(rootfs, "bin", a));

    const sshAdd = ["/usr/bin/ssh-add", "/bin/ssh-add"].find((f) => fs.existsSync(f));
    if (!sshAdd) throw new Error("ssh-add not found: install Debian's openssh-client");
    fs.copyFileSync(sshAdd, path.join(rootfs, "bin", "ssh-add"));
    fs.chmodSync(path.join(rootfs, "bin", "ssh-add"), 0o755);
    // `ldd` lines: `libx.so.1 => /lib/…/libx.so.1 (0x…)` and `/lib64/ld-linux-x86-64.so.2 (0x…)`.
    for (const lib of run("ldd", [sshAdd]).matchAll(/(?:=>\s*|^\s*)(\/\S+)\s+\(0x/gm)) {
      const target = path.join(rootfs, lib[1]!);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(lib[1]!, target); // follows symlinks: the library itself under the name ldd used
    }
    fs.writeFileSync(path.join(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    fs.writeFileSync(path.join(rootfs, "etc", "group"), "root:x:0:\n");

    const tar = spawnSync("tar", ["-C", rootfs, "--numeric-owner", "--owner=0", "--group=0", "-c", "."], {
      maxBuffer: 1 << 30,
    });
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    docker(engine, ["image", "rm", "--force", BASE_IMAGE]);
    docker(
      engine,
      ["import", "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "-", BASE_IMAGE],
      {
        input: tar.stdout,
      },
    );
  } finally {
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
}

function run(bin: string, args: string[]): string {
  const r = spawnSync(bin, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}
