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
 * Objects are written by hand from ordered entries rather than with JSON.stringify on an object, because JS
 * objects put integer-like keys ("1", "10") first whatever their insertion order.
 */

import type { BakeFile, BakeGroup, BakeString, BakeTarget, BakeVariable } from "./model";
import { TARGET_ATTRIBUTE_ORDER, isMapExpression } from "./model";
import { TARGET_ATTRIBUTE_KINDS, checkTargetAttributes, jsonTemplateString, sortedKeys } from "./escape";
import { MAX_OUTPUT_CHARS, checkOutputSize, outputTooLarge } from "./size";

/**
 * `comment` lines go first under the key `"//"`: HCL's JSON syntax reads that key as a comment, so bake
 * ignores it (buildx 0.29.1; any other unknown top-level key would become a bake variable). A file over the
 * size cap is refused (size.ts) before it is written out.
 */
export function emitJson(file: BakeFile, comment?: readonly string[]): string {
  const text = emitJsonByStringify(file, comment);
  if (text !== undefined) return text;
  checkOutputSize(file);
  return emitJsonByPieces(file, comment);
}

/**
 * The file as a tree of null-prototype objects in the order to write, through V8's own JSON.stringify (several
 * times faster than writing it piece by piece before V8 optimises our code, which is most of a run). Undefined
 * when the tree cannot say it: a key that is an array index (objects list those first, whatever their insertion
 * order), or a string long enough for jsonQuote's shortcut to matter (issue #12's 10 MB value). Refuses a file
 * over the size cap as it builds the tree, counting the strings that go in (the file is at least that long).
 */
export function emitJsonByStringify(file: BakeFile, comment?: readonly string[]): string | undefined {
  try {
    return stringifyTree(file, comment);
  } catch (e) {
    if (e === NOT_WRITABLE) return undefined;
    throw e;
  }
}

/** Thrown to stop building the tree as soon as it cannot say the file (the other writer then writes it all). */
const NOT_WRITABLE = Symbol("not writable as a tree");
const notWritable = (): never => {
  throw NOT_WRITABLE;
};

function stringifyTree(file: BakeFile, comment: readonly string[] | undefined): string {
  // The size cap (size.ts), counted on the strings as they go into the tree: the file is at least that long.
  let total = 0;
  const key = (k: string): string => {
    if (k.length >= LONG_STRING || INDEX_LIKE.test(k)) notWritable();
    if ((total += k.length) > MAX_OUTPUT_CHARS) outputTooLarge();
    return k;
  };
  const raw = (v: string): string => {
    if (v.length >= LONG_STRING) notWritable();
    if ((total += v.length) > MAX_OUTPUT_CHARS) outputTooLarge();
    return v;
  };
  // A value whose parts are already that long is given up before it is rendered (rendering only adds to it).
  const text = (s: BakeString): string => {
    let length = 0;
    if (typeof s === "string") length = s.length;
    else for (const part of s.template) length += typeof part === "string" ? part.length : part.expr.length;
    if (length >= LONG_STRING) notWritable();
    return raw(str(s));
  };
  const root = object();
  if (comment && comment.length > 0) root["//"] = comment.map(raw);
  const section = <T>(name: string, blocks: Record<string, T>, write: (block: T, name: string) => JsonTree) => {
    const names = sortedKeys(blocks);
    if (names.length === 0) return;
    const members = object();
    for (const n of names) members[key(n)] = write(blocks[n]!, n);
    root[name] = members;
  };
  // Objects whose keys are ours are plain (V8's JSON.stringify has a fast path for them); those keyed by the
  // user's names are null-prototype (`object()`), so that a name like `__proto__` is an ordinary key.
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
          if (keys.length === 0) break;
          const m = object();
          for (const k of keys) m[key(text(k))] = text(map[k]!);
          o[attr] = m;
          break;
        }
      }
    }
    return o;
  });
  return JSON.stringify(root, null, 2) + "\n";
}

type JsonTree = string | boolean | null | JsonTree[] | { [key: string]: JsonTree };

/** A null-prototype object: a key named `__proto__` is an own property like any other. */
function object(): { [key: string]: JsonTree } {
  return Object.create(null) as { [key: string]: JsonTree };
}

/** Keys that JavaScript objects order before all others: canonical non-negative integers (array indices). */
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

/** Strings from this length go through jsonQuote's shortcut: megabytes of text are quoted faster there. */
const LONG_STRING = 1 << 16;

/**
 * The file written piece by piece, in the layout of JSON.stringify(value, null, 2), for any file. There is no
 * intermediate tree: each block (a variable, group or target) is joined on its own, and the file once from its
 * blocks. Joining every level into its parent would copy the whole text once per level, as large strings that
 * only a full collection frees (a 1,000-service file is about 1 MB).
 */
export function emitJsonByPieces(file: BakeFile, comment?: readonly string[]): string {
  const out: string[] = [];
  const top = new ObjectWriter(out, "");
  if (comment && comment.length > 0) {
    top.key("//");
    writeList(out, comment, top.inner, jsonQuote);
  }
  section(top, "variable", file.variable, (o, _name, v, indent) => writeVariable(o, v, indent));
  section(top, "group", file.group, (o, _name, g, indent) => writeGroup(o, g, indent));
  section(top, "target", file.target, writeTarget);
  top.close();
  out.push("\n");
  return out.join("");
}

/** Members of a JSON object, written one by one at `indent`; same layout as JSON.stringify(value, null, 2). */
class ObjectWriter {
  /** The indent of the members. */
  readonly inner: string;
  private members = 0;

  constructor(
    readonly out: string[],
    private readonly indent: string,
  ) {
    this.inner = indent + "  ";
  }

  /** Starts a member: its key is written, its value is the caller's to write next. */
  key(k: string): void {
    this.out.push(this.members++ === 0 ? "{\n" : ",\n", this.inner, jsonQuote(k), ": ");
  }

  close(): void {
    this.out.push(this.members === 0 ? "{}" : "\n" + this.indent + "}");
  }
}

/** A top-level section (`variable`, `group`, `target`): blocks by sorted name, left out when it has none. */
function section<T>(
  top: ObjectWriter,
  name: string,
  blocks: Record<string, T>,
  writeBlock: (out: string[], name: string, block: T, indent: string) => void,
): void {
  const names = sortedKeys(blocks);
  if (names.length === 0) return;
  top.key(name);
  const members = new ObjectWriter(top.out, top.inner);
  for (const n of names) {
    members.key(n);
    // Each block is joined on its own: its many small pieces die young, as one string per block stays.
    const block: string[] = [];
    writeBlock(block, n, blocks[n]!, members.inner);
    top.out.push(block.join(""));
  }
  members.close();
}

function writeVariable(out: string[], v: BakeVariable, indent: string): void {
  const o = new ObjectWriter(out, indent);
  if (v.type !== undefined) {
    o.key("type");
    out.push(jsonQuote(v.type));
  }
  if (v.default !== undefined) {
    o.key("default");
    out.push(v.default === null ? "null" : jsonQuote(str(v.default)));
  }
  if (v.description !== undefined) {
    o.key("description");
    out.push(jsonQuote(str(v.description)));
  }
  if (v.validation !== undefined && v.validation.length > 0) {
    o.key("validation");
    const inner = o.inner + "  ";
    v.validation.forEach((rule, i) => {
      out.push(i === 0 ? "[\n" : ",\n", inner);
      const r = new ObjectWriter(out, inner);
      r.key("condition");
      out.push(jsonQuote("${" + rule.condition + "}"));
      r.key("error_message");
      out.push(jsonQuote(str(rule.error_message)));
      r.close();
    });
    out.push("\n", o.inner, "]");
  }
  o.close();
}

function writeGroup(out: string[], g: BakeGroup, indent: string): void {
  const o = new ObjectWriter(out, indent);
  if (g.description !== undefined) {
    o.key("description");
    out.push(jsonQuote(str(g.description)));
  }
  o.key("targets");
  writeList(out, g.targets, o.inner, quoted);
  o.close();
}

function writeTarget(out: string[], name: string, t: BakeTarget, indent: string): void {
  checkTargetAttributes(name, t);
  const o = new ObjectWriter(out, indent);
  for (const attr of TARGET_ATTRIBUTE_ORDER) {
    const value = t[attr];
    if (value === undefined) continue;
    switch (TARGET_ATTRIBUTE_KINDS[attr]) {
      case "string":
        o.key(attr);
        out.push(quoted(value as BakeString));
        break;
      case "bool":
        o.key(attr);
        out.push(typeof value === "boolean" ? String(value) : quoted(value as BakeString));
        break;
      case "list": {
        const list = value as BakeString[];
        if (list.length === 0) break;
        o.key(attr);
        writeList(out, list, o.inner, quoted);
        break;
      }
      case "map": {
        if (isMapExpression(value as Record<string, BakeString> | BakeString)) {
          o.key(attr);
          out.push(quoted(value as BakeString));
          break;
        }
        const map = value as Record<string, BakeString>;
        const keys = sortedKeys(map);
        if (keys.length === 0) break;
        o.key(attr);
        const m = new ObjectWriter(out, o.inner);
        for (const k of keys) {
          m.key(str(k));
          out.push(quoted(map[k]!));
        }
        m.close();
        break;
      }
    }
  }
  o.close();
}

/** A JSON array of strings at `indent`, each written by `quote`; `[]` when empty, as JSON.stringify does. */
function writeList<T>(out: string[], items: readonly T[], indent: string, quote: (item: T) => string): void {
  if (items.length === 0) {
    out.push("[]");
    return;
  }
  const inner = indent + "  ";
  items.forEach((item, i) => out.push(i === 0 ? "[\n" : ",\n", inner, quote(item)));
  out.push("\n", indent, "]");
}

/** A BakeString as a quoted JSON string holding its bake template. */
function quoted(s: BakeString): string {
  return jsonQuote(str(s));
}

function str(s: BakeString): string {
  return jsonTemplateString(s);
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
