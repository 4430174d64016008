// Rewrites package.json's `pdsLint.severity` properties from the rule registry (run after adding a
// rule; test/config.test.ts fails until they agree). Needs a build (out/).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(path.join(root, 'package.json'));
const { ALL_RULES } = require(path.join(root, 'out/server/src/engine/rules/registry.js'));
const file = path.join(root, 'package.json');
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
const severity = pkg.contributes.configuration.properties['pdsLint.severity'];
severity.properties = Object.fromEntries(
  ALL_RULES.map((r) => [r.meta.code, { type: 'string', enum: ['error', 'warning', 'information', 'hint', 'off'], markdownDescription: `${r.meta.name} (default: ${r.meta.defaultSeverity})` }]),
);
fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`pdsLint.severity lists ${ALL_RULES.length} rules`);
