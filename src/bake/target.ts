/**
 * One service's `build:` → one bake target. BUILD_KEYS has a row for every key of ComposeBuild (the type says so:
 * a key added to the model fails type-checking here until someone decides what bake does with it), in the order
 * the attributes are written; a row is either the conversion or the key whose row converts it too.
 * convert.ts decides which services get a target and makes the groups.
 */
import * as path from "../platform/path";
import { isTrue } from "../compose/environment";
import { hasToken } from "../compose/keep-token";
import type { ComposeBuild, ComposeProject, ComposeService } from "../compose/model";
import { placeOf, type PlaceOf } from "../compose/positions";
import { fail, type DiagnosticBag } from "../diagnostics";
import { dict, dictCopy, hasOwn, own } from "../dict";
import { compareCodeUnits } from "./escape";
import type { BakeString, BakeTarget } from "./model";
import { applyXBake, uniqueBy } from "./x-bake";

/** Compose's variable-name syntax: what a value-less arg's name must be to stay a bake variable reference. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ConvertOptions {
  /** Folder that relative paths in the output are relative to (the output file's folder, or the cwd on stdout). */
  readonly outputDir: string;
  /** Write absolute local paths, like `docker compose build --print`. */
  readonly absolutePaths?: boolean;
}

/** One service being converted: its build, the path of `build:` in the document, and the target being written. */
interface Converting {
  readonly cv: TargetConverter;
  readonly service: ComposeService & { build: ComposeBuild };
  readonly b: ComposeBuild;
  readonly at: string;
  readonly t: BakeTarget;
}

/** A key's conversion, or the key whose row converts it together with its own. */
type KeyRule = ((c: Converting) => void) | { readonly convertedWith: keyof ComposeBuild };

/** Every ComposeBuild key → what bake gets (compose-build-bake-reference.md §1; docs/architecture.md lists them). */
export const BUILD_KEYS: { readonly [K in keyof ComposeBuild]-?: KeyRule } = {
  context: ({ cv, b, t }) => {
    t.context = cv.contextPath(b.context);
  },
  additional_contexts: ({ cv, b, t }) => {
    const contexts = cv.contexts(b);
    if (contexts) t.contexts = contexts;
  },
  dockerfile: ({ cv, b, t }) => {
    if (b.dockerfile !== undefined) t.dockerfile = cv.dockerfile(b);
  },
  dockerfile_inline: ({ b, t }) => {
    if (b.dockerfile_inline !== undefined) t["dockerfile-inline"] = b.dockerfile_inline;
  },
  args: ({ cv, b, t, at }) => {
    if (Object.keys(b.args).length > 0) t.args = dictCopy(b.args);
    if (t.args) cv.dropUnreadableArgs(t.args, at);
    if (t.args && Object.keys(t.args).length === 0) delete t.args;
  },
  labels: ({ b, t }) => {
    if (Object.keys(b.labels).length > 0) t.labels = dictCopy(b.labels);
  },
  // The service's image (or Compose's default name) is the last tag.
  tags: ({ cv, service, b, t }) => {
    t.tags = uniqueBy([...b.tags, cv.imageName(service)], cv.valueKey);
  },
  cache_from: ({ b, t }) => {
    if (b.cache_from.length > 0) t["cache-from"] = [...b.cache_from];
  },
  cache_to: ({ b, t }) => {
    if (b.cache_to.length > 0) t["cache-to"] = [...b.cache_to];
  },
  target: ({ b, t }) => {
    if (b.target !== undefined) t.target = b.target;
  },
  secrets: ({ cv, service, t, at }) => {
    const secrets = cv.secrets(service, at);
    if (secrets.length > 0) t.secret = secrets;
  },
  ssh: ({ cv, b, t, at }) => {
    if (b.ssh.length > 0) t.ssh = cv.ssh(b, at);
  },
  // Else the service's `platform`, else DOCKER_DEFAULT_PLATFORM.
  platforms: ({ cv, service, b, t }) => {
    const platforms = b.platforms.length > 0 ? [...b.platforms] : cv.defaultPlatform(service);
    if (platforms.length > 0) t.platforms = platforms;
  },
  // true, or in keep mode a template bake reads as a boolean.
  pull: ({ cv, b, t, at }) => {
    const pull = cv.boolean(b.pull, `${at}.pull`);
    if (pull !== undefined) t.pull = pull;
  },
  no_cache: ({ cv, b, t, at }) => {
    const noCache = cv.boolean(b.no_cache, `${at}.no_cache`);
    if (noCache !== undefined) t["no-cache"] = noCache;
  },
  network: ({ b, t }) => {
    if (b.network !== undefined) t.network = b.network;
  },
  no_cache_filter: ({ b, t }) => {
    if (b.no_cache_filter.length > 0) t["no-cache-filter"] = [...b.no_cache_filter];
  },
  shm_size: ({ b, t }) => {
    if (b.shm_size !== undefined) t["shm-size"] = String(b.shm_size);
  },
  ulimits: ({ b, t }) => {
    const ulimits = Object.keys(b.ulimits)
      .sort(compareCodeUnits)
      .map((name) => {
        const u = b.ulimits[name]!;
        return u.single !== undefined ? `${name}=${u.single}` : `${name}=${u.soft}:${u.hard}`;
      });
    if (ulimits.length > 0) t.ulimits = ulimits;
  },
  // `privileged: true` is the security.insecure entitlement (in keep mode, an item that is empty when false).
  entitlements: ({ cv, b, t, at }) => {
    const privileged =
      b.privileged === true || b.entitlements.includes("security.insecure")
        ? "security.insecure"
        : cv.boolean(b.privileged, `${at}.privileged`, "security.insecure");
    const entitlements = unique([...b.entitlements, ...(typeof privileged === "string" ? [privileged] : [])]);
    if (entitlements.length > 0) t.entitlements = entitlements;
  },
  privileged: { convertedWith: "entitlements" },
  extra_hosts: ({ b, t }) => {
    const hosts = Object.keys(b.extra_hosts);
    if (hosts.length > 0) t["extra-hosts"] = dict(hosts.map((h) => [h, b.extra_hosts[h]!.join(",")]));
  },
  // Both are `attest` entries.
  provenance: ({ b, t }) => {
    const attest = [attestation("provenance", b.provenance), attestation("sbom", b.sbom)].filter(
      (a): a is string => a !== undefined,
    );
    if (attest.length > 0) t.attest = attest;
  },
  sbom: { convertedWith: "provenance" },
  isolation: ({ cv, b, at }) => {
    if (b.isolation !== undefined) {
      cv.diagnostics.warn(
        "unsupported-isolation",
        `${at}.isolation has no bake equivalent and is ignored`,
        cv.placeOf(`${at}.isolation`),
      );
    }
  },
  // `x-bake` last: it adds to (and may override) what the keys above wrote.
  extensions: ({ cv, b, t, at }) => {
    const xBake = b.extensions["x-bake"];
    if (xBake !== undefined) {
      applyXBake(t, xBake, {
        path: `${at}.x-bake`,
        placeOf: cv.placeOf,
        diagnostics: cv.diagnostics,
        names: cv.names,
        valueKey: cv.valueKey,
      });
    }
  },
};

export class TargetConverter {
  constructor(
    readonly project: ComposeProject,
    readonly options: ConvertOptions,
    readonly diagnostics: DiagnosticBag,
    readonly names: ReadonlyMap<string, string>,
  ) {}

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
    for (const key of Object.keys(BUILD_KEYS) as Array<keyof ComposeBuild>) {
      const rule = BUILD_KEYS[key];
      if (typeof rule === "function") rule(c);
    }
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
      if (value.startsWith("service:"))
        out[key] = `target:${this.names.get(value.slice("service:".length)) ?? value.slice(8)}`;
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
      const where = this.placeOf(`${at}.secrets.${i}`);
      const id = ref.target ?? ref.source;
      const secret = this.project.secrets[ref.source]!;
      for (const field of ["uid", "gid", "mode"] as const) {
        if (ref[field] !== undefined) {
          this.diagnostics.warn(
            "secret-attribute-dropped",
            `${at}.secrets.${i}.${field} is dropped: bake build secrets have no ${field}`,
            this.placeOf(`${at}.secrets.${i}.${field}`) ?? where,
          );
        }
      }
      if (secret.external) {
        this.diagnostics.warn(
          "external-secret-skipped",
          `build secret "${ref.source}" of service "${service.name}" is external and is skipped, as docker compose does`,
          where,
        );
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
        this.diagnostics.warn(
          "secret-without-source",
          `build secret "${ref.source}" has neither file nor environment and is skipped`,
          where,
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
    return [...b.ssh]
      .sort((x, y) => compareCodeUnits(x.id, y.id))
      .map((s) => {
        if (s.id.includes("=")) {
          fail(
            "invalid-ssh-id",
            `ssh id ${JSON.stringify(s.id)} holds "=", which bake reads as the end of the id`,
            this.placeOf(`${at}.ssh.${s.id}`) ?? this.placeOf(`${at}.ssh`) ?? this.placeOf(at),
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
