/**
 * Reader-side models of PDS015 and PDS016: where `partitions(start, end)` changes `end`
 * (`model/endcaps.ts`), and how a 4.2 `latestOffset(start, limit)` reads its limit
 * (`model/readlimit.ts`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileModel, partitionEndChanges, readLimitUsage } from '../server/src/engine/model';
import { convertTree } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

async function reader(methods: string) {
  const source = [
    'import json',
    'from datetime import datetime',
    'import pyspark.sql.streaming.datasource as sds',
    'from pyspark.sql.datasource import DataSourceStreamReader',
    'from pyspark.sql.streaming.datasource import ReadMaxRows, ReadAllAvailable',
    '',
    'class R(DataSourceStreamReader):',
    methods.replace(/^/gm, '    '),
    '',
  ].join('\n');
  const parser = await getParser();
  const model = new FileModel(source, convertTree(parser.parse(source), source));
  return { model, cls: model.classesByName.get('R')! };
}

async function endChanges(methods: string): Promise<string[]> {
  const { model, cls } = await reader(methods);
  return partitionEndChanges(cls, model).map((c) => `${c.kind}: ${model.textOf(c.statement)}`);
}

describe('partitionEndChanges', () => {
  it('finds reassignments, subscript writes and update() that cap or replace end', async () => {
    assert.deepEqual(
      await endChanges(
        'def partitions(self, start, end):\n    end = json.loads(end)\n    end["ts"] = min(end["ts"], start["ts"] + 60)\n    end.update({"seq": 1})\n    end = {"ts": start["ts"] + self.step}\n    return []',
      ),
      ['mutate: end["ts"] = min(end["ts"], start["ts"] + 60)', 'mutate: end.update({"seq": 1})', 'reassign: end = {"ts": start["ts"] + self.step}'],
    );
  });

  it('keeps conversions of end alone, max(), loop variables and locals that split the range', async () => {
    assert.deepEqual(
      await endChanges(
        'def partitions(self, start, end):\n    end = datetime.fromisoformat(json.loads(end)["ts"]).astimezone(self.tz)\n    end = max(end, start)\n    hi = end\n    parts = []\n    while start < hi:\n        nxt = min(start + self.step, hi)\n        parts.append((start, nxt))\n        start = nxt\n    for start, end in parts:\n        pass\n    return parts',
      ),
      [],
    );
  });

  it('finds a cap in a helper of the class, and a capped end stored for latestOffset', async () => {
    assert.deepEqual(
      await endChanges(
        'def _cap(self, e):\n    return min(e, self.ceiling)\ndef latestOffset(self):\n    return {"o": self._next}\ndef partitions(self, start, end):\n    end = self._cap(end)\n    stop = min(end["o"], start["o"] + 100)\n    self._next = stop\n    return []',
      ),
      ['reassign: end = self._cap(end)', 'store: self._next = stop'],
    );
  });
});

async function limitUsage(methods: string) {
  const { model, cls } = await reader(methods);
  const usage = readLimitUsage(cls, model.imports);
  return { model, usage };
}

describe('readLimitUsage', () => {
  it('finds camelCase fields, dict access and membership, through an alias and a helper', async () => {
    const { model, usage } = await limitUsage(
      'def latestOffset(self, start, limit):\n    lim = limit\n    a = lim.maxRows + limit.max_rows\n    b = limit["maxRows"]\n    c = "minRows" in limit\n    return self._h(start, lim)\ndef _h(self, start, read_limit):\n    return read_limit.get("maxFiles")',
    );
    assert.ok(usage?.used);
    assert.deepEqual(usage.uses.map((u) => `${u.kind}:${model.textOf(u.node)}${u.snake ? `->${u.snake}` : ''}`), [
      'camel-field:lim.maxRows->max_rows',
      'subscript:limit["maxRows"]',
      'membership:"minRows" in limit',
      'dict-method:read_limit.get("maxFiles")',
    ]);
  });

  it('finds isinstance and type() checks against classes Spark does not have, not the real ones', async () => {
    const { usage } = await limitUsage(
      'def latestOffset(self, start, limit):\n    if isinstance(limit, (ReadMaxRows, sds.ReadMaxRecords)):\n        pass\n    if type(limit) is sds.ReadAllAvailableLimit or isinstance(limit, ReadAllAvailable):\n        pass\n    return start',
    );
    assert.deepEqual(usage?.missingClasses.map((m) => [m.name, m.module, m.imported]), [
      ['ReadMaxRecords', 'pyspark.sql.streaming.datasource', false],
      ['ReadAllAvailableLimit', 'pyspark.sql.streaming.datasource', false],
    ]);
  });

  it('reports whether the limit is read and what getDefaultReadLimit declares; none for the 4.0 signature', async () => {
    const ignored = await limitUsage('def getDefaultReadLimit(self):\n    return ReadMaxRows(10)\ndef latestOffset(self, start, limit):\n    return start');
    assert.equal(ignored.usage?.used, false);
    assert.equal(ignored.usage?.declared?.className, 'ReadMaxRows');
    const all = await limitUsage('def getDefaultReadLimit(self):\n    return ReadAllAvailable()\ndef latestOffset(self, start, limit):\n    return start');
    assert.equal(all.usage?.declared, undefined);
    const rebound = await limitUsage('def latestOffset(self, start, limit):\n    limit = {"maxRows": 1}\n    return limit["maxRows"]');
    assert.deepEqual(rebound.usage?.uses, []);
    const old = await limitUsage('def latestOffset(self):\n    return {}');
    assert.equal(old.usage, undefined);
  });
});
