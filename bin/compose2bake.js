#!/usr/bin/env node
"use strict";
// Thin stub: all behaviour lives in the compiled library (dist/src/cli.js).
const { main } = require("../dist/src/cli.js");
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
