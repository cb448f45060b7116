/**
 * Property (issue #7 part 4a): for random well-formed Compose build sections whose strings are full of quotes,
 * backslashes, newlines, unicode, `$$`, `%{` and `$${`-escaped `${`, compose2bake with `variables: "resolve"`
 * gives a JSON file and an HCL file that HashiCorp's parser reads back to the same bake model, and every literal
 * string in that model is exactly the text the user meant (the YAML value after Compose's `$$` unescaping).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { compose2bake, emit } from "../../src/index";
import { hclToBakeJson, literalFromTemplate } from "../support/hcl";
import { RUNS, composeString, literal, safeName, tempDir, word, yamlQuote } from "./support";

interface ServiceSpec {
  name: string;
  image?: string;
  args?: { form: "map"; entries: Array<[string, string]> } | { form: "list"; entries: Array<[string, string]> };
  labels?: Array<[string, string]>;
  tags?: string[];
  target?: string;
  network?: string;
  dockerfileInline?: string;
  cacheFrom?: string[];
  cacheTo?: string[];
  noCacheFilter?: string[];
  platforms?: string[];
  contexts?: Array<[string, string]>;
  secrets?: Array<{ source: string; target?: string; variable: string }>;
  ssh?: Array<{ id: string; path?: string }>;
}

const uniqueWords = fc.uniqueArray(word, { minLength: 1, maxLength: 4 });
/** Keys of maps: any text that is not empty (keys are never interpolated). */
const anyKey = literal({ minLength: 1, maxLength: 4 }).filter((k) => k.trim() !== "");
const mapEntries = (key: fc.Arbitrary<string>) =>
  fc.uniqueArray(fc.tuple(key, literal()), { minLength: 1, maxLength: 4, selector: ([k]) => k });
const upperName = safeName.map((n) => n.toUpperCase());

const serviceSpec: fc.Arbitrary<ServiceSpec> = fc.record(
  {
    name: safeName,
    image: word,
    args: fc.oneof(
      mapEntries(anyKey).map((entries) => ({ form: "map" as const, entries })),
      mapEntries(upperName).map((entries) => ({ form: "list" as const, entries })),
    ),
    labels: mapEntries(anyKey),
    tags: uniqueWords,
    target: word,
    network: word,
    dockerfileInline: literal({ minLength: 1 }),
    cacheFrom: uniqueWords,
    cacheTo: uniqueWords,
    noCacheFilter: uniqueWords,
    platforms: uniqueWords,
    contexts: fc.uniqueArray(fc.tuple(safeName, word), { minLength: 1, maxLength: 3, selector: ([k]) => k }),
    secrets: fc.uniqueArray(
      fc.record({ source: safeName, target: fc.option(safeName, { nil: undefined }), variable: upperName }),
      {
        minLength: 1,
        maxLength: 3,
        selector: (s) => s.source,
      },
    ),
    ssh: fc.uniqueArray(
      fc.oneof(fc.constant({ id: "default" }), fc.record({ id: safeName, path: word.map((w) => "/keys/" + w) })),
      { minLength: 1, maxLength: 3, selector: (s) => s.id },
    ),
  },
  { requiredKeys: ["name"] },
);

const projectSpec = fc.uniqueArray(serviceSpec, { minLength: 1, maxLength: 3, selector: (s) => s.name });

function renderYaml(services: ServiceSpec[]): string {
  let y = "services:\n";
  const topSecrets = new Map<string, string>();
  for (const s of services) {
    y += `  ${s.name}:\n`;
    if (s.image !== undefined) y += `    image: ${composeString(s.image)}\n`;
    y += "    build:\n      context: .\n";
    if (s.args?.form === "map")
      y += `      args:\n${s.args.entries.map(([k, v]) => `        ${yamlQuote(k)}: ${composeString(v)}\n`).join("")}`;
    if (s.args?.form === "list")
      y += `      args:\n${s.args.entries.map(([k, v]) => `        - ${composeString(`${k}=${v}`)}\n`).join("")}`;
    if (s.labels)
      y += `      labels:\n${s.labels.map(([k, v]) => `        ${yamlQuote(k)}: ${composeString(v)}\n`).join("")}`;
    const list = (key: string, items: string[] | undefined) => {
      if (items) y += `      ${key}:\n${items.map((i) => `        - ${composeString(i)}\n`).join("")}`;
    };
    list("tags", s.tags);
    if (s.target !== undefined) y += `      target: ${composeString(s.target)}\n`;
    if (s.network !== undefined) y += `      network: ${composeString(s.network)}\n`;
    if (s.dockerfileInline !== undefined) y += `      dockerfile_inline: ${composeString(s.dockerfileInline)}\n`;
    list("cache_from", s.cacheFrom);
    list("cache_to", s.cacheTo);
    list("no_cache_filter", s.noCacheFilter);
    list("platforms", s.platforms);
    if (s.contexts) {
      y += `      additional_contexts:\n${s.contexts.map(([k, v]) => `        ${k}: ${composeString(`docker-image://${v}`)}\n`).join("")}`;
    }
    if (s.secrets) {
      y += "      secrets:\n";
      for (const sec of s.secrets) {
        y +=
          sec.target === undefined
            ? `        - ${sec.source}\n`
            : `        - source: ${sec.source}\n          target: ${sec.target}\n`;
        topSecrets.set(sec.source, sec.variable);
      }
    }
    list(
      "ssh",
      s.ssh?.map((e) => (e.path === undefined ? e.id : `${e.id}=${e.path}`)),
    );
  }
  if (topSecrets.size > 0)
    y += `secrets:\n${[...topSecrets].map(([n, v]) => `  ${n}:\n    environment: ${v}\n`).join("")}`;
  return y;
}

/** What each target must hold, as literal text, for the strings this test controls. */
function expectedTarget(s: ServiceSpec, topSecrets: Map<string, string>): Record<string, unknown> {
  const t: Record<string, unknown> = {};
  if (s.args) t.args = Object.fromEntries(s.args.entries);
  if (s.labels) t.labels = Object.fromEntries(s.labels);
  t.tags = [
    ...new Set([
      ...composeUniqueTags(s.tags ?? []),
      s.image !== undefined && s.image !== "" ? s.image : `proj-${s.name}`,
    ]),
  ];
  if (s.target !== undefined) t.target = s.target;
  if (s.network !== undefined) t.network = s.network;
  if (s.dockerfileInline !== undefined) t["dockerfile-inline"] = s.dockerfileInline;
  if (s.cacheFrom) t["cache-from"] = s.cacheFrom;
  if (s.cacheTo) t["cache-to"] = s.cacheTo;
  if (s.noCacheFilter) t["no-cache-filter"] = s.noCacheFilter;
  if (s.platforms) t.platforms = s.platforms;
  if (s.contexts) t.contexts = Object.fromEntries(s.contexts.map(([k, v]) => [k, `docker-image://${v}`]));
  if (s.secrets) t.secret = s.secrets.map((sec) => `id=${sec.target ?? sec.source},env=${topSecrets.get(sec.source)}`);
  if (s.ssh) {
    t.ssh = [...s.ssh]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((e) => (e.path === undefined ? e.id : `${e.id}=${e.path}`));
  }
  return t;
}

/**
 * compose-go de-duplicates `tags` like a `K=V` list: by the text before the first `=`, a later item replacing
 * the earlier one in place (docker compose 2.40.3: `[a=1, b, a=2]` → `[a=2, b]`).
 */
function composeUniqueTags(tags: string[]): string[] {
  const out: string[] = [];
  const index = new Map<string, number>();
  for (const tag of tags) {
    const key = tag.includes("=") ? tag.slice(0, tag.indexOf("=")) : tag;
    const at = index.get(key);
    if (at === undefined) index.set(key, out.push(tag) - 1);
    else out[at] = tag;
  }
  return out;
}

/** The literal text of every template string of a bake JSON model (keys included). */
function decode(value: unknown): unknown {
  if (typeof value === "string") return literalFromTemplate(value);
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [literalFromTemplate(k), decode(v)]));
  return value;
}

/** Our JSON writes a lone CR as `${"\r"}` (see escape.ts jsonTemplateString); HCL reads it back as the CR. */
function crAsText(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\$\{"\\r"\}/g, "\r");
  if (Array.isArray(value)) return value.map(crAsText);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [crAsText(k) as string, crAsText(v)]));
  return value;
}

describe("property: JSON and HCL describe the same model, and literals survive every escape", () => {
  const dir = tempDir("c2b-prop-roundtrip-");
  const file = path.join(dir, "compose.yaml");

  test("random build sections, variables resolved", async () => {
    await fc.assert(
      fc.asyncProperty(projectSpec, async (services) => {
        const yaml = renderYaml(services);
        fs.writeFileSync(file, yaml);
        const result = compose2bake({
          cwd: dir,
          env: { HOME: "/home/tester" },
          files: [file],
          projectName: "proj",
          variables: "resolve",
          format: "json",
          absolutePaths: true,
        });
        const fromJson = crAsText(JSON.parse(result.text));
        const fromHcl = await hclToBakeJson(emit(result.bake, "hcl"));
        expect(fromHcl).toEqual(fromJson);

        const model = decode(fromJson) as { target: Record<string, Record<string, unknown>> };
        const topSecrets = new Map(
          services.flatMap((s) => (s.secrets ?? []).map((sec) => [sec.source, sec.variable] as [string, string])),
        );
        for (const s of services) {
          const target = model.target[s.name]!;
          expect(target).toMatchObject(expectedTarget(s, topSecrets));
          // ... and the text read back is the typed model the library returned (which holds literal strings).
          expect(target).toEqual(result.bake.target[s.name]);
        }
      }),
      { numRuns: RUNS },
    );
  }, 60_000);
});
