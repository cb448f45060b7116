/**
 * Bytes that are not clean UTF-8 YAML: garbage, invalid UTF-8, control characters, other encodings and line
 * endings. compose-go's YAML reader (go-yaml) decides what is accepted; each case below was checked against
 * docker compose 2.40.3 (`docker compose -f FILE config`), whose answer is quoted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, fixedEnv, runCli } from "../support/run";
import { OUTPUT, expectCleanFailure, hostileProject, runHostile } from "./support";

const head = "services:\n  web:\n    build: .\n    image: ";
const withImage = (value: Buffer | string): Buffer =>
  Buffer.concat([Buffer.from(head), typeof value === "string" ? Buffer.from(value) : value, Buffer.from("\n")]);
const bytes = (...b: number[]): Buffer => Buffer.from(b);

function imageOf(dir: string): string {
  return JSON.parse(fs.readFileSync(path.join(dir, OUTPUT), "utf8")).target.web.tags[0];
}

describe("hostile bytes", () => {
  test("random binary garbage: a clean error", () => {
    // A fixed pseudo-random sequence (xorshift), so the case is the same on every run.
    const garbage = Buffer.alloc(4096);
    let x = 0x9e3779b9;
    for (let i = 0; i < garbage.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      garbage[i] = x & 0xff;
    }
    const dir = hostileProject({ "compose.yaml": garbage });
    expectCleanFailure(runHostile(dir), dir, {
      message:
        /^failed to parse .*compose\.yaml: (invalid (leading|trailing) UTF-8 octet \[yaml-encoding\]|control characters are not allowed \(U\+00[01][0-9A-F]\) \[yaml-control-character\])$/,
    });
  });

  // Was: all of these were read with U+FFFD in place of the bad bytes, and exit 0.
  test.each([
    ["invalid leading UTF-8 octet", bytes(0x61, 0xff, 0x62), "4:13"],
    ["invalid trailing UTF-8 octet", bytes(0x61, 0xc3, 0x28, 0x62), "4:13"],
    ["invalid length of a UTF-8 sequence", bytes(0xc0, 0xaf, 0x78), "4:12"],
    ["invalid Unicode character", bytes(0xed, 0xa0, 0x80), "4:12"],
  ])("%s, as docker compose words it, at the bad byte", (message, value, at) => {
    const dir = hostileProject({ "compose.yaml": withImage(value) });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: ${message} [yaml-encoding]`,
    });
    expect(runHostile(dir).stderr).toMatch(new RegExp(`^compose\\.yaml:${at}: `));
  });

  test("a truncated UTF-8 sequence at the end: incomplete UTF-8 octet sequence", () => {
    const dir = hostileProject({ "compose.yaml": Buffer.concat([withImage("x"), bytes(0x23, 0x20, 0xe2, 0x82)]) });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: incomplete UTF-8 octet sequence [yaml-encoding]`,
    });
  });

  test("a Latin-1 byte in a comment is refused too", () => {
    const dir = hostileProject({
      "compose.yaml": Buffer.concat([bytes(0x23, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a), withImage("x")]),
    });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: invalid trailing UTF-8 octet [yaml-encoding]`,
    });
  });

  // Was: accepted, and NUL or ESC written into the bake file. go-yaml accepts only YAML's printable characters.
  test.each([
    ["U+0000", "a\u0000b"],
    ["U+0001", "a\u0001b"],
    ["U+000B", "a\u000bb"],
    ["U+001B", "a\u001bb"],
    ["U+007F", "a\u007fb"],
    ["U+0080", "a\u0080b"],
    ["U+FFFE", "a\ufffeb"],
  ])("control character %s: `control characters are not allowed`", (code, value) => {
    const dir = hostileProject({ "compose.yaml": withImage(value) });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: control characters are not allowed (${code}) [yaml-control-character]`,
    });
  });

  test("a control character in a comment is refused as well", () => {
    const dir = hostileProject({ "compose.yaml": withImage("x").toString() + "# \u0007\n" });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: control characters are not allowed (U+0007) [yaml-control-character]`,
    });
    expect(runHostile(dir).stderr).toMatch(/^compose\.yaml:5:3: /);
  });

  test("tabs, U+FEFF and astral characters inside a value are printable and kept; NEL is a line break", () => {
    // docker compose: "a\tb c\ufeffd\ud83d\ude00" (go-yaml reads U+0085 as a line break, folded to a space here).
    // The continuation is indented: the yaml package, unlike go-yaml, wants that in block context.
    const dir = hostileProject({ "compose.yaml": withImage('"a\tb\u0085      c\ufeffd\u{1f600}"') });
    const r = runHostile(dir);
    expect(r.stderr).toBe("compose2bake: wrote out/docker-bake.json (1 target, 1 group)\n");
    expect(imageOf(dir)).toBe("a\tb c\ufeffd\u{1f600}");
  });

  // Was: `top-level object must be a mapping` (the UTF-16 bytes read as UTF-8).
  test.each([
    ["UTF-16LE", "utf16le" as const, (b: Buffer) => Buffer.concat([bytes(0xff, 0xfe), b])],
    ["UTF-16BE", "utf16le" as const, (b: Buffer) => Buffer.concat([bytes(0xfe, 0xff), Buffer.from(b).swap16()])],
  ])("a %s file with a byte-order mark is read like docker compose reads it", (_name, enc, encode) => {
    const dir = hostileProject({ "compose.yaml": encode(Buffer.from(withImage("x\u00e9\u{1f600}").toString(), enc)) });
    const r = runHostile(dir);
    expect(r.stderr).toBe("compose2bake: wrote out/docker-bake.json (1 target, 1 group)\n");
    expect(imageOf(dir)).toBe("x\u00e9\u{1f600}");
  });

  test("UTF-16 with a lone surrogate: expected low surrogate area", () => {
    const text = Buffer.from(withImage("ab").toString(), "utf16le");
    text.writeUInt16LE(0xd800, text.length - 6); // the "a"
    const dir = hostileProject({ "compose.yaml": Buffer.concat([bytes(0xff, 0xfe), text]) });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: expected low surrogate area [yaml-encoding]`,
    });
  });

  test("UTF-16 with an odd number of bytes: incomplete UTF-16 character", () => {
    const dir = hostileProject({
      "compose.yaml": Buffer.concat([
        bytes(0xff, 0xfe),
        Buffer.from(withImage("x").toString(), "utf16le"),
        bytes(0x41),
      ]),
    });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: incomplete UTF-16 character [yaml-encoding]`,
    });
  });

  // Was: exit 0 with no targets at all (the second BOM became part of the key "\ufeffservices").
  test("two byte-order marks: both skipped, as go-yaml's reader and scanner do", () => {
    const dir = hostileProject({
      "compose.yaml": Buffer.concat([bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf), withImage("x")]),
    });
    const r = runHostile(dir);
    expect(r.stderr).toBe("compose2bake: wrote out/docker-bake.json (1 target, 1 group)\n");
    expect(imageOf(dir)).toBe("x");
  });
});

/** Every example project with its YAML and .env files rewritten by `transform`. */
function examplesWith(transform: (text: Buffer) => Buffer): Array<[string, string, string]> {
  const root = path.join(REPO, "examples");
  return fs.readdirSync(root).map((name) => {
    const from = path.join(root, name);
    const files: Record<string, Buffer> = {};
    const copy = (rel: string): void => {
      for (const entry of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
        const r = path.join(rel, entry.name);
        if (entry.isDirectory()) copy(r);
        else if (/^docker-bake\./.test(entry.name)) continue;
        else {
          const content = fs.readFileSync(path.join(from, r));
          files[r] = /\.ya?ml$|^\.env/.test(entry.name) ? transform(content) : content;
        }
      }
    };
    copy("");
    // The same folder name as the original, so that a project name taken from the folder is the same.
    const parent = hostileProject({});
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(parent, name, rel)), { recursive: true });
      fs.writeFileSync(path.join(parent, name, rel), content);
    }
    return [name, from, path.join(parent, name)];
  });
}

/** The original example's output for these arguments (computed once, shared by the four rewrites). */
const originals = new Map<string, ReturnType<typeof runCli>>();
function originalRun(dir: string, args: string[]): ReturnType<typeof runCli> {
  const key = `${dir}\0${args.join(" ")}`;
  if (!originals.has(key)) originals.set(key, runCli(args, { cwd: dir, env: fixedEnv() }));
  return originals.get(key)!;
}

const lf = (b: Buffer): Buffer => Buffer.from(b.toString("latin1").replace(/\r\n?/g, "\n"), "latin1");

describe.each([
  ["CRLF line endings", (b: Buffer) => Buffer.from(lf(b).toString("latin1").replace(/\n/g, "\r\n"), "latin1")],
  ["a UTF-8 byte-order mark", (b: Buffer) => Buffer.concat([bytes(0xef, 0xbb, 0xbf), b])],
  [
    "a byte-order mark and CRLF",
    (b: Buffer) =>
      Buffer.concat([bytes(0xef, 0xbb, 0xbf), Buffer.from(lf(b).toString("latin1").replace(/\n/g, "\r\n"), "latin1")]),
  ],
  // Was: `empty compose file` (the yaml package does not take a lone CR as a line break; YAML and go-yaml do).
  ["old Mac CR line endings", (b: Buffer) => Buffer.from(lf(b).toString("latin1").replace(/\n/g, "\r"), "latin1")],
])("examples with %s give byte-identical output", (_name, transform) => {
  test.each(examplesWith(transform))("%s", (_example, original, rewritten) => {
    for (const args of [
      ["--format", "json"],
      ["--format", "hcl"],
      ["--resolve", "--format", "hcl"],
    ]) {
      const expected = originalRun(original, args);
      const actual = runCli(args, { cwd: rewritten, env: fixedEnv() });
      expect(expected.status).toBe(0);
      expect(actual).toEqual(expected);
    }
  });
});
