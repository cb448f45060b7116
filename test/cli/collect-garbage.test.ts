/** The CLI's memory hook: a full collection after a large file is parsed (src/collect-garbage.ts, src/cli.ts). */
import { collectGarbage } from "../../src/cli/collect-garbage";
import { compose2bake } from "../../src/index";
import { fixedEnv, runCli, tempProject } from "../support/run";

test("collectGarbage frees unreachable memory and leaves no `gc` in the caller's global scope", () => {
  // eslint-disable-next-line no-useless-assignment -- allocated only to be dropped: the test measures its collection
  let big: number[][] | undefined = Array.from({ length: 200 }, () => new Array<number>(10_000).fill(1));
  const before = process.memoryUsage().heapUsed;
  big = undefined;
  collectGarbage();
  collectGarbage();
  expect(big).toBeUndefined();
  expect(process.memoryUsage().heapUsed).toBeLessThan(before - 8_000_000);
  expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
});

test("onFileParsed reports each file of the project with its size and its number of values", () => {
  const base = "services:\n  web:\n    build: .\n";
  const override = "services:\n  web:\n    build:\n      target: prod\n      args: [A=1, B]\n";
  const dir = tempProject({ "compose.yaml": base, "compose.override.yaml": override });
  const seen: Array<[string, number, number]> = [];
  compose2bake({ cwd: dir, env: fixedEnv(), onFileParsed: (...call) => seen.push(call) });
  // The values: the document, services, web, build (and target, args and its two items).
  expect(seen).toEqual([
    [`${dir}/compose.yaml`, base.length, 4],
    [`${dir}/compose.override.yaml`, override.length, 8],
  ]);
});

test("a file large enough for the collection converts exactly as the library converts it", () => {
  const services = Array.from(
    { length: 2_500 },
    (_, i) =>
      `  svc${i}:\n    build:\n      context: ./s${i}\n      args:\n        NAME: "service number ${i} ${"x".repeat(150)}"`,
  );
  const text = `services:\n${services.join("\n")}\n`;
  expect(text.length).toBeGreaterThan(512 * 1024);
  const dir = tempProject({ "compose.yaml": text });
  const r = runCli([], { cwd: dir });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(compose2bake({ cwd: dir, env: fixedEnv() }).text);
});

test("onFileRead and onFileParsed report included and extended files too, each once, read before parsed", () => {
  const main =
    "include:\n  - inc/compose.yaml\nservices:\n  web:\n    extends: { file: base.yaml, service: b }\n" +
    "  api:\n    extends: { file: base.yaml, service: b }\n";
  const inc = "services:\n  worker:\n    build: ./w\n";
  const base = "services:\n  b:\n    build: ./b\n";
  const dir = tempProject({ "compose.yaml": main, "inc/compose.yaml": inc, "base.yaml": base });
  const seen: string[] = [];
  compose2bake({
    cwd: dir,
    env: fixedEnv(),
    onFileRead: (file, size) => seen.push(`read ${file.slice(dir.length + 1)} ${size}`),
    onFileParsed: (file, size, values) => seen.push(`parsed ${file.slice(dir.length + 1)} ${size} ${values}`),
  });
  // base.yaml is read once for both services that extend it.
  expect(seen).toEqual([
    `read compose.yaml ${main.length}`,
    // The document, include and its item, services, and for web and api: the service, extends, file, service.
    `parsed compose.yaml ${main.length} 12`,
    `read inc/compose.yaml ${inc.length}`,
    `parsed inc/compose.yaml ${inc.length} 4`,
    `read base.yaml ${base.length}`,
    `parsed base.yaml ${base.length} 4`,
  ]);
});
