/**
 * Profiles and the consistency checks compose-go runs on the active services after loading
 * (compose-loading-reference.md §9, §13.2), limited to what concerns a build.
 */
import { hasOwn, own } from "../dict";
import { fail } from "../diagnostics";
import type { ComposeBuild, ComposeProject, PositionTable } from "./model";
import { contextItemOf, keptContextList, replaceableContextNames } from "./keep-contexts-canonical";
import type { PlainMap } from "./yaml";
import { checkDockerfileConflict } from "./normalize-build";
import { hasToken } from "./keep-token";
import { placeOf } from "./positions";
import type { Judged } from "./written";

const ACTIVE_SERVICES = new WeakMap<ComposeProject, { active: string[]; buildable: string[] }>();

/** The names of the enabled services, and of those with a build: once per project, only when a check needs them. */
function activeServices(project: ComposeProject): { active: string[]; buildable: string[] } {
  let found = ACTIVE_SERVICES.get(project);
  if (!found) {
    const services = Object.values(project.services).filter((s) => s.active);
    found = { active: services.map((s) => s.name), buildable: services.filter((s) => s.build).map((s) => s.name) };
    ACTIVE_SERVICES.set(project, found);
  }
  return found;
}

/**
 * Keep mode: the additional contexts of an active service that may come out as `service:X` only when bake runs (a
 * kept item, cut at its first `=`; a kept value under a literal name; a literal one a later kept item may replace)
 * get compose-go's check that X is an active service with a build, as a bake validation (keep-forms.ts
 * `context-service`; fuzz keep seed 9612). Returns the literal names it took over from the check made now (those a
 * later kept item may replace).
 */
function keepContextServiceChecks(project: ComposeProject, service: string, build: ComposeBuild): Set<string> {
  const kept = project.kept!;
  const check = (item: string, name: string | undefined, laterNames: string[], laterItems: string[]) => {
    const { active, buildable } = activeServices(project);
    kept.checks.push({
      rule: "context-service",
      value: [item, ...laterItems].join(""),
      item,
      ...(name === undefined ? {} : { name }),
      laterNames,
      laterItems,
      service,
      active,
      buildable,
    });
  };
  // A value's raw text (a kept path's own value), when its written text may start `service:` (`${D}`,
  // `service:${S}`, `service:x`; not `./${D}`).
  const serviceLike = (value: string): string | undefined => {
    const pieces = kept.split(value);
    const only = pieces.length === 1 ? pieces[0] : undefined;
    const raw = typeof only === "object" && only.kind === "path" ? only.value : value;
    const lead = kept.split(raw)[0];
    const text = typeof lead === "string" ? lead : "";
    return text.startsWith("service:") || "service:".startsWith(text) ? raw : undefined;
  };
  const list = keptContextList(kept, build.additional_contexts_kept);
  const replaceable = replaceableContextNames(list);
  if (!list) {
    for (const [name, value] of Object.entries(build.additional_contexts)) {
      const raw = hasToken(value) ? serviceLike(value) : undefined;
      if (raw !== undefined) check(raw, name, [], []);
    }
    return replaceable;
  }
  // The entries in order: a later entry of the same name (known now, or when bake cuts a kept item) wins.
  list.items.forEach((entry, i) => {
    const later = list.items.slice(i + 1);
    const laterNames = later.flatMap((e) => ("name" in e ? [e.name] : []));
    const laterItems = later.flatMap((e) => ("item" in e ? [contextItemOf(kept, e.item).value] : []));
    if ("item" in entry) {
      check(contextItemOf(kept, entry.item).value, undefined, laterNames, laterItems);
      return;
    }
    if (laterNames.includes(entry.name) || (!hasToken(entry.value) && !replaceable.has(entry.name))) return;
    const raw = serviceLike(entry.value);
    if (raw !== undefined) check(raw, entry.name, laterNames, laterItems);
  });
  return replaceable;
}

/**
 * Enabled profiles: the requested ones plus the profiles of every service named on the command line
 * (compose-go's WithServicesEnabled), so naming a service turns on its profiles.
 */
export function selectProfiles(
  requested: readonly string[],
  selectedServices: readonly string[],
  services: ReadonlyMap<string, { readonly profiles: readonly string[] }>,
): string[] {
  const enabled = [...new Set(requested)];
  for (const name of selectedServices) {
    const service = services.get(name);
    if (!service) fail("no-such-service", `no such service: ${name}`);
    for (const p of service.profiles) if (!enabled.includes(p)) enabled.push(p);
  }
  return enabled;
}

export function checkProject(project: ComposeProject): void {
  const pos = (p: string) => project.positions.get(p);
  for (const service of Object.values(project.services)) {
    if (!service.active) continue;
    const at = `services.${service.name}`;
    if (!service.build) {
      if (service.image === undefined) {
        fail(
          "no-image-or-build",
          `service "${service.name}" has neither an image nor a build context specified`,
          pos(at),
        );
      }
      continue;
    }
    const build = service.build;
    checkDockerfileConflict(build, service.name, project.positions);
    build.secrets.forEach((secret, i) => {
      if (!hasOwn(project.secrets, secret.source)) {
        fail(
          "undefined-secret",
          `service "${service.name}" refers to undefined build secret ${secret.source}`,
          pos(`${at}.build.secrets.${i}`) ?? pos(`${at}.build.secrets`),
        );
      }
    });
    const checkedByBake = project.kept ? keepContextServiceChecks(project, service.name, build) : undefined;
    for (const [key, value] of Object.entries(build.additional_contexts)) {
      // A value holding a kept reference, or one a later kept item may replace, is checked by bake.
      if (hasToken(value) || checkedByBake?.has(key) || !value.startsWith("service:")) continue;
      const ref = value.slice("service:".length);
      const target = own(project.services, ref);
      // Looked up only for an error: positions are built on first use (yaml/walk.ts).
      const where = () => pos(`${at}.build.additional_contexts.${key}`) ?? pos(`${at}.build.additional_contexts`);
      if (!target || !target.active) {
        fail(
          "unknown-context-service",
          `service "${service.name}" declares unknown service "${ref}" as additional contexts ${key}`,
          where(),
        );
      }
      if (!target.build) {
        fail(
          "non-buildable-context-service",
          `service "${service.name}" declares non-buildable service "${ref}" as additional contexts ${key}`,
          where(),
        );
      }
    }
    if (service.platform && build.platforms.length > 0 && !build.platforms.includes(service.platform)) {
      const message = `service.build.platforms MUST include service.platform "${service.platform}"`;
      // In keep mode a platform list or a service platform holding a variable reference is checked by bake, with
      // Compose's message; Compose checks only a non-empty service platform.
      const kept = project.kept;
      if (kept && hasToken(service.platform)) {
        kept.platformChecks.push({
          values: build.platforms,
          expected: service.platform,
          unlessEmpty: service.platform,
          message,
        });
        continue;
      }
      const withTokens = build.platforms.filter(hasToken);
      if (kept && withTokens.length > 0) {
        kept.platformChecks.push({ values: withTokens, expected: service.platform, message });
        continue;
      }
      fail("platform-conflict", message, pos(`${at}.platform`));
    }
  }
  // loader/validate.go, after the services: a secret that is not external needs a file or a variable name, used
  // or not. In keep mode a name holding a reference is checked by bake.
  for (const [name, secret] of Object.entries(project.secrets)) {
    if (secret.external) continue;
    const message = `secret "${name}" must declare either \`file\` or \`environment\`: invalid compose project`;
    // A `file:` is never empty once resolved (an empty one is the declaring file's folder, paths.ts): only a
    // variable name can come out empty.
    if (secret.file !== undefined) continue;
    const source = secret.environment ?? "";
    if (project.kept && hasToken(source)) project.kept.checks.push({ rule: "not-empty", value: source, message });
    else if (source === "") fail("secret-source", message, pos(`secrets.${name}`));
  }
}

interface Dependency {
  readonly name: string;
  /** `required: false` lets the dependency be a service that profiles disabled. */
  readonly required: boolean;
  readonly at: string;
}

/**
 * `depends_on` as a list of names or a mapping of name → {condition, required, restart}, then what compose-go's
 * Normalize adds to it (loader/normalize.go): each `links` entry (`name` or `name:alias`; with more colons the
 * whole entry), each `service:name` of network_mode, ipc, pid, uts, cgroup and each `volumes_from` service (not
 * `container:x`; the part before a `:`), required, unless already there.
 */
function dependencies(raw: PlainMap, at: string, judged: Judged): Dependency[] {
  const v = raw.depends_on;
  let out: Dependency[] = [];
  if (Array.isArray(v)) {
    // An entry written with a variable is not judged in keep mode (written.ts): it names a service once bake runs.
    out = v.flatMap((item, i) =>
      typeof item === "string" && judged(`${at}.depends_on.${i}`)
        ? [{ name: item, required: true, at: `${at}.depends_on.${i}` }]
        : [],
    );
  } else if (typeof v === "object" && v !== null) {
    out = Object.entries(v).map(([name, d]) => {
      const required = typeof d === "object" && d !== null && !Array.isArray(d) ? d.required : undefined;
      const off =
        required === false ||
        (typeof required === "string" && ["false", "n", "no", "off"].includes(required.toLowerCase()));
      return { name, required: !off, at: `${at}.depends_on.${name}` };
    });
  }
  const named = new Set(out.map((d) => d.name));
  const add = (name: string, place: string) => {
    if (named.has(name) || hasToken(name) || !judged(`${at}.${place}`)) return;
    named.add(name);
    out.push({ name, required: true, at: `${at}.${place}` });
  };
  const links = raw.links;
  if (Array.isArray(links)) {
    links.forEach((link, i) => {
      if (typeof link !== "string") return;
      const parts = link.split(":");
      add(parts.length === 2 ? parts[0]! : link, `links.${i}`);
    });
  }
  for (const key of ["network_mode", "ipc", "pid", "uts", "cgroup"]) {
    const ref = raw[key];
    if (typeof ref === "string" && ref.startsWith("service:")) add(ref.slice("service:".length), key);
  }
  const volumesFrom = raw.volumes_from;
  if (Array.isArray(volumesFrom)) {
    volumesFrom.forEach((v, i) => {
      if (typeof v === "string" && !v.startsWith("container:")) add(v.split(":", 1)[0]!, `volumes_from.${i}`);
    });
  }
  return out;
}

/**
 * compose-go's checks of `depends_on` once profiles are applied (types/project.go WithSelectedServices,
 * loader/validate.go, graph.go), with its messages:
 * - a service named on the command line pulls in what it depends on, which must be active: `no such service: db`;
 * - every active service may only depend on active services (a `required: false` dependency on a service that
 *   profiles disabled is dropped): `service "web" depends on undefined service "db": invalid compose project`;
 * - no cycles: `dependency cycle detected: a -> b -> a`, searched from the services in name order.
 */
export function checkDependencies(
  services: ReadonlyMap<string, { readonly raw: PlainMap; readonly active: boolean }>,
  selected: readonly string[],
  positions: PositionTable,
  judged: Judged = () => true,
): void {
  const deps = (name: string) => dependencies(services.get(name)!.raw, `services.${name}`, judged);
  const seen = new Set<string>(selected);
  const queue = [...selected];
  while (queue.length > 0) {
    for (const d of deps(queue.shift()!)) {
      const target = services.get(d.name);
      if (target?.active) {
        if (!seen.has(d.name)) {
          seen.add(d.name);
          queue.push(d.name);
        }
      } else if (target === undefined || d.required) {
        fail("no-such-service", `no such service: ${d.name}`, positions.get(d.at));
      }
    }
  }
  const edges = new Map<string, string[]>();
  for (const [name, service] of services) {
    if (!service.active) continue;
    const children: string[] = [];
    for (const d of deps(name)) {
      const target = services.get(d.name);
      if (target?.active) children.push(d.name);
      else if (target === undefined || d.required) {
        fail(
          "undefined-dependency",
          `service "${name}" depends on undefined service "${d.name}": invalid compose project`,
          positions.get(d.at),
        );
      }
    }
    edges.set(name, [...new Set(children)].sort());
  }
  // Depth-first, in the same order as compose-go, with an explicit stack (a chain of thousands of services must
  // not overflow the call stack) and each finished service skipped afterwards (everything it reaches was searched
  // without finding a cycle, so searching it again finds none: this keeps the first cycle found and makes the
  // search linear instead of exponential in the number of paths).
  const done = new Set<string>();
  for (const root of [...edges.keys()].sort()) {
    if (done.has(root)) continue;
    const trail: string[] = [root];
    const next: number[] = [0];
    const onTrail = new Set<string>([root]);
    while (trail.length > 0) {
      const top = trail[trail.length - 1]!;
      const children = edges.get(top) ?? [];
      const i = next[next.length - 1]!;
      if (i >= children.length) {
        done.add(top);
        onTrail.delete(top);
        trail.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const child = children[i]!;
      if (onTrail.has(child)) {
        const at = `services.${top}.depends_on`;
        fail(
          "dependency-cycle",
          `dependency cycle detected: ${[...trail.slice(trail.indexOf(child)), child].join(" -> ")}`,
          placeOf(positions, at),
        );
      }
      if (done.has(child)) continue;
      trail.push(child);
      next.push(0);
      onTrail.add(child);
    }
  }
}
