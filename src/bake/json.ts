/**
 * JSON emitter: writes a BakeFile as a bake JSON file (buildx-bake-reference.md §8 "JSON bake format").
 *
 * Layout, fixed so that the output is byte-stable (STYLE.md §6):
 * - top-level keys `variable`, `group`, `target` in that order, each left out when it has no entries; a file
 *   with none of them is written as `{}`, which bake parses as an empty file;
 * - variables, groups and targets sorted by name, map attributes (args, labels, contexts, extra-hosts) sorted
 *   by key, both in plain code-unit order; lists in model order;
 * - target attributes in TARGET_ATTRIBUTE_ORDER (buildx's Target struct order, as `bake --print` writes them);
 *   attributes that are undefined, empty lists and empty maps are left out; booleans are JSON booleans;
 * - group attributes `description`, `targets` (Go struct order); `targets` is always written, even empty;
 * - variable attributes `default`, `description`, `validation`; `validation` is an array of
 *   `{"condition": "${<expr>}", "error_message": "…"}`. HCL's JSON syntax reads a block type's value as one
 *   object or an array of them, and a string holding a single `${…}` evaluates to the expression's own value
 *   (a bool here), which is what buildx's `variableValidation.Condition` (an hcl.Expression) needs;
 * - 2-space indent, LF, final newline.
 *
 * Every string value and map key is written as a bake template (escape.ts explains why keys too); block
 * labels (variable, group and target names) are plain JSON property names, which HCL does not interpolate.
 *
 * The file is first a tree in the order to write (`buildTree`, the one place that knows the layout), then text:
 * through V8's own JSON.stringify when the tree can be plain objects, else piece by piece. JS objects put
 * integer-like keys ("1", "10") first whatever their insertion order, so a file with such a name or map key is
 * written from ordered entries by hand.
 */

import type { BakeFile, BakeString } from "./model";
import { TARGET_ATTRIBUTE_ORDER, isMapExpression } from "./model";
import { TARGET_ATTRIBUTE_KINDS, checkTargetAttributes, jsonTemplateString, sortedKeys } from "./escape";
import { MAX_OUTPUT_CHARS, outputTooLarge } from "./size";
import { emptyDict } from "../dict";

/**
 * `comment` lines go first under the key `"//"`: HCL's JSON syntax reads that key as a comment, so bake
 * ignores it (buildx 0.29.1; any other unknown top-level key would become a bake variable). A file over the
 * size cap is refused (size.ts) before it is written out.
 */
export function emitJson(file: BakeFile, comment?: readonly string[]): string {
  return emitJsonByStringify(file, comment) ?? emitJsonByPieces(file, comment);
}

/**
 * The tree as plain objects through V8's JSON.stringify (several times faster than writing it piece by piece
 * before V8 optimises our code, which is most of a run). Undefined when objects cannot say the file: a key that
 * is an array index, or a string long enough for jsonQuote's shortcut to matter (issue #12's 10 MB value); the
 * tree is given up at the first such value.
 */
export function emitJsonByStringify(file: BakeFile, comment?: readonly string[]): string | undefined {
  try {
    return JSON.stringify(buildTree(file, comment, true), null, 2) + "\n";
  } catch (e) {
    if (e === NOT_WRITABLE) return undefined;
    throw e;
  }
}

/**
 * The tree written piece by piece, in the layout of JSON.stringify(value, null, 2), for any file. Each block (a
 * variable, group or target) is joined on its own, and the file once from its blocks: joining every level into
 * its parent would copy the whole text once per level, as large strings that only a full collection frees.
 */
export function emitJsonByPieces(file: BakeFile, comment?: readonly string[]): string {
  const root = buildTree(file, comment, false);
  const out: string[] = [];
  const top = Object.keys(root);
  if (top.length === 0) out.push("{}");
  top.forEach((section, i) => {
    out.push(i === 0 ? "{\n  " : ",\n  ", JSON.stringify(section), ": ");
    const value = root[section]!;
    if (!(value instanceof Ordered) || value.entries.length === 0) {
      write(value, "  ", out);
      return;
    }
    value.entries.forEach(([name, block], j) => {
      const pieces: string[] = [];
      write(block, "    ", pieces);
      out.push(j === 0 ? "{\n    " : ",\n    ", jsonQuote(name), ": ", pieces.join(""));
    });
    out.push("\n  }");
  });
  out.push(top.length === 0 ? "\n" : "\n}\n");
  return out.join("");
}

/** Entries of a mapping keyed by the user's names, in the order to write (see buildTree). */
class Ordered {
  constructor(readonly entries: Array<[string, JsonTree]>) {}
}

type JsonTree = string | boolean | null | JsonTree[] | Ordered | { [key: string]: JsonTree };

/** Thrown to stop building the tree as soon as objects cannot say it (the piece-by-piece writer then does). */
const NOT_WRITABLE = Symbol("not writable as objects");
const notWritable = (): never => {
  throw NOT_WRITABLE;
};

/** Keys that JavaScript objects order before all others: canonical non-negative integers (array indices). */
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

/** Strings from this length go through jsonQuote's shortcut: megabytes of text are quoted faster there. */
const LONG_STRING = 1 << 16;

/**
 * The file in the order to write (the layout above). Objects whose keys are ours are plain objects (V8's
 * JSON.stringify has a fast path for them). Mappings keyed by the user's names (sections, map attributes) are
 * null-prototype objects when `asObjects` (a name like `__proto__` is an ordinary key there), giving up at an
 * index-like key or a long string; otherwise Ordered entries. Refuses a file over the size cap as it is built,
 * counting the strings that go in (the file is at least that long).
 */
function buildTree(
  file: BakeFile,
  comment: readonly string[] | undefined,
  asObjects: boolean,
): { [key: string]: JsonTree } {
  let total = 0;
  const count = (s: string): string => {
    if ((total += s.length) > MAX_OUTPUT_CHARS) outputTooLarge();
    return s;
  };
  const raw = (v: string): string => {
    if (asObjects && v.length >= LONG_STRING) notWritable();
    return count(v);
  };
  // A value whose parts are already that long is given up before it is rendered (rendering only adds to it).
  const text = (s: BakeString): string => {
    if (asObjects) {
      let length = 0;
      if (typeof s === "string") length = s.length;
      else for (const part of s.template) length += typeof part === "string" ? part.length : part.expr.length;
      if (length >= LONG_STRING) notWritable();
    }
    return raw(jsonTemplateString(s));
  };
  /** A mapping keyed by the user's names, from its keys in order. */
  const userMap = (keys: readonly string[], keyOf: (k: string) => string, valueOf: (k: string) => JsonTree) => {
    if (!asObjects) return new Ordered(keys.map((k): [string, JsonTree] => [count(keyOf(k)), valueOf(k)]));
    const o = emptyDict<{ [key: string]: JsonTree }>();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const shown = keyOf(k);
      if (shown.length >= LONG_STRING || INDEX_LIKE.test(shown)) notWritable();
      o[count(shown)] = valueOf(k);
    }
    return o;
  };
  const root: { [key: string]: JsonTree } = {};
  if (comment && comment.length > 0) root["//"] = comment.map(raw);
  const section = <T>(name: string, blocks: Record<string, T>, block: (value: T, name: string) => JsonTree) => {
    const names = sortedKeys(blocks);
    if (names.length > 0)
      root[name] = userMap(
        names,
        (n) => n,
        (n) => block(blocks[n]!, n),
      );
  };
  section("variable", file.variable, (v) => {
    const o: { [key: string]: JsonTree } = {};
    if (v.type !== undefined) o.type = v.type;
    if (v.default !== undefined) o.default = v.default === null ? null : text(v.default);
    if (v.description !== undefined) o.description = text(v.description);
    if (v.validation !== undefined && v.validation.length > 0) {
      o.validation = v.validation.map((rule) => ({
        condition: raw("${" + rule.condition + "}"),
        error_message: text(rule.error_message),
      }));
    }
    return o;
  });
  section("group", file.group, (g) => {
    const o: { [key: string]: JsonTree } = {};
    if (g.description !== undefined) o.description = text(g.description);
    o.targets = g.targets.map(text);
    return o;
  });
  section("target", file.target, (t, name) => {
    checkTargetAttributes(name, t);
    const o: { [key: string]: JsonTree } = {};
    for (const attr of TARGET_ATTRIBUTE_ORDER) {
      const value = t[attr];
      if (value === undefined) continue;
      switch (TARGET_ATTRIBUTE_KINDS[attr]) {
        case "string":
          o[attr] = text(value as BakeString);
          break;
        case "bool":
          o[attr] = typeof value === "boolean" ? value : text(value as BakeString);
          break;
        case "list":
          if ((value as BakeString[]).length > 0) o[attr] = (value as BakeString[]).map(text);
          break;
        case "map": {
          if (isMapExpression(value as Record<string, BakeString> | BakeString)) {
            o[attr] = text(value as BakeString);
            break;
          }
          const map = value as Record<string, BakeString>;
          const keys = sortedKeys(map);
          if (keys.length > 0) o[attr] = userMap(keys, text, (k) => text(map[k]!));
          break;
        }
      }
    }
    return o;
  });
  return root;
}

/** A tree value as JSON.stringify(value, null, 2) writes it at `indent`, into `out`. */
function write(value: JsonTree, indent: string, out: string[]): void {
  if (typeof value === "string") {
    out.push(jsonQuote(value));
    return;
  }
  if (value === null || typeof value === "boolean") {
    out.push(String(value));
    return;
  }
  const inner = indent + "  ";
  const entries: Array<[string, JsonTree]> | undefined = Array.isArray(value)
    ? undefined
    : value instanceof Ordered
      ? value.entries
      : Object.keys(value).map((k): [string, JsonTree] => [k, value[k]!]);
  if (entries === undefined) {
    const items = value as JsonTree[];
    if (items.length === 0) return void out.push("[]");
    items.forEach((item, i) => {
      out.push(i === 0 ? "[\n" : ",\n", inner);
      write(item, inner, out);
    });
    out.push("\n", indent, "]");
    return;
  }
  if (entries.length === 0) return void out.push("{}");
  entries.forEach(([k, v], i) => {
    out.push(i === 0 ? "{\n" : ",\n", inner, jsonQuote(k), ": ");
    write(v, inner, out);
  });
  out.push("\n", indent, "}");
}

/**
 * JSON.stringify of a string. A long one with nothing to escape (no quote, backslash, control character or
 * surrogate) is quoted as it is: one regex test reads a 10 MB value several times faster than V8's stringify
 * (issue #12's 10 MB row).
 */
function jsonQuote(s: string): string {
  return s.length >= 1024 && !JSON_ESCAPED.test(s) ? `"${s}"` : JSON.stringify(s);
}

const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;
