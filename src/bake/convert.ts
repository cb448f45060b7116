/**
 * ComposeProject → BakeFile, with Docker Compose's semantics for every build key
 * (compose-build-bake-reference.md §1–§6, written from docker/compose `build_bake.go`), except where we
 * deliberately differ for a file that is committed and reviewed; each difference is listed in the README:
 * - paths are relative to the output file's folder (Compose writes absolute ones);
 * - `dockerfile` stays relative to the context, as written;
 * - no `com.docker.compose.*` labels and no `output`, which Compose adds for its own run;
 * - tags are de-duplicated; lists Compose leaves in Go map order are sorted;
 * - `provenance: false` / `sbom: false` become disabled attestations so bake's defaults cannot switch them on;
 * - one extra group per profile, and a target for every service with `build` whatever the active profiles.
 * This file picks the services that get a target and writes the groups; target.ts converts each build key.
 */
import type { DiagnosticBag } from "../diagnostics";
import type { ComposeBuild, ComposeProject, ComposeService } from "../compose/model";
import type { BakeFile, BakeGroup, BakeTarget } from "./model";
import { compareCodeUnits } from "./escape";
import { TargetConverter, type ConvertOptions } from "./target";
import { applyKeptVariables } from "./variables";
import { dict, hasOwn, own } from "../dict";
import { keptContextList, replaceableContextNames } from "../compose/keep-contexts-canonical";

export { csvRecord, type ConvertOptions } from "./target";

/**
 * The whole conversion. In keep mode (`project.kept`) the kept references become bake variables here too, so what
 * comes out is a finished bake file with no keep token left in it, whichever stage API the caller uses.
 */
export function convertProject(project: ComposeProject, options: ConvertOptions, diagnostics: DiagnosticBag): BakeFile {
  const buildable = Object.values(project.services)
    .filter((s): s is ComposeService & { build: ComposeBuild } => s.build !== undefined)
    .sort((a, b) => compareCodeUnits(a.name, b.name));
  const names = targetNames(buildable.map((s) => s.name));
  const ctx = new TargetConverter(project, options, diagnostics, names);

  const target = dict<BakeTarget>();
  const converted = new Set<string>();
  for (const service of buildable) {
    if (service.active) ctx.checkDefaultPlatform(service);
    if (!service.active && !ctx.usableWhenInactive(service)) continue;
    target[names.get(service.name)!] = ctx.convertService(service);
    converted.add(service.name);
  }

  const group = dict<BakeGroup>();
  const inFile = (n: string): boolean => hasOwn(target, n);
  group.default = { targets: sortedTargets(defaultServices(project, buildable), names).filter(inFile) };
  const profiles = new Set(buildable.flatMap((s) => s.profiles));
  for (const profile of [...profiles].sort(compareCodeUnits)) {
    const members = buildable.filter((s) => s.profiles.includes(profile) && converted.has(s.name));
    const groupName = profile;
    if (groupName === "default" || hasOwn(target, groupName) || !/^[a-zA-Z0-9_-]+$/.test(groupName)) {
      diagnostics.warn(
        "profile-group-skipped",
        `no bake group for profile "${profile}": the name is not a valid bake group name or is already used by a target or the default group`,
      );
      continue;
    }
    group[groupName] = {
      targets: sortedTargets(
        closure(
          project,
          members.map((s) => s.name),
        ),
        names,
      ).filter(inFile),
    };
  }
  const bake: BakeFile = { variable: dict(), group, target };
  if (!project.kept) return bake;
  // COMPOSE_PROJECT_NAME is the project name for Compose, whatever the environment says: write it as text.
  // Included projects' env files are not listed: their values are the defaults of the variables they set.
  return applyKeptVariables(bake, project.kept, diagnostics, project.envFileVariables, {
    COMPOSE_PROJECT_NAME: project.name,
  });
}

/** Compose's target naming: `.` → `_`, then `_` appended until the name is free, in sorted service order. */
export function targetNames(serviceNames: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  const names = new Map<string, string>();
  for (const service of [...serviceNames].sort(compareCodeUnits)) {
    let name = service.replace(/\./g, "_");
    while (taken.has(name)) name += "_";
    taken.add(name);
    names.set(service, name);
  }
  return names;
}

/** What `docker compose build [SERVICE...]` builds: the named (or all active) services plus their `service:` contexts. */
function defaultServices(
  project: ComposeProject,
  buildable: ReadonlyArray<ComposeService & { build: ComposeBuild }>,
): string[] {
  const roots =
    project.selectedServices.length > 0
      ? project.selectedServices.filter((n) => own(project.services, n)?.build !== undefined)
      : buildable.filter((s) => s.active).map((s) => s.name);
  return closure(project, roots);
}

function closure(project: ComposeProject, roots: readonly string[]): string[] {
  // A work list, not recursion: a chain of thousands of `service:` contexts must not overflow the stack.
  const seen = new Set<string>();
  const queue = [...roots];
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i]!;
    if (seen.has(name)) continue;
    seen.add(name);
    const build = own(project.services, name)?.build;
    if (!build) continue;
    // A literal context that a later kept item may replace is known only when bake runs; where it stands, bake's
    // validation refuses a service that is not active (compose/validate.ts), so it adds nothing here. (With
    // services named on the command line Compose would pull it in where it stands: a group cannot say that.)
    const replaceable = project.kept
      ? replaceableContextNames(keptContextList(project.kept, build.additional_contexts_kept))
      : undefined;
    for (const [key, value] of Object.entries(build.additional_contexts)) {
      if (value.startsWith("service:") && !replaceable?.has(key)) queue.push(value.slice("service:".length));
    }
  }
  return [...seen];
}

function sortedTargets(services: readonly string[], names: ReadonlyMap<string, string>): string[] {
  return services
    .map((s) => names.get(s))
    .filter((n): n is string => n !== undefined)
    .sort(compareCodeUnits);
}
