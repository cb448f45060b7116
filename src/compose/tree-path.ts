/**
 * A place in a Compose document as its keys and list indices, one segment per step. A service named `a.b` is one
 * segment, so matching never mistakes its dots for steps. Paths are linked to their parent: a child costs one
 * small object, whatever the depth (merging walks every key of every file).
 *
 * Patterns are written dotted (`services.*.build.args`), `*` standing for any one segment; they are ours, never
 * user text, so in a pattern a dot always separates. PositionTable still keys positions by the dotted text
 * (`toString`), as the YAML layer records them.
 */
export class TreePath {
  /** The document itself. */
  static readonly root = new TreePath(undefined, "", 0);

  private constructor(
    readonly parent: TreePath | undefined,
    /** The last segment ("" for the root). */
    readonly key: string,
    /** The number of segments. */
    readonly length: number,
  ) {}

  static of(...segments: ReadonlyArray<string | number>): TreePath {
    let p = TreePath.root;
    for (const s of segments) p = p.child(s);
    return p;
  }

  child(key: string | number): TreePath {
    return new TreePath(this, String(key), this.length + 1);
  }

  segments(): string[] {
    const out = new Array<string>(this.length);
    if (this.length === 0) return out;
    out[this.length - 1] = this.key;
    let p = this.parent;
    for (let i = this.length - 2; i >= 0; i--, p = p!.parent) out[i] = p!.key;
    return out;
  }

  /** Whether this is exactly a path the pattern describes (`services.*.build.args`). */
  matches(pattern: string | PathPattern): boolean {
    return PathPattern.of(pattern).matches(this);
  }

  /** The dotted text: how messages print a path and how PositionTable keys positions. */
  toString(): string {
    return this.segments().join(".");
  }
}

/** A compiled pattern. */
export class PathPattern {
  private static readonly cache = new Map<string, PathPattern>();
  readonly segments: readonly string[];

  private constructor(readonly text: string) {
    this.segments = text.split(".");
  }

  static of(pattern: string | PathPattern): PathPattern {
    if (pattern instanceof PathPattern) return pattern;
    let p = PathPattern.cache.get(pattern);
    if (!p) PathPattern.cache.set(pattern, (p = new PathPattern(pattern)));
    return p;
  }

  matches(path: TreePath): boolean {
    return path.length === this.segments.length && this.agrees(path);
  }

  /** The first `path.length` segments of the pattern accept `path`. */
  private agrees(path: TreePath): boolean {
    let p: TreePath = path;
    for (let i = path.length - 1; i >= 0; i--, p = p.parent!) {
      const s = this.segments[i]!;
      if (s !== "*" && s !== p.key) return false;
    }
    return true;
  }
}

/** Rules by path pattern: `get` gives the first row (in the table's order) whose pattern matches a path. */
export class PathTable<T> {
  private readonly rows: ReadonlyArray<readonly [PathPattern, T]>;
  private readonly byLength = new Map<number, Array<readonly [PathPattern, T]>>();

  constructor(rows: ReadonlyArray<readonly [string, T]>) {
    this.rows = rows.map(([text, value]) => [PathPattern.of(text), value] as const);
    for (const row of this.rows) {
      const n = row[0].segments.length;
      const list = this.byLength.get(n) ?? [];
      list.push(row);
      this.byLength.set(n, list);
    }
  }

  get(path: TreePath): T | undefined {
    const rows = this.byLength.get(path.length);
    if (!rows) return undefined;
    // Indexed, not destructured: asked for every value merged or checked, mostly before V8 optimises it.
    for (let i = 0; i < rows.length; i++) if (rows[i]![0].matches(path)) return rows[i]![1];
    return undefined;
  }

  /** Where a walk down a tree starts: at the root, every row may match below. */
  cursor(): PathCursor<T> {
    return new PathCursor(this.rows, 0);
  }
}

/**
 * A place in a walk down a tree, holding the rows of a PathTable that agree with the keys so far (in the table's
 * order): each step narrows them by one key, instead of matching every pattern against the whole path again.
 */
export class PathCursor<T> {
  private readonly children = new Map<string, PathCursor<T> | undefined>();
  /** The segments rows name literally at this depth (not `*`); made on the first step down. */
  private named: Set<string> | undefined;
  /** The one cursor for every key no row names (the `*` rows): the services of a project share it. */
  private wildcard: PathCursor<T> | undefined | null = null;

  constructor(
    private readonly rows: ReadonlyArray<readonly [PathPattern, T]>,
    private readonly depth: number,
  ) {}

  /** The value of the first row whose pattern ends here (what PathTable.get gives for this path). */
  get value(): T | undefined {
    for (const row of this.rows) if (row[0].segments.length === this.depth) return row[1];
    return undefined;
  }

  /** The cursor one `key` below, or undefined when no row matches there or further below. */
  child(key: string): PathCursor<T> | undefined {
    this.named ??= new Set(
      this.rows.map((row) => row[0].segments[this.depth]).filter((s): s is string => s !== undefined && s !== "*"),
    );
    if (!this.named.has(key)) {
      // The same rows for every such key: one cursor, and one walk below it, for all of them.
      if (this.wildcard === null) this.wildcard = this.below(key);
      return this.wildcard;
    }
    if (this.children.has(key)) return this.children.get(key);
    const next = this.below(key);
    this.children.set(key, next);
    return next;
  }

  private below(key: string): PathCursor<T> | undefined {
    const rows = this.rows.filter((row) => {
      const s = row[0].segments[this.depth];
      return s !== undefined && (s === "*" || s === key);
    });
    return rows.length === 0 ? undefined : new PathCursor(rows, this.depth + 1);
  }
}

/**
 * compose-go's text for the place a dotted path names in `root`, as its messages print it: list items as `[]`
 * (`services.a.ports.[].target`). Each step takes the key of the mapping that the rest of the path starts with,
 * so a key holding dots stays one step; linear in the path and the keys looked at.
 */
export function composePathText(root: unknown, dotted: string): string {
  const out: string[] = [];
  let node = root;
  let at = 0;
  while (at < dotted.length) {
    const rest = dotted.slice(at);
    let step: string | undefined;
    if (Array.isArray(node)) {
      const end = rest.indexOf(".");
      step = end === -1 ? rest : rest.slice(0, end);
      out.push("[]");
      node = (node as unknown[])[Number(step)];
    } else if (node !== null && typeof node === "object") {
      const map = node as Record<string, unknown>;
      const end = rest.indexOf(".");
      const first = end === -1 ? rest : rest.slice(0, end);
      step = Object.prototype.hasOwnProperty.call(map, first)
        ? first
        : Object.keys(map).find((k) => rest.startsWith(k) && (rest.length === k.length || rest[k.length] === "."));
      if (step === undefined) {
        out.push(rest);
        break;
      }
      out.push(step);
      node = map[step];
    } else {
      out.push(rest);
      break;
    }
    at += step.length + 1;
  }
  return out.join(".");
}
