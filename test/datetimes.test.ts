/**
 * What the model knows about datetimes and clocks in offsets: which expressions make naive or
 * aware datetimes (PDS019), guards that give a zone, which offsets are nothing but the wall
 * clock and whether a lag was subtracted (PDS017), and the naive offsets of a reader that meet
 * aware ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileModel, isAwareDatetime, isNaiveDatetime, naiveOffsetDatetimes, unlaggedWallClock, type Value } from '../server/src/engine/model';
import { convertTree } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

async function modelOf(source: string): Promise<FileModel> {
  const parser = await getParser();
  return new FileModel(source, convertTree(parser.parse(source), source));
}

const IMPORTS = 'import time\nimport datetime as dtm\nfrom datetime import datetime, timedelta, timezone\nimport pandas as pd\nimport arrow\n';

/** The values `f(options)` returns. */
async function returned(body: string): Promise<Value[]> {
  const model = await modelOf(`${IMPORTS}\ndef f(options, start):\n${body.replace(/^/gm, '    ')}\n`);
  const fn = model.functions.get('f')!;
  return model.evaluator.returnsOf(fn);
}

function zone(values: Value[]): string {
  return values.map((v) => (isNaiveDatetime(v) ? 'naive' : isAwareDatetime(v) ? 'aware' : v.naive && v.naiveUnlessTextHasOffset ? 'naive?' : '-')).join(',');
}

describe('naive and aware datetimes', () => {
  const cases: [string, string][] = [
    ['return datetime.now()', 'naive'],
    ['return datetime.now(timezone.utc)', 'aware'],
    ['return datetime.now(tz=None)', 'naive'],
    ['return datetime.utcnow()', 'naive'],
    ['return datetime.today()', 'naive'],
    ['return dtm.datetime.now(dtm.timezone.utc)', 'aware'],
    ['return pd.Timestamp.now()', 'naive'],
    ['return pd.Timestamp.utcnow()', 'aware'],
    ['return arrow.utcnow()', 'aware'],
    ['return datetime(2024, 1, 1)', 'naive'],
    ['return datetime(2024, 1, 1, tzinfo=timezone.utc)', 'aware'],
    ['return datetime(2024, 1, 1, tzinfo=None)', 'naive'],
    ['return datetime.utcnow().replace(tzinfo=timezone.utc)', 'aware'],
    ['return datetime.now().astimezone(timezone.utc)', 'aware'],
    ['return datetime.strptime(options["s"], "%Y-%m-%d %H:%M")', 'naive'],
    ['return datetime.strptime(options["s"], "%Y-%m-%d %H:%M%z")', 'aware'],
    // %Z parses a zone name but the result has no tzinfo.
    ['return datetime.strptime(options["s"], "%Y %Z")', 'naive'],
    ['fmt = "%Y-%m-%dT%H:%M:%S%z"\nreturn datetime.strptime(options["s"], fmt)', 'aware'],
    ['return datetime.strptime(options["s"], options["format"])', '-'],
    ['return datetime.fromisoformat("2024-01-01T00:00:00")', 'naive'],
    ['return datetime.fromisoformat("2024-01-01T00:00:00Z")', 'aware'],
    // A user option (decision 7) is naive when it lacks an offset; an offset Spark hands back is whatever was written.
    ['return datetime.fromisoformat(options.get("start_time"))', 'naive'],
    ['return datetime.fromisoformat(start["ts"])', 'naive?'],
    ['return datetime.fromtimestamp(start["epoch"])', 'naive'],
    ['return datetime.fromtimestamp(start["epoch"], tz=timezone.utc)', 'aware'],
    ['return datetime.fromisoformat(options["s"]).isoformat()', 'naive'],
    // Epoch numbers are not datetimes (decision 11).
    ['return datetime.utcnow().timestamp()', '-'],
    ['return "2024-01-01T00:00:00"', 'naive'],
    ['return "2024-01-01T00:00:00+00:00"', 'aware'],
    ['return "2024-01-01"', '-'],
    // Text that gains or loses a zone.
    ['return datetime.utcnow().isoformat() + "Z"', 'aware'],
    ['return f"{datetime.utcnow().isoformat()}Z"', 'aware'],
    ['return f"{datetime.utcnow().isoformat()}"', 'naive'],
    ['return datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")', 'aware'],
    ['return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S%z")', 'aware'],
    ['return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")', 'naive'],
    ['return datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S%z")', 'naive'],
    ['dt = datetime.fromisoformat(options["s"])\nif dt.tzinfo is None:\n    dt = dt.replace(tzinfo=timezone.utc)\nreturn dt', 'aware,aware'],
    ['dt = datetime.fromisoformat(options["s"])\nif dt.tzinfo is None:\n    raise ValueError("start_time needs an offset")\nreturn dt', 'aware'],
    ['dt = datetime.fromisoformat(options["s"])\nif not dt.tzinfo:\n    dt = dt.replace(tzinfo=timezone.utc)\nreturn dt', 'aware,aware'],
    ['dt = datetime.fromisoformat(options["s"])\nif dt.tzinfo is not None:\n    dt = dt.astimezone(timezone.utc)\nreturn dt', 'naive,aware'],
    ['dt = datetime.fromisoformat(options["s"])\nreturn dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)', 'aware,aware'],
    ['dt = datetime.fromisoformat(options["s"])\nreturn dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt', 'aware,aware'],
  ];
  for (const [body, expected] of cases) {
    it(`${body.split('\n').pop()} (${body.split('\n').length} lines): ${expected}`, async () => {
      assert.equal(zone(await returned(body)), expected);
    });
  }
});

describe('wall-clock offsets without a lag', () => {
  const cases: [string, string[]][] = [
    ['return {"ts": datetime.now(timezone.utc).isoformat()}', ['datetime.now(timezone.utc)']],
    ['return {"ts": datetime.now(timezone.utc).replace(microsecond=0).isoformat(), "v": 1}', ['datetime.now(timezone.utc)']],
    ['return {"epoch": int(time.time())}', ['time.time()']],
    ['return {"epoch": int(time.time()) - 60}', []],
    ['return {"ts": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()}', []],
    ['return {"ts": min(datetime.now(timezone.utc), options["newest"]).isoformat()}', []],
    ['return {"ts": datetime.now(timezone.utc).isoformat(), "id": options["id"]}', []],
    ['return {"id": options["id"]}', []],
  ];
  for (const [body, expected] of cases) {
    it(`${body}: ${expected.join(', ') || 'none'}`, async () => {
      const model = await modelOf(`${IMPORTS}\ndef f(options, start):\n    ${body}\n`);
      const values = model.evaluator.returnsOf(model.functions.get('f')!);
      assert.deepEqual(unlaggedWallClock(values).map((c) => model.textOf(c.call)), expected);
    });
  }
});

describe('naive offset datetimes of a reader', () => {
  async function naiveIn(body: string): Promise<string[]> {
    const model = await modelOf(`${IMPORTS}from pyspark.sql.datasource import DataSourceStreamReader\n\nclass R(DataSourceStreamReader):\n${body.replace(/^/gm, '    ')}\n`);
    const cls = model.classesByName.get('R')!;
    return naiveOffsetDatetimes(model.offsets(cls), model.evaluator, (n) => model.contains(n)).map((f) => `${model.textOf(f.node)} <- ${f.evidence.map((e) => e.what).join(',')}`);
  }

  it('finds a naive producer when another producer is aware', async () => {
    assert.deepEqual(
      await naiveIn('def initialOffset(self):\n    return {"ts": datetime(2024, 1, 1).isoformat()}\n\ndef latestOffset(self):\n    return {"ts": datetime.now(timezone.utc).isoformat()}'),
      ['datetime(2024, 1, 1) <- aware-offset'],
    );
  });

  it('leaves a reader that is naive everywhere alone', async () => {
    assert.deepEqual(await naiveIn('def initialOffset(self):\n    return {"ts": datetime(2024, 1, 1).isoformat()}\n\ndef latestOffset(self):\n    return {"ts": datetime.utcnow().isoformat()}'), []);
  });

  it('finds naive producers when a consumer compares the parsed offset with an aware datetime', async () => {
    assert.deepEqual(
      await naiveIn(
        'def initialOffset(self):\n    return {"ts": datetime(2024, 1, 1).isoformat()}\n\ndef latestOffset(self):\n    return {"ts": datetime.utcnow().isoformat()}\n\ndef partitions(self, start, end):\n    hi = datetime.fromisoformat(end["ts"])\n    return [] if hi > datetime.now(timezone.utc) else []',
      ),
      ['datetime(2024, 1, 1) <- comparison', 'datetime.utcnow() <- comparison'],
    );
  });

  it('finds a naive clock in a consumer compared with aware offsets, not one made aware first', async () => {
    const producers = 'def initialOffset(self):\n    return {"ts": "2024-01-01T00:00:00+00:00"}\n\ndef latestOffset(self):\n    return {"ts": datetime.now(timezone.utc).isoformat()}\n\n';
    assert.deepEqual(await naiveIn(`${producers}def partitions(self, start, end):\n    return [] if datetime.fromisoformat(end["ts"]) < datetime.utcnow() else []`), ['datetime.utcnow() <- comparison']);
    assert.deepEqual(await naiveIn(`${producers}def partitions(self, start, end):\n    return [] if datetime.fromisoformat(end["ts"]) < datetime.now(timezone.utc) else []`), []);
  });

  it('does not count epoch numbers (decision 11)', async () => {
    assert.deepEqual(await naiveIn('def initialOffset(self):\n    return {"epoch": int(datetime.utcnow().timestamp())}\n\ndef latestOffset(self):\n    return {"ts": datetime.now(timezone.utc).isoformat()}'), []);
  });
});
