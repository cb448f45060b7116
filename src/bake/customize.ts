/**
 * The bake-side settings of compose2bake.toml applied to a converted BakeFile: target renames, attributes
 * merged into every target or into one, and extra groups. Pure: returns a new BakeFile, never changes its input.
 *
 * Order, so each step sees the names the user sees in the output:
 * 1. `[rename] old = "new"` renames targets and every reference to them (group members, `target:` contexts);
 * 2. `[target."*"]` is merged into every target, then `[target.NAME]` into NAME (its name after renaming);
 * 3. `[group.NAME]` groups are added; members must be targets or groups of the result. A group named like a
 *    generated one (`default`, a profile group) replaces it.
 *
 * Merging follows the attribute's kind (TARGET_ATTRIBUTE_KINDS): lists append, skipping values already present
 * (bake would build a repeated platform or push a repeated tag twice), maps merge by key with the setting
 * winning, strings and booleans replace. Names must match bake's `^[a-zA-Z0-9_-]+$` and a group may not take a
 * target's name (bake resolves both from one namespace). Every problem is reported, each at its TOML position.
 * Tests: test/bake/customize.test.ts.
 */
import { CompileError, type Diagnostic, type DiagnosticCode, type SourcePos } from "../diagnostics";
import { TARGET_ATTRIBUTE_KINDS, compareCodeUnits, hclString } from "./escape";
import { isMapExpression, type BakeFile, type BakeGroup, type BakeString, type BakeTarget } from "./model";
import { dict, hasOwn, own } from "../dict";

export interface BakeCustomization {
  /** Old target name → new name. */
  readonly rename?: Readonly<Record<string, string>>;
  /** Attributes by target name (after renaming); `"*"` applies to every target, before the named ones. */
  readonly targets?: Readonly<Record<string, BakeTarget>>;
  /** Groups to add (or to replace a generated group of the same name). */
  readonly groups?: Readonly<Record<string, BakeGroup>>;
  /** Where a setting was written, by its TOML path (`["target", "web", "platforms"]`), for messages. */
  readonly locate?: (path: ReadonlyArray<string | number>) => SourcePos | undefined;
}

/** Bake's rule for target and group names (buildx `bake.validateTargetName`). */
export const BAKE_NAME = /^[a-zA-Z0-9_-]+$/;

export function customizeBake(bake: BakeFile, c: BakeCustomization | undefined): BakeFile {
  if (!c) return bake;
  const errors: Diagnostic[] = [];
  const error = (code: DiagnosticCode, message: string, at: ReadonlyArray<string | number>): void => {
    errors.push({ severity: "error", code, message, pos: c.locate?.(at) });
  };

  // 1. Renames.
  const rename = new Map<string, string>();
  const renamedTo = new Map<string, string>();
  for (const [from, to] of Object.entries(c.rename ?? {})) {
    if (!hasOwn(bake.target, from)) {
      error("config-unknown-target", `rename: there is no target "${from}"${known(bake.target)}`, ["rename", from]);
    } else if (!BAKE_NAME.test(to)) {
      error("config-invalid-name", `rename: "${to}" is not a valid bake target name (letters, digits, "_" and "-")`, [
        "rename",
        from,
      ]);
    } else if (renamedTo.has(to)) {
      error("config-name-clash", `rename: "${from}" and "${renamedTo.get(to)}" are both renamed to "${to}"`, [
        "rename",
        from,
      ]);
    } else {
      rename.set(from, to);
      renamedTo.set(to, from);
    }
  }
  const newName = (n: string): string => rename.get(n) ?? n;
  for (const [from, to] of rename) {
    if (hasOwn(bake.target, to) && !rename.has(to)) {
      error("config-name-clash", `rename: "${from}" cannot be renamed to "${to}": a target of that name exists`, [
        "rename",
        from,
      ]);
    } else if (hasOwn(bake.group, to)) {
      error("config-name-clash", `rename: "${from}" cannot be renamed to "${to}": a group of that name exists`, [
        "rename",
        from,
      ]);
    }
  }

  // Null prototypes and own-property checks: a target or group may be named `constructor` or `__proto__`.
  const target = dict<BakeTarget>();
  for (const name of Object.keys(bake.target))
    target[newName(name)] = renameReferences(bake.target[name]!, newName, rename);
  const group = dict<BakeGroup>();
  for (const [name, g] of Object.entries(bake.group)) {
    group[name] = { ...g, targets: g.targets.map(newName).sort(compareCodeUnits) };
  }

  // 2. Attributes.
  const settings = c.targets ?? {};
  const all = own(settings, "*");
  if (all) for (const name of Object.keys(target)) target[name] = mergeTarget(target[name]!, all);
  for (const [name, attrs] of Object.entries(settings)) {
    if (name === "*") continue;
    const t = own(target, name);
    if (t) target[name] = mergeTarget(t, attrs);
    else
      error(
        "config-unknown-target",
        `target.${name}: there is no target "${name}"${renameHint(name, rename)}${known(target)}`,
        ["target", name],
      );
  }

  // 3. Groups.
  const extra = c.groups ?? {};
  for (const [name, g] of Object.entries(extra)) {
    if (!BAKE_NAME.test(name)) {
      error("config-invalid-name", `group "${name}" is not a valid bake group name (letters, digits, "_" and "-")`, [
        "group",
        name,
      ]);
      continue;
    }
    if (hasOwn(target, name)) {
      error("config-name-clash", `group "${name}" has the name of a target`, ["group", name]);
      continue;
    }
    g.targets.forEach((member, i) => {
      if (member === name) error("config-group-cycle", `group "${name}" lists itself`, ["group", name, "targets", i]);
      else if (!hasOwn(target, member) && !hasOwn(group, member) && !hasOwn(extra, member)) {
        error(
          "config-unknown-target",
          `group "${name}": there is no target or group "${member}"${renameHint(member, rename)}${known(target)}`,
          ["group", name, "targets", i],
        );
      }
    });
    group[name] = { ...g, targets: unique(g.targets) };
  }
  const cycle = findCycle(group, Object.keys(extra));
  if (cycle) error("config-group-cycle", `groups include each other: ${cycle.join(" → ")}`, ["group", cycle[0]!]);

  if (errors.length > 0) throw new CompileError(errors);
  return { ...bake, group, target };
}

/** `target:OLD` contexts follow the rename; everything else is kept as is. */
function renameReferences(
  t: BakeTarget,
  newName: (n: string) => string,
  rename: ReadonlyMap<string, string>,
): BakeTarget {
  if (!t.contexts) return { ...t };
  if (isMapExpression(t.contexts)) {
    // A map bake builds from an expression (kept contexts): bake looks each value up in the renames.
    if (rename.size === 0) return { ...t };
    const table = [...rename]
      .sort(([a], [b]) => compareCodeUnits(a, b))
      .map(([from, to]) => `${hclString(`target:${from}`)} = ${hclString(`target:${to}`)}`);
    const expr = `{ for k, v in ${hclString(t.contexts)} : k => lookup({ ${table.join(", ")} }, v, v) }`;
    return { ...t, contexts: { template: [{ expr }] } };
  }
  const contexts = dict<BakeString>();
  for (const [k, v] of Object.entries(t.contexts)) {
    contexts[k] = typeof v === "string" && v.startsWith("target:") ? `target:${newName(v.slice("target:".length))}` : v;
  }
  return { ...t, contexts };
}

/** Merges `attrs` into a copy of `t` by attribute kind: lists append (no repeats), maps by key, scalars replace. */
export function mergeTarget(t: BakeTarget, attrs: BakeTarget): BakeTarget {
  const out: Record<string, unknown> = { ...t };
  for (const key of Object.keys(attrs) as Array<keyof BakeTarget>) {
    const value = attrs[key];
    if (value === undefined) continue;
    switch (TARGET_ATTRIBUTE_KINDS[key]) {
      case "list":
        out[key] = uniqueBake([...((t[key] as BakeString[] | undefined) ?? []), ...(value as BakeString[])]);
        break;
      case "map": {
        const base = t[key];
        if (base !== undefined && isMapExpression(base as Record<string, BakeString> | BakeString)) {
          // A map bake builds from an expression (a kept extra-hosts): bake merges it, these keys last.
          const added = Object.entries(value as Record<string, BakeString>).map(
            ([k, v]) => `${hclString(k)} = ${hclString(v)}`,
          );
          out[key] = { template: [{ expr: `merge(${hclString(base as BakeString)}, { ${added.join(", ")} })` }] };
          break;
        }
        out[key] = dict([
          ...Object.entries((t[key] as Record<string, BakeString> | undefined) ?? {}),
          ...Object.entries(value as Record<string, BakeString>),
        ]);
        break;
      }
      default:
        out[key] = value;
    }
  }
  return out as BakeTarget;
}

function uniqueBake(values: readonly BakeString[]): BakeString[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const id = typeof v === "string" ? "s" + v : "t" + JSON.stringify(v);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function known(targets: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(targets).sort(compareCodeUnits);
  return names.length > 0 ? ` (targets: ${names.join(", ")})` : " (there are no targets)";
}

function renameHint(name: string, rename: ReadonlyMap<string, string>): string {
  const to = rename.get(name);
  return to !== undefined ? `; it is renamed to "${to}" by [rename], use the new name` : "";
}

/**
 * A cycle through the given groups, as a list of names (first repeated at the end), or undefined. A depth-first
 * search with an explicit stack, so that a long chain of groups cannot overflow the call stack.
 */
function findCycle(group: Readonly<Record<string, BakeGroup>>, roots: readonly string[]): string[] | undefined {
  const state = new Map<string, "active" | "done">();
  for (const root of [...roots].sort(compareCodeUnits)) {
    if (state.has(root) || !hasOwn(group, root)) continue;
    // Each frame: a group on the current path and the index of its next member to visit.
    const path: Array<{ name: string; next: number }> = [{ name: root, next: 0 }];
    state.set(root, "active");
    while (path.length > 0) {
      const frame = path[path.length - 1]!;
      const members = group[frame.name]!.targets;
      if (frame.next >= members.length) {
        state.set(frame.name, "done");
        path.pop();
        continue;
      }
      const member = members[frame.next++]!;
      if (member === frame.name) continue; // reported on its own
      const s = state.get(member);
      if (s === "active") {
        const names = path.map((f) => f.name);
        return [...names.slice(names.indexOf(member)), member];
      }
      if (s === "done" || !hasOwn(group, member)) continue;
      state.set(member, "active");
      path.push({ name: member, next: 0 });
    }
  }
  return undefined;
}
