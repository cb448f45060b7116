/**
 * A small tar reader (ustar, GNU long names, pax paths) for what `docker cp CONTAINER:DIR -` and
 * `docker save` write, and the search of a saved image for secret values.
 */
import * as zlib from "node:zlib";

export interface TarEntry {
  name: string;
  /** ustar type flag: "0" file, "5" folder, "2" symlink, … */
  type: string;
  data: Buffer;
}

function cString(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString("utf8");
}

function octal(buf: Buffer, start: number, length: number): number {
  const text = cString(buf, start, length).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

export function readTar(buf: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  while (offset + 512 <= buf.length) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    if (header[124]! & 0x80) throw new Error("tar: base-256 sizes are not supported");
    const size = octal(header, 124, 12);
    const type = header[156] === 0 ? "0" : String.fromCharCode(header[156]!);
    const data = buf.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"));
      if (m) paxPath = m[1];
      continue;
    }
    if (type === "g") continue;
    const prefix = cString(header, 345, 155);
    const name = paxPath ?? longName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
    paxPath = longName = undefined;
    entries.push({ name, type, data });
  }
  return entries;
}

/** Regular files of a tar, by name with any leading `./` removed. */
export function tarFiles(buf: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const e of readTar(buf)) if (e.type === "0" || e.type === "7") files.set(e.name.replace(/^\.\//, ""), e.data);
  return files;
}

/**
 * Where `needle` occurs in a `docker save` archive: in the archive's bytes as they are (uncompressed layers,
 * configs, manifests), and inside every gzip-compressed entry after decompressing it. Each hit is described
 * by the entry it is in. A zstd-compressed entry cannot be searched with Node's zlib: it is reported as an
 * error, so a scan can never pass without having looked.
 */
export function findInImageArchive(archive: Buffer, needle: Buffer): string[] {
  const hits: string[] = [];
  for (const entry of readTar(archive)) {
    let data = entry.data;
    let how = "";
    if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
      data = zlib.gunzipSync(data);
      how = " (gunzipped)";
    } else if (data.length >= 4 && data.readUInt32LE(0) === 0xfd2fb528) {
      throw new Error(`${entry.name} is zstd-compressed: cannot search it`);
    }
    if (data.indexOf(needle) >= 0) hits.push(`${entry.name}${how}`);
  }
  return hits;
}
