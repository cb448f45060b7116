/**
 * E2E (b): test/e2e/projects/secrets — build secrets from files and from an environment variable, short and
 * long syntax (`target` is the id the Dockerfile mounts). Fresh random values every run. Inside
 * `RUN --mount=type=secret` each secret's sha256 is written into the image; it must equal the host's. The
 * next step must not see them, and no saved image may contain them (while the same scan does find a build
 * argument written into the image: the positive control).
 */
import * as fs from "node:fs";
import { e2eEngine } from "./support/engine";
import { builtTargets, E2EProject, labelsByTag, randomToken, sha256 } from "./support/project";
import { findInImageArchive } from "./support/tar";

const engine = e2eEngine();
const describeE2E = engine ? describe : describe.skip;

const APP = "c2b-e2e-secrets/app:latest";
const TOOL = "c2b-e2e-secrets/tool:latest";
const EXPECTED_TAGS = [APP, TOOL].sort();

const secret = {
  apiKeyFile: `${randomToken("api-key")}\n`, // secrets/api_key.txt (ids apikey and key)
  npmTokenFile: randomToken("npm-token"), // secrets/npm_token.txt, no newline (id npm_token)
  ghToken: randomToken("gh-token"), // $C2B_E2E_GH_TOKEN (ids gh and token)
};
const MARKER = randomToken("marker"); // a build argument: written into the image on purpose

describeE2E("e2e secrets: from a file and from an environment variable, long syntax with target", () => {
  let project: E2EProject;
  let bakeLabels: Record<string, Record<string, string>> | undefined;

  beforeAll(() => {
    project = new E2EProject(engine!, {
      name: "secrets",
      files: { "secrets/api_key.txt": secret.apiKeyFile, "secrets/npm_token.txt": secret.npmTokenFile },
      env: { C2B_E2E_GH_TOKEN: secret.ghToken, C2B_E2E_MARKER: MARKER },
    });
  });
  afterAll(() => project?.cleanup());

  function verifyImages() {
    expect(project.tags()).toEqual(EXPECTED_TAGS);
    const images = project.inspect(EXPECTED_TAGS);

    const app = project.readFiles(APP);
    expect({
      apikey: app.get("apikey.sha256"),
      gh: app.get("gh.sha256"),
      npm_token: app.get("npm_token.sha256"),
    }).toEqual({
      apikey: `${sha256(secret.apiKeyFile)}\n`,
      gh: `${sha256(secret.ghToken)}\n`,
      npm_token: `${sha256(secret.npmTokenFile)}\n`,
    });
    expect(app.get("next-step")).toBe(
      [
        "absent /run/secrets/apikey",
        "absent /run/secrets/gh",
        "absent /run/secrets/npm_token",
        "absent /root/.npmrc",
        "GH_TOKEN=unset",
        "",
      ].join("\n"),
    );
    expect(app.get("marker")).toBe(`${MARKER}\n`);

    const tool = project.readFiles(TOOL);
    expect({ token: tool.get("token.sha256"), key: tool.get("key.sha256") }).toEqual({
      token: `${sha256(secret.ghToken)}\n`,
      key: `${sha256(secret.apiKeyFile)}\n`,
    });
    expect(tool.get("next-step")).toBe("absent /run/secrets/token\nabsent /run/secrets/key\n");

    // No layer, config or history entry of any image holds a secret value.
    for (const tag of EXPECTED_TAGS) {
      const archive = project.save(tag);
      if (tag === APP) expect(findInImageArchive(archive, Buffer.from(MARKER)).length).toBeGreaterThan(0);
      for (const [name, value] of Object.entries(secret)) {
        expect({ tag, secret: name, foundIn: findInImageArchive(archive, Buffer.from(value.trim())) }).toEqual({
          tag,
          secret: name,
          foundIn: [],
        });
      }
    }
    return images;
  }

  test.each(["json", "hcl"] as const)(
    "compose2bake -o docker-bake.%s, then one bake --load builds every target",
    (format) => {
      project.removeImages();
      const file = project.compile(format);
      const text = fs.readFileSync(file, "utf8");
      for (const value of Object.values(secret)) expect(text).not.toContain(value.trim());
      const run = project.bake(file);
      expect(builtTargets(run)).toEqual(["app", "tool"]);
      const images = verifyImages();
      if (format === "json") bakeLabels = labelsByTag(images);
    },
  );

  test("docker compose build makes the same tags with the same labels", () => {
    if (!bakeLabels) throw new Error("the bake build of docker-bake.json did not get as far as its images");
    project.removeImages();
    project.composeBuild();
    const images = verifyImages();
    expect(labelsByTag(images)).toEqual(bakeLabels);
  });
});
