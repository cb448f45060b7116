/**
 * Random bytes from the operating system. Read from /dev/urandom where there is one: loading node:crypto for
 * its randomBytes costs about 10 ms of CPU on every run, a tenth of a small run's time. Browser builds use
 * random.browser.ts (Web Crypto).
 */
import * as fs from "node:fs";

export function randomBytes(size: number): Uint8Array {
  const bytes = Buffer.alloc(size);
  try {
    const fd = fs.openSync("/dev/urandom", "r");
    try {
      let n = 0;
      while (n < bytes.length) {
        const got = fs.readSync(fd, bytes, n, bytes.length - n, null);
        if (got <= 0) throw new Error("short read");
        n += got;
      }
      return bytes;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // no /dev/urandom (Windows) or it failed: the same bits from node:crypto
    const crypto = require("node:crypto") as typeof import("node:crypto");
    return crypto.randomBytes(size);
  }
}
