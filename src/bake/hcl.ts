/**
 * HCL emitter: writes a BakeFile as a docker-bake.hcl file (buildx-bake-reference.md §8), through the
 * handlebars template templates/bake.hcl.hbs. This file builds a view model (order, alignment, line breaks);
 * the template only loops and places values; quoting and escaping live in the helpers from escape.ts
 * (STYLE.md §6 "Templates stay dumb").
 *
 * Layout, fixed so that output is byte-stable and reads like `terraform fmt` output:
 * - `variable` blocks, then `group`, then `target`, each sorted by name (code-unit order), separated by one
 *   blank line; a block with no content is written `target "x" {}`; a file with no blocks is empty ("");
 * - attribute order: variables `default`, `description`, then `validation` blocks; groups `description`,
 *   `targets` (always written); targets TARGET_ATTRIBUTE_ORDER, leaving out undefined values, empty lists and
 *   empty maps, exactly as json.ts does;
 * - `=` is aligned within each run of consecutive one-line attributes; an attribute whose value spans
 *   several lines (a map, a long list) ends the run and is written `name = {` (as terraform fmt does);
 * - a list goes on one line when `  name = [...]` is at most LIST_LINE_LIMIT characters (measured before
 *   alignment padding, so the decision does not depend on neighbours), otherwise one element per line, each
 *   with a trailing comma;
 * - maps always one entry per line, keys sorted, `=` aligned, keys bare when they are identifiers (hclKey);
 * - strings are always quoted one-line strings (`\n` escapes, also for dockerfile-inline), 2-space indent, LF,
 *   one final newline.
 *
 * The template is read and compiled on the first call only and then cached, and handlebars itself is loaded
 * only then, so runs that write JSON never pay for it (STYLE.md §7).
 */

import type * as HandlebarsNS from "handlebars";
import type { BakeFile, BakeGroup, BakeString, BakeTarget, BakeVariable } from "./model";
import { TARGET_ATTRIBUTE_ORDER, isMapExpression } from "./model";
import { TARGET_ATTRIBUTE_KINDS, checkTargetAttributes, hclKey, hclString, sortedKeys } from "./escape";

/** Longest line, indentation included, on which a list is still written inline. */
export const LIST_LINE_LIMIT = 100;

type AttributeView =
  | { kind: "string"; name: string; pad: string; value: BakeString }
  | { kind: "raw"; name: string; pad: string; value: string }
  | { kind: "inlineList"; name: string; pad: string; value: BakeString[] }
  | { kind: "blockList"; name: string; pad: string; value: BakeString[] }
  | { kind: "map"; name: string; pad: string; value: MapEntryView[] };

interface MapEntryView {
  key: string;
  pad: string;
  value: BakeString;
}

interface BlockView {
  type: "variable" | "group" | "target";
  label: string;
  empty: boolean;
  attributes: AttributeView[];
  validations: Array<{ attributes: AttributeView[] }>;
}

type Render = (view: { header: string[]; blocks: BlockView[] }) => string;
let render: Render | undefined;

/** `comment` lines go first, each as a `# ` line, then a blank line. */
export function emitHcl(file: BakeFile, comment?: readonly string[]): string {
  const blocks: BlockView[] = [];
  for (const name of sortedKeys(file.variable)) blocks.push(variableView(name, file.variable[name]!));
  for (const name of sortedKeys(file.group)) blocks.push(groupView(name, file.group[name]!));
  for (const name of sortedKeys(file.target)) blocks.push(targetView(name, file.target[name]!));
  return (render ??= compileTemplate())({ header: [...(comment ?? [])], blocks });
}

function variableView(name: string, v: BakeVariable): BlockView {
  const attributes: AttributeView[] = [];
  if (v.type !== undefined) attributes.push({ kind: "raw", name: "type", pad: "", value: v.type });
  if (v.default !== undefined) {
    attributes.push(
      v.default === null ? { kind: "raw", name: "default", pad: "", value: "null" } : stringAttr("default", v.default),
    );
  }
  if (v.description !== undefined) attributes.push(stringAttr("description", v.description));
  const validations = (v.validation ?? []).map((rule) => ({
    attributes: align([
      { kind: "raw" as const, name: "condition", pad: "", value: rule.condition },
      stringAttr("error_message", rule.error_message),
    ]),
  }));
  return block("variable", name, attributes, validations);
}

function groupView(name: string, g: BakeGroup): BlockView {
  const attributes: AttributeView[] = [];
  if (g.description !== undefined) attributes.push(stringAttr("description", g.description));
  attributes.push(listAttr("targets", g.targets, 1));
  return block("group", name, attributes, []);
}

function targetView(name: string, t: BakeTarget): BlockView {
  checkTargetAttributes(name, t);
  const attributes: AttributeView[] = [];
  for (const attr of TARGET_ATTRIBUTE_ORDER) {
    const value = t[attr];
    if (value === undefined) continue;
    switch (TARGET_ATTRIBUTE_KINDS[attr]) {
      case "string":
        attributes.push(stringAttr(attr, value as BakeString));
        break;
      case "bool":
        // A kept boolean is an expression (a template holding one), which bake converts to a bool.
        attributes.push(
          typeof value === "boolean"
            ? { kind: "raw", name: attr, pad: "", value: value ? "true" : "false" }
            : stringAttr(attr, value as BakeString),
        );
        break;
      case "list": {
        const list = value as BakeString[];
        if (list.length > 0) attributes.push(listAttr(attr, list, 1));
        break;
      }
      case "map": {
        // A map bake builds from an expression: a template holding it, which bake reads as the map.
        if (isMapExpression(value as Record<string, BakeString> | BakeString)) {
          attributes.push(stringAttr(attr, value as BakeString));
          break;
        }
        const map = value as Record<string, BakeString>;
        const keys = sortedKeys(map);
        if (keys.length === 0) break;
        const width = Math.max(...keys.map((k) => textWidth(hclKey(k))));
        const entries = keys.map((k) => ({ key: k, pad: " ".repeat(width - textWidth(hclKey(k))), value: map[k]! }));
        attributes.push({ kind: "map", name: attr, pad: "", value: entries });
        break;
      }
    }
  }
  return block("target", name, attributes, []);
}

function block(
  type: BlockView["type"],
  label: string,
  attributes: AttributeView[],
  validations: BlockView["validations"],
): BlockView {
  const empty = attributes.length === 0 && validations.length === 0;
  return { type, label, empty, attributes: align(attributes), validations };
}

function stringAttr(name: string, value: BakeString): AttributeView {
  return { kind: "string", name, pad: "", value };
}

/** A list attribute, inline when `name = [...]` fits in LIST_LINE_LIMIT at this nesting depth. */
function listAttr(name: string, list: BakeString[], depth: number): AttributeView {
  const inline = "[" + list.map((s) => hclString(s)).join(", ") + "]";
  const fits = 2 * depth + name.length + 3 + textWidth(inline) <= LIST_LINE_LIMIT;
  return { kind: fits ? "inlineList" : "blockList", name, pad: "", value: list };
}

/** Sets `pad` so that `=` lines up within each run of consecutive one-line attributes. */
function align(attributes: AttributeView[]): AttributeView[] {
  const oneLine = (a: AttributeView) => a.kind === "string" || a.kind === "raw" || a.kind === "inlineList";
  let start = 0;
  while (start < attributes.length) {
    if (!oneLine(attributes[start]!)) {
      start++;
      continue;
    }
    let end = start;
    while (end < attributes.length && oneLine(attributes[end]!)) end++;
    const run = attributes.slice(start, end);
    const width = Math.max(...run.map((a) => a.name.length));
    for (const a of run) a.pad = " ".repeat(width - a.name.length);
    start = end;
  }
  return attributes;
}

/** Width used for alignment and line length: code points, so a non-BMP character counts once. */
function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function compileTemplate(): Render {
  // Loaded here, not at the top of the file: only HCL output needs handlebars. In the release bundle,
  // `handlebars` is its runtime alone and the template comes precompiled (scripts/bundle.js).
  const Handlebars = require("handlebars") as typeof HandlebarsNS;
  const hb = Handlebars.create();
  // Helpers get handlebars' options object as an extra argument; pass on only the value.
  hb.registerHelper("hclString", (s: BakeString) => hclString(s));
  hb.registerHelper("hclKey", (k: string) => hclKey(k));
  const spec = precompiledTemplate();
  if (spec !== undefined) return hb.template(spec) as Render;
  // From the sources (tests, `tsc` output): the template file, read by a module of its own so that browser
  // builds, which always have the precompiled template, leave file reading out (hcl-template-file.browser.ts).
  const { readHclTemplate } = require("./hcl-template-file") as typeof import("./hcl-template-file");
  return hb.compile(readHclTemplate(), { noEscape: true, strict: true });
}

/** The template precompiled at bundle time, or undefined when running from the sources. */
function precompiledTemplate(): Parameters<typeof HandlebarsNS.template>[0] | undefined {
  try {
    // Provided only inside the bundle (scripts/bundle.js); there is no such file in src/.
    return require("./precompiled-hcl-template") as Parameters<typeof HandlebarsNS.template>[0];
  } catch {
    return undefined;
  }
}
