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

/** A JSON value with objects as ordered entries. */
type Json = string | boolean | null | Json[] | Entries;
interface Entries {
  readonly entries: ReadonlyArray<readonly [string, Json]>;
}

/**
 * `comment` lines go first under the key `"//"`: HCL's JSON syntax reads that key as a comment, so bake
 * ignores it (buildx 0.29.1; any other unknown top-level key would become a bake variable).
 */
export function emitJson(file: BakeFile, comment?: readonly string[]): string {
  const top: Array<[string, Json]> = [];
  if (comment && comment.length > 0) top.push(["//", [...comment]]);
  const variables = sortedKeys(file.variable).map((name): [string, Json] => [name, variableJson(file.variable[name]!)]);
  const groups = sortedKeys(file.group).map((name): [string, Json] => [name, groupJson(file.group[name]!)]);
  const targets = sortedKeys(file.target).map((name): [string, Json] => [name, targetJson(name, file.target[name]!)]);
  if (variables.length > 0) top.push(["variable", { entries: variables }]);
  if (groups.length > 0) top.push(["group", { entries: groups }]);
  if (targets.length > 0) top.push(["target", { entries: targets }]);
  // The two outer levels (the file, its sections) are written as pieces joined once: joining each level's
  // members on the way up would copy the whole text once per level, as large strings that only a full
  // collection frees (about 2 MB for 1,000 services). Each block below them is small and written as before.
  const pieces: string[] = [];
  if (top.length === 0) pieces.push("{}");
  top.forEach(([section, value], i) => {
    pieces.push(i === 0 ? "{\n  " : ",\n  ", JSON.stringify(section), ": ");
    if (typeof value === "object" && value !== null && !Array.isArray(value) && value.entries.length > 0) {
      value.entries.forEach(([k, v], j) => {
        pieces.push(j === 0 ? "{\n    " : ",\n    ", JSON.stringify(k), ": ", write(v, "    "));
      });
      pieces.push("\n  }");
    } else {
      pieces.push(write(value, "  "));
    }
  });
  if (top.length > 0) pieces.push("\n}");
  pieces.push("\n");
  return pieces.join("");
}

function variableJson(v: BakeVariable): Entries {
  const entries: Array<[string, Json]> = [];
  if (v.type !== undefined) entries.push(["type", v.type]);
  if (v.default !== undefined) entries.push(["default", v.default === null ? null : str(v.default)]);
  if (v.description !== undefined) entries.push(["description", str(v.description)]);
  if (v.validation !== undefined && v.validation.length > 0) {
    entries.push([
      "validation",
      v.validation.map((rule): Json => ({
        entries: [
          ["condition", "${" + rule.condition + "}"],
          ["error_message", str(rule.error_message)],
        ],
      })),
    ]);
  }
  return { entries };
}

function groupJson(g: BakeGroup): Entries {
  const entries: Array<[string, Json]> = [];
  if (g.description !== undefined) entries.push(["description", str(g.description)]);
  entries.push(["targets", g.targets.map(str)]);
  return { entries };
}

function targetJson(name: string, t: BakeTarget): Entries {
  checkTargetAttributes(name, t);
  const entries: Array<[string, Json]> = [];
  for (const attr of TARGET_ATTRIBUTE_ORDER) {
    const value = t[attr];
    if (value === undefined) continue;
    switch (TARGET_ATTRIBUTE_KINDS[attr]) {
      case "string":
        entries.push([attr, str(value as BakeString)]);
        break;
      case "bool":
        entries.push([attr, typeof value === "boolean" ? value : str(value as BakeString)]);
        break;
      case "list": {
        const list = value as BakeString[];
        if (list.length > 0) entries.push([attr, list.map(str)]);
        break;
      }
      case "map": {
        if (isMapExpression(value as Record<string, BakeString> | BakeString)) {
          entries.push([attr, str(value as BakeString)]);
          break;
        }
        const map = value as Record<string, BakeString>;
        const keys = sortedKeys(map);
        if (keys.length > 0) entries.push([attr, { entries: keys.map((k) => [str(k), str(map[k]!)] as const) }]);
        break;
      }
    }
  }
  return { entries };
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

/** Same layout as JSON.stringify(value, null, 2), including `[]` and `{}` for empty containers. */
function write(value: Json, indent: string): string {
  if (typeof value === "string") return jsonQuote(value);
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return "[\n" + value.map((v) => inner + write(v, inner)).join(",\n") + "\n" + indent + "]";
  }
  const { entries } = value as Entries;
  if (entries.length === 0) return "{}";
  const members = entries.map(([k, v]) => inner + jsonQuote(k) + ": " + write(v, inner));
  return "{\n" + members.join(",\n") + "\n" + indent + "}";
}
