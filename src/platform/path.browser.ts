/**
 * path.ts in a browser build: path-browserify, Node's own POSIX path code (so `a\b` stays one name and `//`
 * collapses as on Linux, where pathe would turn backslashes into slashes).
 */
import posixPath = require("path-browserify");

export const { basename, delimiter, dirname, extname, isAbsolute, join, normalize, relative, resolve, sep } = posixPath;
export const posix = posixPath;
