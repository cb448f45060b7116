/**
 * The CLI writes its result to file descriptor 1 itself (src/cli.ts writeStdout): a reader that is slow or
 * that stops reading must still get, respectively, every byte or a clean exit.
 */
import { spawn } from "node:child_process";
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
