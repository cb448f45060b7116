/**
 * Golden tests: every folder under examples/ is converted, and the result must equal the checked-in
 * docker-bake.json and docker-bake.hcl byte for byte. Run with UPDATE_GOLDEN=1 to rewrite them, then read
 * the diff before committing. An optional `compose2bake.args` file holds extra flags (one per line).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compose2bake, type OutputFormat } from "../src/index";
import { REPO, fixedEnv } from "./support/run";
import { hclToBakeJson } from "./support/hcl";

const EXAMPLES = path.join(REPO, "examples");
const examples = fs
  .readdirSync(EXAMPLES)
  .filter((d) => fs.statSync(path.join(EXAMPLES, d)).isDirectory())
  .sort();

function convert(dir: string, format: OutputFormat, variables: "keep" | "resolve" = "keep") {
  return compose2bake({
    cwd: dir,
    env: fixedEnv(),
    variables,
    format,
    outputFile: path.join(dir, `docker-bake.${format}`),
  });
}

test("there are at least five examples", () => expect(examples.length).toBeGreaterThanOrEqual(5));

describe.each(examples)("examples/%s", (name) => {
  const dir = path.join(EXAMPLES, name);
  for (const format of ["json", "hcl"] as const) {
    test(`docker-bake.${format} is up to date`, () => {
      const { text } = convert(dir, format);
      const file = path.join(dir, `docker-bake.${format}`);
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, text);
      expect(text).toBe(fs.readFileSync(file, "utf8"));
      // Byte-identical on a second run.
      expect(convert(dir, format).text).toBe(text);
    });
  }
  // hcl2json prints conditionals inside templates in its own form, so the two files are compared here
  // without kept variables; with them, the real `docker buildx bake --print` compares them (test/realtools).
  test("the HCL file describes the same bake file as the JSON file (HashiCorp's parser)", async () => {
    const json = JSON.parse(convert(dir, "json", "resolve").text);
    expect(await hclToBakeJson(convert(dir, "hcl", "resolve").text)).toEqual(json);
  });
});
