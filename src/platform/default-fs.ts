/**
 * The file system used when the options name none: Node's. Builds for the browser replace this module with
 * default-fs.browser.ts (scripts/check-browser-core.js, web/build.js), where the caller must pass `fs`.
 */
import type { FileSystem } from "./file-system";
import { nodeFileSystem } from "./node-fs";

export function defaultFileSystem(): FileSystem {
  return nodeFileSystem;
}
