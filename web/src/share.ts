/**
 * The share link: the playground's state as JSON, compressed with the browser's own deflate (CompressionStream,
 * no library) and written base64url in the URL fragment, which browsers never send to a server.
 */
export interface SharedFile {
  readonly name: string;
  readonly text: string;
}

export interface PlaygroundState {
  readonly files: readonly SharedFile[];
  readonly format: "hcl" | "json";
  readonly variables: "keep" | "resolve";
  readonly profiles: string;
  readonly env: string;
  readonly folder: string;
}

const PREFIX = "#s=";

export async function encodeState(state: PlaygroundState): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(state));
  const packed = await pipe(json, new CompressionStream("deflate-raw"));
  return PREFIX + toBase64Url(packed);
}

/** The state in a fragment made by encodeState; undefined for any other fragment or a damaged one. */
export async function decodeState(fragment: string): Promise<PlaygroundState | undefined> {
  if (!fragment.startsWith(PREFIX)) return undefined;
  try {
    const bytes = await pipe(fromBase64Url(fragment.slice(PREFIX.length)), new DecompressionStream("deflate-raw"));
    return checkState(JSON.parse(new TextDecoder().decode(bytes)) as unknown);
  } catch {
    return undefined;
  }
}

/** A fragment is anybody's text: keep only what has the expected shape. */
function checkState(v: unknown): PlaygroundState | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.files)) return undefined;
  const files = o.files.filter(
    (f): f is SharedFile =>
      typeof f === "object" &&
      f !== null &&
      typeof (f as SharedFile).name === "string" &&
      typeof (f as SharedFile).text === "string",
  );
  const str = (x: unknown) => (typeof x === "string" ? x : "");
  return {
    files,
    format: o.format === "json" ? "json" : "hcl",
    variables: o.variables === "resolve" ? "resolve" : "keep",
    profiles: str(o.profiles),
    env: str(o.env),
    folder: str(o.folder),
  };
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
