/**
 * Every rule against its annotated fixtures (test/fixtures/PDSxxx/*.py), with ruff's fix
 * invariants: fixes converge, never add a syntax error, match the `.fixed.py` twin, and the
 * rule's declared fix availability matches what it emits.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import { applyEdits, fixAll } from '../server/src/engine/fixes';
import { ALL_RULES, RULES_BY_CODE } from '../server/src/engine/rules/registry';
import { LineIndex } from '../server/src/engine/source';
import { unifiedDiff } from '../server/src/cli/diff';
import { countSyntaxErrors, getParser } from './helpers/engine';
import { FIXTURES_DIR, listFixtures, parseAnnotations } from './helpers/fixtures';

const fixtures = listFixtures();

function linesOf(text: string, findings: { start: number }[]): number[] {
  const lines = new LineIndex(text);
  return [...new Set(findings.map((f) => lines.lineOf(f.start) + 1))].sort((a, b) => a - b);
}

describe('rule fixtures', () => {
  for (const fixture of fixtures) {
    const rel = path.relative(FIXTURES_DIR, fixture.file);
    it(rel, async () => {
      const parser = await getParser();
      const text = fs.readFileSync(fixture.file, 'utf8');
      const { annotations, warnings } = parseAnnotations(text);
      assert.deepEqual(warnings, [], `${rel}: malformed annotations`);
      const result = analyze(text, parser, { path: fixture.file });
      assert.deepEqual(result.ruleFailures.map((f) => `${f.code}: ${String(f.error)}`), [], `${rel}: a rule threw`);
      const codes = new Set([fixture.code, ...annotations.flatMap((a) => a.codes)]);
      const report: string[] = [];
      for (const code of [...codes].sort()) {
        const expected = annotations.filter((a) => (a.kind === 'ruleid' || a.kind === 'todook') && a.codes.includes(code)).map((a) => a.target);
        const reported = linesOf(text, result.findings.filter((f) => f.code === code));
        const exp = [...new Set(expected)].sort((a, b) => a - b);
        const okLines = annotations.filter((a) => a.kind === 'ok' && a.codes.includes(code)).map((a) => a.target);
        const falseAlarms = reported.filter((l) => okLines.includes(l));
        if (JSON.stringify(exp) !== JSON.stringify(reported) || falseAlarms.length) {
          const messages = result.findings.filter((f) => f.code === code).map((f) => `  ${new LineIndex(text).lineOf(f.start) + 1}: ${f.message}`);
          report.push(`${code}: expected lines: [${exp.join(', ')}], reported lines: [${reported.join(', ')}]${falseAlarms.length ? `, on ok lines: [${falseAlarms.join(', ')}]` : ''}\n${messages.join('\n')}`);
        }
      }
      assert.equal(report.join('\n'), '', `${rel}:\n${report.join('\n')}`);

      // Fix availability declared by the rule matches what it emits.
      const rule = RULES_BY_CODE.get(fixture.code);
      assert.ok(rule, `${rel}: folder ${fixture.code} names no rule`);
      const own = result.findings.filter((f) => f.code === fixture.code);
      for (const f of own) {
        if (rule.meta.fixAvailability === 'none') assert.equal(f.fix, undefined, `${rel}: ${fixture.code} declares no fix but emitted one`);
        if (rule.meta.fixAvailability === 'always') assert.ok(f.fix, `${rel}: ${fixture.code} declares a fix always but one finding has none`);
        if (f.fix) {
          assert.ok(f.fix.title.trim(), `${rel}: a fix without a title`);
          assert.ok(f.fix.edits.length, `${rel}: a fix without edits`);
          // Each fix on its own keeps the file parseable (no more syntax errors than before).
          const before = countSyntaxErrors(parser, text);
          const after = countSyntaxErrors(parser, applyEdits(text, f.fix.edits));
          assert.ok(after <= before, `${rel}: fix "${f.fix.title}" adds syntax errors (${before} -> ${after})`);
        }
      }

      // All fixes of the folder's rule, safe and unsafe, until nothing is left: the .fixed.py twin.
      const onlyRule = (t: string) => analyze(t, parser, { select: [fixture.code] }).findings;
      const fixed = fixAll(text, onlyRule, { unsafe: true });
      assert.ok(fixed.converged, `${rel}: fixes did not converge after ${fixed.rounds} rounds`);
      if (fixture.fixedFile) {
        const expectedFixed = fs.readFileSync(fixture.fixedFile, 'utf8');
        assert.ok(fixed.applied > 0, `${rel}: has a .fixed.py twin but no fix applied`);
        if (fixed.text !== expectedFixed) {
          assert.fail(`${rel}: fixed text differs from ${path.basename(fixture.fixedFile)}:\n${unifiedDiff(expectedFixed, fixed.text, path.basename(fixture.fixedFile))}`);
        }
        assert.ok(countSyntaxErrors(parser, fixed.text) <= countSyntaxErrors(parser, text), `${rel}: fixed text has new syntax errors`);
        const remaining = onlyRule(fixed.text).filter((f) => f.fix);
        assert.deepEqual(remaining.map((f) => f.message), [], `${rel}: fixable findings remain after fixing`);
      } else {
        assert.equal(fixed.applied, 0, `${rel}: ${fixed.applied} fix(es) applied but there is no ${path.basename(fixture.file, '.py')}.fixed.py twin`);
      }
    });
  }
});

describe('fixture coverage', () => {
  for (const rule of ALL_RULES) {
    const code = rule.meta.code;
    it(`${code} has fixtures: >=3 findings, >=3 near misses, syntax error, CRLF, tabs, non-ASCII`, () => {
      const files = fixtures.filter((f) => f.code === code);
      assert.ok(files.length, `no fixtures in test/fixtures/${code}/`);
      let findings = 0;
      let nearMisses = 0;
      for (const f of files) {
        const { annotations } = parseAnnotations(fs.readFileSync(f.file, 'utf8'));
        findings += annotations.filter((a) => a.kind === 'ruleid' && a.codes.includes(code)).length;
        nearMisses += annotations.filter((a) => a.kind === 'ok' && a.codes.includes(code)).length;
      }
      assert.ok(findings >= 3, `${code}: ${findings} annotated findings, need at least 3`);
      assert.ok(nearMisses >= 3, `${code}: ${nearMisses} annotated near misses, need at least 3`);
      const named = (part: string) => files.find((f) => path.basename(f.file).includes(part));
      const syntax = named('syntax_error');
      assert.ok(syntax, `${code}: no *syntax_error*.py fixture`);
      const crlf = named('crlf');
      assert.ok(crlf && fs.readFileSync(crlf.file, 'utf8').includes('\r\n'), `${code}: no *crlf*.py fixture with CRLF line endings (check .gitattributes)`);
      const tabs = named('tabs');
      assert.ok(tabs && /^\t+\S/m.test(fs.readFileSync(tabs.file, 'utf8')), `${code}: no *tabs*.py fixture indented with tabs`);
      const nonAscii = named('non_ascii');
      assert.ok(nonAscii && /[^\x00-\x7f]/.test(fs.readFileSync(nonAscii.file, 'utf8')), `${code}: no *non_ascii*.py fixture with non-ASCII text`);
      const syntaxText = fs.readFileSync(syntax.file, 'utf8');
      assert.ok(/[^\s]/.test(syntaxText), `${code}: empty syntax-error fixture`);
      const { annotations } = parseAnnotations(syntaxText);
      assert.ok(annotations.some((a) => a.kind === 'ruleid' && a.codes.includes(code)), `${code}: the syntax-error fixture must still expect a finding in an intact class`);
    });
  }
});
