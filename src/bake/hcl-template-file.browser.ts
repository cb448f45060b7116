/** hcl-template-file.ts in a browser build, which always carries the template precompiled: never called. */
export function readHclTemplate(): string {
  throw new Error("internal error: a browser build without the precompiled HCL template");
}
