/**
 * Deterministic generator of realistic PySpark data-source files, for benchmarks.
 *
 * A seeded PRNG picks among stream readers with time-range partitions, simple readers, idempotent
 * writers, DataSources, InputPartitions, offset classes and module helpers, with varied names,
 * bodies and comments, until the file reaches the wanted number of lines. Most code is correct;
 * some units carry the pitfalls the rules find (as real code does), so rules do real work.
 */

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = ['Event', 'Order', 'Click', 'Metric', 'Invoice', 'Ticket', 'Sensor', 'Trade', 'Shipment', 'Payment', 'Session', 'Alert', 'Log', 'Device', 'Customer'];
const SOURCES = ['Api', 'Rest', 'Queue', 'Feed', 'Stream', 'Gateway', 'Service', 'Hub'];

class Gen {
  private readonly rand: () => number;
  private counter = 0;
  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)];
  }
  chance(p: number): boolean {
    return this.rand() < p;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  name(suffix: string): string {
    this.counter++;
    return `${this.pick(NOUNS)}${this.pick(SOURCES)}${suffix}${this.counter}`;
  }
}

const HEADER = `"""Generated data sources for benchmarks (deterministic)."""
import hashlib
import json
import time
from datetime import datetime, timedelta, timezone

import pyspark.sql.datasource as ds
from pyspark import TaskContext
from pyspark.sql.datasource import (
    DataSource,
    DataSourceStreamReader,
    DataSourceStreamWriter,
    InputPartition,
    SimpleDataSourceStreamReader,
    WriterCommitMessage,
)

`;

function partitionClass(g: Gen): { name: string; code: string } {
  const name = g.name('Partition');
  return {
    name,
    code: `class ${name}(InputPartition):
    """A time range (start, end] of the source."""

    def __init__(self, start_time, end_time):
        self.start_time = start_time
        self.end_time = end_time

`,
  };
}

function streamReader(g: Gen, partition: string): { name: string; code: string } {
  const name = g.name('StreamReader');
  const buggyClock = g.chance(0.2);
  const buggyBoundary = g.chance(0.15);
  const seconds = g.pick([60, 300, 900, 3600]);
  const fields = Array.from({ length: g.int(2, 6) }, (_, i) => `"f${i}"`).join(', ');
  const latest = buggyClock
    ? `        return {"ts": datetime.now(timezone.utc).isoformat()}`
    : `        now = datetime.now(timezone.utc).replace(microsecond=0)
        return {"ts": (now - timedelta(seconds=self.lag_seconds)).isoformat()}`;
  const advance = buggyBoundary ? '            current = next_time' : '            current = next_time + timedelta(microseconds=1)';
  const extraHelpers = Array.from({ length: g.int(0, 3) }, (_, i) => `
    def _page_${i}(self, response):
        # Pages arrive newest first; keep the order of the API.
        items = response.get("items", [])
        return [item for item in items if item.get("kind") == "k${i}"]
`).join('');
  return {
    name,
    code: `class ${name}(DataSourceStreamReader):
    """Reads ${name} events in time-range partitions."""

    FIELDS = (${fields})

    def __init__(self, options, schema):
        self.url = options.get("url", "http://localhost:8080/events")
        self.partition_seconds = int(options.get("partition_seconds", "${seconds}"))
        self.lag_seconds = int(options.get("lag_seconds", "30"))
        start = options.get("start_time")
        if start:
            parsed = datetime.fromisoformat(start.replace("Z", "+00:00"))
            self._start = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        else:
            self._start = datetime.now(timezone.utc).replace(microsecond=0)

    def initialOffset(self):
        adjusted = self._start - timedelta(microseconds=1)
        return {"ts": adjusted.isoformat()}

    def latestOffset(self):
${latest}

    def partitions(self, start, end):
        start_ts = datetime.fromisoformat(start["ts"]) + timedelta(microseconds=1)
        end_ts = datetime.fromisoformat(end["ts"])
        partitions = []
        current = start_ts
        delta = timedelta(seconds=self.partition_seconds)
        while current < end_ts:
            next_time = min(current + delta, end_ts)
            partitions.append(${partition}(current.isoformat(), next_time.isoformat()))
${advance}
        return partitions

    def commit(self, end):
        pass

    def read(self, partition):
        import requests

        response = requests.get(self.url, params={"start": partition.start_time, "end": partition.end_time}, timeout=30)
        response.raise_for_status()
        for event in response.json()["events"]:
            yield tuple(event.get(field) for field in self.FIELDS)
${extraHelpers}
`,
  };
}

function simpleReader(g: Gen): { name: string; code: string } {
  const name = g.name('SimpleReader');
  return {
    name,
    code: `class ${name}(SimpleDataSourceStreamReader):
    """Polls a cursor-based API; the offset is the last sequence number seen."""

    def __init__(self, options):
        self.url = options.get("url")
        self.batch_size = int(options.get("batch_size", "${g.pick([100, 500, 1000])}"))

    def initialOffset(self):
        return {"seq": 0}

    def _fetch(self, after, upto=None):
        import requests

        params = {"after": after, "limit": self.batch_size}
        if upto is not None:
            params["upto"] = upto
        response = requests.get(self.url, params=params, timeout=30)
        response.raise_for_status()
        return response.json()["records"]

    def read(self, start):
        records = self._fetch(start["seq"])
        rows = [(r["seq"], r["payload"]) for r in records]
        next_offset = {"seq": records[-1]["seq"]} if records else start
        return iter(rows), next_offset

    def readBetweenOffsets(self, start, end):
        records = self._fetch(start["seq"], upto=end["seq"])
        return iter([(r["seq"], r["payload"]) for r in records])

`,
  };
}

function writer(g: Gen): { name: string; code: string } {
  const name = g.name('Writer');
  const withKey = !g.chance(0.2);
  const body = withKey
    ? `            key_data = json.dumps({"partition": partition_id, "row": row_dict}, sort_keys=True)
            idempotency_key = hashlib.sha256(key_data.encode()).hexdigest()
            response = session.post(self.url, json={"data": row_dict, "idempotency_key": idempotency_key}, timeout=30)`
    : `            response = session.post(self.url, json={"data": row_dict}, timeout=30)`;
  return {
    name,
    code: `class ${name}(DataSourceStreamWriter):
    """Posts each row to the target API with a deterministic idempotency key."""

    def __init__(self, options, schema):
        self.url = options.get("url")

    def write(self, iterator):
        import requests

        partition_id = TaskContext.get().partitionId()
        session = requests.Session()
        for row in iterator:
            row_dict = row.asDict()
${body}
            response.raise_for_status()
        return WriterCommitMessage()

    def commit(self, messages, batchId):
        pass

    def abort(self, messages, batchId):
        pass

`,
  };
}

function dataSource(g: Gen, reader: string, writerName: string): { name: string; code: string } {
  const name = g.name('Source');
  return {
    name,
    code: `class ${name}(DataSource):
    """Wires the reader and the writer; register with spark.dataSource.register(${name})."""

    @classmethod
    def name(cls):
        return "${name.toLowerCase()}"

    def schema(self):
        return "ts TIMESTAMP, id STRING, payload STRING"

    def streamReader(self, schema):
        return ${reader}(self.options, schema)

    def streamWriter(self, schema, overwrite):
        return ${writerName}(self.options, schema)

`,
  };
}

function helperFunction(g: Gen): string {
  const name = `normalize_${g.name('').toLowerCase()}`;
  return `def ${name}(record, defaults=None):
    """Fills missing fields and strips whitespace from strings."""
    out = dict(defaults or {})
    for key, value in record.items():
        if isinstance(value, str):
            value = value.strip()
        out[key] = value
    return out


`;
}

function offsetClass(g: Gen): string {
  const name = g.name('Offset');
  return `class ${name}:
    """Timestamp plus sequence id, for sources with several events per timestamp."""

    def __init__(self, timestamp, sequence_id):
        self.timestamp = timestamp
        self.sequence_id = sequence_id

    def json(self):
        return json.dumps({"timestamp": self.timestamp, "sequence_id": self.sequence_id})

    @staticmethod
    def from_json(raw):
        data = json.loads(raw)
        return ${name}(data["timestamp"], data["sequence_id"])


`;
}

/** A data-source file of about `lines` lines (never fewer), the same for the same seed. */
export function generateSource(lines: number, seed = 1): string {
  const g = new Gen(seed);
  let out = HEADER;
  let count = out.split('\n').length;
  while (count < lines) {
    const partition = partitionClass(g);
    const reader = streamReader(g, partition.name);
    const w = writer(g);
    const units = [partition.code, reader.code];
    if (g.chance(0.5)) units.push(simpleReader(g).code);
    units.push(w.code, dataSource(g, reader.name, w.name).code);
    if (g.chance(0.5)) units.push(helperFunction(g));
    if (g.chance(0.3)) units.push(offsetClass(g));
    for (const unit of units) {
      out += unit;
      count += unit.split('\n').length - 1;
    }
  }
  return out;
}
