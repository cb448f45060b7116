/**
 * Builders for the typed Compose model, for unit tests that start after loading (the converter, the emitters):
 * every field at its loaded default, with the test's own values laid over. Typed over the whole model, so a key
 * added to ComposeBuild or ComposeProject fails type-checking here until its default is decided.
 */
import type { ComposeBuild, ComposeProject, ComposeService } from "../../src/compose/model";

/** The project folder the builders use: contexts, the working folder and the compose file are under it. */
export const PROJECT_DIR = "/p";

/** A build section as loading gives it for `build: .` in PROJECT_DIR, with `b` laid over. */
export function composeBuild(b: Partial<ComposeBuild> = {}): ComposeBuild {
  return {
    context: PROJECT_DIR,
    dockerfile: "Dockerfile",
    args: {},
    ssh: [],
    labels: {},
    cache_from: [],
    cache_to: [],
    no_cache_filter: [],
    additional_contexts: {},
    extra_hosts: {},
    secrets: [],
    tags: [],
    ulimits: {},
    platforms: [],
    entitlements: [],
    extensions: {},
    ...b,
  };
}

/** A loaded project `proj` in PROJECT_DIR with these services (active, no profiles unless given), `extra` laid over. */
export function composeProject(
  services: Array<Partial<ComposeService> & { name: string }>,
  extra: Partial<ComposeProject> = {},
): ComposeProject {
  return {
    name: "proj",
    workingDir: PROJECT_DIR,
    files: [`${PROJECT_DIR}/compose.yaml`],
    services: Object.fromEntries(services.map((s) => [s.name, { profiles: [], active: true, ...s }])),
    secrets: {},
    activeProfiles: [],
    selectedServices: [],
    envFileVariables: new Set(),
    includedEnvFileVariables: new Map(),
    environment: {},
    positions: new Map(),
    ...extra,
  };
}
