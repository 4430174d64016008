#!/usr/bin/env node
'use strict';
const path = require('node:path');
let cli;
try {
  cli = require(path.join(__dirname, '..', 'out', 'server', 'src', 'cli', 'main.js'));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('cli')) {
    process.stderr.write("pds-lint: not built yet; run 'npm run build' in " + path.join(__dirname, '..') + '\n');
    process.exit(2);
  }
  throw err;
}
cli.run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write('pds-lint: internal error: ' + ((err && err.stack) || err) + '\n');
    process.exitCode = 2;
  },
);
