/**
 * Where each key and value of a TOML document starts, by path (`["target", "*", "platforms", 1]`).
 *
 * smol-toml reports a position only for a syntax error; the values it returns carry none, so a message about
 * a document that parsed (an unknown key, a value of the wrong type) would have no line. This scanner re-reads
 * the text with just enough of TOML's lexical grammar to record offsets: comments, the four string forms,
 * `[table]` and `[[array]]` headers, dotted and quoted keys, inline tables and (multi-line) arrays.
 * It runs only after the parser accepted the text, so it never reports errors of its own: on anything it does
 * not understand it skips a character, and at worst a path is missing and the caller uses its parent's position.
 * Tests: test/config.test.ts ("positions").
 */

export type TomlPath = ReadonlyArray<string | number>;

export interface TomlPositions {
  /** Offset of the key that defines `path`, or of the `[header]` that opens the table at `path`. */
  key(path: TomlPath): number | undefined;
  /** Offset of the first character of the value at `path` (array items by index). */
  value(path: TomlPath): number | undefined;
}

export function locateToml(text: string): TomlPositions {
  const s = new Scanner(text);
  s.document();
  return {
    key: (p) => s.keys.get(pathId(p)),
    value: (p) => s.values.get(pathId(p)),
  };
}

function pathId(p: TomlPath): string {
  return p.map(String).join("\u0000");
}

const BARE_KEY = /[A-Za-z0-9_-]/;

class Scanner {
  readonly keys = new Map<string, number>();
  readonly values = new Map<string, number>();
  private readonly arrayTableCounts = new Map<string, number>();
  private i = 0;

  constructor(private readonly text: string) {}

  document(): void {
    let table: Array<string | number> = [];
    while (this.i < this.text.length) {
      this.skipBlank(true);
      if (this.i >= this.text.length) break;
      const before = this.i;
      if (this.text[this.i] === "[") table = this.header();
      else this.keyValue(table);
      this.skipBlank(false);
      if (this.i === before) this.i++; // never loop on input we do not understand
    }
  }

  /** `[a.b]` or `[[a.b]]`; returns the path of the table it opens. */
  private header(): Array<string | number> {
    const start = this.i;
    const isArray = this.text.startsWith("[[", this.i);
    this.i += isArray ? 2 : 1;
    const key = this.dottedKey();
    this.skipWs();
    this.i += isArray ? 2 : 1;
    for (let n = 1; n < key.length; n++) this.setFirst(this.keys, key.slice(0, n), start);
    if (!isArray) {
      this.keys.set(pathId(key), start);
      return key;
    }
    const id = pathId(key);
    const index = this.arrayTableCounts.get(id) ?? 0;
    this.arrayTableCounts.set(id, index + 1);
    this.setFirst(this.keys, key, start);
    const item = [...key, index];
    this.keys.set(pathId(item), start);
    return item;
  }

  private keyValue(base: ReadonlyArray<string | number>): void {
    const start = this.i;
    const key = this.dottedKey();
    if (key.length === 0) return;
    const full = [...base, ...key];
    for (let n = base.length + 1; n < full.length; n++) this.setFirst(this.keys, full.slice(0, n), start);
    this.keys.set(pathId(full), start);
    this.skipWs();
    if (this.text[this.i] !== "=") return;
    this.i++;
    this.skipWs();
    this.value(full);
  }

  private value(p: ReadonlyArray<string | number>): void {
    this.values.set(pathId(p), this.i);
    const c = this.text[this.i];
    if (c === "{") {
      this.i++;
      while (this.i < this.text.length) {
        this.skipBlank(true);
        if (this.text[this.i] === "}") {
          this.i++;
          return;
        }
        const before = this.i;
        this.keyValue(p);
        this.skipBlank(true);
        if (this.text[this.i] === ",") this.i++;
        if (this.i === before) this.i++;
      }
    } else if (c === "[") {
      this.i++;
      let index = 0;
      while (this.i < this.text.length) {
        this.skipBlank(true);
        if (this.text[this.i] === "]") {
          this.i++;
          return;
        }
        const before = this.i;
        this.value([...p, index++]);
        this.skipBlank(true);
        if (this.text[this.i] === ",") this.i++;
        if (this.i === before) this.i++;
      }
    } else if (c === '"' || c === "'") {
      this.string();
    } else {
      // Numbers, booleans, dates (which may hold a space): up to a separator.
      while (this.i < this.text.length && !/[,\]}\r\n#]/.test(this.text[this.i]!)) this.i++;
    }
  }

  /** `a`, `"a b"`, `'a'`, `a.b."c"`; whitespace is allowed around the dots. */
  private dottedKey(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skipWs();
      const c = this.text[this.i];
      if (c === '"' || c === "'") {
        parts.push(this.string());
      } else {
        const start = this.i;
        while (this.i < this.text.length && BARE_KEY.test(this.text[this.i]!)) this.i++;
        if (this.i === start) return parts;
        parts.push(this.text.slice(start, this.i));
      }
      this.skipWs();
      if (this.text[this.i] !== ".") return parts;
      this.i++;
    }
  }

  /** Skips any of the four string forms and returns its value (escapes decoded in basic strings). */
  private string(): string {
    const t = this.text;
    const quote = t[this.i]!;
    if (t.startsWith(quote.repeat(3), this.i)) {
      this.i += 3;
      const start = this.i;
      while (this.i < t.length && !t.startsWith(quote.repeat(3), this.i))
        this.i += quote === '"' && t[this.i] === "\\" ? 2 : 1;
      const end = this.i;
      this.i += 3;
      // Up to two quotes may end the content right before the closing delimiter (`""""` or `"""""`).
      let extra = 0;
      while (extra < 2 && t[this.i] === quote) {
        this.i++;
        extra++;
      }
      const raw = t.slice(start, end + extra);
      return quote === '"' ? decodeBasic(raw) : raw;
    }
    this.i++;
    const start = this.i;
    while (this.i < t.length && t[this.i] !== quote && t[this.i] !== "\n")
      this.i += quote === '"' && t[this.i] === "\\" ? 2 : 1;
    const raw = t.slice(start, this.i);
    this.i++;
    return quote === '"' ? decodeBasic(raw) : raw;
  }

  private skipWs(): void {
    while (this.text[this.i] === " " || this.text[this.i] === "\t") this.i++;
  }

  /** Whitespace and comments; newlines too when `newlines`. */
  private skipBlank(newlines: boolean): void {
    for (;;) {
      const c = this.text[this.i];
      if (c === " " || c === "\t") this.i++;
      else if (newlines && (c === "\n" || c === "\r")) this.i++;
      else if (c === "#") while (this.i < this.text.length && this.text[this.i] !== "\n") this.i++;
      else return;
    }
  }

  private setFirst(map: Map<string, number>, p: ReadonlyArray<string | number>, offset: number): void {
    const id = pathId(p);
    if (!map.has(id)) map.set(id, offset);
  }
}

const ESCAPES: Record<string, string> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\" };

function decodeBasic(raw: string): string {
  return raw.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|\r?\n[\s]*|.)/g, (_m, e: string) => {
    if (e[0] === "u" || e[0] === "U") return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (e[0] === "\n" || e[0] === "\r") return ""; // line-ending backslash in a multi-line string
    return ESCAPES[e] ?? e;
  });
}
