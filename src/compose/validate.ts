/**
 * Profiles and the consistency checks compose-go runs on the active services after loading
 * (compose-loading-reference.md §9, §13.2), limited to what concerns a build.
 */
import { fail } from "../diagnostics";
import type { ComposeProject } from "./model";
import { checkDockerfileConflict } from "./normalize-build";
import { hasToken } from "./keep";

/**
 * Enabled profiles: the requested ones plus the profiles of every service named on the command line
 * (compose-go's WithServicesEnabled), so naming a service turns on its profiles.
 */
export function selectProfiles(
  requested: readonly string[],
  selectedServices: readonly string[],
  services: ReadonlyMap<string, { readonly profiles: readonly string[] }>,
): string[] {
  const enabled = [...new Set(requested)];
  for (const name of selectedServices) {
    const service = services.get(name);
    if (!service) fail("no-such-service", `no such service: ${name}`);
    for (const p of service.profiles) if (!enabled.includes(p)) enabled.push(p);
  }
  return enabled;
}

export function checkProject(project: ComposeProject): void {
  const pos = (p: string) => project.positions.get(p);
  for (const service of Object.values(project.services)) {
    if (!service.active) continue;
    const at = `services.${service.name}`;
    if (!service.build) {
      if (service.image === undefined) {
        fail("no-image-or-build", `service "${service.name}" has neither an image nor a build context specified`, pos(at));
      }
      continue;
    }
    const build = service.build;
    checkDockerfileConflict(build, service.name, project.positions);
    build.secrets.forEach((secret, i) => {
      if (!(secret.source in project.secrets)) {
        fail(
          "undefined-secret",
          `service "${service.name}" refers to undefined build secret ${secret.source}`,
          pos(`${at}.build.secrets.${i}`) ?? pos(`${at}.build.secrets`),
        );
      }
    });
    for (const [key, value] of Object.entries(build.additional_contexts)) {
      if (!value.startsWith("service:")) continue;
      const ref = value.slice("service:".length);
      const target = project.services[ref];
      const where = pos(`${at}.build.additional_contexts.${key}`) ?? pos(`${at}.build.additional_contexts`);
      if (!target || !target.active) {
        fail("unknown-context-service", `service "${service.name}" declares unknown service "${ref}" as additional contexts ${key}`, where);
      }
      if (!target.build) {
        fail(
          "non-buildable-context-service",
          `service "${service.name}" declares non-buildable service "${ref}" as additional contexts ${key}`,
          where,
        );
      }
    }
    // In keep mode a platform list holding a variable reference cannot be checked here; bake checks it.
    if (service.platform && build.platforms.length > 0 && !build.platforms.some(hasToken) && !build.platforms.includes(service.platform)) {
      fail(
        "platform-conflict",
        `service.build.platforms MUST include service.platform "${service.platform}"`,
        pos(`${at}.platform`),
      );
    }
  }
}
