/**
 * The esbuild plugin that builds the library for a browser (web/build.js, and the check in
 * test/web/browser-core.test.ts): a module with a `NAME.browser.ts` twin beside it is replaced by the twin
 * (src/platform/: the default file system, path, random bytes; the HCL template reader), the HCL template
 * comes precompiled with handlebars' runtime only, and any import of a Node built-in is an error, so the
 * core cannot quietly start to need Node.
 */
"use strict";
const fs = require("node:fs");
const { builtinModules } = require("node:module");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const builtins = new Set(builtinModules);

function browserCore() {
  return {
    name: "compose2bake-browser-core",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const name = args.path;
        if (name.startsWith("node:") || builtins.has(name) || builtins.has(name.split("/")[0])) {
          return {
            errors: [
              { text: `${path.relative(root, args.importer)} imports Node's "${name}", which a browser does not have` },
            ],
          };
        }
        if (name === "./precompiled-hcl-template")
          return { path: "precompiled-hcl-template", namespace: "c2b-template" };
        if (name === "handlebars") return { path: require.resolve("handlebars/runtime") };
        if (!name.startsWith(".") || !args.importer.startsWith(path.join(root, "src"))) return undefined;
        const twin = path.resolve(args.resolveDir, `${name}.browser.ts`);
        return fs.existsSync(twin) ? { path: twin } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: "c2b-template" }, () => {
        const Handlebars = require("handlebars");
        const template = fs.readFileSync(path.join(root, "templates", "bake.hcl.hbs"), "utf8");
        const spec = Handlebars.precompile(template, { noEscape: true, strict: true });
        return { contents: `module.exports = ${spec};`, loader: "js" };
      });
    },
  };
}

module.exports = { browserCore };
