"use strict";
// The benchmark's generated project, shared with test/cli/bundle.test.ts (which runs a small one through the
// release bundle) so the two never drift apart.

/**
 * compose.yaml for `n` services with anchors, secrets, SSH, args and `service:` contexts: every 10th service is a
 * base the next nine take as an additional context. It needs an `npm_token.txt` beside it.
 */
function benchComposeYaml(n) {
  const lines = [
    "x-build: &build",
    "  args: &args",
    '    NODE_VERSION: "20"',
    "    APP_ENV: ${APP_ENV:-production}",
    "  secrets: [npm_token, gh]",
    "  ssh: [default]",
    "services:",
  ];
  for (let i = 0; i < n; i++) {
    const base = `svc${i - (i % 10)}`;
    lines.push(`  svc${i}:`);
    lines.push(`    image: registry.example.com/team/svc${i}:\${TAG:-latest}`);
    lines.push("    build:");
    lines.push("      <<: *build");
    lines.push(`      context: ./services/svc${i}`);
    lines.push("      args:");
    lines.push("        <<: *args");
    lines.push(`        SERVICE: svc${i}`);
    if (i % 10 !== 0) lines.push(`      additional_contexts:\n        base: service:${base}`);
    lines.push(`      cache_from: ["type=registry,ref=registry.example.com/cache:svc${i}"]`);
  }
  lines.push("secrets:", "  npm_token:", "    file: ./npm_token.txt", "  gh:", "    environment: GH_TOKEN");
  return lines.join("\n") + "\n";
}

module.exports = { benchComposeYaml };
