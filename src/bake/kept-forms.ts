/**
 * The HCL expressions and validations for the values Compose reshapes after interpolating them
 * (compose/keep-forms.ts), each with Compose's meaning under every environment. Every function here is one of
 * buildx 0.29.1's bake functions (bake/hclparser/stdlib.go): `regex_replace`, `regexall`, `split`, `join`, `can`,
 * `regex`, `length` (kept-ssh.ts adds `distinct`, kept-contexts.ts `merge` and `substr`).
 */
import type { KeptPiece } from "../compose/keep";
import type { CheckProblem, KeptCheck, KeptForm } from "../compose/keep-forms";
import { hclString } from "./escape";
import { argument, BOOLEAN_WORDS, hclList, operand, type Piece } from "./template-pieces";
import type { BakeVariableValidation } from "./model";
import { decodingMessage } from "../compose/go-format";
import type { DiagnosticCode } from "../diagnostic-codes";
import {
  contextItemPieces,
  contextItemProblem,
  contextItemValidation,
  contextListPieces,
  contextNameProblem,
  contextNameValidation,
  contextServiceProblem,
  contextServiceValidation,
} from "./kept-contexts";
import { sshItemPieces, sshKeyProblem, sshKeyValidation, uniqueItemsProblem, uniqueItemsValidation } from "./kept-ssh";
import { keyValuesExpression } from "./kept-key-values";
import { endsInGoSpace } from "../compose/normalize-build";

/** What a form needs of the expression writer. */
export interface FormWriter {
  value(split: ReadonlyArray<string | KeptPiece>): Piece[];
  splitCanBeEmpty(split: ReadonlyArray<string | KeptPiece>): boolean;
}

/** compose-go's HostsList cleanup: an IP written `[ip]` (more than the brackets) loses them. */
const BRACKETS = hclString("^\\[([\\s\\S]+)\\]$");

/**
 * What go-units RAMInBytes (compose's UnitBytes, buildx's MemBytes) accepts: the text up to its last digit, `.`
 * or space is a Go float (strconv.ParseFloat: `_` between digits, hex floats; a negative one only when it is
 * zero), then an optional space and a suffix: `b`, or k/m/g/t/p alone or followed by `b` or `ib`, any case.
 * A float too large for Go (`1e400`) is the one refusal it does not see: bake refuses that one when it builds.
 */
const DIGITS = "[0-9]+(?:_[0-9]+)*";
const HEX = "[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*";
const EXPONENT = `(?:[eE][+-]?${DIGITS})?`;
const DECIMAL = `(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})${EXPONENT}`;
const HEX_FLOAT = `0[xX](?:${HEX}(?:\\.(?:${HEX})?)?|\\.${HEX})[pP][+-]?${DIGITS}`;
const ZEROS = "0+(?:_0+)*";
const NEGATIVE_ZERO = `-(?:${ZEROS}(?:\\.(?:${ZEROS})?)?|\\.${ZEROS})${EXPONENT}`;
const SIZE = `^(?:\\+?(?:${DECIMAL}|${HEX_FLOAT})|${NEGATIVE_ZERO}) ?(?:[bB]|[kKmMgGtTpP](?:[bB]|[iI][bB])?)?$`;

/** The template pieces a form stands for. */
export function formPieces(
  form: KeptForm,
  w: FormWriter,
  splitOf: (s: string) => ReadonlyArray<string | KeptPiece>,
): Piece[] {
  if (form.form === "host-list")
    return [{ expr: hostListExpression(form.items.map((item) => w.value(splitOf(item)))) }];
  if (form.form === "key-values") return [{ expr: keyValuesExpression(form, (v) => w.value(splitOf(v))) }];
  if (form.form === "key-item") throw new Error("internal error: a kept args or labels item reached bake on its own");
  if (form.form === "context-list") return contextListPieces(form, (v) => w.value(splitOf(v)));
  if (form.form === "context-item") return contextItemPieces(form, (v) => w.value(splitOf(v)));
  const pieces = w.value(splitOf(form.value));
  switch (form.form) {
    case "attest": {
      // compose's toBakeAttest; `false` is written disabled (README: a documented difference).
      const x = operand(pieces);
      const t = `type=${form.type}`;
      const rest = hclString({ template: [`${t},`, ...pieces] });
      const empty = w.splitCanBeEmpty(splitOf(form.value)) ? `${x} == "" ? "" : ` : "";
      return [
        {
          expr: `${x} == "true" ? ${hclString(t)} : ${x} == "false" ? ${hclString(`${t},disabled=true`)} : ${empty}${rest}`,
        },
      ];
    }
    case "unless-empty": {
      const test = splitOf(form.test);
      if (!w.splitCanBeEmpty(test)) return pieces;
      return [{ expr: `${operand(w.value(test))} == "" ? "" : ${hclString({ template: pieces })}` }];
    }
    case "host-ips": {
      const x = argument(pieces);
      if (!form.split) return [{ expr: `regex_replace(${x}, ${BRACKETS}, "$1")` }];
      return [{ expr: `join(",", [for ip in split(",", ${x}) : regex_replace(ip, ${BRACKETS}, "$1")])` }];
    }
    case "ssh-item":
      return sshItemPieces(form, (v) => w.value(splitOf(v)));
  }
}

/**
 * The extra-hosts map of a list whose host names may hold variables, as compose-go's HostsList builds it: each item
 * cut at its first `=` (else its first `:`) into [host, IPs], the IPs split on `,` and unbracketed, then grouped
 * by host (`...`), a host's IPs joined in the order of the items. An item without a separator gives no entry here:
 * its `host-item` validation refuses it with Compose's message. Items that come out equal count once (`distinct`):
 * compose-go's merge of two definitions (a later file, `extends`) drops a later item equal to an earlier one, and
 * one file's list cannot hold two (the schema's uniqueItems).
 */
function hostListExpression(items: ReadonlyArray<readonly Piece[]>): string {
  const list = items.map((pieces) => hclString({ template: [...pieces] })).join(", ");
  const ips = `join(",", [for ip in split(",", m[0][1]) : regex_replace(ip, ${BRACKETS}, "$1")])`;
  // One list of captures per item (none without a separator); `flatten` would flatten the pairs too.
  const pairs = `[for m in [for s in distinct([${list}]) : ${hostCut("s")}] : [m[0][0], ${ips}] if length(m) > 0]`;
  return `{ for h, v in { for p in ${pairs} : p[0] => p[1]... } : h => join(",", v) }`;
}

/** compose-go's cut of an extra_hosts item `x`: at its first `=`, else at its first `:`; no match without either. */
function hostCut(x: string): string {
  const at = (sep: string) => `regexall(${hclString(`^([^${sep}]*)${sep}([\\s\\S]*)$`)}, ${x})`;
  return `(length(regexall("=", ${x})) > 0 ? ${at("=")} : ${at(":")})`;
}

/** The code of each rule's refusal; `context-service` has two (contextServiceProblem picks one). */
const CHECK_CODES: Record<Exclude<KeptCheck["rule"], "context-service">, DiagnosticCode> = {
  boolean: "invalid-boolean",
  size: "invalid-size",
  "no-equals": "invalid-extra-host",
  "not-empty": "secret-source",
  "host-item": "invalid-extra-host",
  "ssh-key": "invalid-ssh-key",
  "unique-items": "schema",
  "ssh-id": "schema",
  "arg-key": "arg-trailing-space",
  "context-item": "invalid-additional-context",
  "context-name": "schema",
};

/**
 * A check on a value whose references were all written as text (known values): Compose's refusal when it fails
 * now, else undefined.
 */
export function checkText(check: KeptCheck, text: string, textOf: (value: string) => string): CheckProblem | undefined {
  if (check.rule === "context-service") return contextServiceProblem(check, textOf);
  const message = checkMessage(check, text, textOf);
  return message === undefined ? undefined : { code: CHECK_CODES[check.rule], message };
}

function checkMessage(
  check: Exclude<KeptCheck, { rule: "context-service" }>,
  text: string,
  textOf: (value: string) => string,
): string | undefined {
  switch (check.rule) {
    case "boolean":
      return BOOLEAN_WORDS.includes(text.toLowerCase()) ? undefined : invalidBoolean(check.path) + text;
    case "size":
      return new RegExp(SIZE).test(text)
        ? undefined
        : `'services[${check.service}].build.${check.key}' invalid size: '${text}'`;
    case "no-equals":
      return text.includes("=") ? `bad host name '${check.host}:${text.split("=")[0]}'` : undefined;
    case "not-empty":
      return text === "" ? check.message : undefined;
    case "host-item": {
      const cut = text.includes("=") ? text.indexOf("=") : text.indexOf(":");
      if (cut < 0) return hostDecoding(check.service, `invalid additional host, missing IP: ${text}`);
      const host = text.slice(0, cut);
      return host === "" || host.includes(":") ? hostDecoding(check.service, `bad host name '${host}'`) : undefined;
    }
    case "ssh-key":
      return sshKeyProblem(text);
    case "unique-items":
      return uniqueItemsProblem(check.items.map(textOf), check.path);
    case "ssh-id":
      return text.startsWith("=") ? `${check.path} additional properties '' not allowed` : undefined;
    case "arg-key": {
      const key = text.split("=", 1)[0]!;
      return endsInGoSpace(key) ? argKeyMessage(check.service, key) : undefined;
    }
    case "context-item":
      return contextItemProblem(text, check.path);
    case "context-name":
      return contextNameProblem(text, check.path);
  }
}

/** Compose's refusal of an args key ending in white space (types.MappingWithEquals). */
function argKeyMessage(service: string, key: string): string {
  return decodingMessage(service, "build.args", `environment variable ${key} is declared with a trailing space`);
}

/**
 * Go's unicode.IsSpace of a key's last byte (endsInGoSpace), read from `urlencode`, which writes every byte
 * but letters, digits and `-._~` as `%XX` (upper case) and a space as `+` (a `+` itself is `%2B`).
 */
const GO_SPACE_END = hclString("(\\+|%0[9A-D]|%85|%A0)$");

/**
 * Compose's refusal of a build key's boolean (`services.a.build.pull`), up to the value: its decoder's words,
 * `decoding failed due to the following error(s): 'services[a].build.pull' invalid boolean: `. A service name may
 * hold dots, so the key is found from the end.
 */
function invalidBoolean(path: string): string {
  const build = path.lastIndexOf(".build.");
  if (!path.startsWith("services.") || build < 0) return `${path}: invalid boolean: `;
  return decodingMessage(path.slice("services.".length, build), path.slice(build + 1), "invalid boolean: ");
}

function hostDecoding(service: string, message: string): string {
  return decodingMessage(service, "build.extra_hosts", message);
}

/** The validation for one check. */
export function checkValidation(
  check: KeptCheck,
  w: FormWriter,
  splitOf: (s: string) => ReadonlyArray<string | KeptPiece>,
): BakeVariableValidation {
  const pieces = w.value(splitOf(check.value));
  const x = argument(pieces);
  switch (check.rule) {
    case "boolean":
      // The message quotes the value, as Compose's does.
      return {
        condition: `contains(${hclList(BOOLEAN_WORDS)}, lower(${x}))`,
        error_message: { template: [invalidBoolean(check.path), ...pieces] },
      };
    case "size":
      // compose-go's decoder message (mapstructure), with go-units' commonest wording.
      return {
        condition: `can(regex(${hclString(SIZE)}, ${x}))`,
        error_message: {
          template: [`'services[${check.service}].build.${check.key}' invalid size: '`, ...pieces, "'"],
        },
      };
    case "no-equals":
      return {
        condition: `length(regexall("=", ${x})) == 0`,
        error_message: { template: [`bad host name '${check.host}:`, { expr: `split("=", ${x})[0]` }, "'"] },
      };
    case "not-empty":
      return { condition: `${operand(pieces)} != ""`, error_message: check.message };
    case "host-item": {
      // Valid: a host name without `:` before the first `=`, or, when there is no `=`, before the first `:`.
      const host = `(length(regexall("=", ${x})) > 0 ? regex("^[^=]*", ${x}) : regex("^[^:]*", ${x}))`;
      const missing = hclString({
        template: [hostDecoding(check.service, "invalid additional host, missing IP: "), { expr: x }],
      });
      const bad = hclString({ template: [hostDecoding(check.service, "bad host name '"), { expr: host }, "'"] });
      return {
        condition: `can(regex(${hclString("^[^:=]+(=|:[^=]*$)")}, ${x}))`,
        error_message: { template: [{ expr: `length(regexall("[=:]", ${x})) == 0 ? ${missing} : ${bad}` }] },
      };
    }
    case "ssh-key":
      return sshKeyValidation(check.value, (v) => w.value(splitOf(v)));
    case "unique-items":
      return uniqueItemsValidation(check.items, check.path, (v) => w.value(splitOf(v)));
    case "ssh-id":
      return {
        condition: `substr(${x}, 0, 1) != "="`,
        error_message: `${check.path} additional properties '' not allowed`,
      };
    case "arg-key": {
      const key = `regex("^[^=]*", ${x})`;
      const [before, after] = argKeyMessage(check.service, "\0").split("\0");
      return {
        condition: `!can(regex(${GO_SPACE_END}, urlencode(${key})))`,
        error_message: { template: [before!, { expr: key }, after!] },
      };
    }
    case "context-item":
      return contextItemValidation(check.value, check.path, (v) => w.value(splitOf(v)));
    case "context-name":
      return contextNameValidation(check.value, check.path, (v) => w.value(splitOf(v)));
    case "context-service":
      return contextServiceValidation(check, (v) => w.value(splitOf(v)));
  }
}
