/** default.ts in a browser build: there is no file system to fall back on. */
import type { FileSystem } from "./file-system";

export function defaultFileSystem(): FileSystem {
  throw new Error("compose2bake in a browser: pass the files as options.fs (memoryFileSystem)");
}
