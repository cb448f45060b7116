/**
 * The CLI writes its result to file descriptor 1 itself (src/cli.ts writeStdout): a reader that is slow or
 * that stops reading must still get, respectively, every byte or a clean exit.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BIN, fixedEnv, tempProject } from "../support/run";

/** A project whose bake file (about 600 KB) is far larger than a pipe's buffer. */
function bigProject(): string {
  const services = Array.from(
    { length: 3_000 },
    (_, i) => `  svc${i}:\n    build:\n      context: ./s${i}\n      args: {N: "${i}"}`,
  );
  return tempProject({ "compose.yaml": `services:\n${services.join("\n")}\n` });
}

function run(
  cwd: string,
  read: (stdout: NodeJS.ReadableStream, done: () => void) => void,
): Promise<{ code: number | null; bytes: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN], { cwd, env: fixedEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let bytes = 0;
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => (bytes += d.length));
    read(child.stdout, () => child.stdout.destroy());
    child.on("close", (code) => resolve({ code, bytes, stderr }));
  });
}

test("a reader that waits before reading still gets every byte", async () => {
  const dir = bigProject();
  const expected = await run(dir, () => {});
  const slow = await run(dir, (stdout) => {
    stdout.pause();
    setTimeout(() => stdout.resume(), 1_500);
  });
  expect(expected.bytes).toBeGreaterThan(500_000);
  expect(slow).toEqual(expected);
}, 60_000);

test("a reader that goes away (compose2bake | head) ends the run cleanly", async () => {
  const dir = bigProject();
  const r = await run(dir, (stdout, done) => stdout.once("data", done));
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}, 60_000);

test("output that must wait on a non-blocking stdout is all written before the process ends", async () => {
  // A stdout opened O_NONBLOCK by someone else (here a FIFO): writeSync meets EAGAIN once it is full and the rest
  // goes through process.stdout, which must be drained before the CLI exits (bin/compose2bake.js ends at once
  // only when nothing is queued on a stream).
  const dir = bigProject();
  const expected = await run(dir, () => {});
  const fifo = path.join(dir, "out.fifo");
  execFileSync("mkfifo", [fifo]);
  const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writer = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  // Through a shell, as fd 3: a Node parent (libuv) makes the stdio it hands a child blocking again.
  const child = spawn("sh", ["-c", 'exec "$0" "$1" >&3', process.execPath, BIN], {
    cwd: dir,
    env: fixedEnv(),
    stdio: ["ignore", "ignore", "pipe", writer],
  });
  fs.closeSync(writer);
  const code = new Promise<number | null>((resolve) => child.on("close", resolve));
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // the FIFO (64 KB) is full long before this
  let bytes = 0;
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(reader, chunk);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    if (n === 0) break; // every writer has closed it
    bytes += n;
  }
  fs.closeSync(reader);
  expect({ code: await code, bytes }).toEqual({ code: 0, bytes: expected.bytes });
}, 60_000);
