/**
 * Kept additional-context names (src/compose/keep-contexts.ts, src/bake/kept-contexts.ts): the expression each item
 * and list is written as, Compose's checks when every value is known, the loader's canonical points and merges,
 * and what a whole project gives (no `variable-resolved` warning, validations). test/keep/exact-contexts.test.ts
 * checks the meaning against the real tools.
 */
import { compose2bake } from "../../src/index";
import { checkText } from "../../src/bake/kept-forms";
import {
  contextItemPieces,
  contextItemProblem,
  contextItemValidation,
  contextListPieces,
  contextNameProblem,
  contextNameValidation,
} from "../../src/bake/kept-contexts";
import { isKeptContextItem, type KeptContextItem } from "../../src/compose/keep-contexts";
import {
  canonicalizeKeptContexts,
  checkKeptContextNames,
  contextItemOf,
} from "../../src/compose/keep-contexts-canonical";
import { KeptVariables } from "../../src/compose/keep";
import { mergeDocuments } from "../../src/compose/merge";
import type { PlainMap } from "../../src/compose/raw";
import type { Piece } from "../../src/bake/template-pieces";
import { CompileError } from "../../src/diagnostics";
import { dict } from "../../src/dict";
import { tempProject } from "../support/run";

/** A renderer where `<K>` is the variable K and everything else literal; an item token renders as `ITEM(n)`. */
const render = (value: string): Piece[] =>
  value
    .split(/(<\w+>)/)
    .flatMap((s): Piece[] => (s === "" ? [] : /^<\w+>$/.test(s) ? [{ expr: s.slice(1, -1) }] : [s]));

const item = (value: string): KeptContextItem => ({
  kind: "form",
  form: "context-item",
  value,
  base: "/p/sub",
  written: { base: "./sub", project: "." },
});

const exprOf = (pieces: readonly Piece[]): string => {
  expect(pieces).toHaveLength(1);
  const [p] = pieces;
  if (typeof p !== "object") throw new Error("not an expression");
  return p.expr;
};

describe("one item", () => {
  test("an item holding a literal `=` is cut at the first `=` of its value, the rest under the path rule", () => {
    const e = exprOf(contextItemPieces(item("<K>=ctx"), render));
    expect(e).toMatch(/^\{ for m in \[regex\("\^\(\[\^=\]\*\)=\(\[\\\\s\\\\S\]\*\)\$", "\$\{K\}=ctx"\)\] : m\[0\] => /);
    // Empty stays empty, `service:` is a target, remote and absolute values are kept, `~` is the home folder.
    expect(e).toContain('p == "" ? ""');
    expect(e).toContain('substr(p, 0, 8) == "service:" ? "target:${replace(substr(p, 8, -1), ".", "_")}"');
    expect(e).toContain('"${homedir()}/${substr(p, 1, -1)}"');
    expect(e).toContain('"./sub/${p}"');
    expect(e).not.toContain("if m[1]");
  });

  test("an item that may hold no `=` gives no entry then (its validation refuses it)", () => {
    const e = exprOf(contextItemPieces(item("<K>"), render));
    expect(e).toMatch(/^\{ for m in \[regex\("\^\(\[\^=\]\*\)\(=\?\)\(\[\\\\s\\\\S\]\*\)\$", K\)\] : m\[0\] => /);
    expect(e).toMatch(/ if m\[1\] != "" \}$/);
  });

  test("an item whose references are all known is cut now", () => {
    expect(exprOf(contextItemPieces(item("n=/abs"), render))).toBe('{ "n" = "/abs" }');
    expect(exprOf(contextItemPieces(item("n="), render))).toBe('{ "n" = "" }');
    expect(exprOf(contextItemPieces(item("=/abs"), render))).toBe('{ "" = "/abs" }');
    expect(exprOf(contextItemPieces(item("nothing"), render))).toBe("{}");
  });

  test("an item that reached bake without its folders is an internal error", () => {
    expect(() => contextItemPieces({ kind: "form", form: "context-item", value: "<K>=x" }, render)).toThrow(
      /internal error/,
    );
  });
});

describe("a whole list", () => {
  test("entries merged in order; a run of literal names is one object whose last entry of a name wins", () => {
    const pieces = contextListPieces(
      {
        kind: "form",
        form: "context-list",
        items: [
          { name: "a", value: "./x" },
          { name: "b", value: "<P>" },
          { name: "a", value: "./y" },
          { item: "ITEM" },
          { name: "c", value: "target:d" },
        ],
      },
      (v) => (v === "ITEM" ? [{ expr: "{ for m in [] : m => m }" }] : render(v)),
    );
    expect(exprOf(pieces)).toBe('merge({ "b" = P, "a" = "./y" }, { for m in [] : m => m }, { "c" = "target:d" })');
  });
});

describe("Compose's checks", () => {
  const path = "services.a.build.additional_contexts";
  test("an item must hold a `=`", () => {
    expect(contextItemProblem("a=b", path)).toBeUndefined();
    expect(contextItemProblem("", path)).toBe(`${path}: invalid value , expected key=value`);
    expect(contextItemValidation("<K>", path, render)).toEqual({
      condition: 'can(regex("=", K))',
      error_message: { template: [`${path}: invalid value `, { expr: "K" }, ", expected key=value"] },
    });
  });

  test("a name met as a mapping key must not be empty", () => {
    expect(contextNameProblem("a=b", path)).toBeUndefined();
    expect(contextNameProblem("=b", path)).toBe(`${path} additional properties '' not allowed`);
    expect(contextNameValidation("<K>=x", path, render)).toEqual({
      condition: 'substr("${K}=x", 0, 1) != "="',
      error_message: `${path} additional properties '' not allowed`,
    });
  });
});

describe("the loader", () => {
  const services = (contexts: unknown): PlainMap =>
    dict([["services", dict([["a", dict([["build", dict([["additional_contexts", contexts]])]])]])]]) as PlainMap;
  const contextsOf = (model: PlainMap): unknown[] =>
    ((model.services as PlainMap).a as { build: { additional_contexts: unknown[] } }).build.additional_contexts;

  test("merging appends when a side holds kept items: a later literal name drops only an earlier literal one", () => {
    const kept = new KeptVariables();
    const k = kept.token({ kind: "form", form: "context-item", value: "x" });
    const merged = mergeDocuments(services(["A=./x", k, "B=./b"]), services(["A=./z"]), () => undefined);
    expect(contextsOf(merged)).toEqual([k, "B=./b", "A=./z"]);
    // Without kept items, the later item replaces the earlier one in its place, as before.
    expect(contextsOf(mergeDocuments(services(["A=./x", "B=./b"]), services(["A=./z"]), () => undefined))).toEqual([
      "A=./z",
      "B=./b",
    ]);
  });

  test("the canonical transform marks every item mapped, refuses a literal one without `=`, checks kept ones", () => {
    const kept = new KeptVariables();
    const k = kept.token({ kind: "form", form: "context-item", value: kept.token({ part: varPart("K") }) });
    const model = services([k, "A=./x"]);
    canonicalizeKeptContexts(model, kept, () => undefined);
    const list = contextsOf(model);
    expect(list.every(isKeptContextItem)).toBe(true);
    expect(list.map((t) => contextItemOf(kept, t as string).mapped)).toEqual([true, true]);
    expect(kept.checks.map((c) => c.rule)).toEqual(["context-item"]);
    // Once mapped, a list this document did not write is met as a mapping: the kept item's name is checked.
    checkKeptContextNames(model, kept);
    expect(kept.checks.map((c) => c.rule)).toEqual(["context-item", "context-name"]);
    expect(() => canonicalizeKeptContexts(services([k, "nope"]), kept, () => undefined)).toThrow(CompileError);
  });
});

describe("a whole project", () => {
  test("no variable-resolved warning; Compose's checks are validations; a known empty name is refused now", () => {
    const cwd = tempProject({
      Dockerfile: "FROM alpine\n",
      "compose.yaml": 'services:\n  a:\n    build:\n      context: .\n      additional_contexts: ["${K}", "b=./y"]\n',
    });
    const r = compose2bake({ cwd, env: {}, format: "hcl" });
    expect(r.diagnostics.filter((d) => d.code === "variable-resolved")).toEqual([]);
    expect(r.text).toContain('condition     = can(regex("=", K))');
    expect(r.text).toContain('contexts   = "${merge({ for m in [regex(');
    // x-bake's contexts go under the list's entries (buildx: the compose value wins).
    const xb = tempProject({
      Dockerfile: "FROM alpine\n",
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      additional_contexts: ["${K}=./ctx", "b=./y"]\n      x-bake:\n        contexts: {xb: ./q, b: ./w}\n',
    });
    expect(compose2bake({ cwd: xb, env: {}, format: "hcl" }).text).toContain(
      'contexts   = "${merge({ "xb" = "./q", "b" = "./w" }, { for m in',
    );
    // A literal empty name that a later file meets as a mapping: Compose refuses it whatever the environment.
    const two = tempProject({
      Dockerfile: "FROM alpine\n",
      "compose.yaml":
        'services:\n  a:\n    build:\n      context: .\n      additional_contexts: ["${K}=./x", "=./z"]\n',
      "override.yaml": "services:\n  a:\n    build:\n      target: t\n",
    });
    expect(() =>
      compose2bake({ cwd: two, env: { COMPOSE_FILE: "compose.yaml:override.yaml" }, format: "hcl" }),
    ).toThrow("services.a.build.additional_contexts additional properties '' not allowed");
  });

  test("a literal empty name in another file's service that a service extends is refused in both modes", () => {
    // compose-go loads that file as a project of its own (canonical), so the extending document's validation meets
    // the key '' unless the extending service writes the key itself (test/loading/*contexts-empty-name-extends*).
    const files = {
      Dockerfile: "FROM alpine\n",
      "common/base.yaml": 'services:\n  base:\n    build:\n      additional_contexts: ["=./other"]\n',
    };
    const extending = (build: string) =>
      tempProject({
        ...files,
        "compose.yaml": `services:\n  app:\n    extends: {file: common/base.yaml, service: base}\n    build: ${build}\n`,
      });
    for (const variables of ["keep", "resolve"] as const) {
      expect(() => compose2bake({ cwd: extending("{}"), env: {}, variables })).toThrow(
        "services.app.build.additional_contexts additional properties '' not allowed",
      );
      const written = compose2bake({ cwd: extending('{additional_contexts: ["y=./y"]}'), env: {}, variables });
      expect(written.bake.target.app!.contexts).toEqual({ "": "common/other", y: "y" });
    }
  });
});

function varPart(name: string): { kind: "var"; name: string; braced: boolean; start: number; end: number } {
  return { kind: "var", name, braced: true, start: 0, end: name.length + 3 };
}

describe("checkText: the code and message of a check that fails on known values", () => {
  const contextService = (item: string) =>
    ({
      rule: "context-service",
      value: item,
      item,
      name: "img",
      laterNames: [],
      laterItems: [],
      service: "web",
      active: ["app", "db"],
      buildable: ["app"],
    }) as const;
  const text = (v: string) => v;

  test("context-service: unknown and non-buildable services have their own codes", () => {
    expect(checkText(contextService("service:nope"), "service:nope", text)).toEqual({
      code: "unknown-context-service",
      message: 'service "web" declares unknown service "nope" as additional contexts img',
    });
    expect(checkText(contextService("service:db"), "service:db", text)).toEqual({
      code: "non-buildable-context-service",
      message: 'service "web" declares non-buildable service "db" as additional contexts img',
    });
    expect(checkText(contextService("service:app"), "service:app", text)).toBeUndefined();
  });

  test("a whole project: a context read from a known variable refused with its own code", () => {
    // COMPOSE_PROJECT_NAME is known when the file is generated, so the check runs then (variables.ts).
    const cwd = tempProject({
      Dockerfile: "FROM alpine\n",
      "compose.yaml":
        'name: db\nservices:\n  web:\n    build:\n      context: .\n      additional_contexts: ["img=service:${COMPOSE_PROJECT_NAME}"]\n  db:\n    image: x\n',
    });
    let code: string | undefined;
    try {
      compose2bake({ cwd, env: {} });
    } catch (e) {
      code = (e as CompileError).diagnostics[0]?.code;
    }
    expect(code).toBe("non-buildable-context-service");
  });

  test("every other rule gives its one code", () => {
    expect(
      checkText({ rule: "context-item", value: "x", path: "services.web.build.additional_contexts" }, "x", text),
    ).toMatchObject({
      code: "invalid-additional-context",
    });
    expect(
      checkText({ rule: "context-name", value: "x", path: "services.web.build.additional_contexts" }, "=x", text),
    ).toMatchObject({
      code: "schema",
    });
    expect(checkText({ rule: "boolean", value: "x", path: "services.web.build.pull" }, "maybe", text)).toMatchObject({
      code: "invalid-boolean",
      message: expect.stringContaining("invalid boolean: maybe"),
    });
    expect(checkText({ rule: "size", value: "x", service: "web", key: "shm_size" }, "1x", text)).toMatchObject({
      code: "invalid-size",
    });
    expect(checkText({ rule: "boolean", value: "x", path: "services.web.build.pull" }, "true", text)).toBeUndefined();
  });
});
