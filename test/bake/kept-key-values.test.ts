/**
 * Kept args and labels keys (src/compose/keep-key-values.ts, normalize-key-values.ts, src/bake/kept-key-values.ts):
 * the items a list becomes, the order merge.ts keeps, the expression bake evaluates and the trailing-space check.
 * test/keep/exact-keys.test.ts checks the meaning against the real tools.
 */
import { keyValuesExpression, withoutUnreadableArgs } from "../../src/bake/kept-key-values";
import { checkText, checkValidation } from "../../src/bake/kept-forms";
import { ExpressionWriter } from "../../src/bake/expression";
import { KeptVariables } from "../../src/compose/keep";
import { isKeptKeyItem, type KeptKeyValues } from "../../src/compose/keep-key-values";
import { keptKeyValueList } from "../../src/compose/normalize-key-values";
import { mergeDocuments } from "../../src/compose/merge";
import type { PlainMap } from "../../src/compose/raw";
import type { Piece } from "../../src/bake/template-pieces";

/** A renderer where `<K>` is the variable K and everything else literal. */
const render = (value: string): Piece[] =>
  value
    .split(/(<\w+>)/)
    .flatMap((s): Piece[] => (s === "" ? [] : /^<\w+>$/.test(s) ? [{ expr: s.slice(1, -1) }] : [s]));

const CUT = 'regex("^([^=]*)=?([\\\\s\\\\S]*)$"';

/** A kept key item `${name}<rest>`, as keep.ts makes it. */
function keyItem(kept: KeptVariables, name: string, rest: string): string {
  const ref = kept.token({ part: { kind: "var", name, braced: true, start: 0, end: 0 } });
  return kept.token({ kind: "form", form: "key-item", value: ref + rest });
}

function formOf(kept: KeptVariables, token: string): KeptKeyValues {
  const piece = kept.split(token)[0];
  if (typeof piece !== "object" || piece.kind !== "form" || piece.form !== "key-values") throw new Error("no form");
  return piece;
}

describe("the expression", () => {
  const form = (attribute: "args" | "labels", entries: KeptKeyValues["entries"]): KeptKeyValues => ({
    kind: "form",
    form: "key-values",
    attribute,
    entries,
  });

  test("literal entries in a row are one object, each kept item cut by bake, all merged in order", () => {
    const f = form("args", [{ key: "FOO", value: "b" }, { cut: "<K>=a" }, { key: "BAR", value: "<BAR>" }]);
    expect(keyValuesExpression(f, render)).toBe(
      `merge({ "FOO" = "b" }, { for m in [${CUT}, "\${K}=a")] : m[0] => m[1] }, { "BAR" = "\${BAR}" })`,
    );
  });

  test("a value-less arg without a readable name is null; a known item is cut now; one part is not merged", () => {
    expect(keyValuesExpression(form("args", [{ key: "my.arg", value: null }, { cut: "A=b=c" }]), render)).toBe(
      '{ "my.arg" = null, "A" = "b=c" }',
    );
    expect(keyValuesExpression(form("labels", [{ cut: "lbl" }, { cut: "<L>" }]), render)).toBe(
      `merge({ "lbl" = "" }, { for m in [${CUT}, L)] : m[0] => m[1] })`,
    );
    // Within one object the last entry of a key wins, as merge() would.
    expect(keyValuesExpression(form("args", [{ cut: "A=1" }, { key: "A", value: "2" }]), render)).toBe('{ "A" = "2" }');
  });

  test("keys and values are written as literal HCL strings (no template reaches bake)", () => {
    expect(keyValuesExpression(form("args", [{ key: '${X}"', value: "%{y}" }]), render)).toBe(
      '{ "$${X}\\"" = "%%{y}" }',
    );
  });

  test("withoutUnreadableArgs nulls a value-less arg whose name is no variable name, and names it", () => {
    const kept = new KeptVariables();
    const valueless = (name: string) =>
      kept.token({ part: { kind: "var", name, braced: true, start: 0, end: 0 }, valueless: true });
    const f = form("args", [
      { key: "my.arg", value: valueless("my.arg") },
      { key: "OK", value: valueless("OK") },
      { cut: "<K>=x" },
    ]);
    const r = withoutUnreadableArgs(f, kept, (n) => /^\w+$/.test(n));
    expect(r.dropped).toEqual(["my.arg"]);
    expect(r.form.entries[0]).toEqual({ key: "my.arg", value: null });
    expect(r.form.entries.slice(1)).toEqual(f.entries.slice(1));
    expect(withoutUnreadableArgs(f, kept, () => true).form).toBe(f);
  });
});

describe("the trailing-space check of an args key", () => {
  test("known: Compose's message when the key (up to the first `=`) ends in what Go reads as a space", () => {
    const check = { rule: "arg-key" as const, value: "", service: "a" };
    const message = (text: string) => checkText(check, text, (v) => v)?.message;
    expect(message("FOO =x")).toBe(
      "decoding failed due to the following error(s): 'services[a].build.args' environment variable FOO  is declared with a trailing space",
    );
    expect(message("\u00c5=x")).toContain("environment variable \u00c5 is declared");
    expect(message("FOO=x ")).toBeUndefined();
    expect(message("=x")).toBeUndefined();
  });

  test("kept: a validation reading the key's bytes through urlencode", () => {
    const kept = new KeptVariables();
    const item = keyItem(kept, "K", "=a");
    const value = (kept.split(item)[0] as { value: string }).value;
    const w: ExpressionWriter = new ExpressionWriter(
      new Set(),
      new Map(),
      (s) => kept.split(s),
      (): ExpressionWriter => w,
    );
    const v = checkValidation({ rule: "arg-key", value, service: "a" }, w, (s) => kept.split(s));
    expect(v.condition).toBe('!can(regex("(\\\\+|%0[9A-D]|%85|%A0)$", urlencode(regex("^[^=]*", "${K}=a"))))');
    expect(v.error_message).toEqual({
      template: [
        "decoding failed due to the following error(s): 'services[a].build.args' environment variable ",
        { expr: 'regex("^[^=]*", "${K}=a")' },
        " is declared with a trailing space",
      ],
    });
  });
});

describe("the loader's side", () => {
  test("a kept item is one token without `=`; literal items and value-less args are not", () => {
    const kept = new KeptVariables();
    expect(isKeptKeyItem(keyItem(kept, "K", "=a"))).toBe(true);
    expect(isKeptKeyItem("A=b")).toBe(false);
    expect(isKeptKeyItem("A")).toBe(false);
    expect(isKeptKeyItem(`A=${kept.token({ part: { kind: "var", name: "V", braced: true, start: 0, end: 0 } })}`)).toBe(
      false,
    );
  });

  test("a list holding a kept item becomes one form: items in order, an earlier literal item of a key dropped", () => {
    const kept = new KeptVariables();
    const item = keyItem(kept, "K", "=a");
    const lookup = (name: string) => `<${name}>`;
    const token = keptKeyValueList("args", ["FOO=b", item, "BAR", "FOO=c", ""], "s", kept, lookup)!;
    expect(formOf(kept, token).entries).toEqual([
      { cut: (kept.split(item)[0] as { value: string }).value },
      { key: "BAR", value: "<BAR>" },
      { key: "FOO", value: "c" },
      { key: "", value: "<>" },
    ]);
    expect(kept.checks).toEqual([{ rule: "arg-key", value: expect.any(String) as unknown, service: "s" }]);
    // Labels: an item without `=` is the key with "", and no trailing-space check.
    const labels = keptKeyValueList("labels", [item, "l"], "s", kept, lookup)!;
    expect(formOf(kept, labels).entries[1]).toEqual({ key: "l", value: "" });
    expect(kept.checks).toHaveLength(1);
    // Without a kept item (or outside keep mode, or a mapping), nothing: normalize-build reads it as always.
    expect(keptKeyValueList("args", ["A=1", "B"], "s", kept, lookup)).toBeUndefined();
    expect(keptKeyValueList("args", ["A=1", item], "s", undefined, lookup)).toBeUndefined();
    expect(keptKeyValueList("args", { A: "1" }, "s", kept, lookup)).toBeUndefined();
  });

  test("merge.ts keeps a later literal item after a kept item (Compose's last item of a key wins)", () => {
    const kept = new KeptVariables();
    const item = keyItem(kept, "K", "=a");
    const doc = (args: unknown) => ({ services: { a: { build: { args } } } }) as unknown as PlainMap;
    const argsOf = (m: PlainMap) =>
      (m as unknown as ReturnType<typeof doc> & { services: { a: { build: { args: unknown } } } }).services.a.build
        .args;
    const merged = mergeDocuments(doc(["FOO=b", item, "BAR=1"]), doc({ FOO: "c" }), () => undefined);
    expect(argsOf(merged)).toEqual([item, "BAR=1", "FOO=c"]);
    // Without a kept item, a later item takes the earlier one's place, as compose-go's EnforceUnicity does.
    const plain = mergeDocuments(doc(["FOO=b", "BAR=1"]), doc({ FOO: "c" }), () => undefined);
    expect(argsOf(plain)).toEqual(["FOO=c", "BAR=1"]);
  });
});
