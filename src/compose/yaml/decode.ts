/**
 * Compose files from bytes to text, as go-yaml's reader decodes them (moved out of yaml.ts to work on plain
 * Uint8Array, without Buffer, so that the core runs in a browser).
 */
import { SourceFile, fail } from "../../diagnostics";

// ignoreBOM: the BOM stays in the text (and is dropped below), so that offsets count it as go-yaml does.
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });
/** Throws on invalid UTF-8: the native check, so that only a broken file pays for finding where it breaks. */
const UTF8_STRICT = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });

/**
 * The text of a compose file from its bytes, read the way go-yaml's reader reads them: UTF-8, or UTF-16 when the
 * file starts with a UTF-16 byte-order mark; a leading BOM dropped (and a second one, which go-yaml's scanner
 * skips at the start of the stream); invalid encodings and characters outside YAML's printable set refused with
 * go-yaml's messages (docker compose: `yaml: invalid leading UTF-8 octet`, `yaml: control characters are not
 * allowed`), where Node's decoder would silently put U+FFFD in their place. A lone CR (and NEL, U+0085) is a
 * line break for go-yaml but not for the `yaml` package, so it becomes LF; offsets do not move.
 */
export function decodeComposeSource(path: string, bytes: Uint8Array): SourceFile {
  let text: string;
  let bad: { offset: number; code: "yaml-encoding" | "yaml-control-character"; message: string } | undefined;
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const body = bytes.slice(2);
    if (bytes[0] === 0xfe) {
      // big-endian: swap each pair of bytes (an odd last byte stays, and is reported below)
      for (let i = 0; i + 1 < body.length; i += 2) [body[i], body[i + 1]] = [body[i + 1]!, body[i]!];
    }
    // Made here, as UTF-16 files are rare: the decoder costs a few tenths of a millisecond to create.
    text = new TextDecoder("utf-16le", { ignoreBOM: true }).decode(body);
    const e = firstUtf16Error(body);
    if (e) bad = { offset: e.at >> 1, code: "yaml-encoding", message: e.message };
  } else {
    const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    try {
      text = UTF8_STRICT.decode(bytes.subarray(start));
    } catch {
      text = UTF8.decode(bytes.subarray(start));
      const e = firstUtf8Error(bytes, start)!;
      bad = { offset: UTF8.decode(bytes.subarray(start, e.at)).length, code: "yaml-encoding", message: e.message };
    }
  }
  // go-yaml reads character by character, so whichever problem comes first is the one reported.
  const control = NOT_PRINTABLE.exec(text);
  if (control && (!bad || control.index < bad.offset)) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    bad = {
      offset: control.index,
      code: "yaml-control-character",
      message: `control characters are not allowed (U+${code})`,
    };
  }
  if (bad)
    fail(bad.code, `failed to parse ${path}: ${bad.message}`, { file: new SourceFile(path, text), offset: bad.offset });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return new SourceFile(path, text.replace(LONE_BREAK, "\n"));
}

/**
 * Line breaks that go-yaml reads as LF (libyaml's `read_line`: CR, NEL) and the yaml package does not. (LS and
 * PS are breaks for go-yaml too, but kept as themselves inside quoted scalars: not mirrored.)
 */
const LONE_BREAK = /\r(?!\n)|\u0085/g;

/** Characters outside YAML's printable set, as go-yaml's reader checks them (tab, LF and CR are allowed). */
const NOT_PRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** The first encoding error of UTF-8 bytes, with go-yaml's message (readerc.go). */
function firstUtf8Error(b: Uint8Array, start: number): { at: number; message: string } | undefined {
  for (let i = start; i < b.length;) {
    const c = b[i]!;
    const width = c < 0x80 ? 1 : (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 0;
    if (width === 0) return { at: i, message: "invalid leading UTF-8 octet" };
    if (i + width > b.length) return { at: i, message: "incomplete UTF-8 octet sequence" };
    let value = width === 1 ? c : width === 2 ? c & 0x1f : width === 3 ? c & 0x0f : c & 0x07;
    for (let k = 1; k < width; k++) {
      const t = b[i + k]!;
      if ((t & 0xc0) !== 0x80) return { at: i, message: "invalid trailing UTF-8 octet" };
      value = (value << 6) | (t & 0x3f);
    }
    if (!(
      width === 1 ||
      (width === 2 && value >= 0x80) ||
      (width === 3 && value >= 0x800) ||
      (width === 4 && value >= 0x10000)
    )) {
      return { at: i, message: "invalid length of a UTF-8 sequence" };
    }
    if ((value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff)
      return { at: i, message: "invalid Unicode character" };
    i += width;
  }
  return undefined;
}

/** The first encoding error of UTF-16 code units (little-endian here), with go-yaml's message. */
function firstUtf16Error(b: Uint8Array): { at: number; message: string } | undefined {
  for (let i = 0; i < b.length; i += 2) {
    if (i + 1 >= b.length) return { at: i, message: "incomplete UTF-16 character" };
    const unit = b[i]! | (b[i + 1]! << 8);
    if ((unit & 0xfc00) === 0xdc00) return { at: i, message: "unexpected low surrogate area" };
    if ((unit & 0xfc00) === 0xd800) {
      if (i + 3 >= b.length) return { at: i, message: "incomplete UTF-16 surrogate pair" };
      if (((b[i + 2]! | (b[i + 3]! << 8)) & 0xfc00) !== 0xdc00)
        return { at: i, message: "expected low surrogate area" };
      i += 2;
    }
  }
  return undefined;
}
