/**
 * The seed document's own code against PDS002/PDS003/PDS004/PDS017/PDS019, and what the fixture
 * annotations cannot say: PDS003's two severities, and where PDS002 points when the clock is read
 * elsewhere.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import { applyEdits } from '../server/src/engine/fixes';
import { LineIndex } from '../server/src/engine/source';
import { getParser } from './helpers/engine';

/** The seed's reader, offset class and writer, as the page gives them. */
const SEED = `import json
import hashlib
from datetime import datetime, timedelta, timezone
from pyspark.sql.datasource import DataSourceStreamReader, InputPartition, DataSourceStreamWriter
from pyspark import TaskContext


class TimeRangePartition(InputPartition):
    def __init__(self, start_time, end_time):
        self.start_time = start_time
        self.end_time = end_time


class EventStreamReader(DataSourceStreamReader):
    def __init__(self, options, schema):
        self.url = options.get("url")
        self.partition_seconds = int(options.get("partition_duration", "3600"))
        start = options.get("start_time", "latest")

        if start == "latest":
            self._start = datetime.now(timezone.utc)
        else:
            self._start = datetime.fromisoformat(start.replace("Z", "+00:00"))

    def initialOffset(self):
        # Subtract 1us to compensate for the +1us in partitions()
        adjusted = self._start - timedelta(microseconds=1)
        return json.dumps({"ts": adjusted.isoformat()})

    def latestOffset(self):
        return json.dumps({"ts": datetime.now(timezone.utc).isoformat()})

    def partitions(self, start, end):
        start_ts = datetime.fromisoformat(json.loads(start)["ts"])
        end_ts = datetime.fromisoformat(json.loads(end)["ts"])
        start_ts = start_ts + timedelta(microseconds=1)
        partitions = []
        current = start_ts
        delta = timedelta(seconds=self.partition_seconds)
        while current < end_ts:
            next_time = min(current + delta, end_ts)
            partitions.append(TimeRangePartition(current, next_time))
            current = next_time + timedelta(microseconds=1)
        return partitions if partitions else [TimeRangePartition(start_ts, end_ts)]

    def commit(self, end):
        pass

    def read(self, partition):
        import requests

        response = requests.get(self.url, params={
            "start": partition.start_time.isoformat(),
            "end": partition.end_time.isoformat(),
        })
        response.raise_for_status()
        for event in response.json()["events"]:
            yield tuple(event.values())


class CompositeOffset:
    def __init__(self, timestamp, sequence_id):
        self.timestamp = timestamp
        self.sequence_id = sequence_id

    def json(self):
        return json.dumps({
            "timestamp": self.timestamp,
            "sequence_id": self.sequence_id,
        })

    @staticmethod
    def from_json(raw):
        data = json.loads(raw)
        return CompositeOffset(data["timestamp"], data["sequence_id"])


class IdempotentStreamWriter(DataSourceStreamWriter):
    def __init__(self, options, schema):
        self.url = options.get("url")

    def write(self, iterator):
        import requests

        context = TaskContext.get()
        partition_id = context.partitionId()

        for row in iterator:
            row_dict = row.asDict()
            key_data = json.dumps({
                "partition": partition_id,
                "row": row_dict,
            }, sort_keys=True)
            idempotency_key = hashlib.sha256(key_data.encode()).hexdigest()

            requests.post(self.url, json={
                "data": row_dict,
                "idempotency_key": idempotency_key,
            }).raise_for_status()

    def commit(self, messages, batchId):
        pass

    def abort(self, messages, batchId):
        pass
`;

async function findings(text: string, codes: string[]) {
  const result = analyze(text, await getParser(), { select: codes });
  assert.deepEqual(result.ruleFailures, []);
  const lines = new LineIndex(text);
  return result.findings.map((f) => ({ ...f, line: lines.lineOf(f.start) + 1, text: text.slice(f.start, f.end) }));
}

describe('the seed', () => {
  it('gets PDS002 on the return line of its latestOffset, with a safe fix that leaves it clean', async () => {
    const found = await findings(SEED, ['PDS002']);
    assert.equal(found.length, 1);
    assert.equal(SEED.split('\n')[found[0].line - 1].trim(), 'return json.dumps({"ts": datetime.now(timezone.utc).isoformat()})');
    assert.equal(found[0].fix?.applicability, 'safe');
    const fixed = SEED.slice(0, found[0].fix!.edits[0].start) + found[0].fix!.edits[0].newText + SEED.slice(found[0].fix!.edits[0].end);
    assert.ok(fixed.includes('datetime.now(timezone.utc).replace(microsecond=0).isoformat()'));
    assert.deepEqual(await findings(fixed, ['PDS002']), []);
  });

  it('gets PDS017 next to PDS002 on its latestOffset (a clock with no lag), and keeps it after the PDS002 fix (decision 2)', async () => {
    const found = await findings(SEED, ['PDS002', 'PDS017']);
    assert.deepEqual(found.map((f) => [f.code, f.line, f.severity]), [
      ['PDS002', 31, 'warning'],
      ['PDS017', 31, 'information'],
    ]);
    const fix = found[0].fix!.edits[0];
    const fixed = SEED.slice(0, fix.start) + fix.newText + SEED.slice(fix.end);
    assert.deepEqual((await findings(fixed, ['PDS002', 'PDS017'])).map((f) => f.code), ['PDS017']);
  });

  it('gets PDS019 on the fromisoformat of its start_time option (decision 7), pointing at the aware offsets, with no fix', async () => {
    const found = await findings(SEED, ['PDS019']);
    assert.equal(found.length, 1);
    assert.equal(found[0].text, 'datetime.fromisoformat(start.replace("Z", "+00:00"))');
    assert.equal(SEED.split('\n')[found[0].line - 1].trim(), 'self._start = datetime.fromisoformat(start.replace("Z", "+00:00"))');
    assert.equal(found[0].fix, undefined);
    assert.ok(found[0].related.length >= 1);
    assert.match(found[0].message, /user option/);
  });

  it('gets none of the simple-reader rules (its reader is a DataSourceStreamReader)', async () => {
    assert.deepEqual(await findings(SEED, ['PDS013', 'PDS014', 'PDS022']), []);
  });

  it('gets no PDS003 (its CompositeOffset is symmetric) and no PDS004 (its writer sends a key)', async () => {
    assert.deepEqual(await findings(SEED, ['PDS003', 'PDS004']), []);
  });
});

const READER = (body: string) => `import json
from datetime import datetime, timezone
from pyspark.sql.datasource import DataSourceStreamReader, SimpleDataSourceStreamReader

${body}
`;

describe('PDS003 severities', () => {
  it('is an error when json.dumps raises and a warning when the offset silently changes', async () => {
    const found = await findings(
      READER(`class R(DataSourceStreamReader):
    def initialOffset(self):
        return {"ts": datetime.now(timezone.utc)}

    def latestOffset(self):
        return {"pos": (1, 2), 7: "seven"}
`),
      ['PDS003'],
    );
    assert.deepEqual(found.map((f) => [f.text, f.severity]), [
      ['datetime.now(timezone.utc)', 'error'],
      ['(1, 2)', 'warning'],
      ['7', 'warning'],
    ]);
  });

  it("makes a tuple or a non-str key in a simple reader's next offset an error (decision 3), but not inside a JSON string", async () => {
    const found = await findings(
      READER(`class S(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"pos": [0, 0]}

    def read(self, start):
        if start:
            return iter([]), json.dumps({"pos": (1, 2)})
        return iter([]), {"pos": (1, 2), 3: 4}
`),
      ['PDS003'],
    );
    assert.deepEqual(found.map((f) => [f.line, f.text, f.severity]), [
      [11, '(1, 2)', 'warning'],
      [12, '(1, 2)', 'error'],
      [12, '3', 'error'],
    ]);
  });
});

describe('PDS002 location', () => {
  it('reports on the return and points at a clock read in a helper', async () => {
    const text = READER(`class R(DataSourceStreamReader):
    def _now(self):
        return datetime.now(timezone.utc)

    def latestOffset(self):
        return {"ts": self._now().isoformat()}
`);
    const [f] = await findings(text, ['PDS002']);
    assert.equal(f.text, '{"ts": self._now().isoformat()}');
    assert.deepEqual(f.related.map((r) => text.slice(r.start, r.end)), ['datetime.now(timezone.utc)']);
  });
});

describe('the seed and PDS001/PDS005', () => {
  it("gets no PDS001: its EventStreamReader adds 1us to the batch start and between partitions (initialOffset takes it back)", async () => {
    assert.deepEqual(await findings(SEED, ['PDS001']), []);
  });

  it('gets PDS001 with a safe fix when `current = next_time` drops the 1us, and the fix gives back the seed', async () => {
    const broken = SEED.replace('current = next_time + timedelta(microseconds=1)', 'current = next_time');
    const found = await findings(broken, ['PDS001']);
    assert.equal(found.length, 1);
    assert.equal(found[0].text, 'current = next_time');
    assert.equal(found[0].severity, 'warning');
    assert.equal(found[0].fix?.applicability, 'safe');
    assert.equal(applyEdits(broken, found[0].fix!.edits), SEED);
  });

  it('gets PDS001 on the start when partitions() no longer adds 1us to it, with an unsafe fix (the first batch would skip the initial row)', async () => {
    const broken = SEED.replace('        start_ts = start_ts + timedelta(microseconds=1)\n', '');
    const found = await findings(broken, ['PDS001']);
    assert.deepEqual(found.map((f) => f.text), ['start_ts = datetime.fromisoformat(json.loads(start)["ts"])']);
    assert.equal(found[0].fix?.applicability, 'unsafe');
    assert.ok(applyEdits(broken, found[0].fix!.edits).includes('start_ts = datetime.fromisoformat(json.loads(start)["ts"]) + timedelta(microseconds=1)'));
  });

  it('gets no PDS005: both offsets are json.dumps strings of {"ts"} and partitions parses them', async () => {
    assert.deepEqual(await findings(SEED, ['PDS005']), []);
  });

  it('gets PDS005 at the key read, pointing at both producers, when partitions reads another key', async () => {
    const broken = SEED.replace('start_ts = datetime.fromisoformat(json.loads(start)["ts"])', 'start_ts = datetime.fromisoformat(json.loads(start)["start"])');
    const found = await findings(broken, ['PDS005']);
    assert.deepEqual(found.map((f) => [f.text, f.severity]), [['json.loads(start)["start"]', 'error']]);
    assert.deepEqual(found[0].related.map((r) => broken.slice(r.start, r.end)), [
      'json.dumps({"ts": adjusted.isoformat()})',
      'json.dumps({"ts": datetime.now(timezone.utc).isoformat()})',
    ]);
  });
});

describe('PDS005 locations and severities', () => {
  it('reports a form mismatch at the second producer with the first as related information, and reordered keys as a warning', async () => {
    const text = READER(`class R(DataSourceStreamReader):
    def initialOffset(self):
        return {"a": 0, "b": 0}

    def latestOffset(self):
        return {"b": 1, "a": 1}


class S(DataSourceStreamReader):
    def initialOffset(self):
        return {"ts": "x"}

    def latestOffset(self):
        return json.dumps({"ts": "y"})
`);
    const found = await findings(text, ['PDS005']);
    assert.deepEqual(found.map((f) => [f.text, f.severity]), [
      ['{"b": 1, "a": 1}', 'warning'],
      ['json.dumps({"ts": "y"})', 'error'],
    ]);
    assert.deepEqual(found.map((f) => f.related.map((r) => text.slice(r.start, r.end))), [['{"a": 0, "b": 0}'], ['{"ts": "x"}']]);
  });
});
