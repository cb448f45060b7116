#!/usr/bin/env node
/**
 * Compiles the vendored Compose specification schema (src/compose/schema/compose-spec.json) into ajv's standalone
 * validation code, src/compose/schema/compose-spec.generated.ts, so that no schema is compiled at run time.
 * Run by `npm run build` and `npm run typecheck` (and by jest's global setup); the output is not committed.
 *
 * The schema is prepared first:
 * - every `$ref` is replaced by the definition it names (the schema has no recursive reference), so the
 *   `schemaPath` of each error is a path through one tree and src/compose/schema/validate.ts can tell which
 *   `oneOf` branch every error comes from, to select errors the way compose-go does;
 * - annotations (description, title, deprecated, default) are dropped: they never change a result;
 * - `uniqueItems` is checked by our own linear-time function (unique-items.ts) instead of ajv's, which compares
 *   every pair of items when they may be objects (`ports`, `volumes`), and finds the first duplicate pair the way
 *   santhosh-tekuri/jsonschema does, for compose-go's message.
 * - large subschemas are then moved back out into definitions of their own, one per place, which ajv compiles as
 *   functions of their own (`inlineRefs: false`): V8 compiles a function when it is first called, so a run only
 *   compiles the parts of the schema its file uses (a service without `deploy` never compiles `deploy`'s code).
 *   The `schemaPath` of the errors inside such a function is relative to it; it is prefixed here with the
 *   definition's name (`s12#/properties/x/type`), and `schemaPlaces` (exported beside the validator) gives each
 *   name's path in the inlined schema, so the error mapping still sees one tree. (Writing the full paths into
 *   the code made it a third larger, and start-up slower.)
 * The script fails on a schema using what that preparation or the error mapping does not handle.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Ajv = require("ajv").default;
const standaloneCode = require("ajv/dist/standalone").default;
const { _ } = require("ajv");
const { _Code } = require("ajv/dist/compile/codegen/code");

const root = path.resolve(__dirname, "..");
const dir = path.join(root, "src", "compose", "schema");
const source = path.join(dir, "compose-spec.json");
const outfile = path.join(dir, "compose-spec.generated.ts");

const ANNOTATIONS = new Set(["description", "title", "deprecated", "default", "$comment", "examples"]);
const NAMED_SCHEMAS = new Set(["properties", "patternProperties"]);
/** The keywords the error mapping understands; anything else stops the build. */
const KNOWN = new Set([
  "type",
  "properties",
  "patternProperties",
  "additionalProperties",
  "required",
  "items",
  "uniqueItems",
  "oneOf",
  "enum",
  "pattern",
  "minimum",
  "maximum",
]);

function prepare(schema) {
  if (schema.$schema !== "https://json-schema.org/draft-07/schema") {
    throw new Error(`${source}: expected a draft-07 schema, found ${schema.$schema}: review scripts/build-schema.js`);
  }
  const definitions = schema.definitions ?? {};
  const walk = (node, where, stack) => {
    if (typeof node !== "object" || node === null || Array.isArray(node)) throw new Error(`${where}: not a schema`);
    if (node.$ref !== undefined) {
      const extra = Object.keys(node).filter((k) => k !== "$ref" && !ANNOTATIONS.has(k));
      // draft-07 ignores keywords beside $ref; inlining would give them meaning.
      if (extra.length > 0) throw new Error(`${where}: keywords beside $ref: ${extra.join(", ")}`);
      const name = /^#\/definitions\/([^/]+)$/.exec(node.$ref)?.[1];
      if (name === undefined || definitions[name] === undefined)
        throw new Error(`${where}: unsupported $ref ${node.$ref}`);
      if (stack.includes(name)) throw new Error(`${where}: recursive $ref ${node.$ref}`);
      return walk(definitions[name], `#/definitions/${name}`, [...stack, name]);
    }
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if (ANNOTATIONS.has(key) || key === "$schema" || key === "$id" || (key === "definitions" && where === "#"))
        continue;
      if (!KNOWN.has(key)) throw new Error(`${where}: keyword ${key} is not handled by src/compose/schema/validate.ts`);
      if (NAMED_SCHEMAS.has(key)) {
        out[key] = {};
        for (const [name, sub] of Object.entries(value)) out[key][name] = walk(sub, `${where}/${key}/${name}`, stack);
      } else if (key === "oneOf") {
        out[key] = value.map((sub, i) => walk(sub, `${where}/oneOf/${i}`, stack));
      } else if (key === "items") {
        if (Array.isArray(value)) throw new Error(`${where}: tuple items are not handled`);
        out[key] = walk(value, `${where}/items`, stack);
      } else if (key === "additionalProperties" && typeof value !== "boolean") {
        out[key] = walk(value, `${where}/additionalProperties`, stack);
      } else {
        out[key] = value;
      }
    }
    return out;
  };
  return walk(schema, "#", []);
}

/** Subschemas whose JSON is longer than this get a function of their own. */
const HOIST_ABOVE = 150;

/** ajv's escaping of a schemaPath segment (escapeFragment). */
function fragment(segment) {
  return encodeURIComponent(segment.replace(/~/g, "~0").replace(/\//g, "~1"));
}

/** Moves large subschemas (below the root) into definitions, each with the schemaPath it had in place. */
function hoist(schema) {
  const definitions = {};
  const placeOf = {};
  const visit = (node, at) => {
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if (NAMED_SCHEMAS.has(key)) {
        out[key] = {};
        for (const [name, sub] of Object.entries(value)) out[key][name] = place(sub, `${at}/${key}/${fragment(name)}`);
      } else if (key === "oneOf") {
        out[key] = value.map((sub, i) => place(sub, `${at}/oneOf/${i}`));
      } else if (key === "items" || (key === "additionalProperties" && typeof value === "object")) {
        out[key] = place(value, `${at}/${key}`);
      } else {
        out[key] = value;
      }
    }
    return out;
  };
  const place = (node, at) => {
    const inner = visit(node, at);
    if (JSON.stringify(node).length <= HOIST_ABOVE) return inner;
    const name = `s${Object.keys(definitions).length}`;
    definitions[name] = inner;
    placeOf[name] = at;
    return { $ref: `#/definitions/${name}` };
  };
  return { schema: { ...visit(schema, "#"), definitions }, placeOf };
}

/** Every compiled reference of the schema: `#/definitions/<name>` → ajv's function name. */
function functionNames(validate) {
  const names = {};
  const seen = new Set();
  const walk = (env) => {
    if (!env || seen.has(env)) return;
    seen.add(env);
    for (const [ref, target] of Object.entries(env.refs ?? {})) {
      if (target && target.validateName) names[ref] = target.validateName.str;
      walk(target);
    }
  };
  walk(validate.schemaEnv);
  return names;
}

/** Rewrites the schemaPaths inside each hoisted definition's function to their place in the inlined schema. */
function relocate(code, validate) {
  const byFunction = {};
  for (const [ref, fn] of Object.entries(functionNames(validate))) {
    const name = /^#\/definitions\/(s\d+)$/.exec(ref)?.[1];
    if (name === undefined) throw new Error(`unexpected reference ${ref}`);
    byFunction[fn] = name;
  }
  const parts = code.split(/(?=function validate\d+\()/);
  let rewritten = 0;
  const out = parts.map((part) => {
    const fn = /^function (validate\d+)\(/.exec(part)?.[1];
    const at = fn === undefined ? undefined : byFunction[fn];
    if (at === undefined) return part;
    rewritten++;
    return part.replace(/schemaPath:"#/g, `schemaPath:"${at}#`);
  });
  if (rewritten !== Object.keys(byFunction).length)
    throw new Error("could not find every hoisted function in ajv's output");
  return appendInPlace(out.join(""));
}

/**
 * ajv gathers a called function's errors with `vErrors = vErrors.concat(f.errors)`, which copies the list for
 * every item of an array whose items each fail (quadratic: 8,000 bad `ports` items took 11 s); push them instead.
 */
function appendInPlace(code) {
  let count = 0;
  const out = code.replace(
    /vErrors = vErrors === null \? (validate\d+)\.errors : vErrors\.concat\(\1\.errors\);/g,
    (_, fn) => {
      count++;
      return `if(vErrors === null){vErrors = ${fn}.errors;}else {for(const e of ${fn}.errors){vErrors.push(e);}}`;
    },
  );
  if (count === 0 || out.includes("vErrors.concat("))
    throw new Error("ajv's way of gathering errors changed: review appendInPlace");
  return out;
}

/**
 * ajv's code embeds every subschema it refers to (`const schema85 = {…}`, 56 KB in all) to read three things:
 * the `type` list and `enum` values put in errors, and the keys of a long `properties` list. Those values are
 * written in their place instead (a keys-only object for `properties`), and the subschemas dropped.
 */
function inlineSchemaValues(code) {
  const consts = new Map();
  const declaration = /const (schema\d+) = /g;
  let m;
  while ((m = declaration.exec(code)) !== null) {
    const start = m.index + m[0].length;
    const end = jsonEnd(code, start);
    consts.set(m[1], { text: code.slice(m.index, end + 1), value: JSON.parse(code.slice(start, end)) });
  }
  const values = new Map();
  const hoisted = [];
  let out = code.replace(
    /(schema\d+)((?:\.[A-Za-z_$][\w$]*|\["(?:[^"\\]|\\.)*"\]|\[\d+\])+)/g,
    (whole, name, chain) => {
      const c = consts.get(name);
      if (!c) return whole;
      let v = c.value;
      const steps = chain.match(/\.[A-Za-z_$][\w$]*|\["(?:[^"\\]|\\.)*"\]|\[\d+\]/g);
      for (const step of steps) v = v[step.startsWith(".") ? step.slice(1) : JSON.parse(step.slice(1, -1))];
      const last = steps[steps.length - 1];
      if (last === ".properties") v = Object.fromEntries(Object.keys(v).map((k) => [k, 0]));
      else if (last !== ".type" && last !== ".enum") throw new Error(`inlineSchemaValues: unexpected use ${whole}`);
      const text = JSON.stringify(v);
      let id = values.get(text);
      if (id === undefined) {
        id = `sv${values.size}`;
        values.set(text, id);
        hoisted.push(`const ${id} = ${text};`);
      }
      return id;
    },
  );
  for (const { text } of consts.values()) out = out.replace(text, "");
  if (/\bschema\d+\b/.test(out)) throw new Error("inlineSchemaValues: a subschema is still referred to");
  return out.replace('"use strict";', `"use strict";${hoisted.join("")}`);
}

/** The end (exclusive) of the JSON object literal starting at `start`, followed by `;`. */
function jsonEnd(code, start) {
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    const ch = code[i];
    if (ch === '"') {
      for (i++; code[i] !== '"'; i++) if (code[i] === "\\") i++;
    } else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error("inlineSchemaValues: unterminated subschema");
}

/** `uniqueItems` through unique-items.ts: the generated code imports `firstDuplicate` from it. */
const firstDuplicate = Object.assign(() => undefined, { code: new _Code("firstDuplicate") });
const uniqueItems = {
  keyword: "uniqueItems",
  type: "array",
  schemaType: "boolean",
  error: { params: ({ params }) => _`{i: ${params.i}, j: ${params.j}}` },
  code(cxt) {
    if (!cxt.schema) return;
    const { gen, data } = cxt;
    const fn = gen.scopeValue("func", { ref: firstDuplicate, code: firstDuplicate.code });
    const dup = gen.const("dup", _`${fn}(${data})`);
    cxt.setParams({ i: _`${dup}[0]`, j: _`${dup}[1]` });
    cxt.fail(_`${dup} !== undefined`);
  },
};

function main() {
  const raw = JSON.parse(fs.readFileSync(source, "utf8"));
  const { schema, placeOf } = hoist(prepare(raw));
  const ajv = new Ajv({
    inlineRefs: false,
    allErrors: true,
    messages: false,
    strict: true,
    // `type: [..]` unions and properties without a type are how the Compose schema is written.
    strictTypes: false,
    allowUnionTypes: true,
    code: { source: true, esm: true, lines: false },
  });
  ajv.removeKeyword("uniqueItems");
  ajv.addKeyword(uniqueItems);
  const validate = ajv.compile(schema);
  const code = `${inlineSchemaValues(relocate(standaloneCode(ajv, validate), validate))}\nexport const schemaPlaces = ${JSON.stringify(placeOf)};`;
  const header = [
    "// @ts-nocheck",
    "/*! compose-spec.json (Compose specification schema, compose-go v2.10.0) compiled by ajv: Copyright 2020 The",
    " * Compose Specification Authors, Apache License 2.0 (src/compose/schema/LICENSE, NOTICE). */",
    "// Generated by scripts/build-schema.js; do not edit.",
    'import { firstDuplicate } from "./unique-items";',
    "",
  ].join("\n");
  const text = header + code + "\n";
  if (fs.existsSync(outfile) && fs.readFileSync(outfile, "utf8") === text) return;
  const tmp = `${outfile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, outfile);
}

if (require.main === module) main();
// jest's globalSetup (jest.config.js): the tests import the TypeScript sources, generated file included.
module.exports = async () => main();
