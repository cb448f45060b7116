/** The HCL template's text from templates/, for runs from the sources (bundles carry it precompiled). */
import * as fs from "node:fs";
import * as path from "node:path";

const TEMPLATE_FILE = "bake.hcl.hbs";

export function readHclTemplate(): string {
  return fs.readFileSync(templatePath(), "utf8");
}

/**
 * templates/ sits at the package root: two levels above this file when run from src/bake (ts-jest, ts-node),
 * three above it when run from dist/src/bake (after `tsc`).
 */
function templatePath(): string {
  const candidates = [
    path.join(__dirname, "..", "..", "templates", TEMPLATE_FILE),
    path.join(__dirname, "..", "..", "..", "templates", TEMPLATE_FILE),
  ];
  const found = candidates.find((p) => fs.existsSync(p));
  if (found === undefined) {
    throw new Error(`internal error: cannot find the HCL template; looked for ${candidates.join(" and ")}`);
  }
  return found;
}
