/**
 * Path handling for the core. On Node this is node:path itself (native, no start-up cost, the platform's own
 * rules); builds for the browser use path.browser.ts, the same POSIX algorithm. Both export the same names.
 */
import nodePath = require("node:path");

export const { basename, delimiter, dirname, extname, isAbsolute, join, normalize, relative, resolve, sep, posix } =
  nodePath;
