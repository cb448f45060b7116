/**
 * E2E (a): test/e2e/projects/monorepo — `base` is built by the project and shared by `api` and `worker`
 * through `service:base` contexts (`target:base` in bake). compose2bake's JSON and HCL output are each built
 * by ONE `docker buildx bake --load` on the private engine; then `docker compose build` must make the same
 * tags with the same labels. See test/e2e/global-setup.ts for the engine and the base image.
 */
import { e2eEngine } from "./support/engine";
import { builtTargets, E2EProject, labelsByTag, type ImageInfo } from "./support/project";

const engine = e2eEngine();
const describeE2E = engine ? describe : describe.skip;

const RELEASE = `r${Date.now().toString(36)}`;
const BASE = "c2b-e2e-monorepo/base:latest";
const API = "c2b-e2e-monorepo/api:latest";
const WORKER = "c2b-e2e-monorepo/worker:latest";
const WEB = "c2b-e2e-monorepo-web:latest"; // no `image:`: Compose's default <project>-<service>
const EXPECTED_TAGS = [API, `c2b-e2e-monorepo/api:${RELEASE}`, BASE, WORKER, WEB].sort();
const TARGETS = ["api", "base", "web", "worker"];

describeE2E("e2e monorepo: a service: base image shared by two services", () => {
  let project: E2EProject;
  let bakeLabels: Record<string, Record<string, string>> | undefined;

  beforeAll(() => {
    project = new E2EProject(engine!, { name: "monorepo", env: { C2B_E2E_RELEASE: RELEASE } });
  });
  afterAll(() => project?.cleanup());

  /** What must hold whoever built the project. */
  function verifyImages(): Map<string, ImageInfo> {
    expect(project.tags()).toEqual(EXPECTED_TAGS);
    const images = project.inspect(EXPECTED_TAGS);

    // One build of base fed both services: the same random build id, and base's layers under theirs.
    const baseId = project.readFiles(BASE, "/base").get("build-id");
    expect(baseId).toMatch(/^[0-9a-f-]{36}\n$/);
    const base = images.get(BASE)!;
    for (const tag of [API, WORKER]) {
      expect({ tag, buildId: project.readFiles(tag, "/base").get("build-id") }).toEqual({ tag, buildId: baseId });
      expect(images.get(tag)!.layers.slice(0, base.layers.length)).toEqual(base.layers);
      expect(images.get(tag)!.layers.length).toBeGreaterThan(base.layers.length);
    }
    expect(project.readFiles(BASE, "/base").get("args")).toBe(`production ${RELEASE}\n`);

    // Build args, the `tags:` list, the worker's `target: runtime` (its `test` stage would fail), labels.
    expect(project.readFiles(API).get("api")).toBe(`port=8080 release=${RELEASE}\n`);
    expect(images.get(`c2b-e2e-monorepo/api:${RELEASE}`)!.id).toBe(images.get(API)!.id);
    expect(project.readFiles(WORKER).get("worker")).toBe("worker runtime\n");
    expect(project.readFiles(WEB).get("web")).toBe("web\n");
    const labels = labelsByTag(images);
    expect(labels[API]).toEqual({
      "org.opencontainers.image.title": "shop-api",
      "org.opencontainers.image.vendor": "compose2bake-e2e", // inherited from base
    });
    expect(labels[BASE]).toEqual({ "org.opencontainers.image.vendor": "compose2bake-e2e" });
    return images;
  }

  test.each(["json", "hcl"] as const)(
    "compose2bake -o docker-bake.%s, then one bake --load builds every target",
    (format) => {
      project.removeImages();
      const run = project.bake(project.compile(format));
      expect(builtTargets(run)).toEqual(TARGETS);
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

  // The committed file stays parameterised: bake's environment decides the tag, like Compose's did.
  test("kept variables: TAG=x docker buildx bake tags the images …:x", () => {
    project.removeImages();
    const run = project.bake(project.compile("hcl"), { TAG: "x" });
    expect(builtTargets(run)).toEqual(TARGETS);
    expect(project.tags()).toEqual(
      [
        "c2b-e2e-monorepo/api:x",
        `c2b-e2e-monorepo/api:${RELEASE}`,
        "c2b-e2e-monorepo/base:x",
        "c2b-e2e-monorepo/worker:x",
        WEB, // no ${TAG} in its name
      ].sort(),
    );
  });
});
