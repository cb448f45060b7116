/**
 * More of compose-go's checkConsistency (loader/validate.go) on one active service, each with its message: the
 * healthcheck test's first word, container_name with more than one replica, develop.watch rules that sync without
 * a target, and two tmpfs or volume mounts at the same target. consistency.ts calls them in compose-go's order.
 * A value written with a variable in keep mode is left alone (written.ts).
 */
import { fail, type SourcePos } from "../diagnostics";
import { cleanTarget, parseVolumeSpec } from "./go-parse";
import { hasToken } from "./keep-token";
import type { PositionTable } from "./model";
import { placeOf } from "./positions";
import { isMap, type PlainMap } from "./raw";
import type { Judged } from "./written";

type Where = (place: string) => SourcePos | undefined;

const HEALTHCHECK_WORDS = new Set(["CMD", "CMD-SHELL", "NONE"]);

/** A test list must start with CMD, CMD-SHELL or NONE (a string is `CMD-SHELL <string>`; an empty list is none). */
export function checkHealthcheck(raw: PlainMap, base: string, positions: PositionTable, judged: Judged): void {
  const health = raw.healthcheck;
  if (!isMap(health) || !Array.isArray(health.test) || health.test.length === 0) return;
  const first = health.test[0];
  const place = `${base}.healthcheck.test.0`;
  if (typeof first !== "string" || HEALTHCHECK_WORDS.has(first) || hasToken(first) || !judged(place)) return;
  fail(
    "invalid-healthcheck",
    'healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"',
    placeOf(positions, place),
  );
}

/**
 * A container name is unique, so one replica at most (scale, else deploy.replicas). compose-go's message passes
 * its two arguments the other way round (`services.scale: can't set container_name and web …`): kept as it is.
 */
export function checkContainerName(name: string, raw: PlainMap, where: Where, judged: Judged, base: string): void {
  const containerName = raw.container_name;
  if (typeof containerName !== "string" || containerName === "" || !judged(`${base}.container_name`)) return;
  const deploy = isMap(raw.deploy) ? raw.deploy : undefined;
  const attr = raw.scale !== undefined && raw.scale !== null ? "scale" : "deploy.replicas";
  const scale = attr === "scale" ? raw.scale : deploy?.replicas;
  if (typeof scale !== "number" || scale <= 1 || !judged(`${base}.${attr}`)) return;
  fail(
    "container-name-scale",
    `services.${attr}: can't set container_name and ${name} as container name must be unique: invalid compose project`,
    where(attr),
  );
}

/** A develop.watch rule other than rebuild or restart copies files into the container: it needs a target. */
export function checkWatch(name: string, raw: PlainMap, where: Where, judged: Judged, base: string): void {
  const develop = raw.develop;
  if (!isMap(develop) || !Array.isArray(develop.watch)) return;
  develop.watch.forEach((rule, i) => {
    if (!isMap(rule)) return;
    const target = rule.target;
    if (typeof target === "string" && target !== "") return;
    if (rule.action === "rebuild" || rule.action === "restart") return;
    if (typeof rule.action === "string" && (hasToken(rule.action) || !judged(`${base}.develop.watch.${i}.action`)))
      return;
    if (target !== undefined && target !== null && !judged(`${base}.develop.watch.${i}.target`)) return;
    fail(
      "watch-target-missing",
      `services.${name}.develop.watch: target is required for non-rebuild actions: invalid compose project`,
      where(`develop.watch.${i}`),
    );
  });
}

/**
 * No two mounts at one target: the tmpfs entries (the path before `:`), then the volumes. compose-go has
 * de-duplicated both lists by then (tmpfs by the text before `=`; volumes: {@link keptVolumes}) and cleaned every
 * volume target, so the indexes it names are those of the de-duplicated lists, and `/c/` written long and `/c`
 * written short still clash.
 */
export function checkMounts(name: string, raw: PlainMap, where: Where, judged: Judged, base: string): void {
  const mounts = new Map<string, string>();
  const tmpfs = raw.tmpfs;
  const tmpfsItems =
    typeof tmpfs === "string"
      ? [{ text: tmpfs, place: "tmpfs" }]
      : Array.isArray(tmpfs)
        ? tmpfs.flatMap((t, i) => (typeof t === "string" ? [{ text: t, place: `tmpfs.${i}` }] : []))
        : [];
  dedupe(tmpfsItems, (t) => t.text.split("=", 1)[0]!).forEach(({ text, place }, i) => {
    if (hasToken(text) || !judged(`${base}.${place}`)) return;
    const path = text.split(":", 1)[0]!;
    const loc = `services.${name}.tmpfs[${i}]`;
    const other = mounts.get(path);
    if (other !== undefined) fail("mount-conflict", `${loc}: target ${path} already mounted as ${other}`, where(place));
    mounts.set(path, loc);
  });
  keptVolumes(raw, judged, base).forEach(({ canonical, place }, i) => {
    if (canonical === undefined) return;
    // loader/normalize.go cleans every target (path.Clean: "" is ".").
    const target = cleanTarget(canonical) || ".";
    const other = mounts.get(target);
    const loc = `services.${name}.volumes[${i}]`;
    if (other !== undefined)
      fail("mount-conflict", `${loc}: target ${target} already mounted as ${other}`, where(place));
    mounts.set(target, loc);
  });
}

/** One `volumes:` item compose-go keeps: its index and place below the service, its target when known here. */
export interface KeptVolume {
  readonly index: number;
  readonly place: string;
  /** The target as parsed (a long item's as written), and after a short spec's is cleaned. */
  readonly target?: string;
  readonly canonical?: string;
}

/**
 * The `volumes:` items compose-go keeps, in its order: override/uncity.go keeps one item per target as parsed (a
 * later item takes an earlier one's place, across files too), then the canonical transform one per cleaned target.
 * What a replaced item mounts is never checked (`undecl:/app` then `/app` needs no volume `undecl`). An item whose
 * target is not known here (a kept variable, a spec refused elsewhere) keeps its place and replaces none.
 */
export function keptVolumes(raw: PlainMap, judged: Judged, base: string): KeptVolume[] {
  const volumes = Array.isArray(raw.volumes) ? raw.volumes : [];
  const items = volumes.map((v, index): KeptVolume => {
    const place = `volumes.${index}`;
    if (typeof v === "string") {
      if (hasToken(v) || !judged(`${base}.${place}`)) return { index, place };
      const parsed = parseVolumeSpec(v);
      return "target" in parsed
        ? { index, place, target: parsed.target, canonical: cleanTarget(parsed.target) }
        : { index, place };
    }
    if (isMap(v) && typeof v.target === "string" && !hasToken(v.target) && judged(`${base}.${place}.target`))
      return { index, place, target: v.target, canonical: v.target };
    return { index, place };
  });
  return dedupe(
    dedupe(items, (t) => t.target),
    (t) => t.canonical,
  );
}

/**
 * override/uncity.go: an item with an earlier item's key takes that item's place (an item without a key, one not
 * known here, keeps its own).
 */
export function dedupe<T>(items: readonly T[], key: (item: T) => string | undefined): T[] {
  const out: T[] = [];
  const index = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) {
      out.push(item);
      continue;
    }
    const at = index.get(k);
    if (at === undefined) {
      index.set(k, out.length);
      out.push(item);
    } else out[at] = item;
  }
  return out;
}
