/**
 * One service's `build:` → one bake target: TargetConverter runs each key's row of BUILD_KEYS (build-keys.ts) and
 * holds the conversions that need the project (paths, secrets, ssh, image names, kept values).
 * convert.ts decides which services get a target and makes the groups.
 */
import * as path from "../platform/path";
import { isTrue } from "../compose/environment";
import { hasToken } from "../compose/keep-token";
import type { ComposeBuild, ComposeProject, ComposeService, ComposeSsh } from "../compose/model";
import { isKeptSshItem } from "../compose/keep-ssh";
import type { KeptContextEntry } from "../compose/keep-contexts";
import type { KeptVariables } from "../compose/keep";
import { placeOf, type PlaceOf } from "../compose/positions";
import { fail, type DiagnosticBag, type SourcePos } from "../diagnostics";
import { dict, hasOwn, own } from "../dict";
import { BUILD_KEYS, type Converting, type KeyConverter } from "./build-keys";
import { compareCodeUnits } from "./escape";
import { keptSshEntries } from "./kept-ssh";
import { withoutUnreadableArgs } from "./kept-key-values";
import type { BakeString, BakeTarget } from "./model";

/** Compose's variable-name syntax: what a value-less arg's name must be to stay a bake variable reference. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ConvertOptions {
  /** Folder that relative paths in the output are relative to (the output file's folder, or the cwd on stdout). */
  readonly outputDir: string;
  /** Write absolute local paths, like `docker compose build --print`. */
  readonly absolutePaths?: boolean;
}

/** The converters of BUILD_KEYS in its order, listed once (every service runs them all). */
const BUILD_KEY_CONVERTERS = (Object.keys(BUILD_KEYS) as Array<keyof ComposeBuild>)
  .map((key) => BUILD_KEYS[key])
  .filter((rule): rule is (c: Converting) => void => typeof rule === "function");
export class TargetConverter implements KeyConverter {
  constructor(
    readonly project: ComposeProject,
    readonly options: ConvertOptions,
    readonly diagnostics: DiagnosticBag,
    readonly names: ReadonlyMap<string, string>,
  ) {}

  get kept(): KeptVariables | undefined {
    return this.project.kept;
  }

  /** Where a value was written (its nearest ancestor with a position). */
  readonly placeOf: PlaceOf = (p) => placeOf(this.project.positions, p);

  /**
   * Compose does not check inactive services, so a problem there must not fail the run: such a service
   * gets no target (with a warning) instead.
   */
  usableWhenInactive(service: ComposeService & { build: ComposeBuild }): boolean {
    const problems: string[] = [];
    if (service.build.dockerfile !== undefined && service.build.dockerfile_inline !== undefined)
      problems.push("both dockerfile and dockerfile_inline");
    for (const s of service.build.secrets)
      if (!hasOwn(this.project.secrets, s.source)) problems.push(`undefined build secret ${s.source}`);
    for (const v of Object.values(service.build.additional_contexts)) {
      if (!v.startsWith("service:")) continue;
      const ref = own(this.project.services, v.slice("service:".length));
      if (!ref?.build) problems.push(`unknown or non-buildable service ${v}`);
    }
    if (problems.length === 0) return true;
    this.diagnostics.warn(
      "inactive-service-skipped",
      `service "${service.name}" is not enabled by the active profiles and cannot be converted (${problems.join(", ")}); it gets no target`,
      this.placeOf(`services.${service.name}`),
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
    const platforms =
      service.build.platforms.length > 0 ? service.build.platforms : service.platform ? [service.platform] : [];
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
      this.placeOf(`services.${service.name}.${service.build.platforms.length > 0 ? "build.platforms" : "platform"}`) ??
        this.placeOf(`services.${service.name}.build`),
    );
  }

  /** The target of one service: each build key converted by its row of BUILD_KEYS, in the table's order. */
  convertService(service: ComposeService & { build: ComposeBuild }): BakeTarget {
    const c: Converting = { cv: this, service, b: service.build, at: `services.${service.name}.build`, t: {} };
    for (let i = 0; i < BUILD_KEY_CONVERTERS.length; i++) BUILD_KEY_CONVERTERS[i]!(c);
    return c.t;
  }

  /**
   * What a string says, for de-duplication: in keep mode every `${…}` is its own token, so two copies of
   * `app:${TAG:-latest}` differ as strings; here each token is replaced by the reference it stands for. Keys are
   * prefixed by their kind so that no plain string can equal the key of a string with references.
   */
  readonly valueKey = (s: string): string => {
    const kept = this.project.kept;
    if (!kept || !hasToken(s)) return "s" + s;
    const pieces = kept
      .split(s)
      .map((piece) =>
        typeof piece === "string" ? piece : (JSON.parse(JSON.stringify(piece, referenceFields)) as unknown),
      );
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
      if (typeof only !== "object" || only.kind !== undefined || !only.valueless || VARIABLE_NAME.test(only.part.name))
        continue;
      delete args[key];
      dropped.push(JSON.stringify(key));
    }
    this.warnDroppedArgs(dropped, at);
  }

  keptArgs(args: string, at: string): string {
    const kept = this.project.kept;
    const piece = kept?.split(args)[0];
    if (!kept || typeof piece !== "object" || piece.kind !== "form" || piece.form !== "key-values") return args;
    const { form, dropped } = withoutUnreadableArgs(piece, kept, (name) => VARIABLE_NAME.test(name));
    this.warnDroppedArgs(
      dropped.map((k) => JSON.stringify(k)),
      at,
    );
    return form === piece ? args : kept.form(form);
  }

  private warnDroppedArgs(dropped: readonly string[], at: string): void {
    if (dropped.length === 0) return;
    // One warning for the `args` key, naming them all: warnings are printed once per place (collapseRepeats).
    const [what, verb] = dropped.length === 1 ? ["build arg", "has"] : ["build args", "have"];
    this.diagnostics.warn(
      "valueless-arg-dropped",
      `${what} ${dropped.join(", ")} ${verb} no value and ${dropped.length === 1 ? "its name is not a variable name" : "their names are not variable names"} bake can read; ${dropped.length === 1 ? "it is" : "they are"} dropped, as docker compose drops ${dropped.length === 1 ? "it" : "them"} when no variable of that name is set`,
      this.placeOf(`${at}.args`) ?? this.placeOf(at),
    );
  }

  /** Local paths relative to the output folder (or absolute on request); remote contexts unchanged. */
  localPath(abs: string): string {
    if (this.options.absolutePaths) return abs;
    // Services share files (a secret, an ssh key, a Dockerfile folder): each is made relative once.
    let local = this.localPaths.get(abs);
    if (local === undefined) {
      const rel = path.relative(this.options.outputDir, abs);
      local = rel === "" ? "." : rel.split(path.sep).join("/");
      this.localPaths.set(abs, local);
    }
    return local;
  }

  private readonly localPaths = new Map<string, string>();

  contextPath(context: string): string {
    if (hasToken(context)) return this.keptPath(context);
    return path.isAbsolute(context) ? this.localPath(context) : context;
  }

  /** A value holding kept paths (keep mode): their folders as this file writes them (bake/path-expression.ts). */
  keptPath(value: string): string {
    const kept = this.project.kept;
    if (!kept) throw new Error("internal error: a path holds keep tokens outside keep mode");
    const project = this.localPath(this.project.workingDir);
    return kept.writtenPaths(value, (base) => ({ base: this.localPath(base), project }));
  }

  dockerfile(b: ComposeBuild): string {
    const dockerfile = b.dockerfile!;
    // With --absolute-paths, match Compose: the Dockerfile joined onto a local context.
    if (this.options.absolutePaths && path.isAbsolute(b.context) && !path.isAbsolute(dockerfile)) {
      return path.join(b.context, dockerfile);
    }
    return dockerfile;
  }

  contexts(b: ComposeBuild): Record<string, BakeString> | string | undefined {
    if (b.additional_contexts_kept !== undefined) return this.keptContexts(b.additional_contexts_kept);
    const keys = Object.keys(b.additional_contexts);
    if (keys.length === 0) return undefined;
    const out = dict<BakeString>();
    for (const key of keys) {
      const value = b.additional_contexts[key]!;
      if (value.startsWith("service:"))
        out[key] = `target:${this.names.get(value.slice("service:".length)) ?? value.slice(8)}`;
      else out[key] = this.contextPath(value);
    }
    return out;
  }

  /**
   * Keep mode, a contexts list whose names hold variables (compose/keep-contexts.ts): a new form (a token) whose
   * values are written as the file writes them, `service:x` as `target:<x's target>`; `under` adds entries that the
   * list's own win over (x-bake's).
   */
  keptContexts(token: string, under: Readonly<Record<string, string>> = {}): string {
    const kept = this.project.kept;
    const piece = kept?.split(token)[0];
    if (!kept || typeof piece !== "object" || piece.kind !== "form" || piece.form !== "context-list")
      throw new Error("internal error: kept contexts are not a kept context list");
    const items = piece.items.map((e): KeptContextEntry => {
      if ("item" in e) return { item: this.keptPath(e.item) };
      if (e.value.startsWith("service:"))
        return { name: e.name, value: `target:${this.names.get(e.value.slice(8)) ?? e.value.slice(8)}` };
      return { name: e.name, value: this.contextPath(e.value) };
    });
    const added = Object.entries(under).map(([name, value]): KeptContextEntry => ({ name, value }));
    return kept.form({ kind: "form", form: "context-list", items: [...added, ...items] });
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
    if (kept && service.platform && hasToken(service.platform))
      return [fromEnv ? kept.withFallback(service.platform, fromEnv) : service.platform];
    if (service.platform) return [service.platform];
    return fromEnv ? [fromEnv] : [];
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

  secrets(service: ComposeService & { build: ComposeBuild }, at: string): string[] {
    const out: string[] = [];
    service.build.secrets.forEach((ref, i) => {
      // Only warnings name the place: looked up when one is given (placeOf searches every file's positions).
      const where = (): SourcePos | undefined => this.placeOf(`${at}.secrets.${i}`);
      const id = ref.target ?? ref.source;
      const secret = this.project.secrets[ref.source]!;
      for (const field of ["uid", "gid", "mode"] as const) {
        if (ref[field] !== undefined) {
          this.diagnostics.warn(
            "secret-attribute-dropped",
            `${at}.secrets.${i}.${field} is dropped: bake build secrets have no ${field}`,
            this.placeOf(`${at}.secrets.${i}.${field}`) ?? where(),
          );
        }
      }
      if (secret.external) {
        this.diagnostics.warn(
          "external-secret-skipped",
          `build secret "${ref.source}" of service "${service.name}" is external and is skipped, as docker compose does`,
          where(),
        );
        return;
      }
      if (secret.file !== undefined) {
        const src = hasToken(secret.file) ? this.keptPath(secret.file) : this.localPath(secret.file);
        out.push(csvRecord([`id=${id}`, `src=${src}`]));
      } else if (secret.environment !== undefined && this.kept && hasToken(secret.environment)) {
        // Keep mode: an empty name is refused (a validation, compose/validate.ts); the entry is then dropped.
        const value = csvRecord([`id=${id}`, `env=${secret.environment}`]);
        out.push(this.kept.form({ kind: "form", form: "unless-empty", value, test: secret.environment }));
      } else if (secret.environment !== undefined) {
        out.push(csvRecord([`id=${id}`, `env=${secret.environment}`]));
        if (this.project.envFileVariables.has(secret.environment)) {
          this.diagnostics.warn(
            "secret-env-from-env-file",
            `build secret "${ref.source}" reads variable ${secret.environment}, which is set only in an env file: docker buildx bake reads its own environment, so export ${secret.environment} before running bake`,
            where(),
          );
        }
      } else {
        this.diagnostics.warn(
          "secret-without-source",
          `build secret "${ref.source}" has neither file nor environment and is skipped`,
          where(),
        );
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
    const kept = this.kept;
    // A list whose ids hold references: its items in order, then the entries written over it (bake/kept-ssh.ts).
    if (kept && b.ssh.some((s) => isKeptSshItem(s.id)))
      return keptSshEntries(b.ssh, kept, { keptPath: (v) => this.keptPath(v), sshEntry: (s) => this.sshEntry(s, at) });
    return [...b.ssh].sort((x, y) => compareCodeUnits(x.id, y.id)).map((s) => this.sshEntry(s, at));
  }

  private sshEntry(s: ComposeSsh, at: string): string {
    if (s.id.includes("=")) {
      fail(
        "invalid-ssh-id",
        `ssh id ${JSON.stringify(s.id)} holds "=", which bake reads as the end of the id`,
        this.placeOf(`${at}.ssh.${s.id}`) ?? this.placeOf(`${at}.ssh`) ?? this.placeOf(at),
      );
    }
    if (s.path === undefined || s.path === "") return s.id;
    if (hasToken(s.path)) return `${s.id}=${this.keptPath(s.path)}`;
    const paths = s.path.split(",").map((p, i) => (i === 0 ? this.localPath(p) : this.laterSshPath(p)));
    return `${s.id}=${paths.join(",")}`;
  }
}

/**
 * One CSV record as buildx reads a `secret` entry (tonistiigi/go-csvvalue, encoding/csv's rules): a field
 * holding `,`, `"` or a line break is quoted, with `"` doubled; others are written as they are.
 */
export function csvRecord(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(",");
}

/** JSON.stringify replacer: where a reference was written (and `$V` vs `${V}`) does not change what it means. */
function referenceFields(key: string, value: unknown): unknown {
  return key === "start" || key === "end" || key === "braced" ? undefined : value;
}
