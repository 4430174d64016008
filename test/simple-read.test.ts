/**
 * The simple reader's return paths (PDS014, PDS022): which rows go with which next offset, what
 * holds on each path, when the next offset is the incoming `start` again, when the rows are
 * known empty, and the inclusive-watermark pattern. Also the path facts of flow.ts they use.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  conditionFacts,
  FileModel,
  hasForeignCondition,
  inclusiveAdvance,
  isEmptyLiteral,
  pathFacts,
  rowsEmptiness,
  type SimpleReadReturn,
  startOccurrences,
} from '../server/src/engine/model';
import { convertTree, type Node, walk } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

async function modelOf(source: string): Promise<FileModel> {
  const parser = await getParser();
  return new FileModel(source, convertTree(parser.parse(source), source));
}

const HEADER = 'import json\nfrom pyspark.sql.datasource import SimpleDataSourceStreamReader as S\n\n';

/** The return paths of the class `R`'s read, from a body of `read(self, start)`. */
async function paths(body: string, extra = ''): Promise<{ model: FileModel; returns: SimpleReadReturn[] }> {
  const src = `${HEADER}class R(S):\n    def initialOffset(self):\n        return {"seq": 0}\n\n    def read(self, start):\n${body.replace(/^/gm, '        ')}\n${extra}`;
  const model = await modelOf(src);
  const cls = model.classesByName.get('R');
  assert.ok(cls);
  return { model, returns: model.simpleReadReturns(cls) };
}

/** For each return: `advances`, `stays:<where>` while rows may be there (PDS014's test), or `stays-unreported` (no rows, or a condition we do not read). */
function stays(model: FileModel, returns: SimpleReadReturn[]): string[] {
  return returns.map((r) => {
    const occ = startOccurrences(r, ['seq']);
    if (!occ.length) return 'advances';
    const bad = occ.filter((o) => {
      const e = rowsEmptiness(r, o.facts);
      return e === 'nonEmpty' || (e === 'unknown' && !hasForeignCondition(r, o.facts));
    });
    return bad.length ? `stays:${bad.map((o) => model.textOf(o.node)).join(',')}` : 'stays-unreported';
  });
}

describe('simple read return paths', () => {
  it('pairs the rows and the next offset of each return, through a local tuple and a helper', async () => {
    const { model, returns } = await paths(
      'if start["seq"] > 9:\n    result = (iter([]), start)\n    return result\nreturn self._poll(start)',
      '    def _poll(self, since):\n        rows = [(1,)]\n        return iter(rows), since\n',
    );
    assert.deepEqual(returns.map((r) => [r.fn.name, model.textOf(r.rows), model.textOf(r.offset), [...r.startNames].join()]), [
      ['read', 'iter([])', 'start', 'start'],
      ['_poll', 'iter(rows)', 'since', 'since'],
    ]);
  });

  const cases: [string, string, string[]][] = [
    ['start returned with rows', 'rows = self._f()\nreturn iter(rows), start', ['stays:start']],
    ['an empty literal with start', 'return iter([]), start', ['stays-unreported']],
    ['start under `if not rows`', 'rows = self._f()\nif not rows:\n    return iter(rows), start\nreturn iter(rows), {"seq": 1}', ['stays-unreported', 'advances']],
    ['start after an early `if rows: return`', 'rows = self._f()\nif rows:\n    return iter(rows), {"seq": 1}\nreturn iter(rows), start', ['advances', 'stays-unreported']],
    ['start under `if rows`', 'rows = self._f()\nif rows:\n    return iter(rows), start\nreturn iter([]), start', ['stays:start', 'stays-unreported']],
    ['`len(rows) == 0`', 'rows = self._f()\nif len(rows) == 0:\n    return iter(rows), start\nreturn iter(rows), {"seq": 2}', ['stays-unreported', 'advances']],
    ['`x if rows else start`', 'rows = self._f()\nreturn iter(rows), ({"seq": 1} if rows else start)', ['stays-unreported']],
    ['`start if not rows else x`', 'rows = self._f()\nreturn iter(rows), start if not rows else {"seq": 1}', ['stays-unreported']],
    ['a branch binding', 'rows = self._f()\nif rows:\n    nxt = {"seq": 1}\nelse:\n    nxt = start\nreturn iter(rows), nxt', ['stays-unreported']],
    ['a default overwritten when there are rows', 'rows = self._f()\nnxt = start\nif rows:\n    nxt = {"seq": 1}\nreturn iter(rows), nxt', ['stays-unreported']],
    ['an unrelated condition', 'rows = self._f()\nif self.paused:\n    return iter(rows), start\nreturn iter(rows), {"seq": 1}', ['stays-unreported', 'advances']],
    ['a rebuilt dict of every key', 'rows = self._f()\nreturn iter(rows), {"seq": start["seq"]}', ['stays:{"seq": start["seq"]}']],
    ['an advanced rebuild', 'rows = self._f()\nreturn iter(rows), {"seq": start["seq"] + len(rows)}', ['advances']],
    ['a copy', 'rows = self._f()\nreturn iter(rows), dict(start)', ['stays:dict(start)']],
    ['a copy changed in place', 'rows = self._f()\nnxt = dict(start)\nnxt["seq"] += len(rows)\nreturn iter(rows), nxt', ['advances']],
    ['JSON text of the loaded start', 'pos = json.loads(start)\nrows = self._f()\nreturn iter(rows), json.dumps({"seq": pos["seq"]})', ['stays:json.dumps({"seq": pos["seq"]})']],
    ['the loaded start itself (a dict, not the text)', 'pos = json.loads(start)\nrows = self._f()\nreturn iter(rows), pos', ['advances']],
  ];
  for (const [name, body, expected] of cases) {
    it(`${name}: ${expected.join(' / ')}`, async () => {
      const { model, returns } = await paths(body);
      assert.deepEqual(stays(model, returns), expected);
    });
  }

  it('does not count a rebuilt dict unless the offset keys are known and all present', async () => {
    const { returns } = await paths('rows = self._f()\nreturn iter(rows), {"seq": start["seq"]}');
    assert.equal(startOccurrences(returns[0]).length, 0);
    assert.equal(startOccurrences(returns[0], ['seq', 'page']).length, 0);
    assert.equal(startOccurrences(returns[0], ['seq']).length, 1);
  });

  it('finds a next offset from the newest row of rows selected with >= the start', async () => {
    const inclusive = await paths('rows = [r for r in self._all() if r["ts"] >= start["ts"]]\nreturn iter(rows), {"ts": max(r["ts"] for r in rows)}');
    const found = inclusiveAdvance(inclusive.returns[0]);
    assert.ok(found);
    assert.equal(inclusive.model.textOf(found.value), 'max(r["ts"] for r in rows)');
    assert.equal(inclusive.model.textOf(found.comparison), 'r["ts"] >= start["ts"]');

    const query = await paths('rows = self._q("SELECT * FROM t WHERE ts >= ?", (start["ts"],))\nreturn iter(rows), {"ts": rows[-1][1]}');
    assert.equal(query.model.textOf(inclusiveAdvance(query.returns[0])!.value), 'rows[-1][1]');

    const exclusive = await paths('rows = [r for r in self._all() if r["ts"] > start["ts"]]\nreturn iter(rows), {"ts": max(r["ts"] for r in rows)}');
    assert.equal(inclusiveAdvance(exclusive.returns[0]), undefined);
    const counted = await paths('rows = [r for r in self._all() if r["n"] >= start["n"]]\nreturn iter(rows), {"n": start["n"] + len(rows)}');
    assert.equal(inclusiveAdvance(counted.returns[0]), undefined);
  });
});

describe('empty literals', () => {
  const cases: [string, boolean][] = [
    ['[]', true],
    ['()', true],
    ['iter([])', true],
    ['iter(())', true],
    ['list()', true],
    ['iter(list())', true],
    ['iter()', false],
    ['[1]', false],
    ['iter(rows)', false],
  ];
  for (const [text, expected] of cases) {
    it(`${text} is ${expected ? '' : 'not '}empty`, async () => {
      const model = await modelOf(`x = ${text}\n`);
      let value: Node | undefined;
      walk(model.root, (n) => {
        if (n.type === 'assignment') value = n.children.find((c) => c.field === 'right');
      });
      assert.equal(isEmptyLiteral(value), expected);
    });
  }
});

describe('path facts', () => {
  async function factsAt(body: string): Promise<string[]> {
    const src = `def f(rows, x):\n${body.replace(/^/gm, '    ')}\n`;
    const model = await modelOf(src);
    const fn = model.functions.get('f')!;
    let target: Node | undefined;
    walk(fn.body, (n) => {
      if (n.type === 'call' && model.textOf(n) === 'target()') target = n;
    });
    assert.ok(target);
    return pathFacts(target, fn).map((f) => (f.kind === 'truthiness' ? `${f.early ? 'early ' : ''}${f.truthy ? '' : 'not '}${f.name}` : `${f.early ? 'early ' : ''}other`));
  }

  const cases: [string, string, string[]][] = [
    ['if', 'if rows:\n    target()', ['rows']],
    ['else', 'if rows:\n    pass\nelse:\n    target()', ['not rows']],
    ['elif', 'if rows:\n    pass\nelif x:\n    target()', ['x', 'not rows']],
    ['not and len', 'if not rows and len(x) > 0:\n    target()', ['not rows', 'x']],
    ['or in the else branch', 'if rows or x:\n    pass\nelse:\n    target()', ['not rows', 'not x']],
    ['or in the if branch says nothing certain', 'if rows or x:\n    target()', ['other']],
    ['an early return', 'if not rows:\n    return\ntarget()', ['early rows']],
    ['an early raise in else', 'if rows:\n    pass\nelse:\n    raise ValueError()\ntarget()', ['early rows']],
    ['a loop body', 'for r in rows:\n    target()', ['other']],
    ['while True', 'while True:\n    target()', []],
    ['except', 'try:\n    pass\nexcept Exception:\n    target()', ['other']],
    ['a conditional expression', 'y = target() if len(rows) == 0 else 1', ['not rows']],
  ];
  for (const [name, body, expected] of cases) {
    it(`${name}: ${expected.join(', ') || 'nothing'}`, async () => {
      assert.deepEqual(await factsAt(body), expected);
    });
  }

  it('reads comparisons with sizes', async () => {
    const model = await modelOf('a = len(rows) >= 1\nb = 0 == len(rows)\nc = rows != []\nd = len(rows) > 5\n');
    const conds: Node[] = [];
    walk(model.root, (n) => {
      if (n.type === 'comparison_operator') conds.push(n);
    });
    const read = (n: Node) => conditionFacts(n, true).map((f) => (f.kind === 'truthiness' ? `${f.truthy ? '' : 'not '}${f.name}` : 'other'));
    assert.deepEqual(conds.map(read), [['rows'], ['not rows'], ['rows'], ['other']]);
  });
});
