// Rewrites the rule table of README.md (between the rules:start/rules:end markers) from the rule
// registry. Run after adding a rule (needs a build: out/); test/readme.test.ts fails until it agrees.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(path.join(root, 'package.json'));
const { ruleTable } = require(path.join(root, 'out/server/src/engine/rules/table.js'));
const file = path.join(root, 'README.md');
const readme = fs.readFileSync(file, 'utf8');
const start = readme.indexOf('<!-- rules:start -->');
const end = readme.indexOf('<!-- rules:end -->');
if (start < 0 || end < start) throw new Error('README.md has no <!-- rules:start --> ... <!-- rules:end --> markers');
const updated = `${readme.slice(0, start)}<!-- rules:start -->\n${ruleTable()}\n${readme.slice(end)}`;
fs.writeFileSync(file, updated);
console.log('README.md rule table updated');
