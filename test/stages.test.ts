/**
 * The public stage API (issue #14 item 4): loadProject → convertProject → emit, called the way a library user
 * calls them, gives the bytes compose2bake() gives, in both variable modes, and never leaks keep mode's
 * private-use tokens into a bake file.
 */
import * as path from "node:path";
import {
  compose2bake,
  convertProject,
  DiagnosticBag,
  emit,
  emitJson,
  loadProject,
  type OutputFormat,
} from "../src/index";
import { caseNames, readCase } from "./support/cases";
import { REPO, fixedEnv, tempProject } from "./support/run";

const EXAMPLES = path.join(REPO, "examples");
// Examples run with a command line (case.json args) are left out: the stages here take none.
const examples = caseNames("examples").filter((d) => readCase("examples", d).args.length === 0);

/** What the stages give for `cwd`, with no output file (paths relative to `cwd`) and no compose2bake.toml. */
function staged(
  cwd: string,
  env: Record<string, string | undefined>,
  variables: "keep" | "resolve",
  format: OutputFormat,
): string {
  const diagnostics = new DiagnosticBag();
  const project = loadProject({ cwd, env, variables }, diagnostics);
  const bake = convertProject(project, { outputDir: cwd }, diagnostics);
  return format === "json" ? emitJson(bake) : emit(bake, format);
}

const PRIVATE_USE_TOKEN = /[\uE000\uE001]/;

test("there are examples to drive the stages with", () => expect(examples.length).toBeGreaterThanOrEqual(3));

describe.each(examples)("examples/%s", (name) => {
  const dir = path.join(EXAMPLES, name);
  for (const variables of ["keep", "resolve"] as const) {
    for (const format of ["json", "hcl"] as const) {
      test(`${variables}, ${format}: the stages give compose2bake()'s bytes`, () => {
        const env = fixedEnv();
        const text = staged(dir, env, variables, format);
        expect(text).toBe(compose2bake({ cwd: dir, env, variables, format, runWarnings: false }).text);
        expect(text).not.toMatch(PRIVATE_USE_TOKEN);
      });
    }
  }
});

test('keep mode through the stages writes bake variables, not tokens (was: the tag "ex/web:\\uE0000\\uE001")', () => {
  const cwd = tempProject({
    "compose.yaml":
      "name: ex\nservices:\n  web:\n    image: ex/web:${TAG}\n    build:\n      context: .\n      args:\n        V: ${VERSION}\n",
  });
  const env = fixedEnv();
  const text = staged(cwd, env, "keep", "json");
  expect(text).not.toMatch(PRIVATE_USE_TOKEN);
  const bake = JSON.parse(text) as {
    variable: Record<string, unknown>;
    target: Record<string, { tags: string[]; args: Record<string, string> }>;
  };
  expect(Object.keys(bake.variable).sort()).toEqual(["TAG", "VERSION"]);
  expect(bake.target.web!.tags).toEqual(["ex/web:${TAG}"]);
  expect(text).toBe(compose2bake({ cwd, env, runWarnings: false }).text);
  // Resolve mode substitutes from the environment instead.
  expect(JSON.parse(staged(cwd, { ...env, TAG: "1.2" }, "resolve", "json")).target.web.tags).toEqual(["ex/web:1.2"]);
});
