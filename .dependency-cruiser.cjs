/**
 * Import layering of src/, checked by `npm run lint` (dependency-cruiser): no cycles, and no upward import.
 * Layers, lowest first: src/compose (loading) → src/bake (converting, writing) → the library entry points
 * (src/index.ts and the modules beside it) → the CLI (src/cli.ts, src/cli-args.ts, src/cli/).
 */
const CLI = "^src/(cli\\.ts|cli-args\\.ts|cli/)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import cycle: split out the shared part into a module both can import.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "compose-not-upward",
      comment: "src/compose (loading) never imports the converter, the emitters, the library entry or the CLI.",
      severity: "error",
      from: { path: "^src/compose/" },
      to: { path: ["^src/bake/", "^src/index\\.ts$", CLI] },
    },
    {
      name: "bake-not-upward",
      comment: "src/bake never imports the library entry or the CLI.",
      severity: "error",
      from: { path: "^src/bake/" },
      to: { path: ["^src/index\\.ts$", CLI] },
    },
    {
      name: "library-not-cli",
      comment: "The library never imports the CLI: the CLI is a thin shell over it.",
      severity: "error",
      from: { path: "^src/", pathNot: CLI },
      to: { path: CLI },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.generated\\.ts$" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
