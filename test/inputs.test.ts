/**
 * What an expression is made of (`model/inputs.ts`): the retry-sensitive calls PDS011 looks for
 * in idempotency keys, and the parameters PDS015 uses to tell a conversion of `end` from a cap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileModel, type FunctionInfo, inputsOf, type InputOptions } from '../server/src/engine/model';
import { convertTree, type Node, walk } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

const HEADER = [
  'import hashlib, json, random, secrets, time, uuid',
  'import numpy as np',
  'from datetime import datetime, date, timezone',
  'from uuid import uuid4 as make_id',
  'from pyspark import TaskContext',
  'from pyspark.sql.datasource import DataSourceStreamWriter',
  '',
].join('\n');

/** The expression assigned to `key` in `method` of class W. */
async function inputs(methods: string, options: InputOptions = { followSelf: true, followCallers: true }, method = 'write') {
  const source = `${HEADER}\nclass W(DataSourceStreamWriter):\n${methods.replace(/^/gm, '    ')}\n`;
  const parser = await getParser();
  const model = new FileModel(source, convertTree(parser.parse(source), source));
  const fn = model.classesByName.get('W')!.methods.get(method) as FunctionInfo;
  let key: Node | undefined;
  walk(fn.body, (n) => {
    if (n.type === 'assignment' && model.textOf(n).startsWith('key =')) key = n.children.find((c) => c.field === 'right');
  });
  assert.ok(key, 'the method assigns key');
  const result = inputsOf(key, fn, model, options);
  return { model, result, volatile: result.volatile.map((v) => [model.textOf(v.node), v.api, v.kind, v.perRun]) };
}

describe('inputsOf: retry-sensitive values', () => {
  it('recognizes uuid4/uuid1, the clock, random, secrets, numpy, attempt ids and id()', async () => {
    const { volatile } = await inputs(
      [
        'def write(self, iterator):',
        '    ctx = TaskContext.get()',
        '    for row in iterator:',
        '        key = (str(make_id()), uuid.uuid1(), time.time(), datetime.now(timezone.utc), date.today(), random.random(),',
        '               secrets.token_hex(8), np.random.rand(), ctx.taskAttemptId(), ctx.attemptNumber(), id(row))',
      ].join('\n'),
    );
    assert.deepEqual(volatile.map((v) => v[1]), [
      'uuid.uuid4',
      'uuid.uuid1',
      'time.time',
      'datetime.now',
      'date.today',
      'random.random',
      'secrets.token_hex',
      'numpy.random.rand',
      'TaskContext.taskAttemptId',
      'TaskContext.attemptNumber',
      'id',
    ]);
  });

  it('leaves deterministic values alone: partitionId, stageId, uuid5, seeded generators, the row, hashes of them', async () => {
    const { volatile } = await inputs(
      [
        'def write(self, iterator):',
        '    ctx = TaskContext.get()',
        '    rng = random.Random(7)',
        '    for row in iterator:',
        '        data = json.dumps({"p": ctx.partitionId(), "s": ctx.stageId(), "row": row.asDict()}, sort_keys=True)',
        '        key = (hashlib.sha256(data.encode()).hexdigest(), uuid.uuid5(uuid.NAMESPACE_URL, row.id), rng.random(), datetime.fromtimestamp(row.ts))',
      ].join('\n'),
    );
    assert.deepEqual(volatile, []);
  });

  it('follows locals, f-strings, hashing, helper returns and helper parameters back to the caller', async () => {
    const { volatile } = await inputs(
      [
        'def _material(self, row):',
        '    return f"{row.id}:{time.time_ns()}"',
        'def _send(self, row, token):',
        '    key = hashlib.sha256(f"{self._material(row)}|{token}".encode()).hexdigest()',
        'def write(self, iterator):',
        '    for row in iterator:',
        '        self._send(row, str(uuid.uuid4()))',
      ].join('\n'),
      undefined,
      '_send',
    );
    assert.deepEqual(volatile.map((v) => v[0]).sort(), ['time.time_ns()', 'uuid.uuid4()']);
  });

  it('marks a value made in __init__ as per run (same on task retries, new after a restart)', async () => {
    const { volatile } = await inputs(
      ['def __init__(self, options):', '    self.run = uuid.uuid4().hex', 'def write(self, iterator):', '    key = f"{self.run}-{self.n}"', '    self.n = secrets.randbits(8)'].join('\n'),
    );
    assert.deepEqual(volatile.map((v) => [v[1], v[3]]), [['uuid.uuid4', true], ['secrets.randbits', false]]);
  });

  it('does not take a local function named id for the builtin', async () => {
    const { volatile } = await inputs(['def write(self, iterator):', '    id = lambda r: r["id"]', '    for row in iterator:', '        key = id(row)'].join('\n'));
    assert.deepEqual(volatile, []);
  });

  it('lists the parameters reached without following callers, through a helper with bound arguments', async () => {
    const { result } = await inputs(
      ['def _parse(self, o):', '    return datetime.fromisoformat(o["ts"])', 'def partitions(self, start, end):', '    key = min(self._parse(end), self._parse(start))'].join('\n'),
      {},
      'partitions',
    );
    assert.deepEqual(result.params.map((p) => `${p.fn.name}.${p.name}`).sort(), ['partitions.end', 'partitions.start']);
    assert.ok(result.calls.some((c) => c.qualified === 'min'));
  });
});
