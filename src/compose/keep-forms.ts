/**
 * Keep mode for values Compose reshapes after interpolating them (issue #13 item 1): instead of resolving their
 * variables as if unset when the file is generated, the value stays a token standing for an HCL expression
 * with Compose's meaning (bake/kept-forms.ts writes it), and a check Compose runs on the value becomes a bake
 * `validation`. This module only describes them; keep.ts's KeptVariables records them.
 *
 * - `attest`: `provenance`/`sbom` → the `attest` entry compose writes (`true` → `type=T`, `false` →
 *   `type=T,disabled=true`, "" → none, else `type=T,<value>`);
 * - `unless-empty`: a whole entry that is dropped when `test` comes out empty (a build secret whose
 *   `environment:` names no variable: Compose refuses the project then, a `not-empty` check below, and the entry
 *   is dropped rather than read by bake as a secret without a name);
 * - `host-ips`: an extra_hosts value: brackets removed from each IP (`[::1]` → `::1`), after splitting on `,`
 *   when it came from the list form (`host=ip1,ip2`), as compose-go's HostsList does;
 * - `host-list`: a whole list-form extra_hosts one of whose host names holds a variable (`- ${H}=10.0.0.1`):
 *   the map bake reads, built when bake runs: each item cut at its first `=` (else `:`), the IPs of a host
 *   joined in the order of the items, as compose-go's HostsList does;
 * - `ssh-item`: an item of an ssh list whose ids hold references (keep-ssh.ts);
 * - `key-item`, `key-values`: an args or labels list item whose key holds references, and the whole map such a
 *   list becomes (keep-key-values.ts);
 * - `context-list`, `context-item`: a whole additional_contexts list one of whose names holds a variable, and
 *   such an item (keep-contexts.ts).
 */
import type { KeptSshItem } from "./keep-ssh";
import { keyValuesValues, type KeptKeyItem, type KeptKeyValues } from "./keep-key-values";
import type { KeptContextItem, KeptContextList } from "./keep-contexts";
import type { DiagnosticCode } from "../diagnostic-codes";

export interface KeptAttest {
  readonly kind: "form";
  readonly form: "attest";
  readonly type: "provenance" | "sbom";
  /** The value, with the tokens of its own references. */
  readonly value: string;
}

export interface KeptUnlessEmpty {
  readonly kind: "form";
  readonly form: "unless-empty";
  /** The whole entry, with tokens. */
  readonly value: string;
  /** When this comes out empty, the entry is "" (bake drops an empty list item). */
  readonly test: string;
}

export interface KeptHostIps {
  readonly kind: "form";
  readonly form: "host-ips";
  readonly value: string;
  /** From the list form: split on `,` first. */
  readonly split: boolean;
}

export interface KeptHostList {
  readonly kind: "form";
  readonly form: "host-list";
  /** The items as written, with tokens; a literal one is valid (checked when the file is generated). */
  readonly items: readonly string[];
}

export type KeptForm =
  | KeptAttest
  | KeptUnlessEmpty
  | KeptHostIps
  | KeptHostList
  | KeptSshItem
  | KeptKeyItem
  | KeptKeyValues
  | KeptContextItem
  | KeptContextList;

/** The values (holding tokens) a form reads. */
export function formValues(form: KeptForm): readonly string[] {
  switch (form.form) {
    case "unless-empty":
      return [form.value, form.test];
    case "host-list":
      return form.items;
    case "key-values":
      return keyValuesValues(form);
    case "context-list":
      return form.items.map((e) => ("item" in e ? e.item : e.value));
    default:
      return [form.value];
  }
}

/**
 * A check Compose runs on a value while decoding the project (every service, active or not), written as a bake
 * `validation`:
 * - `boolean`: `pull`, `no_cache`, `privileged` must be one of compose-go's boolean words, any case (`path` is
 *   the key's place, `services.S.build.pull`, for the message);
 * - `size`: go-units RAMInBytes must parse it (`shm_size`); `path` names the key as Compose's message does;
 * - `no-equals`: an extra_hosts list item `host:<value>` whose value holds a `=` is cut there by Compose, which
 *   then refuses the host name `host:<value up to the =>`;
 * - `not-empty`: Compose refuses the project with `message` when the value comes out empty (a secret that is
 *   not external needs a `file` or an `environment`: the value is the two joined);
 * - `host-item`: an extra_hosts list item whose host name holds a variable: it needs a `=` or `:`, and the host
 *   name before the cut must be neither empty nor hold a `:` (compose-go's decoding errors);
 * - `ssh-key`: an ssh list item (keep-ssh.ts) that comes out without `=` must be `default`;
 * - `ssh-id`: an ssh list item that a later document (a later file, or the service extending it from another file)
 *   meets as a mapping key must not come out with an empty id (`=path`): compose-go validates the merged model,
 *   where the list is a mapping already, and the schema refuses the key '' (one file alone accepts it);
 * - `unique-items`: the items of an ssh or build extra_hosts list must come out different (the schema's
 *   uniqueItems); `value` is the items joined, only for the names they read, and `path` the list's place
 *   (`services.S.build.ssh`);
 * - `arg-key`: an args list item whose key holds a variable (keep-key-values.ts): its key (up to the first `=`)
 *   must not end in white space as Go's unicode.IsSpace reads its last byte (`environment variable K  is
 * *   declared with a trailing space`);
 * - `context-item`: an additional_contexts list item (keep-contexts.ts) must come out holding a `=`;
 * - `context-name`: an additional_contexts item a later document meets as a mapping key must not come out with
 *   an empty name (`=path`), as the schema refuses the key '';
 * - `context-service`: an additional context of an active service that may come out as `service:X` (a kept item,
 *   cut at its first `=`, or a value under a literal `name`) must name an active service with a build (compose-go's
 *   project check: `service "S" declares unknown service "X" as additional contexts N`), unless a later entry of
 *   the list gives its name another value (`laterNames`, and the kept items `laterItems` once cut); `value` is
 *   `item` and `laterItems` joined, only for the names they read.
 */
export type KeptCheck =
  | { readonly rule: "boolean"; readonly value: string; readonly path: string }
  | { readonly rule: "size"; readonly value: string; readonly service: string; readonly key: string }
  | { readonly rule: "no-equals"; readonly value: string; readonly host: string }
  | { readonly rule: "not-empty"; readonly value: string; readonly message: string }
  | { readonly rule: "host-item"; readonly value: string; readonly service: string }
  | { readonly rule: "ssh-key"; readonly value: string }
  | { readonly rule: "unique-items"; readonly value: string; readonly items: readonly string[]; readonly path: string }
  | { readonly rule: "ssh-id"; readonly value: string; readonly path: string }
  | { readonly rule: "arg-key"; readonly value: string; readonly service: string }
  | { readonly rule: "context-item"; readonly value: string; readonly path: string }
  | { readonly rule: "context-name"; readonly value: string; readonly path: string }
  | {
      readonly rule: "context-service";
      readonly value: string;
      /** The context's value, or (without `name`) a whole item, cut at its first `=`. */
      readonly item: string;
      /** The context's name when it is literal. */
      readonly name?: string;
      readonly laterNames: readonly string[];
      readonly laterItems: readonly string[];
      readonly service: string;
      /** The active services, and those of them with a build, by name. */
      readonly active: readonly string[];
      readonly buildable: readonly string[];
    };

/** A KeptCheck that fails on known values: the diagnostic code and Compose's own message. */
export interface CheckProblem {
  readonly code: DiagnosticCode;
  readonly message: string;
}
