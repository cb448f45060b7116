/**
 * E2E (c): test/e2e/projects/ssh — SSH forwarding with `default` (an ssh-agent started here, holding two
 * throwaway keys made by ssh-keygen) and a keyed id (`deploy=./keys/deploy_key`, a third key that the agent
 * does not hold). Inside `RUN --mount=type=ssh[,id=…]`, `ssh-add -l` (copied into the base image with its
 * libraries) lists the keys the forwarded agent offers: their fingerprints must be exactly the expected ones.
 * A step without the mount must see no agent. bake needs `--allow=ssh` for `default`.
 */
import * as fs from "node:fs";
import { e2eEngine } from "./support/engine";
import { builtTargets, E2EProject, labelsByTag } from "./support/project";
import { fingerprints, makeKey, startAgent, tempDir, type Agent, type Key } from "./support/ssh-agent";
import { findInImageArchive } from "./support/tar";

const engine = e2eEngine();
const describeE2E = engine ? describe : describe.skip;

const AGENT_IMAGE = "c2b-e2e-ssh/agent:latest";
const KEYED_IMAGE = "c2b-e2e-ssh/keyed:latest";
const EXPECTED_TAGS = [AGENT_IMAGE, KEYED_IMAGE].sort();

describeE2E("e2e ssh: the default agent and a keyed id", () => {
  let keysDir: string;
  let agent: Agent | undefined;
  let agentKeys: Key[];
  let deployKey: Key;
  let project: E2EProject | undefined;
  let bakeLabels: Record<string, Record<string, string>> | undefined;

  beforeAll(async () => {
    keysDir = tempDir("ssh-keys");
    agentKeys = [makeKey(keysDir, "agent-ed25519", "ed25519"), makeKey(keysDir, "agent-ecdsa", "ecdsa")];
    deployKey = makeKey(keysDir, "deploy", "ed25519");
    agent = await startAgent(keysDir, agentKeys);
    project = new E2EProject(engine!, {
      name: "ssh",
      files: { "keys/deploy_key": deployKey.privateKey },
      env: { SSH_AUTH_SOCK: agent.socket },
      allow: ["ssh"],
    });
  });
  afterAll(async () => {
    try {
      project?.cleanup();
    } finally {
      await agent?.stop();
      fs.rmSync(keysDir, { recursive: true, force: true });
    }
  });

  function verifyImages() {
    const p = project!;
    expect(p.tags()).toEqual(EXPECTED_TAGS);
    const images = p.inspect(EXPECTED_TAGS);
    const agentPrints = agentKeys.map((k) => k.fingerprint).sort();

    const a = p.readFiles(AGENT_IMAGE);
    expect(fingerprints(a.get("default.keys") ?? "")).toEqual(agentPrints);
    expect(a.get("default.sock")).toBe("socket\n");
    expect(a.get("no-mount")).toContain("exit=2");
    expect(a.get("no-mount")).toContain("SSH_AUTH_SOCK=unset");

    const k = p.readFiles(KEYED_IMAGE);
    expect(fingerprints(k.get("deploy.keys") ?? "")).toEqual([deployKey.fingerprint]);
    expect(fingerprints(k.get("default.keys") ?? "")).toEqual(agentPrints);

    // No private key material in any image.
    for (const tag of EXPECTED_TAGS) {
      const archive = p.save(tag);
      for (const key of [deployKey, ...agentKeys]) {
        // The base64 lines of the key but the first (a header every OpenSSH key shares) and short ones.
        const lines = key.privateKey
          .split("\n")
          .filter((l) => !l.startsWith("-----") && l.length >= 40)
          .slice(1);
        expect(lines.length).toBeGreaterThan(1);
        const foundIn = lines.flatMap((line) => findInImageArchive(archive, Buffer.from(line)));
        expect({ tag, key: key.file, foundIn }).toEqual({ tag, key: key.file, foundIn: [] });
      }
    }
    return images;
  }

  test.each(["json", "hcl"] as const)(
    "compose2bake -o docker-bake.%s, then one bake --load --allow=ssh builds every target",
    (format) => {
      const p = project!;
      p.removeImages();
      const run = p.bake(p.compile(format));
      expect(builtTargets(run)).toEqual(["agent", "keyed"]);
      const images = verifyImages();
      if (format === "json") bakeLabels = labelsByTag(images);
    },
  );

  test("docker compose build makes the same tags with the same labels", () => {
    if (!bakeLabels) throw new Error("the bake build of docker-bake.json did not get as far as its images");
    project!.removeImages();
    project!.composeBuild();
    const images = verifyImages();
    expect(labelsByTag(images)).toEqual(bakeLabels);
  });
});
