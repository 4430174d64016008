/**
 * Every `examples/pitfalls/PDSxxx_<rule_name>.py` shows its pitfall: the rule of its file name
 * reports it, and the file name matches the rule's name.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import { RULES_BY_CODE } from '../server/src/engine/rules/registry';
import { getParser } from './helpers/engine';

const PITFALLS_DIR = path.resolve(__dirname, '..', '..', 'examples', 'pitfalls');
const files = fs.existsSync(PITFALLS_DIR) ? fs.readdirSync(PITFALLS_DIR).filter((f) => /^PDS\d{3}_.*\.py$/.test(f)).sort() : [];

describe('pitfall examples', () => {
  for (const file of files) {
    const code = file.slice(0, 6);
    it(`${file} is reported by ${code}`, async () => {
      const rule = RULES_BY_CODE.get(code);
      assert.ok(rule, `${file}: no rule ${code}`);
      assert.equal(file, `${code}_${rule.meta.name.replace(/-/g, '_')}.py`, `${file}: name it after the rule`);
      const text = fs.readFileSync(path.join(PITFALLS_DIR, file), 'utf8');
      const result = analyze(text, await getParser(), { path: file });
      assert.deepEqual(result.ruleFailures, [], `${file}: a rule threw`);
      assert.ok(result.findings.some((f) => f.code === code), `${file}: ${code} reports nothing`);

    });
  }
});

describe('every example', () => {
  const all = fs.readdirSync(path.resolve(PITFALLS_DIR, '..'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.py')).sort();
  it('is analysed without a rule failing, and no finding repeats a related place', async () => {
    assert.ok(all.length > 20);
    for (const file of all) {
      const text = fs.readFileSync(path.resolve(PITFALLS_DIR, '..', file), 'utf8');
      const result = analyze(text, await getParser(), { path: file });
      assert.deepEqual(result.ruleFailures, [], `${file}: a rule threw`);
      for (const f of result.findings) {
        const places = f.related.map((r) => `${r.path ?? ''}:${r.start}:${r.end}:${r.message}`);
        assert.equal(new Set(places).size, places.length, `${file}: ${f.code} repeats a related place: ${places.join(' | ')}`);
      }
    }
  });
});
