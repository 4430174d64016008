/**
 * The converted streaming readers run: Python executes the output of the refactor against a
 * stub of `pyspark.sql.datasource` and a fake REST API, driven the way Spark drives a stream
 * reader (reference §2-§3): offsets through `json.dumps`/`json.loads`, `partitions` on the
 * driver, each partition and the reader pickled to an "executor", several micro-batches with the
 * wall clock moving. Every event in the streamed time must be read exactly once, including
 * events exactly on batch and partition boundaries. Skipped when there is no python3.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { BATCH_EXAMPLE, convert, MODULE_IMPORT_TABS_CRLF, NO_DATASOURCE_READER_ATTRS } from './helpers/batchReaders';

const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);

const PYSPARK_STUB = `
class DataSource:
    def __init__(self, options):
        self.options = options


class DataSourceReader:
    pass


class DataSourceStreamReader:
    pass


class InputPartition:
    def __init__(self, value):
        self.value = value
`;

/**
 * The fake API: EVENTS (id, aware datetime); \`requests.get\` answers with the events of the range
 * its parameters ask for, under the semantics of each test's API (set by the driver).
 */
const REQUESTS_STUB = `
import datetime as _dt

EVENTS = []
SELECT = None


def _parse(value):
    if isinstance(value, _dt.datetime):
        return value
    return _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


class _Response:
    def __init__(self, payload):
        self._payload = payload

    def raise_for_status(self):
        pass

    def json(self):
        return self._payload


def get(url, params=None, timeout=None):
    return _Response(SELECT(url, params or {}, EVENTS, _parse))
`;

const DRIVER = `
import datetime as real
import json
import pickle
import sys
import types

import converted
import pyspark.sql.datasource
import requests

scenario = json.loads(sys.argv[1])
UTC = real.timezone.utc
S = real.datetime(2024, 6, 1, tzinfo=UTC)


class Clock(real.datetime):
    NOW = S

    @classmethod
    def now(cls, tz=None):
        return cls.NOW


# The converted module reads the clock through its own \`datetime\` name (a class or the module).
if isinstance(converted.datetime, types.ModuleType):
    converted.datetime = types.SimpleNamespace(datetime=Clock, timedelta=real.timedelta, timezone=real.timezone)
else:
    converted.datetime = Clock

# Events every 250 ms and exactly on each second, from 10 s before the start to 10 min after.
events = []
t = S - real.timedelta(seconds=10)
while t < S + real.timedelta(minutes=10):
    events.append(("e%d" % len(events), t))
    t += real.timedelta(milliseconds=250)
events.append(("odd", S + real.timedelta(seconds=95, microseconds=1)))
requests.EVENTS = events
exec(scenario["select"], requests.__dict__)
requests.SELECT = requests.select

options = dict(scenario["options"], start=S.isoformat(), lag_seconds="60", partition_seconds="7")
reader = eval(scenario["build"], converted.__dict__, {"options": options})

roundtrip = lambda offset: json.loads(json.dumps(offset))
start = roundtrip(reader.initialOffset())
seen = []
batches = 0
# The clock moves by uneven steps; latestOffset is called twice per trigger, as Spark may.
for step in [61, 61.4, 75.2, 75.9, 90, 150.5, 150.5, 151, 300.3, 420]:
    Clock.NOW = S + real.timedelta(seconds=step)
    end = roundtrip(reader.latestOffset())
    assert json.dumps(end) == json.dumps(roundtrip(reader.latestOffset())), "latestOffset changed between two calls"
    if json.dumps(end) == json.dumps(start):
        continue
    partitions = reader.partitions(start, end)
    assert isinstance(partitions, list), "partitions() must return a list"
    executor = pickle.loads(pickle.dumps(reader))
    for p in partitions:
        p = pickle.loads(pickle.dumps(p))
        assert isinstance(p, pyspark.sql.datasource.InputPartition), "partitions must be InputPartitions"
        seen.extend(row[0] for row in executor.read(p))
    reader.commit(end)
    start = end
    batches += 1

last = real.datetime.fromisoformat(start["ts"])
want = [i for i, ts in events if S <= ts and (ts < last if scenario["endExclusive"] else ts <= last)]
dupes = sorted({i for i in seen if seen.count(i) > 1})
missing = sorted(set(want) - set(seen))
extra = sorted(set(seen) - set(want))
print(json.dumps({"batches": batches, "read": len(seen), "wanted": len(want), "dupes": dupes[:5], "missing": missing[:5], "extra": extra[:5], "last": start["ts"]}))
`;

interface Scenario {
  /** Python source defining select(url, params, events, parse) -> the API's JSON answer. */
  select: string;
  options: Record<string, string>;
  /** How the stream reader is built (a DataSource's streamReader, or by hand). */
  build: string;
  endExclusive: boolean;
}

function run(converted: string, scenario: Scenario): { batches: number; read: number; wanted: number; dupes: string[]; missing: string[]; extra: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-b2s-'));
  fs.mkdirSync(path.join(dir, 'pyspark', 'sql'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'pyspark', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'pyspark', 'sql', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'pyspark', 'sql', 'datasource.py'), PYSPARK_STUB);
  fs.writeFileSync(path.join(dir, 'requests.py'), REQUESTS_STUB);
  fs.writeFileSync(path.join(dir, 'converted.py'), converted);
  fs.writeFileSync(path.join(dir, 'driver.py'), DRIVER);
  try {
    const out = execFileSync(python!, ['driver.py', JSON.stringify(scenario)], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return JSON.parse(out.trim().split('\n').pop()!);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function assertExactlyOnce(result: ReturnType<typeof run>): void {
  assert.ok(result.batches >= 5, `only ${result.batches} batches`);
  assert.ok(result.wanted > 1000, `only ${result.wanted} events in range`);
  assert.deepEqual({ dupes: result.dupes, missing: result.missing, extra: result.extra }, { dupes: [], missing: [], extra: [] });
  assert.equal(result.read, result.wanted);
}

describe('converted stream readers at run time', { skip: python ? false : 'no python3' }, () => {
  it('the example (API range [from, to_exclusive)) reads every event once', async () => {
    const { output } = await convert(BATCH_EXAMPLE);
    assertExactlyOnce(
      run(output, {
        select: `def select(url, params, events, parse):
    lo, hi = parse(params["from"]), parse(params["to_exclusive"])
    return {"events": [{"id": i, "type": "t", "ts": ts.isoformat()} for i, ts in events if lo <= ts < hi]}`,
        options: { url: 'https://api.example.com/events' },
        build: 'EventsDataSource(options).streamReader(schema=None)',
        endExclusive: true,
      }),
    );
  });

  it('the tab-indented CRLF reader (API range [created_min, created_max], ISO strings, pages) reads every event once', async () => {
    const { output } = await convert(MODULE_IMPORT_TABS_CRLF, 'OrdersReader');
    assertExactlyOnce(
      run(output, {
        select: `def select(url, params, events, parse):
    assert isinstance(params["created_min"], str) and isinstance(params["created_max"], str)
    lo, hi = parse(params["created_min"]), parse(params["created_max"])
    hits = [{"id": i, "total": 1.0, "items": []} for i, ts in events if lo <= ts <= hi]
    page = params["page"]
    return {"orders": hits[(page - 1) * 100:page * 100]}`,
        options: {},
        build: 'ShopSource(options).streamReader(schema=None)',
        endExclusive: false,
      }),
    );
  });

  it('the reader without a DataSource (API range (after, until], from its own attributes) reads every event once', async () => {
    const { output } = await convert(NO_DATASOURCE_READER_ATTRS);
    assertExactlyOnce(
      run(output, {
        select: `def select(url, params, events, parse):
    lo, hi = parse(params["after"]), parse(params["until"])
    return [{"id": i, "actor": "a", "at": ts.isoformat()} for i, ts in events if lo < ts <= hi]`,
        options: { endpoint: 'https://audit.example.com/log', after: '2024-01-01T00:00:00', until: '2024-01-02T00:00:00' },
        build: 'AuditLogStreamReader(options, AuditLogReader(options, None))',
        endExclusive: false,
      }),
    );
  });
});
