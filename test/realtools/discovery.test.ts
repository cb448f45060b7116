/**
 * The real tools are found where users have them when `.tools/` is absent (issue #11 item 7): fake plugins
 * (shell scripts that print a version) in a fake HOME, a fake system plugin folder and PATH.
 */
import * as fs from "fs";
import * as path from "path";
import { discoverTools, lookUpTools } from "../support/realtools";
import { tempProject } from "../support/run";

function fakePlugin(file: string, version: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n[ "$1" = version ] && echo '${version}' && exit 0\nexit 1\n`, { mode: 0o755 });
}

test("without .tools: ~/.docker/cli-plugins, then the system plugin folders, then PATH; versions from the binaries", () => {
  const root = tempProject({});
  const home = path.join(root, "home");
  const system = path.join(root, "usr-libexec-docker-cli-plugins");
  const bin = path.join(root, "bin");
  fakePlugin(path.join(home, ".docker", "cli-plugins", "docker-buildx"), "github.com/docker/buildx v0.99.0 fake");
  fakePlugin(path.join(system, "docker-compose"), "Docker Compose version v2.99.0-fake");
  fakePlugin(path.join(bin, "docker-compose"), "Docker Compose version from PATH");
  const env = {
    HOME: home,
    PATH: `${bin}:/usr/bin:/bin`,
    COMPOSE2BAKE_TOOLS_DIR: path.join(root, "no-tools"),
    COMPOSE2BAKE_PLUGIN_DIRS: system,
  };
  const { tools, reason } = lookUpTools(env);
  expect(reason).toBeUndefined();
  expect(tools).toMatchObject({
    buildx: path.join(home, ".docker", "cli-plugins", "docker-buildx"),
    compose: path.join(system, "docker-compose"),
    versions: { buildx: "github.com/docker/buildx v0.99.0 fake", compose: "Docker Compose version v2.99.0-fake" },
    origin: "installed Docker plugins",
  });
  // A private Docker config that lets compose find this buildx, and keeps the user's ~/.docker out.
  const config = tools!.env.DOCKER_CONFIG!;
  expect(config.startsWith(home)).toBe(false);
  expect(fs.readlinkSync(path.join(config, "cli-plugins", "docker-buildx"))).toBe(tools!.buildx);
  expect(fs.readFileSync(path.join(config, "config.json"), "utf8")).toBe("{}\n");

  // PATH is the last resort.
  fs.rmSync(path.join(system, "docker-compose"));
  expect(lookUpTools(env).tools?.compose).toBe(path.join(bin, "docker-compose"));
});

test("missing plugins: the reason names what is missing, where it looked, and how to get them", () => {
  const root = tempProject({});
  const found = discoverTools({
    toolsDir: path.join(root, "no-tools"),
    home: root,
    pathEnv: "",
    systemPluginDirs: [path.join(root, "sys")],
  });
  expect("reason" in found && found.reason).toMatch(
    /^docker-buildx and docker-compose not found in .*no-tools, ~\/\.docker\/cli-plugins, .*sys or PATH; install Docker's buildx and compose plugins, or run test\/tools\/fetch-docker-tools\.sh/,
  );
});

test("a .tools folder is used as it is, and must hold both tools", () => {
  const root = tempProject({});
  const home = path.join(root, "home");
  fakePlugin(path.join(home, ".docker", "cli-plugins", "docker-buildx"), "buildx");
  fakePlugin(path.join(home, ".docker", "cli-plugins", "docker-compose"), "compose");
  fs.mkdirSync(path.join(root, "tools"));
  const found = discoverTools({ toolsDir: path.join(root, "tools"), home, pathEnv: "", systemPluginDirs: [] });
  expect("reason" in found && found.reason).toContain(`${path.join(root, "tools", "bin", "docker-buildx")} not found`);
});
