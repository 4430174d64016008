/**
 * Properties (fast-check, seeded, bounded):
 * 1. fix safety — every fix and every "disable for this line" on every fixture keeps the file
 *    parseable, removes its finding, adds none of another code; fix-all is idempotent;
 * 2. never crash — random edits of the fixtures never make the engine throw, and findings and
 *    fixes stay inside the document;
 * 3. incremental equals full — after random edit sequences, the incremental tree and findings
 *    (tree.edit + reparse + reused syntax) equal a fresh parse of the final text.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze, analyzeSyntax } from '../server/src/engine/analyze';
import { applyEdits, fixAll } from '../server/src/engine/fixes';
import { noqaEdit } from '../server/src/engine/noqa';
import { convertTree, type Node } from '../server/src/engine/syntax';
import type { Finding } from '../server/src/engine/types';
import { DocumentStore } from '../server/src/lsp/documents';
import { countSyntaxErrors, getParser } from './helpers/engine';
import { FIXTURES_DIR, listFixtures } from './helpers/fixtures';

const SEED = Number(process.env.PDS_PROPERTY_SEED ?? 20261125);
// Bounded: about 10 s of the suite on a 2-core machine. Failures print the seed and the shrunk
// counterexample (fast-check); PDS_PROPERTY_SEED and PDS_PROPERTY_RUNS replay or widen a run.
const RUNS = Number(process.env.PDS_PROPERTY_RUNS ?? 200);

const sources = listFixtures().map((f) => ({ name: path.relative(FIXTURES_DIR, f.file), text: fs.readFileSync(f.file, 'utf8') }));

const codeCounts = (findings: Finding[]) => {
  const m = new Map<string, number>();
  for (const f of findings) m.set(f.code, (m.get(f.code) ?? 0) + 1);
  return m;
};

describe('property: fix safety', () => {
  it('every fix on every fixture: parses, removes its finding, adds no other finding', async () => {
    const parser = await getParser();
    let checked = 0;
    for (const { name, text } of sources) {
      const before = analyze(text, parser).findings;
      const errorsBefore = countSyntaxErrors(parser, text);
      const countsBefore = codeCounts(before);
      for (const finding of before) {
        if (!finding.fix) continue;
        checked++;
        const fixed = applyEdits(text, finding.fix.edits);
        const label = `${name}: ${finding.code} "${finding.fix.title}"`;
        assert.ok(countSyntaxErrors(parser, fixed) <= errorsBefore, `${label} adds syntax errors`);
        const after = analyze(fixed, parser).findings;
        const countsAfter = codeCounts(after);
        assert.ok((countsAfter.get(finding.code) ?? 0) < (countsBefore.get(finding.code) ?? 0), `${label} does not remove its finding`);
        for (const [code, n] of countsAfter) {
          if (code === finding.code) continue;
          assert.ok(n <= (countsBefore.get(code) ?? 0), `${label} adds a ${code} finding: ${after.filter((f) => f.code === code).map((f) => f.message).join('; ')}`);
        }
      }
    }
    assert.ok(checked > 20, `only ${checked} fixes checked`);
  });

  it('"Disable for this line" on every finding: parses, suppresses it, adds nothing', async () => {
    const parser = await getParser();
    for (const { name, text } of sources) {
      const result = analyze(text, parser);
      const errorsBefore = countSyntaxErrors(parser, text);
      for (const finding of result.findings) {
        const line = result.model.lines.lineOf(finding.start);
        const edit = noqaEdit(result.root, result.model.lines, line, finding.code, result.noqa);
        if (!edit) continue; // a bare noqa already covers the line
        const disabled = applyEdits(text, [edit]);
        const label = `${name}:${line + 1} ${finding.code}`;
        assert.ok(countSyntaxErrors(parser, disabled) <= errorsBefore, `${label}: the noqa comment breaks the syntax`);
        const after = analyze(disabled, parser);
        assert.ok(after.suppressed.some((f) => f.code === finding.code), `${label}: not suppressed by ${JSON.stringify(edit.newText)}`);
        assert.ok(after.findings.length < result.findings.length, `${label}: findings did not decrease`);
        const unused = (fs: Finding[]) => fs.filter((f) => f.code === 'PDS100').length;
        assert.ok(unused(after.findings) <= unused(result.findings), `${label}: the added noqa is reported as unused`);
      }
    }
  });

  it('fix-all twice changes nothing the second time', async () => {
    const parser = await getParser();
    const lint = (t: string) => analyze(t, parser).findings;
    for (const { name, text } of sources) {
      for (const unsafe of [false, true]) {
        const once = fixAll(text, lint, { unsafe });
        assert.ok(once.converged, `${name}: fix-all did not converge`);
        const twice = fixAll(once.text, lint, { unsafe });
        assert.equal(twice.text, once.text, `${name}: second fix-all changed the text`);
        assert.equal(twice.applied, 0);
      }
    }
  });
});

/** A random edit of a text: delete, insert or replace a span with code-like or hostile fragments. */
const FRAGMENTS = ['(', ')', '[', ']', '{', '}', '"', "'", '"""', ':', '\n', '\n    ', '\t', 'def ', 'class X(', 'return ', 'yield ', 'self.', 'json.dumps(', '{"k": ', '# noqa: PDS002', 'é😀', '\r\n', '\\', 'lambda: (', '((((((((((', ']]]]]]', 'async ', '@classmethod\n',
  // Odd characters: a lone CR, NUL, a BOM, half a surrogate pair, a combining mark, a line separator.
  '\r', '\0', '\ufeff', '\ud83d', 'e\u0301', '\u2028'];

const editArb = (length: number) =>
  fc.record({
    at: fc.nat({ max: Math.max(0, length) }),
    remove: fc.nat({ max: 40 }),
    insert: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 }), fc.constant('')),
    /** Send the range end first (clients do; TextDocument applies it in order). */
    reversed: fc.boolean(),
  });

function applyRandomEdit(text: string, e: { at: number; remove: number; insert: string }): { text: string; start: number; end: number; insert: string } {
  const start = Math.min(e.at, text.length);
  const end = Math.min(text.length, start + e.remove);
  return { text: text.slice(0, start) + e.insert + text.slice(end), start, end, insert: e.insert };
}

function inside(text: string, findings: Finding[]): void {
  for (const f of findings) {
    assert.ok(f.start >= 0 && f.start <= f.end && f.end <= text.length, `finding ${f.code} [${f.start}, ${f.end}] outside a ${text.length}-character document`);
    for (const e of f.fix?.edits ?? []) assert.ok(e.start >= 0 && e.start <= e.end && e.end <= text.length, `fix edit of ${f.code} outside the document`);
  }
}

describe('property: never crash on what a person types', () => {
  it('random edits, cuts and hostile fragments never make the engine throw', async () => {
    const parser = await getParser();
    fc.assert(
      fc.property(fc.constantFrom(...sources), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.array(editArb(4000), { minLength: 1, maxLength: 8 }), (source, _cuts, edits) => {
        let text = source.text;
        for (const e of edits) text = applyRandomEdit(text, e).text;
        const result = analyze(text, parser);
        assert.deepEqual(result.ruleFailures.map((f) => `${f.code}: ${String(f.error)}`), []);
        inside(text, result.findings);
        // Cut anywhere: every prefix-ish slice too.
        const cut = text.slice(0, Math.floor(text.length / 2));
        const cutResult = analyze(cut, parser);
        assert.deepEqual(cutResult.ruleFailures.map((f) => `${f.code}: ${String(f.error)}`), []);
        inside(cut, cutResult.findings);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

const shape = (n: Node): unknown => [n.type, n.start, n.end, n.field, n.text, n.hasError, n.children.map(shape)];

describe('property: incremental equals full', () => {
  it('after random edit sequences the incremental tree and findings equal a fresh parse', async () => {
    const parser = await getParser();
    fc.assert(
      fc.property(fc.constantFrom(...sources), fc.array(editArb(4000), { minLength: 1, maxLength: 12 }), (source, edits) => {
        const store = new DocumentStore(parser, { retainedTrees: 4, incremental: true });
        const uri = 'file:///doc.py';
        store.open(uri, 'python', 1, source.text);
        let text = source.text;
        // Analyse the first version (fills the tree and the syntax cache), then edit.
        let syntax = store.syntaxOf(uri)!;
        analyzeSyntax(text, { tree: syntax.tree, cache: syntax.cache });
        let version = 1;
        edits.forEach((e, i) => {
          // Positions as an editor sends them: from the document (an offset inside a CRLF pair
          // maps to the end of the line, as in VS Code).
          const doc = store.get(uri)!;
          const next = applyRandomEdit(text, e);
          const [from, to] = e.reversed ? [next.end, next.start] : [next.start, next.end];
          store.change(uri, ++version, [{ range: { start: doc.positionAt(from), end: doc.positionAt(to) }, text: next.insert }]);
          text = store.get(uri)!.getText();
          // Sometimes analyse in the middle (several keystrokes between analyses otherwise).
          if (i % 3 === 1) {
            syntax = store.syntaxOf(uri)!;
            analyzeSyntax(text, { tree: syntax.tree, cache: syntax.cache });
          }
        });
        syntax = store.syntaxOf(uri)!;
        const incremental = analyzeSyntax(text, { tree: syntax.tree, cache: syntax.cache });
        const fresh = analyze(text, parser);
        assert.deepEqual(shape(incremental.root), shape(convertTree(parser.parse(text), text)));
        assert.deepEqual(
          incremental.findings.map((f) => [f.code, f.start, f.end, f.message]),
          fresh.findings.map((f) => [f.code, f.start, f.end, f.message]),
        );
        store.close(uri);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });
});
