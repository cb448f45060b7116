/**
 * Property (issue #7 part 4c): secret values planted in the process environment and in `.env` (random printable
 * strings of 8 characters or more) never appear in any output, JSON or HCL, with variables kept or resolved, nor
 * in any diagnostic message. The compose files use those variables the ways that must not leak them: as build
 * secrets (`environment:`), and, where bake keeps the reference instead of the value, as `${VAR}` text and
 * value-less build args. (With --resolve, `${VAR}` in an arg is substituted on purpose, as docker compose does,
 * so that case is left out there.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { CompileError, compose2bake, formatDiagnostic, type Diagnostic } from "../../src/index";
import { fixedEnv } from "../support/run";
import { RUNS, safeName, tempDir } from "./support";

/** A printable secret (ASCII, and some non-ASCII), at least 8 characters, not made only of spaces. */
const secretValue = fc
  .string({
    unit: fc.oneof(
      { weight: 9, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
      fc.constantFrom("é", "ß", "日", "😀"),
    ),
    minLength: 8,
    maxLength: 24,
  })
  .filter((s) => s.trim().length >= 8);

interface Planted {
  name: string;
  value: string;
  where: "env" | "dotenv" | "both";
}

const planted = fc.uniqueArray(
  fc.record({
    name: safeName.map((n) => `S_${n.toUpperCase()}`),
    value: secretValue,
    where: fc.constantFrom("env" as const, "dotenv" as const, "both" as const),
  }),
  { minLength: 1, maxLength: 4, selector: (p) => p.name },
);

/** A .env line that sets `value` exactly (double quotes: `\`, `"` and `$` escaped, as compose-go's dotenv reads them). */
function dotenvLine(name: string, value: string): string {
  return `${name}="${value.replace(/[\\"$]/g, (c) => "\\" + c)}"\n`;
}

function composeFile(secrets: Planted[], keep: boolean, form: number): string {
  let y = "services:\n  app:\n    image: example/app\n    build:\n      context: .\n";
  y += `      secrets:\n${secrets.map((s, i) => `        - ${form % 2 ? `source: s${i}\n          target: ${s.name.toLowerCase()}` : `s${i}`}\n`).join("")}`;
  if (keep) {
    y += `      args:\n${secrets.map((s) => `        - ${s.name}\n        - X_${s.name}=$\{${s.name}}\n`).join("")}`;
    y += `      labels:\n${secrets.map((s) => `        l.${s.name.toLowerCase()}: "$\{${s.name}:-none} $\{${s.name}:+set}"\n`).join("")}`;
    y += `      tags: [${secrets.map((s) => `"example/app:$\{${s.name}}"`).join(", ")}]\n`;
  } else {
    y += `      labels:\n${secrets.map((s) => `        l.${s.name.toLowerCase()}: "$\{${s.name}:+set}"\n`).join("")}`;
  }
  y += `secrets:\n${secrets.map((s, i) => `  s${i}:\n    environment: ${s.name}\n`).join("")}`;
  return y;
}

describe("property: planted secrets never reach the output or a message", () => {
  const dir = tempDir("c2b-prop-secrets-");

  test("environment and .env secrets, both formats, both variable modes", () => {
    fc.assert(
      fc.property(planted, fc.nat(), (secrets, form) => {
        const env: Record<string, string> = fixedEnv();
        let dotenv = "";
        for (const s of secrets) {
          if (s.where !== "dotenv") env[s.name] = s.value;
          if (s.where !== "env")
            dotenv += dotenvLine(s.name, s.where === "both" ? s.value.split("").reverse().join("") : s.value);
        }
        fs.writeFileSync(path.join(dir, ".env"), dotenv);
        const values = secrets.flatMap((s) => [s.value, s.value.split("").reverse().join("")]);
        for (const variables of ["keep", "resolve"] as const) {
          fs.writeFileSync(path.join(dir, "compose.yaml"), composeFile(secrets, variables === "keep", form));
          for (const format of ["json", "hcl"] as const) {
            let text = "";
            let diagnostics: readonly Diagnostic[];
            try {
              const result = compose2bake({ cwd: dir, env, variables, format });
              text = result.text + JSON.stringify(result.bake);
              diagnostics = result.diagnostics;
            } catch (e) {
              if (!(e instanceof CompileError)) throw e;
              diagnostics = e.diagnostics;
            }
            // The files are well-formed: the run succeeds and uses every variable (by name).
            expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
            for (const s of secrets) expect(text).toContain(s.name);
            const messages = diagnostics.map((d) => formatDiagnostic(d, dir)).join("\n");
            for (const v of values) {
              // JSON may write a character as an escape: look for the value both raw and as JSON writes it.
              for (const form of [v, JSON.stringify(v).slice(1, -1)]) {
                expect({ variables, format, leaked: text.includes(form) }).toEqual({
                  variables,
                  format,
                  leaked: false,
                });
                expect({ variables, format, inMessage: messages.includes(form) }).toEqual({
                  variables,
                  format,
                  inMessage: false,
                });
              }
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  }, 60_000);
});
