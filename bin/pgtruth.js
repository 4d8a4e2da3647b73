#!/usr/bin/env node
// The `pgtruth` command. The TypeScript sources are compiled to dist/ by `npm install`
// (the `prepare` script) and by `npm run build`.
import { main } from '../dist/src/cli/main.js';

// a reader that stops early (`pgtruth train --json | head`) closes the pipe: that is not an error
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`pgtruth: internal error: ${err?.stack ?? err}\n`); process.exitCode = 70; },
);
