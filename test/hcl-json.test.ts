/**
 * The HCL ≡ JSON invariant, once, over every case of every corpus (examples/, test/fixtures/, test/loading/):
 * compose2bake run with the case's arguments plus `--resolve`, in both formats, succeeds or fails alike, with the
 * same diagnostics, and HashiCorp's own HCL parser (test/support/hcl.ts) reads the HCL file as the JSON file.
 *
 * hcl2json prints kept-variable expressions in its own form, so this check runs with --resolve (no
 * expressions); with them, the real `docker buildx bake --print` compares the two files
 * (test/realtools/differential.test.ts).
 */
import { readCases, runCli } from "./support/cases";
import { hclToBakeJson } from "./support/hcl";

const cases = readCases("examples", "fixtures", "loading");

test("the invariant sees every corpus", () => {
  for (const corpus of ["examples", "fixtures", "loading"])
    expect(cases.filter((c) => c.corpus === corpus).length).toBeGreaterThan(0);
});

describe.each(cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
  test("the HCL file describes the same bake file as the JSON file (HashiCorp's parser, --resolve)", async () => {
    const args = c.args.includes("--resolve") ? c.args : [...c.args, "--resolve"];
    const json = await runCli(c, "json", { args });
    const hcl = await runCli(c, "hcl", { args });
    expect({ status: hcl.status, stderr: hcl.stderr }).toEqual({ status: json.status, stderr: json.stderr });
    // A case expected to compile must compile here too.
    if (c.cli === "ok") expect(json.status).toBe(0);
    if (json.status !== 0) return;
    expect(await hclToBakeJson(hcl.stdout)).toEqual(JSON.parse(json.stdout));
  });
});
