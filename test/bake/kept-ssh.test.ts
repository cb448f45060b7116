/**
 * Kept ssh ids (src/compose/keep-ssh.ts, src/bake/kept-ssh.ts): the pieces each item and pathless entry is written
 * as, Compose's checks when every value is known, and what a whole project gives (order, validations, no
 * `variable-resolved` warning). test/keep/exact-ssh.test.ts checks the meaning against the real tools.
 */
import { compose2bake } from "../../src/index";
import {
  sshItemPieces,
  sshKeyProblem,
  sshKeyValidation,
  uniqueItemsProblem,
  uniqueItemsValidation,
} from "../../src/bake/kept-ssh";
import type { KeptSshItem } from "../../src/compose/keep-ssh";
import { isKeptSshItem } from "../../src/compose/keep-ssh";
import { KeptVariables } from "../../src/compose/keep";
import { canonicalizeSsh } from "../../src/compose/merge";
import type { Piece } from "../../src/bake/template-pieces";
import { tempProject } from "../support/run";

/** A renderer where `${ID}` (written as `<ID>`) is the variable ID and everything else literal. */
const render = (value: string): Piece[] =>
  value
    .split(/(<\w+>)/)
    .flatMap((s): Piece[] => (s === "" ? [] : /^<\w+>$/.test(s) ? [{ expr: s.slice(1, -1) }] : [s]));

const item = (value: string, base = "/p/sub"): KeptSshItem => ({
  kind: "form",
  form: "ssh-item",
  value,
  base,
  written: { base: "./sub", project: "." },
});

const text = (pieces: readonly Piece[]): string =>
  pieces.map((p) => (typeof p === "string" ? p : `\${${p.expr}}`)).join("");

describe("one item", () => {
  test("a literal item is cut now: the path relative to the declaring folder, absolute and empty paths", () => {
    expect(text(sshItemPieces(item("k=keys/id"), render))).toBe("k=./sub/keys/id");
    expect(text(sshItemPieces(item("k=/abs/id"), render))).toBe("k=/abs/id");
    expect(text(sshItemPieces(item("k="), render))).toBe("k=./sub");
    expect(text(sshItemPieces(item("default"), render))).toBe("default");
    expect(text(sshItemPieces(item("=x"), render))).toBe("=./sub/x");
  });

  test("an item holding a literal `=` is cut at the first `=` of its value (which a variable may hold)", () => {
    const [p] = sshItemPieces(item("<ID>=keys/id"), render);
    expect(p).toEqual({
      expr: expect.stringMatching(
        /^\[for m in \[regex\("\^\(\[\^=\]\*\)=\(\[\\\\s\\\\S\]\*\)\$", "\$\{ID\}=keys\/id"\)\] : "\$\{m\[0\]\}=\$\{\[for p in \[m\[1\]\] : p == "" \? "\.\/sub" : /,
      ),
    });
    expect((p as { expr: string }).expr).toContain('"./sub/${p}"][0]}"][0]');
  });

  test("an item that may come out without `=` is the agent's id then (m[1] is the `=`)", () => {
    const [p] = sshItemPieces(item("<ID>"), render);
    expect((p as { expr: string }).expr).toMatch(
      /^\[for m in \[regex\("\^\(\[\^=\]\*\)\(=\?\)\(\[\\\\s\\\\S\]\*\)\$", ID\)\] : m\[1\] == "" \? m\[0\] : "\$\{m\[0\]\}=\$\{\[for p in \[m\[2\]\]/,
    );
  });

  test("an item that reached bake without its folders is an internal error", () => {
    expect(() => sshItemPieces({ kind: "form", form: "ssh-item", value: "<ID>=x" }, render)).toThrow(/internal error/);
  });
});

describe("Compose's checks", () => {
  test("an item without `=` must be `default` (Go-quoted as Compose prints it)", () => {
    expect(sshKeyProblem("default")).toBeUndefined();
    expect(sshKeyProblem("k=x")).toBeUndefined();
    expect(sshKeyProblem("foo")).toBe('invalid ssh key "foo"');
    expect(sshKeyProblem("")).toBe('invalid ssh key ""');
    expect(sshKeyValidation("<ID>", render)).toEqual({
      condition: 'can(regex("=", ID)) || ID == "default"',
      error_message: { template: ['invalid ssh key "', { expr: "ID" }, '"'] },
    });
  });

  test("the items must come out different", () => {
    expect(uniqueItemsProblem(["a=x", "b=x"], "services.a.build.ssh")).toBeUndefined();
    expect(uniqueItemsProblem(["a=x", "a=x"], "services.a.build.ssh")).toBe("services.a.build.ssh must be a mapping");
    expect(uniqueItemsValidation(["<ID>=x", "b=x"], "services.a.build.ssh", render)).toEqual({
      condition: 'length(distinct(["${ID}=x", "b=x"])) == 2',
      error_message: "services.a.build.ssh must be a mapping",
    });
  });
});

test("canonicalizeSsh makes a list holding a kept item one group, in order, literal items wrapped too", () => {
  const kept = new KeptVariables();
  const id = kept.token({ kind: "form", form: "ssh-item", value: "x" });
  const model = { services: { a: { build: { ssh: ["k=a", id, "k=b", "default"] } } } };
  canonicalizeSsh(model as never, kept.sshGroup);
  const keys = Object.keys(model.services.a.build.ssh as unknown as Record<string, null>);
  expect(keys).toHaveLength(4);
  expect(keys.every(isKeptSshItem)).toBe(true);
  expect(keys.map((k) => (kept.split(k)[0] as KeptSshItem).value)).toEqual(["k=a", "x", "k=b", "default"]);
  // Without keep mode the list is a mapping by id as before (a kept item is left for normalisation to report).
  const plain = { services: { a: { build: { ssh: ["k=a", "k=b", "default"] } } } };
  canonicalizeSsh(plain as never);
  expect(plain.services.a.build.ssh).toEqual({ k: "b", default: null });
});

describe("a whole project", () => {
  const generate = (files: Record<string, string>, format: "hcl" | "json" = "hcl") =>
    compose2bake({ cwd: tempProject({ Dockerfile: "FROM alpine\n", ...files }), env: {}, format });

  test("the mapping's pathless entries, the list in its order, then the mapping's other entries; validations", () => {
    const r = generate({
      "base.yaml":
        'services:\n  base:\n    build:\n      context: .\n      ssh: ["z=keys/z", "${ID}=keys/id", "${J}"]\n',
      "compose.yaml":
        "services:\n  a:\n    extends: {file: base.yaml, service: base}\n    build:\n      ssh: {k2: keys/k2, default: null}\n",
    });
    expect(r.diagnostics.filter((d) => d.code === "variable-resolved")).toEqual([]);
    const ssh = r.text.slice(r.text.indexOf("ssh = ["));
    const lines = ssh.split("\n").slice(1, 6);
    // `default: null` keeps a path the list gives `default`: before the list, whose entry then wins in bake.
    expect(lines[0]).toBe('    "default",');
    expect(lines[1]).toBe('    "z=keys/z",');
    expect(lines[2]).toContain('"${ID}=keys/id"');
    expect(lines[3]).toContain('regex("^([^=]*)(=?)([\\\\s\\\\S]*)$", J)');
    expect(lines[4]).toBe('    "k2=keys/k2",');
    expect(r.text).toContain('length(distinct(["z=keys/z", "${ID}=keys/id", J])) == 3');
    expect(r.text).toContain('can(regex("=", J)) || J == "default"');
  });

  test("a value every variable of which is known is checked now, as Compose checks it", () => {
    expect(() =>
      generate({
        "compose.yaml": 'services:\n  a:\n    build:\n      context: .\n      ssh: ["${COMPOSE_PROJECT_NAME}"]\n',
      }),
    ).toThrow(/invalid ssh key "/);
  });

  test("x-bake ssh entries follow a kept list, which keeps its order", () => {
    const r = generate(
      {
        "compose.yaml":
          'services:\n  a:\n    build:\n      context: .\n      ssh: ["${ID}=keys/id", "b=keys/b"]\n      x-bake:\n        ssh: [a=keys/a]\n',
      },
      "json",
    );
    const ssh = (JSON.parse(r.text) as { target: { a: { ssh: string[] } } }).target.a.ssh;
    expect(ssh).toHaveLength(3);
    expect(ssh[0]).toContain("${ID}=keys/id");
    expect(ssh.slice(1)).toEqual(["b=keys/b", "a=keys/a"]);
    // A literal item under `~` is the home folder of bake's run.
    expect(
      generate({ "compose.yaml": 'services:\n  a:\n    build:\n      context: .\n      ssh: ["${ID}=k", "b=~/id"]\n' })
        .text,
    ).toContain('"b=${homedir()}/');
  });
});
