/** Converter unit tests on hand-built Compose models: no YAML involved. */
import { convertProject, csvRecord, targetNames } from "../../src/bake/convert";
import type { ComposeBuild, ComposeProject, ComposeSecret, ComposeService } from "../../src/compose/model";
import { DiagnosticBag, formatDiagnostic } from "../../src/diagnostics";
import type { BakeTarget } from "../../src/bake/model";
import { KeptVariables } from "../../src/compose/keep";
import { PROJECT_DIR, composeBuild, composeProject } from "../support/compose-builders";

const ROOT = PROJECT_DIR;
const build = composeBuild;
const project = composeProject;

function convert(p: ComposeProject, opts: { outputDir?: string; absolutePaths?: boolean } = {}) {
  const diagnostics = new DiagnosticBag();
  const bake = convertProject(p, { outputDir: opts.outputDir ?? ROOT, absolutePaths: opts.absolutePaths }, diagnostics);
  return { bake, warnings: diagnostics.all.map((d) => formatDiagnostic(d)) };
}

function target(
  b: Partial<ComposeBuild>,
  service: Partial<ComposeService> = {},
  extra: Partial<ComposeProject> = {},
): BakeTarget {
  return convert(project([{ name: "web", build: build(b), ...service }], extra)).bake.target.web!;
}

const secrets = (s: Record<string, Omit<ComposeSecret, "name">>): Record<string, ComposeSecret> =>
  Object.fromEntries(Object.entries(s).map(([name, v]) => [name, { name, ...v }]));

describe("target names", () => {
  test("dots become underscores, clashes get _ appended in sorted order", () =>
    expect([...targetNames(["a_b.c", "a.b", "a_b", "a.b.c"])]).toEqual([
      ["a.b", "a_b"],
      ["a.b.c", "a_b_c"],
      ["a_b", "a_b_"],
      ["a_b.c", "a_b_c_"],
    ]));
});

describe("every build key", () => {
  test("context and dockerfile", () =>
    expect(target({ context: "/p/app", dockerfile: "../x.Dockerfile" })).toMatchObject({
      context: "app",
      dockerfile: "../x.Dockerfile",
    }));
  test("context equal to the output folder is .", () => expect(target({}).context).toBe("."));
  test("context outside the output folder", () =>
    expect(
      convert(project([{ name: "w", build: build({ context: "/p/a" }) }]), { outputDir: "/p/out" }).bake.target.w!
        .context,
    ).toBe("../a"));
  test("remote contexts are kept", () =>
    expect(target({ context: "https://github.com/o/r.git#main:dir" }).context).toBe(
      "https://github.com/o/r.git#main:dir",
    ));
  test("--absolute-paths joins the dockerfile onto the context", () =>
    expect(
      convert(project([{ name: "w", build: build({ context: "/p/a" }) }]), { absolutePaths: true }).bake.target.w,
    ).toMatchObject({ context: "/p/a", dockerfile: "/p/a/Dockerfile" }));
  test("dockerfile_inline", () =>
    expect(target({ dockerfile: undefined, dockerfile_inline: "FROM x\n" })).toMatchObject({
      "dockerfile-inline": "FROM x\n",
    }));
  test("args and labels", () =>
    expect(target({ args: { A: "1" }, labels: { l: "v" } })).toMatchObject({ args: { A: "1" }, labels: { l: "v" } }));
  test("tags: build.tags then image, de-duplicated", () =>
    expect(target({ tags: ["a:1", "img"] }, { image: "img" }).tags).toEqual(["a:1", "img"]));
  test("default image name is <project>-<service>", () => expect(target({}).tags).toEqual(["proj-web"]));
  test("COMPOSE_COMPATIBILITY uses _", () =>
    expect(target({}, {}, { environment: { COMPOSE_COMPATIBILITY: "true" } }).tags).toEqual(["proj_web"]));
  test("cache_from / cache_to", () =>
    expect(target({ cache_from: ["a"], cache_to: ["type=inline"] })).toMatchObject({
      "cache-from": ["a"],
      "cache-to": ["type=inline"],
    }));
  test("target, network, pull, no_cache", () =>
    expect(target({ target: "t", network: "none", pull: true, no_cache: true })).toMatchObject({
      target: "t",
      network: "none",
      pull: true,
      "no-cache": true,
    }));
  test("false pull/no_cache are left out", () =>
    expect(target({ pull: false, no_cache: false })).not.toHaveProperty("pull"));
  test("platforms fall back to the service platform", () =>
    expect(target({}, { platform: "linux/arm64" }).platforms).toEqual(["linux/arm64"]));
  test("platforms fall back to DOCKER_DEFAULT_PLATFORM", () =>
    expect(target({}, {}, { environment: { DOCKER_DEFAULT_PLATFORM: "linux/amd64" } }).platforms).toEqual([
      "linux/amd64",
    ]));
  test("build.platforms win", () =>
    expect(target({ platforms: ["linux/amd64", "linux/arm64"] }, { platform: "linux/arm64" }).platforms).toEqual([
      "linux/amd64",
      "linux/arm64",
    ]));
  test("shm_size in bytes", () => expect(target({ shm_size: 2147483648 })["shm-size"]).toBe("2147483648"));
  test("ulimits sorted, single and soft:hard", () =>
    expect(target({ ulimits: { nproc: { single: 65535 }, nofile: { soft: 1, hard: 2 } } }).ulimits).toEqual([
      "nofile=1:2",
      "nproc=65535",
    ]));
  test("extra_hosts joined by comma", () =>
    expect(target({ extra_hosts: { h: ["1.1.1.1", "::1"] } })["extra-hosts"]).toEqual({ h: "1.1.1.1,::1" }));
  test("no_cache_filter", () => expect(target({ no_cache_filter: ["a"] })["no-cache-filter"]).toEqual(["a"]));
  test("entitlements plus privileged", () =>
    expect(target({ entitlements: ["network.host"], privileged: true }).entitlements).toEqual([
      "network.host",
      "security.insecure",
    ]));
  test("provenance and sbom", () =>
    expect(target({ provenance: "mode=max", sbom: "true" }).attest).toEqual(["type=provenance,mode=max", "type=sbom"]));
  test("provenance false becomes a disabled attestation", () =>
    expect(target({ provenance: "false" }).attest).toEqual(["type=provenance,disabled=true"]));
  test("ssh: every comma-separated path is made relative (buildx splits them), later relative ones from the project folder", () =>
    expect(target({ ssh: [{ id: "k", path: "/p/a,/p/keys/b,c" }] }).ssh).toEqual(["k=a,keys/b,c"]));
  test("ssh: an id holding `=` cannot be written", () =>
    expect(() => target({ ssh: [{ id: "a=b", path: "/p/k" }] })).toThrow('ssh id "a=b" holds "="'));
  test("ssh sorted, default bare, paths relative", () =>
    expect(target({ ssh: [{ id: "z", path: "/p/keys/z" }, { id: "default" }] }).ssh).toEqual(["default", "z=keys/z"]));
  test("additional contexts: service: → target:, paths relative, images kept", () =>
    expect(
      convert(
        project([
          { name: "a.b", build: build() },
          {
            name: "web",
            build: build({ additional_contexts: { base: "service:a.b", img: "docker-image://alpine", dir: "/p/lib" } }),
          },
        ]),
      ).bake.target.web!.contexts,
    ).toEqual({ base: "target:a_b", img: "docker-image://alpine", dir: "lib" }));
  test("isolation warns", () => {
    const { warnings } = convert(project([{ name: "web", build: build({ isolation: "hyperv" }) }]));
    expect(warnings).toEqual([
      "warning: services.web.build.isolation has no bake equivalent and is ignored [unsupported-isolation]",
    ]);
  });
});

describe("secrets", () => {
  const s = secrets({ f: { file: "/p/s/f.txt" }, e: { environment: "TOKEN" }, x: { external: true } });
  test("file and env secrets, target as id", () =>
    expect(target({ secrets: [{ source: "f" }, { source: "e", target: "tok" }] }, {}, { secrets: s }).secret).toEqual([
      "id=f,src=s/f.txt",
      "id=tok,env=TOKEN",
    ]));
  test('fields holding `,`, `"` or a line break are CSV-quoted, as buildx reads them (issue #12)', () => {
    const odd = secrets({ f: { file: '/p/a,b"c.txt' }, e: { environment: "E\nV" } });
    expect(
      target(
        {
          secrets: [
            { source: "f", target: "id1,src=/etc/shadow" },
            { source: "e", target: 'q"' },
          ],
        },
        {},
        { secrets: odd },
      ).secret,
    ).toEqual(['"id=id1,src=/etc/shadow","src=a,b""c.txt"', '"id=q""","env=E\nV"']);
  });
  test("external secrets are skipped with a warning", () => {
    const { bake, warnings } = convert(
      project([{ name: "web", build: build({ secrets: [{ source: "x" }] }) }], { secrets: s }),
    );
    expect(bake.target.web!.secret).toBeUndefined();
    expect(warnings[0]).toContain("external");
  });
  test("uid/gid/mode are dropped with a warning", () => {
    const { warnings } = convert(
      project([{ name: "web", build: build({ secrets: [{ source: "f", mode: 256 }] }) }], { secrets: s }),
    );
    expect(warnings).toEqual([
      "warning: services.web.build.secrets.0.mode is dropped: bake build secrets have no mode [secret-attribute-dropped]",
    ]);
  });
  test("a variable set only in an env file warns (without its value)", () => {
    const { warnings } = convert(
      project([{ name: "web", build: build({ secrets: [{ source: "e" }] }) }], {
        secrets: s,
        envFileVariables: new Set(["TOKEN"]),
        environment: { TOKEN: "s3cr3t" },
      }),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("export TOKEN");
    expect(warnings[0]).not.toContain("s3cr3t");
  });
});

describe("csvRecord (buildx's go-csvvalue rules)", () => {
  test.each([
    [["id=a", "src=b"], "id=a,src=b"],
    [["id=a,b"], '"id=a,b"'],
    [['id=a"b'], '"id=a""b"'],
    [["id=a\rb"], '"id=a\rb"'],
    [["id= a "], "id= a "],
  ])("%j → %s", (fields, record) => expect(csvRecord(fields)).toBe(record));
});

describe("groups", () => {
  const services = [
    { name: "a", build: build() },
    { name: "b", build: build({ additional_contexts: { base: "service:c" } }), profiles: ["dev"], active: false },
    { name: "c", build: build(), profiles: ["dev", "base"], active: false },
    { name: "d", image: "x" },
  ];
  test("default = active services; one group per profile; targets for every buildable service", () => {
    const { bake } = convert(project(services));
    expect(bake.group).toEqual({ default: { targets: ["a"] }, base: { targets: ["c"] }, dev: { targets: ["b", "c"] } });
    expect(Object.keys(bake.target).sort()).toEqual(["a", "b", "c"]);
  });
  test("named services narrow default and pull in service: contexts", () => {
    const { bake } = convert(
      project(
        services.map((s) => ({ ...s, active: true })),
        { selectedServices: ["b"] },
      ),
    );
    expect(bake.group.default).toEqual({ targets: ["b", "c"] });
  });
  test("an inactive service that cannot be converted is skipped with a warning", () => {
    const { bake, warnings } = convert(
      project([{ name: "a", build: build({ secrets: [{ source: "nope" }] }), profiles: ["p"], active: false }]),
    );
    expect(bake.target).toEqual({});
    expect(bake.group.p).toEqual({ targets: [] });
    expect(warnings[0]).toContain("inactive-service-skipped");
  });
});

describe("x-bake", () => {
  test("merged like buildx", () =>
    expect(
      target(
        {
          tags: ["a"],
          cache_from: ["c1"],
          ssh: [{ id: "default" }],
          platforms: ["linux/amd64"],
          extensions: {
            "x-bake": {
              tags: ["a", "b"],
              "cache-from": "c1 c2",
              secret: ["id=s,src=./s.txt"],
              ssh: ["k=./key"],
              platforms: ["linux/amd64", "linux/arm64"],
              output: ["type=registry"],
              pull: true,
              "no-cache": "false",
              "no-cache-filter": ["x"],
            },
          },
        },
        { image: "img" },
      ),
    ).toMatchObject({
      tags: ["a", "img", "b"],
      "cache-from": ["c1", "c2"],
      secret: ["id=s,src=./s.txt"],
      ssh: ["default", "k=./key"],
      platforms: ["linux/amd64", "linux/arm64"],
      output: ["type=registry"],
      pull: true,
      "no-cache": false,
      "no-cache-filter": ["x"],
    }));
  test("unknown keys warn", () => {
    const { warnings } = convert(
      project([{ name: "web", build: build({ extensions: { "x-bake": { secrets: ["id=a"] } } }) }]),
    );
    expect(warnings[0]).toContain("services.web.build.x-bake.secrets is not read by buildx");
  });
  test("contexts: the compose value wins", () =>
    expect(
      target({
        additional_contexts: { a: "/p/a" },
        extensions: { "x-bake": { contexts: { a: "x", b: "service:web" } } },
      }).contexts,
    ).toEqual({ a: "a", b: "target:web" }));
});

describe("DOCKER_DEFAULT_PLATFORM and build.platforms (docker compose applyPlatforms; found by test/realtools/differential.test.ts)", () => {
  const env = { environment: { DOCKER_DEFAULT_PLATFORM: "linux/riscv64" } };
  const compile = (services: Array<Partial<ComposeService> & { name: string }>) => () =>
    convert(project(services, env));
  const message = (name: string) =>
    `service "${name}" build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: linux/riscv64`;

  test("an active service whose build.platforms leave it out is an error, as in docker compose", () => {
    expect(compile([{ name: "multi", build: build({ platforms: ["linux/arm64", "linux/amd64"] }) }])).toThrow(
      message("multi"),
    );
  });
  test("a service platform counts as build.platforms when they are empty (compose-go copies it there)", () => {
    expect(compile([{ name: "own", platform: "linux/arm64", build: build() }])).toThrow(message("own"));
    expect(compile([{ name: "own", platform: "linux/arm64", build: build({ platforms: ["linux/arm64"] }) }])).toThrow(
      message("own"),
    );
  });
  test("no error when the platforms include it, when they are empty, when it is empty, or when the service is inactive", () => {
    expect(
      compile([{ name: "a", platform: "linux/arm64", build: build({ platforms: ["linux/arm64", "linux/riscv64"] }) }]),
    ).not.toThrow();
    expect(compile([{ name: "b", platform: "linux/riscv64", build: build() }])).not.toThrow();
    expect(compile([{ name: "c", build: build() }])).not.toThrow();
    expect(
      compile([{ name: "d", active: false, profiles: ["x"], build: build({ platforms: ["linux/arm64"] }) }]),
    ).not.toThrow();
    const empty = { environment: { DOCKER_DEFAULT_PLATFORM: "" } };
    expect(() => convert(project([{ name: "e", build: build({ platforms: ["linux/arm64"] }) }], empty))).not.toThrow();
  });
});

describe("kept variables: the same reference written twice is one value (found by the fixture corpus)", () => {
  // In keep mode every `${TAG:-latest}` becomes its own token, so two tags with the same text must still be
  // recognised as equal: the README promises de-duplicated tags, and buildx de-duplicates x-bake lists.
  const tagRef = () => ({
    kind: "var" as const,
    name: "TAG",
    braced: true,
    op: ":-" as const,
    arg: [{ kind: "text" as const, text: "latest" }],
    start: 0,
    end: 0,
  });
  function keptProject(b: (tok: () => string) => Partial<ComposeBuild>, service: Partial<ComposeService> = {}) {
    const kept = new KeptVariables();
    const tok = () => kept.token({ part: tagRef() });
    return project([{ name: "web", build: build(b(tok)), ...service }], { kept });
  }

  test("build.tags and image with the same reference give one tag", () => {
    const p = keptProject((tok) => ({ tags: [`app:${tok()}`, "app:stable"] }), {});
    const web = p.services.web!;
    const withImage = { ...p, services: { web: { ...web, image: `app:${p.kept!.token({ part: tagRef() })}` } } };
    const tags = convert(withImage).bake.target.web!.tags!;
    expect(tags).toHaveLength(2);
    expect(tags[1]).toBe("app:stable");
  });

  test("x-bake tags, cache-from and platforms merge by what they say, not by token", () => {
    const p = keptProject((tok) => ({
      tags: [`app:${tok()}`],
      cache_from: [`app:${tok()}`],
      extensions: { "x-bake": { tags: [`app:${tok()}`, "app:edge"], "cache-from": [`app:${tok()}`] } },
    }));
    const t = convert(p).bake.target.web!;
    expect(t.tags).toHaveLength(3); // app:${TAG}, proj-web, app:edge
    expect(t["cache-from"]).toHaveLength(1);
  });

  test("different references stay apart", () => {
    const kept = new KeptVariables();
    const a = kept.token({ part: tagRef() });
    const b = kept.token({ part: { ...tagRef(), arg: [{ kind: "text" as const, text: "edge" }] } });
    expect(
      convert(project([{ name: "web", build: build({ tags: [`app:${a}`, `app:${b}`] }) }], { kept })).bake.target.web!
        .tags,
    ).toHaveLength(3);
  });
});
