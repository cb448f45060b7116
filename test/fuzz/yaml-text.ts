/**
 * A tiny block-style YAML writer for the fuzzer's projects. The `yaml` package could write the documents too,
 * but the fuzzer needs exact control over what a human would write and what the tools must parse: anchors on any
 * node, aliases and `<<` merge keys, `!reset`/`!override` tags, and plain scalars that YAML types (`true`, `1.0`,
 * `0x1F`, `~`) beside quoted strings.
 */

export type YNode =
  /** A scalar exactly as written: a plain scalar (`true`, `1.0`, `null`) or an already quoted one. */
  | { readonly t: "raw"; readonly text: string; readonly tag?: string }
  | {
      readonly t: "map";
      readonly entries: ReadonlyArray<readonly [string, YNode]>;
      readonly anchor?: string;
      readonly tag?: string;
    }
  | { readonly t: "list"; readonly items: readonly YNode[]; readonly anchor?: string; readonly tag?: string }
  | { readonly t: "alias"; readonly name: string };

/** A string, double-quoted (a JSON string is a valid YAML double-quoted scalar). */
export const str = (s: string): YNode => ({ t: "raw", text: JSON.stringify(s) });
export const raw = (text: string, tag?: string): YNode => (tag ? { t: "raw", text, tag } : { t: "raw", text });
export const map = (
  entries: ReadonlyArray<readonly [string, YNode]>,
  extra: { anchor?: string; tag?: string } = {},
): YNode => ({
  t: "map",
  entries,
  ...extra,
});
export const list = (items: readonly YNode[], extra: { anchor?: string; tag?: string } = {}): YNode => ({
  t: "list",
  items,
  ...extra,
});
export const alias = (name: string): YNode => ({ t: "alias", name });

/** A mapping key: plain when it cannot be read as anything but that string, else double-quoted. */
function key(k: string): string {
  if (k === "<<") return k;
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(k)
    ? k
    : JSON.stringify(k);
}

function props(n: { anchor?: string; tag?: string }): string {
  return [n.anchor ? `&${n.anchor}` : "", n.tag ?? ""].filter((x) => x !== "").join(" ");
}

function inline(n: YNode): string | undefined {
  if (n.t === "raw") return n.tag ? `${n.tag} ${n.text}` : n.text;
  if (n.t === "alias") return `*${n.name}`;
  const p = props(n);
  if (n.t === "map" && n.entries.length === 0) return `${p ? p + " " : ""}{}`;
  if (n.t === "list" && n.items.length === 0) return `${p ? p + " " : ""}[]`;
  return undefined;
}

function block(n: YNode, indent: string): string[] {
  const lines: string[] = [];
  if (n.t === "map") {
    for (const [k, v] of n.entries) {
      const one = inline(v);
      if (one !== undefined) lines.push(`${indent}${key(k)}: ${one}`);
      else {
        const p = props(v as { anchor?: string; tag?: string });
        lines.push(`${indent}${key(k)}:${p ? " " + p : ""}`);
        lines.push(...block(v, indent + "  "));
      }
    }
  } else if (n.t === "list") {
    for (const item of n.items) {
      const one = inline(item);
      if (one !== undefined) lines.push(`${indent}- ${one}`);
      else {
        const p = props(item as { anchor?: string; tag?: string });
        lines.push(`${indent}-${p ? " " + p : ""}`);
        lines.push(...block(item, indent + "  "));
      }
    }
  }
  return lines;
}

/** One YAML document for a top-level mapping. */
export function yamlDocument(root: YNode): string {
  return block(root, "").join("\n") + "\n";
}
