/**
 * Unit tests of the differential-test comparator (test/support/realtools.ts) on hand-written
 * `bake --print` JSON: no binaries needed. The shapes are the ones buildx 0.29.1 really prints
 * (objects for secret/ssh/cache/output/attest), mixed with the CSV forms bake files are written in.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  BakePrint,
  COMPOSE_DOCUMENTED_DIFFERENCES,
  compareBakes,
  Difference,
  formatDifferences,
  IgnoreRules,
  normaliseBakePrint,
} from "../support/realtools";

let root: string; // real path of a temporary project folder
beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-cmp-")));
  fs.mkdirSync(path.join(root, "app"));
  fs.writeFileSync(path.join(root, "app", "Dockerfile"), "FROM scratch\n");
  fs.writeFileSync(path.join(root, "secret.txt"), "s3cret\n");
  fs.symlinkSync(path.join(root, "app"), path.join(root, "app-link"));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** What docker compose's file looks like once `bake --print` has resolved it (absolute paths, objects). */
function composeSide(): BakePrint {
  return {
    group: { default: { targets: ["web"] } },
    target: {
      web: {
        context: `${root}/app`,
        dockerfile: `${root}/app/Dockerfile`,
        args: { FOO: "bar", NUM: "1" },
        labels: {
          "com.docker.compose.project": "proj",
          "com.docker.compose.service": "web",
          "com.docker.compose.version": "2.40.3",
          team: "core",
        },
        tags: ["example/web:1", "proj-web"],
        secret: [
          { id: "a", src: `${root}/secret.txt` },
          { id: "b", env: "B_TOKEN" },
        ],
        ssh: [{ id: "default", paths: [""] }],
        output: [{ type: "docker" }],
      },
    },
  };
}

/** The same build as a hand-written bake file would print it: relative paths, CSV strings, other orders. */
function oursSide(): BakePrint {
  return {
    group: { default: { targets: ["web"] } },
    target: {
      web: {
        context: "app",
        dockerfile: "Dockerfile",
        args: { NUM: "1", FOO: "bar" },
        labels: { team: "core" },
        tags: ["proj-web", "example/web:1"],
        secret: ["id=b,type=env,env=B_TOKEN", "id=a,type=file,src=secret.txt"],
        ssh: ["default"],
      },
    },
  };
}

function diff(ours: BakePrint, theirs: BakePrint, ignore: IgnoreRules = COMPOSE_DOCUMENTED_DIFFERENCES): Difference[] {
  return compareBakes(normaliseBakePrint(ours, root), normaliseBakePrint(theirs, root), ignore);
}

function withTarget(base: BakePrint, patch: (t: NonNullable<BakePrint["target"]>[string]) => void): BakePrint {
  const copy = JSON.parse(JSON.stringify(base)) as BakePrint;
  patch(copy.target!.web!);
  return copy;
}

test("identical inputs have no differences", () => {
  expect(diff(composeSide(), composeSide(), {})).toEqual([]);
});

test("the same build written in bake-file forms equals compose's resolved output", () => {
  const d = diff(oursSide(), composeSide());
  expect(formatDifferences(d)).toBe("");
});

test("dropping one secret is reported, naming the secret (the deliberate mismatch)", () => {
  const ours = withTarget(oursSide(), (t) => {
    t.secret = ["id=a,type=file,src=secret.txt"];
  });
  expect(diff(ours, composeSide())).toEqual([
    { target: "web", field: "secret[b]", ours: undefined, theirs: "type=env,env=B_TOKEN" },
  ]);
});

test("a secret pointing at another file is reported", () => {
  const ours = withTarget(oursSide(), (t) => {
    t.secret = ["id=b,type=env,env=B_TOKEN", "id=a,src=other.txt"];
  });
  expect(diff(ours, composeSide())).toEqual([
    {
      target: "web",
      field: "secret[a]",
      ours: `type=file,src=${root}/other.txt`,
      theirs: `type=file,src=${root}/secret.txt`,
    },
  ]);
});

test("com.docker.compose.* labels and output type=docker are ignored only when asked", () => {
  expect(diff(oursSide(), composeSide())).toEqual([]);
  const strict = diff(oursSide(), composeSide(), {});
  expect(strict.map((d) => d.field)).toEqual([
    "labels.com.docker.compose.project",
    "labels.com.docker.compose.service",
    "labels.com.docker.compose.version",
    "output",
  ]);
});

test("a label we miss that is not in the ignore list is still reported", () => {
  const ours = withTarget(oursSide(), (t) => {
    t.labels = {};
  });
  expect(diff(ours, composeSide())).toEqual([{ target: "web", field: "labels.team", ours: undefined, theirs: "core" }]);
});

test("ignored tags, fields and targets", () => {
  const ours = withTarget(oursSide(), (t) => {
    t.tags = ["example/web:1"];
    t.network = "host";
  });
  const ignore: IgnoreRules = { ...COMPOSE_DOCUMENTED_DIFFERENCES, tags: [/^proj-/], fields: ["web.network"] };
  expect(diff(ours, composeSide(), ignore)).toEqual([]);
  expect(diff(ours, composeSide()).map((d) => d.field)).toEqual(["network", "tags"]);
});

test("disabledAttestations: a disabled attestation equals none, an enabled one is still compared", () => {
  const ours = withTarget(oursSide(), (t) => {
    t.attest = ["type=provenance,disabled=true", "type=sbom"];
  });
  const theirs = withTarget(composeSide(), (t) => {
    t.attest = [{ type: "sbom" }];
  });
  expect(diff(ours, theirs)).toEqual([]);
  expect(diff(ours, theirs, { ...COMPOSE_DOCUMENTED_DIFFERENCES, disabledAttestations: false })).toEqual([
    { target: "web", field: "attest[provenance]", ours: "disabled=true", theirs: undefined },
  ]);
  const noSbom = withTarget(composeSide(), (t) => {
    t.attest = [];
  });
  expect(diff(ours, noSbom).map((d) => d.field)).toEqual(["attest[sbom]"]);
});

test("compose's multi-platform output (type=image,push=false) is a documented difference", () => {
  const theirs = withTarget(composeSide(), (t) => {
    t.output = [{ type: "image", push: "false" }];
  });
  expect(diff(oursSide(), theirs)).toEqual([]);
  const pushing = withTarget(composeSide(), (t) => {
    t.output = [{ type: "image", push: "true" }];
  });
  expect(diff(oursSide(), pushing).map((d) => d.field)).toEqual(["output"]);
});

test("paths: relative ones resolve against baseDir, dockerfile against the context, symlinks are followed", () => {
  const n = normaliseBakePrint(
    {
      target: {
        t: {
          context: "app-link",
          dockerfile: "Dockerfile",
          contexts: { base: "target:base", img: "docker-image://alpine:3", src: "./app", cwd: "cwd://app" },
          secret: [{ id: "s", src: "secret.txt" }],
          ssh: [{ id: "key", paths: ["keys/id_ed25519"] }],
          "cache-from": [{ type: "local", src: "cache" }, "user/app:cache"],
          output: [{ type: "local", dest: "out" }],
        },
        remote: { context: "https://github.com/docker/buildx.git#main", dockerfile: "Dockerfile" },
        inline: { context: ".", dockerfile: "cwd://other/Dockerfile" },
      },
    },
    root,
  );
  expect(n.targets.t).toEqual({
    context: `${root}/app`,
    dockerfile: `${root}/app/Dockerfile`,
    contexts: { base: "target:base", cwd: `${root}/app`, img: "docker-image://alpine:3", src: `${root}/app` },
    secret: { s: `type=file,src=${root}/secret.txt` },
    ssh: { key: `${root}/keys/id_ed25519` },
    "cache-from": [`type=local,src=${root}/cache`, "type=registry,ref=user/app:cache"],
    output: [`type=local,dest=${root}/out`],
  });
  expect(n.targets.remote).toEqual({ context: "https://github.com/docker/buildx.git#main", dockerfile: "Dockerfile" });
  expect(n.targets.inline!.dockerfile).toBe(`${root}/other/Dockerfile`);
});

test("an absolute dockerfile is kept; a different Dockerfile is reported", () => {
  const ours = withTarget(oursSide(), (t) => {
    t.dockerfile = "Dockerfile.dev";
  });
  expect(diff(ours, composeSide())).toEqual([
    { target: "web", field: "dockerfile", ours: `${root}/app/Dockerfile.dev`, theirs: `${root}/app/Dockerfile` },
  ]);
});

test("equivalent spellings: shm-size, ulimits, attest, cache, false booleans, duplicate tags", () => {
  const a: BakePrint = {
    target: {
      t: {
        "shm-size": "2g",
        ulimits: ["nofile=1024"],
        attest: ["type=provenance,mode=max", "type=sbom"],
        "cache-to": ["type=registry,ref=u/a:c,mode=max"],
        pull: false,
        tags: ["x", "x"],
        platforms: ["linux/amd64", "linux/arm64"],
      },
    },
  };
  const b: BakePrint = {
    target: {
      t: {
        "shm-size": "2147483648",
        ulimits: ["nofile=1024:1024"],
        attest: [{ type: "sbom" }, { mode: "max", type: "provenance" }],
        "cache-to": [{ mode: "max", ref: "u/a:c", type: "registry" }],
        tags: ["x"],
        platforms: ["linux/amd64", "linux/arm64"],
      },
    },
  };
  expect(diff(a, b, {})).toEqual([]);
});

test("platform order and a disabled attestation count as differences", () => {
  const a: BakePrint = {
    target: { t: { platforms: ["linux/amd64", "linux/arm64"], attest: [{ type: "sbom", disabled: "true" }] } },
  };
  const b: BakePrint = { target: { t: { platforms: ["linux/arm64", "linux/amd64"] } } };
  expect(diff(a, b, {}).map((d) => d.field)).toEqual(["attest[sbom]", "platforms"]);
});

test("missing targets and group members are reported; groups other than default can be ignored", () => {
  const a: BakePrint = {
    group: { default: { targets: ["a", "b"] }, extra: { targets: ["a"] } },
    target: { a: {}, b: {} },
  };
  const b: BakePrint = { group: { default: { targets: ["a"] } }, target: { a: {} } };
  expect(diff(a, b, {})).toEqual([
    { target: "group:default", field: "targets", ours: ["a", "b"], theirs: ["a"] },
    { target: "group:extra", field: "targets", ours: ["a"], theirs: undefined },
    { target: "b", field: "(target)", ours: {}, theirs: undefined },
  ]);
  expect(diff(a, b, { groups: "default", targets: ["b"] })).toEqual([]);
});

// A name such as `__proto__` is an ordinary target, arg, label, secret or ssh id: the comparator once built its
// tables as plain objects, where assigning `__proto__` set the prototype and the entry vanished from both sides.
test("names that are members of every JavaScript object are compared like any other", () => {
  // JSON text: in an object literal, `__proto__:` would set the prototype instead of making a key.
  const print = (arg: string): BakePrint =>
    JSON.parse(`{
      "group": { "default": { "targets": ["__proto__", "constructor"] } },
      "target": {
        "__proto__": {
          "context": ${JSON.stringify(root)},
          "dockerfile": "Dockerfile",
          "args": { "__proto__": "${arg}", "constructor": "b" },
          "labels": { "__proto__": "l" },
          "secret": [{ "id": "__proto__", "type": "env", "env": "T" }],
          "ssh": [{ "id": "__proto__" }]
        },
        "constructor": { "context": ${JSON.stringify(root)}, "dockerfile": "Dockerfile" }
      }
    }`) as BakePrint;
  const a = normaliseBakePrint(print("x"), root);
  expect(Object.keys(a.targets).sort()).toEqual(["__proto__", "constructor"]);
  const target = a.targets["__proto__"]!;
  for (const field of ["args", "labels", "secret", "ssh"])
    expect(Object.keys(target[field] as object)).toContain("__proto__");
  expect(formatDifferences(compareBakes(a, normaliseBakePrint(print("y"), root)))).toContain("__proto__");
  expect(compareBakes(a, normaliseBakePrint(print("x"), root))).toEqual([]);
});
