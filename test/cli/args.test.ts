/**
 * The fast command-line reader (node:util parseArgs) must agree with yargs wherever it answers, and must
 * answer for the spellings that ordinary runs use; everything else goes to yargs (src/cli-args.ts).
 */
import { parseCommon, parseWithYargs, UsageError } from "../../src/cli/args";

const version = () => "0.0.0-test";

function yargsArgs(argv: string[]) {
  const parsed = parseWithYargs(argv, version);
  if (!parsed.args) throw new Error(`yargs printed text for ${JSON.stringify(argv)}`);
  return parsed.args;
}

const COMMON: string[][] = [
  [],
  ["web"],
  ["web", "api", "007", "1e3", "0x10"],
  ["-f", "compose.yaml"],
  ["-f", "a.yaml", "-f", "b.yaml", "--file", "c.yaml", "--file=d.yaml"],
  ["-p", "proj", "--project-name=other-is-refused-below"].slice(0, 2),
  ["--project-directory", "sub", "--project-name", "x"],
  ["--env-file", ".env.ci", "--env-file=.env.local"],
  ["--profile", "debug", "--profile", "test", "web"],
  ["-o", "docker-bake.hcl"],
  ["-o", "-"],
  ["--output=out/docker-bake.json", "--format", "json"],
  ["--format=hcl"],
  ["--absolute-paths"],
  ["--resolve", "--check", "-o", "x.json"],
  ["--config", "ci.toml"],
  ["--fail-on-change", "-o", "docker-bake.hcl"],
  ["-q", "-o", "x.json"],
  ["--quiet", "--fail-on-change"],
  ["--", "--not-a-flag", "web"],
  ["web", "--", "-f"],
  ["-f", "a b.yaml", "-o", "c d.hcl", "service with space"],
  ["-o", ""],
  ["-"],
];

describe("the fast reader agrees with yargs", () => {
  test.each(COMMON.map((argv) => [JSON.stringify(argv), argv] as const))("%s", (_name, argv) => {
    const fast = parseCommon(argv);
    expect(fast).toBeDefined();
    expect(fast).toEqual(yargsArgs(argv));
  });
});

describe("rarer spellings are left to yargs", () => {
  test.each([
    [["--help"]],
    [["-h"]],
    [["--version"]],
    [["--no-absolute-paths"]],
    [["--no-resolve"]],
    [["--check=true", "-o", "x.json"]],
    [["-fcompose.yaml"]],
    [["-f=compose.yaml"]],
    [["--projectName", "x"]],
    [["--format", "yaml"]],
    [["--format", "json", "--format", "hcl"]],
    [["-o", "a.json", "-o", "b.json"]],
    [["--output", "--check"]],
    [["--bogus"]],
    [["-x"]],
  ])("%j", (argv) => {
    expect(parseCommon(argv)).toBeUndefined();
  });

  test("yargs reads them", () => {
    expect(yargsArgs(["--no-absolute-paths"])["absolute-paths"]).toBe(false);
    expect(yargsArgs(["-f=compose.yaml"]).file).toEqual(["compose.yaml"]);
    expect(yargsArgs(["--projectName", "x"])["project-name"]).toBe("x");
    expect(parseWithYargs(["--version"], version)).toEqual({ text: "0.0.0-test" });
    expect(parseWithYargs(["--help"], version).text).toContain("--env-file");
  });

  // `-fcompose.yaml` reads as the short flags -f -c -o -m … in yargs, as it did before the fast reader.
  test.each([[["--bogus"]], [["--format", "yaml"]], [["-f"]], [["-fcompose.yaml"]]])(
    "yargs refuses %j with a usage error",
    (argv) => {
      expect(() => parseWithYargs(argv, version)).toThrow(UsageError);
    },
  );
});
