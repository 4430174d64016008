/**
 * PDS100 unused-suppression with every rule enabled (the fixture twins run it alone, where only
 * unknown codes can be judged): which codes are reported, and the edits that remove them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import { fixAll } from '../server/src/engine/fixes';
import { collectNoqa, removeNoqaCodeEdit } from '../server/src/engine/noqa';
import { applyEdits } from '../server/src/engine/fixes';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import { defineRule } from '../server/src/engine/rules/rule';
import { LineIndex } from '../server/src/engine/source';
import { convertTree } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

const READER = [
  'from datetime import datetime, timezone',
  'from pyspark.sql.datasource import DataSourceStreamReader',
  '',
  'class R(DataSourceStreamReader):',
  '    def latestOffset(self):',
  '        return {"ts": datetime.now(timezone.utc).isoformat()}  # noqa: PDS002',
  '',
].join('\n');

async function unused(text: string, options = {}) {
  const result = analyze(text, await getParser(), options);
  return result.findings.filter((f) => f.code === 'PDS100').map((f) => ({ code: text.slice(f.start, f.end), tags: f.tags, message: f.message }));
}

async function removal(line: string, codes: string[]): Promise<string> {
  const parser = await getParser();
  const text = `x = 1\n${line}\ny = 2\n`;
  const root = convertTree(parser.parse(text), text);
  const lines = new LineIndex(text);
  const [d] = collectNoqa(root, lines);
  const removable = d.codes.filter((c) => codes.includes(c.code));
  return applyEdits(text, [removeNoqaCodeEdit(text, lines, d, removable[0], removable)]);
}

describe('PDS100 unused-suppression', () => {
  it('is silent on a used code and reports an unused one, tagged unnecessary', async () => {
    assert.deepEqual(await unused(READER), []);
    const found = await unused(READER.replace('# noqa: PDS002', '# noqa: PDS002, PDS003'));
    assert.deepEqual(found.map((f) => [f.code, f.tags]), [['PDS003', ['unnecessary']]]);
  });

  it('does not judge codes of rules that did not run (deselected, ignored, or failed)', async () => {
    const text = READER.replace('# noqa: PDS002', '# noqa: PDS002, PDS004');
    assert.deepEqual(await unused(text, { select: ['PDS100'] }), []);
    assert.deepEqual((await unused(text, { ignore: ['PDS004'] })).map((f) => f.code), []);
    assert.deepEqual((await unused(text, { severity: { PDS004: 'off' } })).map((f) => f.code), []);
    const broken = defineRule({ code: 'PDS004', name: 'x', summary: 'x', defaultSeverity: 'warning', fixAvailability: 'none', since: '0' }, () => {
      throw new Error('boom');
    });
    const rules = ALL_RULES.map((r) => (r.meta.code === 'PDS004' ? broken : r));
    assert.deepEqual(await unused(text, { rules }), []);
    assert.deepEqual((await unused(text)).map((f) => f.code), ['PDS004']);
  });

  it('does not judge known codes in a statement with a syntax error (rules stay quiet there), only unknown ones', async () => {
    const text = READER.replace('isoformat()}  # noqa: PDS002', 'isoformat(}  # noqa: PDS003, PDS999');
    assert.deepEqual((await unused(text)).map((f) => f.code), ['PDS999']);
  });

  it('reports unknown PDS codes, leaves other tools and a bare noqa alone, and ignores noqa inside strings', async () => {
    const text = `${READER}X = "# noqa: PDS002"  # noqa: E501, PDS999\nY = 1  # noqa\nZ = 2  # noqa: F401\n`;
    assert.deepEqual((await unused(text)).map((f) => f.code), ['PDS999']);
  });

  it('counts a comment after a multi-line string as the line of a finding that starts before it', async () => {
    const text = [
      'from pyspark.sql.datasource import DataSourceStreamWriter, WriterCommitMessage',
      '',
      'class W(DataSourceStreamWriter):',
      '    def write(self, iterator):',
      '        self.cur.executemany("""INSERT INTO t (id)',
      '            VALUES (%s)""", [(r.id,) for r in iterator])  # noqa: PDS004',
      '        return WriterCommitMessage()',
      '',
    ].join('\n');
    const result = analyze(text, await getParser());
    assert.deepEqual(result.findings.map((f) => f.code), []);
    assert.deepEqual(result.suppressed.map((f) => f.code), ['PDS004']);
  });

  it('removes one code with its separator, or the whole comment, never leaving an empty noqa', async () => {
    assert.equal(await removal('a = 1  # noqa: E501, PDS002', ['PDS002']), 'x = 1\na = 1  # noqa: E501\ny = 2\n');
    assert.equal(await removal('a = 1  # noqa: PDS002,E501', ['PDS002']), 'x = 1\na = 1  # noqa: E501\ny = 2\n');
    assert.equal(await removal('a = 1  # noqa: PDS001, PDS002', ['PDS001', 'PDS002']), 'x = 1\na = 1\ny = 2\n');
    assert.equal(await removal('a = 1  # why # noqa: PDS002', ['PDS002']), 'x = 1\na = 1  # why\ny = 2\n');
    assert.equal(await removal('a = 1  # noqa: PDS002  # type: ignore', ['PDS002']), 'x = 1\na = 1  # type: ignore\ny = 2\n');
    assert.equal(await removal('a = 1  # noqa: PDS002 legacy', ['PDS002']), 'x = 1\na = 1  # legacy\ny = 2\n');
    assert.equal(await removal('    # noqa: PDS002', ['PDS002']), 'x = 1\ny = 2\n');
  });

  it('fix-all removes every unused code of a comment, keeping the others, and converges', async () => {
    const parser = await getParser();
    const lint = (t: string) => analyze(t, parser).findings;
    const cases: [string, string][] = [
      ['# noqa: PDS002, PDS003, PDS004', '# noqa: PDS002'],
      ['# noqa: E501, PDS003, PDS002, PDS004', '# noqa: E501, PDS002'],
      ['# noqa: PDS003, PDS004, E501, PDS002', '# noqa: E501, PDS002'],
      ['# noqa: PDS002, E501, PDS003, PDS004', '# noqa: PDS002, E501'],
    ];
    for (const [comment, expected] of cases) {
      const fixed = fixAll(READER.replace('# noqa: PDS002', comment), lint);
      assert.ok(fixed.converged, comment);
      const line = fixed.text.split('\n').find((l) => l.includes('isoformat'))!;
      assert.ok(line.endsWith(`}  ${expected}`), `${comment}: ${line}`);
    }
    const allUnused = fixAll(`${READER}Y = 1  # noqa: PDS003, PDS004\n`, lint);
    assert.ok(allUnused.text.endsWith('Y = 1\n'), allUnused.text);
  });
});
