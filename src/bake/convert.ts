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
 */
import * as path from "node:path";
import { fail, type DiagnosticBag, type SourcePos } from "../diagnostics";
import type { ComposeBuild, ComposeProject, ComposeService } from "../compose/model";
import type { BakeFile, BakeGroup, BakeString, BakeTarget } from "./model";
import { applyXBake, uniqueBy } from "./x-bake";
import { compareCodeUnits } from "./escape";
import { isTrue } from "../compose/environment";
import { hasToken } from "../compose/keep";
import { dict, dictCopy, hasOwn, own } from "../dict";

/** Compose's variable-name syntax: what a value-less arg's name must be to stay a bake variable reference. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ConvertOptions {
  /** Folder that relative paths in the output are relative to (the output file's folder, or the cwd on stdout). */
  readonly outputDir: string;
  /** Write absolute local paths, like `docker compose build --print`. */
  readonly absolutePaths?: boolean;
}

export function convertProject(project: ComposeProject, options: ConvertOptions, diagnostics: DiagnosticBag): BakeFile {
  const buildable = Object.values(project.services)
    .filter((s): s is ComposeService & { build: ComposeBuild } => s.build !== undefined)
    .sort((a, b) => compareCodeUnits(a.name, b.name));
  const names = targetNames(buildable.map((s) => s.name));
  const ctx = new ConvertContext(project, options, diagnostics, names);

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
    group[groupName] = { targets: sortedTargets(closure(project, members.map((s) => s.name)), names).filter(inFile) };
  }
  return { variable: dict(), group, target };
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
function defaultServices(project: ComposeProject, buildable: ReadonlyArray<ComposeService & { build: ComposeBuild }>): string[] {
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
    for (const value of Object.values(build.additional_contexts)) {
      if (value.startsWith("service:")) queue.push(value.slice("service:".length));
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

class ConvertContext {
  constructor(
    readonly project: ComposeProject,
    readonly options: ConvertOptions,
    readonly diagnostics: DiagnosticBag,
    readonly names: ReadonlyMap<string, string>,
  ) {}

  pos(p: string): SourcePos | undefined {
    return this.project.positions.get(p);
  }

  /**
   * Compose does not check inactive services, so a problem there must not fail the run: such a service
   * gets no target (with a warning) instead.
   */
  usableWhenInactive(service: ComposeService & { build: ComposeBuild }): boolean {
    const problems: string[] = [];
    if (service.build.dockerfile !== undefined && service.build.dockerfile_inline !== undefined) problems.push("both dockerfile and dockerfile_inline");
    for (const s of service.build.secrets) if (!hasOwn(this.project.secrets, s.source)) problems.push(`undefined build secret ${s.source}`);
    for (const v of Object.values(service.build.additional_contexts)) {
      if (!v.startsWith("service:")) continue;
      const ref = own(this.project.services, v.slice("service:".length));
      if (!ref?.build) problems.push(`unknown or non-buildable service ${v}`);
    }
    if (problems.length === 0) return true;
    this.diagnostics.warn(
      "inactive-service-skipped",
      `service "${service.name}" is not enabled by the active profiles and cannot be converted (${problems.join(", ")}); it gets no target`,
      this.pos(`services.${service.name}`),
    );
    return false;
  }

  /**
   * docker compose 2.40's applyPlatforms: when DOCKER_DEFAULT_PLATFORM is set, an active service's platforms
   * (`build.platforms`, else its `platform`, which compose-go copies there) must include it, whatever the
   * service's own `platform` says; checked by test/realtools/differential.test.ts.
   */
  checkDefaultPlatform(service: ComposeService & { build: ComposeBuild }): void {
    const fromEnv = this.project.environment.DOCKER_DEFAULT_PLATFORM;
    const platforms = service.build.platforms.length > 0 ? service.build.platforms : service.platform ? [service.platform] : [];
    if (!fromEnv || platforms.length === 0 || platforms.includes(fromEnv)) return;
    const message = `service "${service.name}" build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: ${fromEnv}`;
    // In keep mode a platform list holding a variable reference is checked by bake, with Compose's message.
    const kept = this.project.kept;
    const withTokens = platforms.filter(hasToken);
    if (kept && withTokens.length > 0) {
      // A kept service platform that comes out empty gives no platform, and nothing to check.
      const fromService = service.build.platforms.length === 0 ? { unlessEmpty: service.platform! } : {};
      kept.platformChecks.push({ values: withTokens, expected: fromEnv, message, ...fromService });
      return;
    }
    fail(
      "default-platform-conflict",
      message,
      this.pos(`services.${service.name}.${service.build.platforms.length > 0 ? "build.platforms" : "platform"}`) ??
        this.pos(`services.${service.name}.build`),
    );
  }

  convertService(service: ComposeService & { build: ComposeBuild }): BakeTarget {
    const b = service.build;
    const at = `services.${service.name}.build`;
    const t: BakeTarget = {};
    t.context = this.contextPath(b.context);
    const contexts = this.contexts(b);
    if (contexts) t.contexts = contexts;
    if (b.dockerfile !== undefined) t.dockerfile = this.dockerfile(b);
    if (b.dockerfile_inline !== undefined) t["dockerfile-inline"] = b.dockerfile_inline;
    if (Object.keys(b.args).length > 0) t.args = dictCopy(b.args);
    if (t.args) this.dropUnreadableArgs(t.args, at);
    if (t.args && Object.keys(t.args).length === 0) delete t.args;
    if (Object.keys(b.labels).length > 0) t.labels = dictCopy(b.labels);
    t.tags = uniqueBy([...b.tags, this.imageName(service)], this.valueKey);
    if (b.cache_from.length > 0) t["cache-from"] = [...b.cache_from];
    if (b.cache_to.length > 0) t["cache-to"] = [...b.cache_to];
    if (b.target !== undefined) t.target = b.target;
    const secrets = this.secrets(service, at);
    if (secrets.length > 0) t.secret = secrets;
    if (b.ssh.length > 0) t.ssh = this.ssh(b, at);
    const platforms = b.platforms.length > 0 ? [...b.platforms] : this.defaultPlatform(service);
    if (platforms.length > 0) t.platforms = platforms;
    const pull = this.boolean(b.pull, `${at}.pull`);
    if (pull !== undefined) t.pull = pull;
    const noCache = this.boolean(b.no_cache, `${at}.no_cache`);
    if (noCache !== undefined) t["no-cache"] = noCache;
    if (b.network !== undefined) t.network = b.network;
    if (b.no_cache_filter.length > 0) t["no-cache-filter"] = [...b.no_cache_filter];
    if (b.shm_size !== undefined) t["shm-size"] = String(b.shm_size);
    const ulimits = Object.keys(b.ulimits)
      .sort(compareCodeUnits)
      .map((name) => {
        const u = b.ulimits[name]!;
        return u.single !== undefined ? `${name}=${u.single}` : `${name}=${u.soft}:${u.hard}`;
      });
    if (ulimits.length > 0) t.ulimits = ulimits;
    const privileged = b.privileged === true || b.entitlements.includes("security.insecure") ? "security.insecure" : this.boolean(b.privileged, `${at}.privileged`, "security.insecure");
    const entitlements = unique([...b.entitlements, ...(typeof privileged === "string" ? [privileged] : [])]);
    if (entitlements.length > 0) t.entitlements = entitlements;
    const hosts = Object.keys(b.extra_hosts);
    if (hosts.length > 0) {
      t["extra-hosts"] = dict(hosts.map((h) => [h, b.extra_hosts[h]!.join(",")]));
    }
    const attest = [attestation("provenance", b.provenance), attestation("sbom", b.sbom)].filter((a): a is string => a !== undefined);
    if (attest.length > 0) t.attest = attest;
    if (b.isolation !== undefined) {
      this.diagnostics.warn("unsupported-isolation", `${at}.isolation has no bake equivalent and is ignored`, this.pos(`${at}.isolation`));
    }
    const xBake = b.extensions["x-bake"];
    if (xBake !== undefined) {
      applyXBake(t, xBake, { path: `${at}.x-bake`, pos: (p) => this.pos(p), diagnostics: this.diagnostics, names: this.names, valueKey: this.valueKey });
    }
    return t;
  }

  /**
   * A boolean build key: true, or (keep mode) a value holding variables that bake reads as a boolean, or
   * `whenTrue` when it is true (a list item); undefined when false or absent (bake's default).
   */
  boolean(value: boolean | string | undefined, at: string): true | string | undefined;
  boolean(value: boolean | string | undefined, at: string, whenTrue: string): string | undefined;
  boolean(value: boolean | string | undefined, at: string, whenTrue?: string): true | string | undefined {
    if (typeof value !== "string") return value === true ? true : undefined;
    const kept = this.project.kept;
    if (!kept) throw new Error(`internal error: ${at} holds keep tokens outside keep mode`);
    return kept.boolean(value, at, whenTrue);
  }

  /**
   * What a string says, for de-duplication: in keep mode every `${…}` is its own token, so two copies of
   * `app:${TAG:-latest}` differ as strings; here each token is replaced by the reference it stands for. Keys are
   * prefixed by their kind so that no plain string can equal the key of a string with references.
   */
  readonly valueKey = (s: string): string => {
    const kept = this.project.kept;
    if (!kept || !hasToken(s)) return "s" + s;
    const pieces = kept.split(s).map((piece) => (typeof piece === "string" ? piece : JSON.parse(JSON.stringify(piece, referenceFields)) as unknown));
    return "r" + JSON.stringify(pieces);
  };

  /**
   * In keep mode a value-less arg is a reference to the variable it names, as compose-go looks the name up in
   * the environment. A name that is not a variable name (`my.arg`, `A-B`, `upper("x")`) cannot be one: HCL would
   * read it as an expression, and no bake variable has it. Such an arg is dropped, as Compose drops it when no
   * variable of that name is set. (The position is the `args` key: in list form an item's path is its index.)
   */
  dropUnreadableArgs(args: Record<string, BakeString>, at: string): void {
    const kept = this.project.kept;
    if (!kept) return;
    const dropped: string[] = [];
    for (const key of Object.keys(args)) {
      const value = args[key];
      if (typeof value !== "string" || !hasToken(value)) continue;
      const pieces = kept.split(value);
      const only = pieces.length === 1 ? pieces[0] : undefined;
      if (typeof only !== "object" || only.kind !== undefined || !only.valueless || VARIABLE_NAME.test(only.part.name)) continue;
      delete args[key];
      dropped.push(JSON.stringify(key));
    }
    if (dropped.length === 0) return;
    // One warning for the `args` key, naming them all: warnings are printed once per place (collapseRepeats).
    const [what, verb] = dropped.length === 1 ? ["build arg", "has"] : ["build args", "have"];
    this.diagnostics.warn(
      "valueless-arg-dropped",
      `${what} ${dropped.join(", ")} ${verb} no value and ${dropped.length === 1 ? "its name is not a variable name" : "their names are not variable names"} bake can read; ${dropped.length === 1 ? "it is" : "they are"} dropped, as docker compose drops ${dropped.length === 1 ? "it" : "them"} when no variable of that name is set`,
      this.pos(`${at}.args`) ?? this.pos(at),
    );
  }

  /** Local paths relative to the output folder (or absolute on request); remote contexts unchanged. */
  localPath(abs: string): string {
    if (this.options.absolutePaths) return abs;
    const rel = path.relative(this.options.outputDir, abs);
    return rel === "" ? "." : rel.split(path.sep).join("/");
  }

  contextPath(context: string): string {
    return path.isAbsolute(context) ? this.localPath(context) : context;
  }

  dockerfile(b: ComposeBuild): string {
    const dockerfile = b.dockerfile!;
    // With --absolute-paths, match Compose: the Dockerfile joined onto a local context.
    if (this.options.absolutePaths && path.isAbsolute(b.context) && !path.isAbsolute(dockerfile)) {
      return path.join(b.context, dockerfile);
    }
    return dockerfile;
  }

  contexts(b: ComposeBuild): Record<string, BakeString> | undefined {
    const keys = Object.keys(b.additional_contexts);
    if (keys.length === 0) return undefined;
    const out = dict<BakeString>();
    for (const key of keys) {
      const value = b.additional_contexts[key]!;
      if (value.startsWith("service:")) out[key] = `target:${this.names.get(value.slice("service:".length)) ?? value.slice(8)}`;
      else out[key] = this.contextPath(value);
    }
    return out;
  }

  imageName(service: ComposeService): string {
    // Compose treats an empty `image:` like a missing one.
    const sep = isTrue(this.project.environment.COMPOSE_COMPATIBILITY) ? "_" : "-";
    const fallback = `${this.project.name}${sep}${service.name}`;
    if (service.image === undefined || service.image === "") return fallback;
    // Kept references may make it empty under some environment: the fallback is part of the expression.
    const kept = this.project.kept;
    if (kept && hasToken(service.image)) return kept.withFallback(service.image, fallback);
    return service.image;
  }

  defaultPlatform(service: ComposeService): string[] {
    const fromEnv = this.project.environment.DOCKER_DEFAULT_PLATFORM;
    // A kept service platform that comes out empty is no platform: DOCKER_DEFAULT_PLATFORM's, else none (bake
    // drops an empty platform).
    const kept = this.project.kept;
    if (kept && service.platform && hasToken(service.platform)) return [fromEnv ? kept.withFallback(service.platform, fromEnv) : service.platform];
    if (service.platform) return [service.platform];
    return fromEnv ? [fromEnv] : [];
  }

  secrets(service: ComposeService & { build: ComposeBuild }, at: string): string[] {
    const out: string[] = [];
    service.build.secrets.forEach((ref, i) => {
      const where = this.pos(`${at}.secrets.${i}`);
      const id = ref.target ?? ref.source;
      const secret = this.project.secrets[ref.source]!;
      for (const field of ["uid", "gid", "mode"] as const) {
        if (ref[field] !== undefined) {
          this.diagnostics.warn(
            "secret-attribute-dropped",
            `${at}.secrets.${i}.${field} is dropped: bake build secrets have no ${field}`,
            this.pos(`${at}.secrets.${i}.${field}`) ?? where,
          );
        }
      }
      if (secret.external) {
        this.diagnostics.warn("external-secret-skipped", `build secret "${ref.source}" of service "${service.name}" is external and is skipped, as docker compose does`, where);
        return;
      }
      if (secret.file !== undefined) {
        out.push(csvRecord([`id=${id}`, `src=${this.localPath(secret.file)}`]));
      } else if (secret.environment !== undefined) {
        out.push(csvRecord([`id=${id}`, `env=${secret.environment}`]));
        if (this.project.envFileVariables.has(secret.environment)) {
          this.diagnostics.warn(
            "secret-env-from-env-file",
            `build secret "${ref.source}" reads variable ${secret.environment}, which is set only in an env file: docker buildx bake reads its own environment, so export ${secret.environment} before running bake`,
            where,
          );
        }
      } else {
        this.diagnostics.warn("secret-without-source", `build secret "${ref.source}" has neither file nor environment and is skipped`, where);
      }
    });
    return out;
  }

  /**
   * buildx reads an ssh entry as `ID=PATH[,PATH…]` (util/buildflags/ssh.go: split at the first `=`, then at
   * every `,`; no quoting), and so does Compose, which resolves the whole text after `=` as one path. So a `,`
   * separates paths: each one is written relative to the output folder (Compose leaves the later ones relative
   * to wherever the build runs; here they are taken from the project folder, like the first; with
   * --absolute-paths they are written as Compose writes them). An id holding `=` cannot be written at all.
   */
  laterSshPath(p: string): string {
    if (p === "" || this.options.absolutePaths) return p;
    return this.localPath(path.resolve(this.project.workingDir, p));
  }

  ssh(b: ComposeBuild, at: string): string[] {
    return [...b.ssh]
      .sort((x, y) => compareCodeUnits(x.id, y.id))
      .map((s) => {
        if (s.id.includes("=")) {
          fail(
            "invalid-ssh-id",
            `ssh id ${JSON.stringify(s.id)} holds "=", which bake reads as the end of the id`,
            this.pos(`${at}.ssh.${s.id}`) ?? this.pos(`${at}.ssh`) ?? this.pos(at),
          );
        }
        if (s.path === undefined || s.path === "") return s.id;
        const paths = s.path.split(",").map((p, i) => (i === 0 ? this.localPath(p) : this.laterSshPath(p)));
        return `${s.id}=${paths.join(",")}`;
      });
  }
}

/** `true` → the attestation; `false` → disabled, so bake's default does not switch it back on; else its options. */
function attestation(type: "provenance" | "sbom", value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === "true") return `type=${type}`;
  if (value === "false") return `type=${type},disabled=true`;
  return `type=${type},${value}`;
}

/**
 * One CSV record as buildx reads a `secret` entry (tonistiigi/go-csvvalue, encoding/csv's rules): a field
 * holding `,`, `"` or a line break is quoted, with `"` doubled; others are written as they are.
 */
export function csvRecord(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(",");
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** JSON.stringify replacer: where a reference was written (and `$V` vs `${V}`) does not change what it means. */
function referenceFields(key: string, value: unknown): unknown {
  return key === "start" || key === "end" || key === "braced" ? undefined : value;
}

