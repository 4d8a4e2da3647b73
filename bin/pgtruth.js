#!/usr/bin/env node
// The `pgtruth` command. The TypeScript sources are compiled to dist/ by `npm install`
// (the `prepare` script) and by `npm run build`.
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`pgtruth: internal error: ${err?.stack ?? err}\n`); process.exitCode = 70; },
);
