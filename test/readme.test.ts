/**
 * README.md and docs/ agree with the rule registry: every rule is in the README's table (as
 * scripts/readme-rules.mjs writes it) and has its page under docs/rules/ with the sections a rule
 * page needs.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import { ruleTable } from '../server/src/engine/rules/table';

const ROOT = path.resolve(__dirname, '..', '..');
const SECTIONS = ['## What it does', '## Why is this bad?', '## Example', '## Use instead', '## Fix safety', '## Known problems', '## Options', '## References'];

describe('README and rule pages', () => {
  it("README's rule table is the registry's (run node scripts/readme-rules.mjs)", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('<!-- rules:start -->');
    const end = readme.indexOf('<!-- rules:end -->');
    assert.ok(start >= 0 && end > start, 'README.md has the rules:start/rules:end markers');
    assert.equal(readme.slice(start + '<!-- rules:start -->'.length, end).trim(), ruleTable());
  });

  for (const rule of ALL_RULES) {
    const code = rule.meta.code;
    it(`docs/rules/${code}.md exists with every section, in order`, () => {
      const file = path.join(ROOT, 'docs', 'rules', `${code}.md`);
      assert.ok(fs.existsSync(file), `no docs/rules/${code}.md`);
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(text.startsWith(`# ${code}: ${rule.meta.name}\n`), `${code}.md starts with "# ${code}: ${rule.meta.name}"`);
      let at = 0;
      for (const section of SECTIONS) {
        const found = text.indexOf(`\n${section}\n`, at);
        assert.ok(found >= 0, `${code}.md lacks "${section}" (or it is out of order)`);
        at = found + 1;
      }
    });
  }
});
