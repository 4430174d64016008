/**
 * The partition-ranges model (`model/partitions.ts`) that PDS001 reads: what `partitions()`
 * builds (constructions and their fields), where two ranges share a boundary (within a batch and
 * across batches), what the bounds are, and how `read()` treats them (decision 1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileModel, type PartitionRanges, offsetShapes } from '../server/src/engine/model';
import { convertTree } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

const HEADER = `import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class P(InputPartition):
    def __init__(self, start_time, end_time):
        self.start_time = start_time
        self.end_time = end_time

`;

async function modelOf(body: string): Promise<FileModel> {
  const source = HEADER + body;
  const parser = await getParser();
  return new FileModel(source, convertTree(parser.parse(source), source));
}

async function rangesOf(body: string, name = 'R'): Promise<{ model: FileModel; ranges: PartitionRanges }> {
  const model = await modelOf(body);
  const reader = model.classesByName.get(name);
  assert.ok(reader, `the source defines ${name}`);
  return { model, ranges: model.partitionRanges(reader) };
}

const READ_PLAIN = `
    def read(self, partition):
        import requests
        yield from requests.get(self.url, params={"start": partition.start_time, "end": partition.end_time}).json()
`;

describe('partition constructions', () => {
  it('maps a subclass constructor to the attributes its __init__ stores', async () => {
    const { model, ranges } = await rangesOf(`class R(DataSourceStreamReader):
    def partitions(self, start, end):
        return [P(end_time=end["t"], start_time=start["t"])]
`);
    assert.equal(ranges.constructions.length, 1);
    assert.deepEqual(ranges.constructions[0].fields.map((f) => [f.field.attr, model.textOf(f.node)]), [
      ['start_time', 'start["t"]'],
      ['end_time', 'end["t"]'],
    ]);
  });

  it('reads InputPartition values: tuple positions (through a local) and dict keys', async () => {
    const { model, ranges } = await rangesOf(`class R(DataSourceStreamReader):
    def partitions(self, start, end):
        bounds = (start["o"], end["o"])
        return [InputPartition(bounds), InputPartition({"lo": start["o"], "hi": end["o"]})]
`);
    assert.deepEqual(
      ranges.constructions.map((c) => c.fields.map((f) => `${f.field.attr}[${JSON.stringify(f.field.sub)}]=${model.textOf(f.node)}`)),
      [
        ['value[0]=start["o"]', 'value[1]=end["o"]'],
        ['value["lo"]=start["o"]', 'value["hi"]=end["o"]'],
      ],
    );
  });

  it('knows dataclass fields and values passed to super().__init__', async () => {
    const { model, ranges } = await rangesOf(`@dataclass
class W(InputPartition):
    lo: int
    hi: int


class T(InputPartition):
    def __init__(self, lo, hi):
        super().__init__((lo, hi))


class R(DataSourceStreamReader):
    def partitions(self, start, end):
        return [W(start["o"], end["o"]), T(start["o"], end["o"])]
`);
    assert.deepEqual(
      ranges.constructions.map((c) => c.fields.map((f) => `${f.field.attr}${f.field.sub === undefined ? '' : `[${f.field.sub}]`}=${model.textOf(f.node)}`)),
      [
        ['lo=start["o"]', 'hi=end["o"]'],
        ['value[0]=start["o"]', 'value[1]=end["o"]'],
      ],
    );
  });

  it('follows helpers that partitions() calls', async () => {
    const { ranges } = await rangesOf(`class R(DataSourceStreamReader):
    def partitions(self, start, end):
        return self._split(start["o"], end["o"])

    def _split(self, lo, hi):
        return [InputPartition((lo, hi))]
`);
    assert.equal(ranges.constructions.length, 1);
    assert.equal(ranges.constructions[0].fn.name, '_split');
  });
});

describe('range meets', () => {
  it('finds none in the seed pattern (+1us on the start and between partitions)', async () => {
    const { ranges } = await rangesOf(`class R(DataSourceStreamReader):
    def partitions(self, start, end):
        start_ts = datetime.fromisoformat(json.loads(start)["ts"])
        end_ts = datetime.fromisoformat(json.loads(end)["ts"])
        start_ts = start_ts + timedelta(microseconds=1)
        partitions = []
        current = start_ts
        while current < end_ts:
            next_time = min(current + timedelta(hours=1), end_ts)
            partitions.append(P(current, next_time))
            current = next_time + timedelta(microseconds=1)
        return partitions if partitions else [P(start_ts, end_ts)]
${READ_PLAIN}`);
    assert.equal(ranges.constructions.length, 2);
    assert.deepEqual(ranges.meets, []);
  });

  it('finds `current = next_time` within a batch and an unadjusted start across batches', async () => {
    const { model, ranges } = await rangesOf(`class R(DataSourceStreamReader):
    def partitions(self, start, end):
        start_ts = datetime.fromisoformat(json.loads(start)["ts"])
        end_ts = datetime.fromisoformat(json.loads(end)["ts"])
        partitions = []
        current = start_ts
        while current < end_ts:
            next_time = min(current + timedelta(hours=1), end_ts)
            partitions.append(P(current.isoformat(), next_time.isoformat()))
            current = next_time
        return partitions
${READ_PLAIN}`);
    assert.deepEqual(
      ranges.meets.map((m) => [m.kind, model.textOf(m.node), m.value && model.textOf(m.value), m.boundKind, m.read.semantics]),
      [
        ['within', 'current = next_time', 'next_time', 'datetime', 'unstated'],
        ['across', 'start_ts = datetime.fromisoformat(json.loads(start)["ts"])', 'datetime.fromisoformat(json.loads(start)["ts"])', 'datetime', 'unstated'],
      ],
    );
  });

  it('compares ranges as polynomials: start + (i + 1) * step is the next start + i * step', async () => {
    const { ranges } = await rangesOf(`class R(DataSourceStreamReader):
    def partitions(self, start, end):
        base = start["o"] + 1
        return [InputPartition((base + i * self.step, base + (i + 1) * self.step)) for i in range(self.n)]

    def read(self, partition):
        yield from fetch(partition.value[0], partition.value[1])
`);
    assert.deepEqual(ranges.meets.map((m) => m.kind), ['within']);
  });

  it('sees `lo += step` with `hi = lo + step`, and no meet with `lo += step + 1`', async () => {
    const body = (step: string) => `class R(DataSourceStreamReader):
    def initialOffset(self):
        return {"o": 0}

    def partitions(self, start, end):
        lo = start["o"] + 1
        out = []
        while lo <= end["o"]:
            hi = min(lo + 10, end["o"])
            out.append(InputPartition((lo, hi)))
            lo += ${step}
        return out

    def read(self, partition):
        yield from fetch(*partition.value)
`;
    const { model, ranges } = await rangesOf(body('10'));
    assert.deepEqual(ranges.meets.map((m) => [m.kind, model.textOf(m.node), m.boundKind]), [['within', 'lo += 10', 'int']]);
    assert.deepEqual((await rangesOf(body('10 + 1'))).ranges.meets, []);
  });

  it('finds the meets of range(start, end, step) and of zip(bounds, bounds[1:])', async () => {
    const { model, ranges } = await rangesOf(`class R(DataSourceStreamReader):
    def partitions(self, start, end):
        return [InputPartition((lo, min(lo + 100, end["o"]))) for lo in range(start["o"], end["o"], 100)]


class Z(DataSourceStreamReader):
    def partitions(self, start, end):
        bounds = self._bounds(start, end)
        return [InputPartition((a, b)) for a, b in zip(bounds, bounds[1:])]
`);
    assert.deepEqual(ranges.meets.map((m) => [m.kind, model.textOf(m.node)]), [
      ['within', 'min(lo + 100, end["o"])'],
      ['across', 'start["o"]'],
    ]);
    const z = model.partitionRanges(model.classesByName.get('Z')!);
    assert.deepEqual(z.meets.map((m) => [m.kind, model.textOf(m.node)]), [['within', 'zip(bounds, bounds[1:])']]);
  });

  it('reports an across meet in a helper at the argument partitions() passes', async () => {
    const { model, ranges } = await rangesOf(`class R(DataSourceStreamReader):
    def partitions(self, start, end):
        return self._split(self._ts(start), self._ts(end))

    def _split(self, lo, hi):
        out = []
        cur = lo
        while cur < hi:
            nxt = min(cur + timedelta(hours=1), hi)
            out.append(P(cur, nxt))
            cur = nxt + timedelta(microseconds=1)
        return out
`);
    assert.deepEqual(ranges.meets.map((m) => [m.kind, model.textOf(m.node), m.fn.name]), [['across', 'self._ts(start)', 'partitions']]);
  });

  it('sees no meet when each inclusive range ends one before the next starts', async () => {
    const { ranges } = await rangesOf(`class R(DataSourceStreamReader):
    def partitions(self, start, end):
        lo = start["o"] + 1
        out = []
        while lo <= end["o"]:
            hi = min(lo + 100, end["o"] + 1)
            out.append(InputPartition((lo, hi - 1)))
            lo = hi
        return out
`);
    assert.deepEqual(ranges.meets, []);
  });

  it('takes integer bounds from the kinds the producers store under the key', async () => {
    const { ranges } = await rangesOf(`class R(DataSourceStreamReader):
    def initialOffset(self):
        return {"o": 0}

    def latestOffset(self):
        return {"o": int(self._hi())}

    def partitions(self, start, end):
        return [InputPartition((start["o"], end["o"]))]

    def read(self, partition):
        yield from fetch(start=partition.value[0], end=partition.value[1])
`);
    assert.deepEqual(ranges.meets.map((m) => [m.kind, m.boundKind]), [['across', 'int']]);
  });
});

describe('read bounds', () => {
  const reader = (read: string, extra = '') => `class R(DataSourceStreamReader):
    def partitions(self, start, end):
        return [P(start["t"], end["t"])]

    def read(self, partition):
${read.replace(/^/gm, '        ')}
${extra}`;
  const semantics = async (read: string, extra = '') => {
    const { ranges } = await rangesOf(reader(read, extra));
    assert.equal(ranges.meets.length, 1);
    return [ranges.meets[0].read.semantics, ranges.meets[0].read.evidence.filter((e) => e.kind !== 'plain').map((e) => `${e.kind}:${e.what}`)];
  };

  it('half-open: `<` or `>` on one side, also chained and in skip conditions', async () => {
    assert.deepEqual(await semantics('for r in rows():\n    if partition.start_time < r.ts <= partition.end_time:\n        yield (r.ts,)'), ['half-open', ['exclusive:<', 'inclusive:<=']]);
    assert.deepEqual(await semantics('lo = partition.start_time\nfor r in rows():\n    if r.ts <= lo:\n        continue\n    yield (r.ts,)'), ['half-open', ['exclusive:<=']]);
  });

  it('inclusive: `>=`/`<=`, skips on `<`/`>`, BETWEEN, `_gte`/`_lte`, range(lo, hi + 1)', async () => {
    assert.deepEqual(await semantics('for r in rows():\n    if r.ts < partition.start_time or r.ts > partition.end_time:\n        continue\n    yield (r.ts,)'), ['inclusive', ['inclusive:<', 'inclusive:>']]);
    assert.deepEqual(await semantics('yield from db.execute(f"SELECT * FROM t WHERE ts BETWEEN \'{partition.start_time}\' AND \'{partition.end_time}\'")'), ['inclusive', ['inclusive:BETWEEN', 'inclusive:BETWEEN']]);
    assert.deepEqual(await semantics('yield from api.list(ts_gte=partition.start_time, ts_lte=partition.end_time)'), ['inclusive', ['inclusive:ts_gte', 'inclusive:ts_lte']]);
    assert.deepEqual(await semantics('for i in range(partition.start_time, partition.end_time + 1):\n    yield (i,)'), ['inclusive', ['inclusive:range(…, … + 1)']]);
  });

  it('half-open: SQL placeholders after `>`, exclusive parameter names, range(lo, hi), slices', async () => {
    assert.deepEqual(await semantics('yield from db.execute("SELECT * FROM t WHERE ts > %s AND ts <= %s", (partition.start_time, partition.end_time))'), ['half-open', ['exclusive:>']]);
    assert.deepEqual(await semantics('yield from api.list(after=partition.start_time, upto=partition.end_time)'), ['half-open', ['exclusive:after']]);
    assert.deepEqual(await semantics('yield from es.search({"range": {"ts": {"gt": partition.start_time, "lte": partition.end_time}}})'), ['half-open', ['exclusive:gt', 'inclusive:lte']]);
    assert.deepEqual(await semantics('for i in range(partition.start_time, partition.end_time):\n    yield (i,)'), ['half-open', ['exclusive:range(…)']]);
    assert.deepEqual(await semantics('yield from self.rows[partition.start_time:partition.end_time]'), ['half-open', ['exclusive:[…:…]']]);
  });

  it('counts: `LIMIT {hi - lo}` and `limit=hi - lo` are half-open, `limit=hi - lo + 1` inclusive', async () => {
    assert.deepEqual(await semantics('yield from db.execute(f"SELECT * FROM t ORDER BY id LIMIT {partition.end_time - partition.start_time} OFFSET {partition.start_time}")'), ['half-open', ['exclusive:LIMIT', 'exclusive:OFFSET']]);
    assert.deepEqual(await semantics('yield from api.list(offset=partition.start_time, limit=partition.end_time - partition.start_time)'), ['half-open', ['exclusive:limit=…']]);
    assert.deepEqual(await semantics('yield from api.list(offset=partition.start_time, limit=partition.end_time - partition.start_time + 1)'), ['inclusive', ['inclusive:limit=…']]);
  });

  it('half-open or inclusive from a comment or docstring when the code shows nothing', async () => {
    assert.deepEqual(await semantics('"""From start_time to end_time (exclusive)."""\nyield from fetch(partition.start_time, partition.end_time)'), ['half-open', ['exclusive:exclusive']]);
    assert.deepEqual(await semantics('# both ends inclusive\nyield from fetch(partition.start_time, partition.end_time)'), ['inclusive', ['inclusive:inclusive']]);
  });

  it('unstated with plain start/end bounds; unknown when the bounds are not seen', async () => {
    assert.deepEqual(await semantics('yield from fetch(partition.start_time, partition.end_time)'), ['unstated', []]);
    assert.deepEqual(await semantics('yield from fetch(partition)'), ['unknown', []]);
  });

  it('follows the bounds into a helper of the reader', async () => {
    assert.deepEqual(await semantics('yield from self._query(partition.start_time, partition.end_time)', '    def _query(self, lo, hi):\n        return db.execute("SELECT * FROM t WHERE ts >= ? AND ts < ?", (lo, hi))\n'), ['half-open', ['exclusive:<']]);
  });

  it('ignores guards comparing the bounds with each other, not a cursor moving through the range', async () => {
    assert.deepEqual(await semantics('if partition.start_time >= partition.end_time:\n    return\nyield from fetch(partition.start_time, partition.end_time)'), ['unstated', []]);
    assert.deepEqual(await semantics('cursor = partition.start_time\nwhile cursor < partition.end_time:\n    yield (cursor,)\n    cursor += 1'), ['half-open', ['exclusive:<']]);
  });
});

describe('offset shapes the model leaves open', () => {
  it('a dict filled in place, in a local or on self, has keys the literal does not show', async () => {
    const model = await modelOf(`class R(DataSourceStreamReader):
    def __init__(self, options):
        self._state = {}
        self._state["seq"] = 0

    def initialOffset(self):
        offset = {}
        offset["ts"] = "x"
        return offset

    def latestOffset(self):
        return self._state
`);
    const offsets = model.offsets(model.classesByName.get('R')!);
    const shapes = offsets.producers.map((p) => offsetShapes(p.returns[0].values).map((s) => [s.form, s.open]));
    assert.deepEqual(shapes, [[['dict', true]], [['dict', true]]]);
  });

  it('records key and type tests of the offsets', async () => {
    const model = await modelOf(`class R(DataSourceStreamReader):
    def partitions(self, start, end):
        if isinstance(start, str):
            start = json.loads(start)
        if "legacy" in start:
            return []
        return [InputPartition((start["o"], end["o"]))]
`);
    const offsets = model.offsets(model.classesByName.get('R')!);
    assert.deepEqual(offsets.tests.map((t) => [t.kind, t.key, t.param]), [
      ['type', undefined, 'start'],
      ['key', 'legacy', 'start'],
    ]);
  });
});
