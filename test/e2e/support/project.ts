/**
 * One end-to-end project: a copy of test/e2e/projects/NAME in a temporary folder (plus the files a test
 * generates: secrets, keys), compiled with the built compose2bake CLI, built by `docker buildx bake` and by
 * `docker compose build` on the test engine, and inspected.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fixedEnv, runCli } from "../../support/run";
import { docker, engineEnv, mustRun, REPO, type Engine } from "./engine";
import { tarFiles } from "./tar";

export const PROJECTS = path.join(REPO, "test", "e2e", "projects");

export interface ProjectOptions {
  /** Folder under test/e2e/projects; its images are all tagged `c2b-e2e-NAME…`. */
  name: string;
  /** Files to write into the copy (relative path → content), e.g. secrets and keys. Mode 0600. */
  files?: Record<string, string>;
  /** Variables for compose2bake, bake and compose: interpolation, env secrets, SSH_AUTH_SOCK. */
  env?: Record<string, string>;
  /** Entitlements for bake (`--allow=…`), e.g. `ssh` for `ssh = ["default"]`. */
  allow?: string[];
}

export interface ImageInfo {
  id: string;
  tags: string[];
  labels: Record<string, string>;
  /** Diff ids of the layers, bottom first. */
  layers: string[];
}

export interface BakeRun {
  /** The bake file given to `-f`. */
  file: string;
  /** `--metadata-file` of the one bake invocation: one entry per target it built. */
  metadata: Record<string, Record<string, unknown>>;
  log: string;
}

export function randomToken(label: string): string {
  return `c2b-e2e-${label}-${crypto.randomBytes(24).toString("hex")}`;
}

export function sha256(text: string | Buffer): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

export class E2EProject {
  readonly dir: string;
  readonly prefix: string;
  private readonly env: Record<string, string>;

  constructor(
    readonly engine: Engine,
    readonly options: ProjectOptions,
  ) {
    this.prefix = `c2b-e2e-${options.name}`;
    this.env = options.env ?? {};
    this.dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `c2b-e2e-${options.name}-`)));
    fs.cpSync(path.join(PROJECTS, options.name), this.dir, { recursive: true });
    for (const [rel, content] of Object.entries(options.files ?? {})) {
      const abs = path.join(this.dir, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content, { mode: 0o600 });
    }
    this.removeImages();
  }

  /** `node bin/compose2bake.js -o docker-bake.EXT` in the project folder; returns the file's path. */
  compile(format: "json" | "hcl"): string {
    const out = `docker-bake.${format}`;
    const r = runCli(["-o", out], { cwd: this.dir, env: fixedEnv(this.env) });
    // Nothing on stderr but the line that says what was written: no warning.
    if (r.status !== 0 || !/^compose2bake: wrote [^\n]*\n$/.test(r.stderr)) {
      throw new Error(`compose2bake -o ${out} exited ${r.status}:\n${r.stderr}${r.stdout}`);
    }
    return path.join(this.dir, out);
  }

  /** ONE `docker buildx bake -f FILE --load --no-cache` building the default group (every target); `extraEnv` sets bake variables. */
  bake(file: string, extraEnv: Record<string, string> = {}): BakeRun {
    const metadataFile = path.join(this.dir, `bake-metadata-${path.basename(file)}.json`);
    const args = ["buildx", "bake", "-f", path.basename(file), "--load", "--no-cache", "--progress=plain"];
    args.push("--metadata-file", metadataFile);
    for (const a of this.options.allow ?? []) args.push(`--allow=${a}`);
    const r = docker(this.engine, args, { cwd: path.dirname(file), env: { ...this.env, ...extraEnv } });
    const metadata = JSON.parse(fs.readFileSync(metadataFile, "utf8")) as BakeRun["metadata"];
    return { file, metadata, log: r.stderr };
  }

  /** `docker compose build --no-cache` (the compose plugin of the private DOCKER_CONFIG). */
  composeBuild(): string {
    const r = docker(this.engine, ["compose", "--progress", "plain", "build", "--no-cache"], {
      cwd: this.dir,
      env: this.env,
    });
    return r.stderr;
  }

  /** Every `repository:tag` of the engine that belongs to this project, sorted. */
  tags(): string[] {
    const r = docker(this.engine, ["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]);
    return r.stdout
      .toString("utf8")
      .split("\n")
      .filter((t) => t.startsWith(this.prefix))
      .sort();
  }

  removeImages(): void {
    const tags = this.tags();
    if (tags.length) docker(this.engine, ["image", "rm", "--force", ...tags]);
    docker(this.engine, ["image", "prune", "--force"]);
  }

  /** `docker image inspect` of each tag (throws when one is missing). */
  inspect(tags: readonly string[]): Map<string, ImageInfo> {
    const r = docker(this.engine, ["image", "inspect", ...tags]);
    const parsed = JSON.parse(r.stdout.toString("utf8")) as Array<{
      Id: string;
      RepoTags: string[] | null;
      Config: { Labels: Record<string, string> | null };
      RootFS: { Layers?: string[] };
    }>;
    const out = new Map<string, ImageInfo>();
    tags.forEach((tag, i) => {
      const p = parsed[i]!;
      out.set(tag, { id: p.Id, tags: p.RepoTags ?? [], labels: p.Config.Labels ?? {}, layers: p.RootFS.Layers ?? [] });
    });
    return out;
  }

  /**
   * The files under DIR of an image, read without running anything: `docker create` (never started),
   * `docker cp CONTAINER:DIR -`, `docker rm`. Keys are relative to DIR.
   */
  readFiles(image: string, dir = "/out"): Map<string, string> {
    const id = docker(this.engine, ["create", "--network", "none", image, "/bin/true"]).stdout.toString("utf8").trim();
    try {
      const tar = docker(this.engine, ["cp", `${id}:${dir}`, "-"]).stdout;
      const base = path.posix.basename(dir);
      const files = new Map<string, string>();
      for (const [name, data] of tarFiles(tar))
        files.set(name.startsWith(`${base}/`) ? name.slice(base.length + 1) : name, data.toString("utf8"));
      return files;
    } finally {
      docker(this.engine, ["rm", "--force", id]);
    }
  }

  /** `docker save IMAGE` as a buffer. */
  save(image: string): Buffer {
    const file = path.join(this.dir, "saved-image.tar");
    docker(this.engine, ["save", "-o", file, image]);
    try {
      return fs.readFileSync(file);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /** Runs a host command (ssh-keygen, sha256sum…) with the project's environment. */
  host(bin: string, args: string[]): string {
    return mustRun(bin, args, { cwd: this.dir, env: engineEnv(this.engine, this.env) }).stdout.toString("utf8");
  }

  cleanup(): void {
    try {
      this.removeImages();
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Labels without the ones `docker compose` adds to record itself (com.docker.compose.*). */
export function withoutComposeLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels)
      .filter(([k]) => !k.startsWith("com.docker.compose."))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** tag → labels (less com.docker.compose.*), for comparing what bake and compose built. */
export function labelsByTag(images: Map<string, ImageInfo>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [tag, info] of [...images].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    out[tag] = withoutComposeLabels(info.labels);
  return out;
}

/** The targets one bake invocation reports in its --metadata-file (keys other than `buildx.*`), sorted. */
export function builtTargets(run: BakeRun): string[] {
  return Object.keys(run.metadata)
    .filter((k) => !k.startsWith("buildx."))
    .sort();
}
