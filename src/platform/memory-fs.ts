/**
 * A FileSystem over files held in memory (the browser playground, tests): absolute POSIX paths to their
 * content; every folder above a file exists, and so does any folder named in `folders`. No symbolic links.
 */
import * as path from "./path";
import { FileSystemError, type FileStat, type FileSystem } from "./file-system";

export interface MemoryFiles {
  /** Absolute path → content (text is stored as UTF-8). */
  readonly [path: string]: string | Uint8Array;
}

export function memoryFileSystem(files: MemoryFiles, folders: readonly string[] = []): FileSystem {
  const content = new Map<string, Uint8Array>();
  const dirs = new Set<string>(["/"]);
  const encoder = new TextEncoder();
  const addFolder = (dir: string) => {
    for (let d = dir; !dirs.has(d); d = path.dirname(d)) dirs.add(d);
  };
  for (const [name, value] of Object.entries(files)) {
    const p = absolute(name);
    content.set(p, typeof value === "string" ? encoder.encode(value) : value);
    addFolder(path.dirname(p));
  }
  for (const f of folders) addFolder(absolute(f));
  for (const p of content.keys()) if (dirs.has(p)) throw new Error(`${p} is both a file and a folder`);

  const stat = (p: string): FileStat => {
    const at = path.normalize(p);
    if (content.has(at)) return { isFile: true, isDirectory: false };
    if (dirs.has(at)) return { isFile: false, isDirectory: true };
    // Go's words differ when a file stands where a folder should be.
    for (let d = path.dirname(at); d !== "/" && d !== "."; d = path.dirname(d)) {
      if (content.has(d)) throw new FileSystemError("ENOTDIR", `${p}: not a directory`);
    }
    throw new FileSystemError("ENOENT", `${p}: no such file or directory`);
  };
  return {
    stat,
    read(p: string, limit: number): Uint8Array | undefined {
      const s = stat(p);
      if (s.isDirectory) throw new FileSystemError("EISDIR", `${p}: is a directory`);
      const bytes = content.get(path.normalize(p))!;
      return bytes.length > limit ? undefined : bytes;
    },
    realpath: (p) => path.normalize(p),
  };
}

function absolute(p: string): string {
  if (!path.isAbsolute(p)) throw new Error(`memoryFileSystem: ${p} is not an absolute path`);
  return path.normalize(p);
}
