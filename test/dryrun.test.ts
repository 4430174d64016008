/**
 * The dry-run harness (server/dryrun/pds_dry_run.py) on real Python: every detection on its
 * fixture (test/fixtures/dryrun/), the clean sources that must report nothing (including a reader
 * calling an HTTP API served here on 127.0.0.1), timeouts, cancel killing the process tree, and the
 * setup errors. Python: $PDS_TEST_PYTHON or python3 (CI installs Debian's).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { DryRunFinding, DryRunResult } from '../server/src/dryrun/protocol';
import { exitCodeOf, formatDryRunText, refineLocations } from '../server/src/dryrun/report';
import { type DryRunRequest, findHarness, runDryRun } from '../server/src/dryrun/run';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'dryrun');
const EXAMPLES = path.join(ROOT, 'examples');
const PYTHON = process.env.PDS_TEST_PYTHON ?? 'python3';

async function dry(file: string, extra: Partial<DryRunRequest> = {}): Promise<DryRunResult> {
  const stderr: string[] = [];
  const outcome = await runDryRun({
    file: path.isAbsolute(file) ? file : path.join(FIXTURES, file),
    batches: 3,
    interval: 0,
    timeout: 10,
    python: PYTHON,
    cwd: FIXTURES,
    onStderr: (t) => stderr.push(t),
    ...extra,
  });
  (outcome.result as DryRunResult & { stderrText?: string }).stderrText = stderr.join('');
  return outcome.result;
}

const codes = (r: DryRunResult) => r.findings.map((f) => f.code ?? f.kind);
const only = (r: DryRunResult, code: string): DryRunFinding => {
  const found = r.findings.filter((f) => f.code === code);
  assert.equal(found.length, 1, `one ${code} expected, got ${JSON.stringify(r.findings.map((f) => [f.code, f.message]))}`);
  return found[0];
};
function lineOf(file: string, needle: string): number {
  const lines = fs.readFileSync(path.isAbsolute(file) ? file : path.join(FIXTURES, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return i + 1;
}
function clean(r: DryRunResult): void {
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.deepEqual(r.findings.map((f) => `${f.code} ${f.message}`), []);
}

describe('dry run: harness and python', () => {
  it('finds the harness next to the compiled code', () => {
    const harness = findHarness();
    assert.ok(harness && fs.existsSync(harness), 'server/dryrun/pds_dry_run.py');
    const version = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, `${PYTHON} must be installed for these tests (CI installs Debian's python3)`);
  });

  it('harness helpers: DDL schemas, value checks, clock evidence', () => {
    const script = `
import json, sys, datetime, decimal
sys.path.insert(0, ${JSON.stringify(path.dirname(findHarness()!))})
import pds_dry_run as h
out = {}
f = h.DdlParser("id BIGINT NOT NULL, \`the ts\` TIMESTAMP COMMENT 'x', tags ARRAY<STRING>, m MAP<STRING, INT>, s STRUCT<a: INT, b DECIMAL(5,2)>, v VARCHAR(10)").parse()
out["ddl"] = h.schema_ddl(f)
out["struct"] = h.schema_ddl(h.DdlParser("struct<a:int,b:string>").parse())
ts = ("timestamp",)
out["checks"] = [
  h.check_value("x", ("string",), True, "s"),
  h.check_value(5, ("string",), True, "s"),
  h.check_value("5", ("long",), True, "n"),
  h.check_value(2**40, ("int",), True, "n"),
  h.check_value(1.5, ("long",), True, "n"),
  h.check_value(3, ("double",), True, "d"),
  h.check_value("2024-01-01", ts, True, "t"),
  h.check_value(datetime.datetime(2024, 1, 1), ts, True, "t"),
  h.check_value(None, ts, False, "t"),
  h.check_value((1, 2), ("array", ("int",), True), True, "a"),
  h.check_value(decimal.Decimal("123.45"), ("decimal", 5, 2), True, "x"),
  h.check_value(decimal.Decimal("12345.6"), ("decimal", 5, 2), True, "x"),
  h.check_value(datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc), ("timestamp_ntz",), True, "t"),
]
out["rows"] = [h.check_row((1, "a"), h.DdlParser("a INT, b STRING").parse()), h.check_row((1,), h.DdlParser("a INT, b STRING").parse()), h.check_row(5, h.DdlParser("a INT").parse())]
a = {"ts": "2024-01-01T00:00:00.100000+00:00"}
b = {"ts": "2024-01-01T00:00:00.100200+00:00"}
out["clock"] = [h.clock_evidence(a, b, 0.0002, 0.0001), h.clock_evidence({"ts": "2024-01-01T00:00:00"}, {"ts": "2024-01-01T00:00:01"}, 0.0002, 0.0001), h.clock_evidence({"n": 5}, {"n": 900}, 0.03, 0.0001), h.clock_evidence({"t": 1.0}, {"t": 1.03}, 0.03, 0.001)]
print(json.dumps(out))
`;
    const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { ddl: string; struct: string; checks: (string | null)[]; rows: ([string, string] | null)[]; clock: string[][] };
    assert.equal(out.ddl, 'id BIGINT NOT NULL, the ts TIMESTAMP, tags ARRAY<STRING>, m MAP<STRING, INT>, s STRUCT<a: INT, b: DECIMAL(5,2)>, v STRING');
    assert.equal(out.struct, 'a INT, b STRING');
    const [str, coerced, strForLong, overflow, truncated, intForDouble, strForTs, ts, nullNotNull, tupleForArray, dec, decTooBig, awareNtz] = out.checks;
    assert.equal(str, null);
    assert.equal(coerced, null, 'Spark coerces anything to STRING');
    assert.match(strForLong!, /got str '5' where BIGINT expects an integer/);
    assert.match(overflow!, /out of range for INT/);
    assert.match(truncated!, /truncated/);
    assert.equal(intForDouble, null);
    assert.match(strForTs!, /TIMESTAMP expects a datetime\.datetime/);
    assert.equal(ts, null);
    assert.match(nullNotNull!, /NOT NULL/);
    assert.match(tupleForArray!, /expects a list/);
    assert.equal(dec, null);
    assert.match(decTooBig!, /does not fit DECIMAL\(5,2\)/);
    assert.match(awareNtz!, /naive/);
    assert.equal(out.rows[0], null);
    assert.equal(out.rows[1]![0], 'arity');
    assert.equal(out.rows[2]![0], 'type');
    assert.deepEqual(out.clock, [['["ts"]'], [], [], ['["t"]']]);
  });
});

describe('dry run: clean sources report nothing', () => {
  it('examples/jsonl_source.py: 5 clean batches of 2 partitions, 50 rows', async () => {
    const r = await dry(path.join(EXAMPLES, 'jsonl_source.py'), { batches: 5, cwd: ROOT });
    clean(r);
    assert.equal(exitCodeOf(r), 0);
    assert.deepEqual(r.batches.map((b) => [b.start, b.end, b.status, b.partitions, b.rows]), [
      ['{"line": 0}', '{"line": 10}', 'ok', 2, 10],
      ['{"line": 10}', '{"line": 20}', 'ok', 2, 10],
      ['{"line": 20}', '{"line": 30}', 'ok', 2, 10],
      ['{"line": 30}', '{"line": 40}', 'ok', 2, 10],
      ['{"line": 40}', '{"line": 50}', 'ok', 2, 10],
    ]);
    assert.equal(r.rows, 50);
    assert.equal(r.pyspark?.mode, spawnSync(PYTHON, ['-c', 'import pyspark.sql.datasource']).status === 0 ? 'pyspark' : 'stand-in');
    assert.equal(r.schema, 'id BIGINT, ts TIMESTAMP, user STRING, action STRING, amount DOUBLE');
    assert.deepEqual(r.restart, { offset: '{"line": 50}', partitions: 0 });
    assert.match(formatDryRunText(r, ROOT), /No problems found: 5 clean batches, 50 rows/);
  });

  it('a counter source with Row objects, TaskContext and commit', async () => {
    const r = await dry('clean_counter.py');
    clean(r);
    assert.deepEqual(r.batches.map((b) => b.partitionRows), [[3, 3], [3, 3], [3, 3]]);
  });

  it('a simple reader with a deterministic readBetweenOffsets', async () => {
    const r = await dry('clean_simple.py');
    clean(r);
    assert.equal(r.source.readerKind, 'SimpleDataSourceStreamReader');
    assert.deepEqual(r.batches.map((b) => b.end), ['{"pos": 4}', '{"pos": 8}', '{"pos": 12}']);
  });

  it('a reader holding a lambda (cloudpickle handles it)', async () => {
    clean(await dry('lambdas.py'));
  });

  it('latestOffset rounded to the second is never PDS002, even across a second boundary', async () => {
    for (const style of ['iso', 'epoch']) {
      const r = await dry('rounded_clock.py', { batches: 2, options: { style } });
      clean(r);
      // The fixture makes the two calls of each batch straddle a second: they did differ.
      assert.ok(r.batches.every((b) => b.start !== b.end), JSON.stringify(r.batches));
    }
  });

  it('a reader calling an HTTP API served by the test on 127.0.0.1', async () => {
    const requests: string[] = [];
    let committed = 0;
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(url.pathname);
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/latest') {
        res.end(JSON.stringify({ id: Math.min(committed + 4, 12) }));
      } else if (url.pathname === '/events') {
        const after = Number(url.searchParams.get('after'));
        const upto = Number(url.searchParams.get('upto'));
        const events = [];
        for (let id = after + 1; id <= upto; id++) events.push({ id, ts: `2024-01-01T00:00:${String(id).padStart(2, '0')}+00:00`, kind: id % 2 ? 'click' : 'view' });
        res.end(JSON.stringify({ events }));
      } else if (url.pathname === '/commit') {
        committed = Number(url.searchParams.get('id'));
        res.end('{}');
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await dry('clean_http.py', { batches: 4, options: { url: `http://127.0.0.1:${port}` } });
      clean(r);
      assert.deepEqual(r.batches.map((b) => [b.end, b.rows, b.status]), [
        ['{"id": 4}', 4, 'ok'],
        ['{"id": 8}', 4, 'ok'],
        ['{"id": 12}', 4, 'ok'],
        ['{"id": 12}', 0, 'no-new-data'],
      ]);
      assert.equal(r.rows, 12);
      assert.ok(requests.filter((p) => p === '/events').length === 3 && requests.includes('/commit'), requests.join(' '));
    } finally {
      server.close();
    }
  });
});

describe('dry run: confirmed problems', () => {
  it('PDS001: inclusive boundaries, with the duplicated rows named', async () => {
    const file = path.join(EXAMPLES, 'pitfalls', 'inclusive_boundaries_jsonl.py');
    const r = await dry(file, { batches: 5, cwd: ROOT });
    const f = only(r, 'PDS001');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /^9 rows were returned twice \(compared by value\): \(5, 2024-01-01T00:03:05\+00:00, 'ana', 'purchase', 65\.25\) in batch 1 partition 1 and batch 1 partition 2; \(10, .*\) in batch 1 partition 2 and batch 2 partition 1/);
    assert.equal(f.line, lineOf(file, 'def partitions'));
    assert.deepEqual(f.classLines, [lineOf(file, 'class InclusiveJsonlReader'), lineOf(file, 'class InclusiveJsonlSource') - 3]);
    assert.equal((f.details.duplicates as unknown[]).length, 9);
    assert.equal(r.rows, 59);
    assert.equal(exitCodeOf(r), 1);
    // With the static rule's finding inside the class, the confirmed one moves onto it.
    const at = lineOf(file, '            current = next_stop');
    const moved = refineLocations(r, [{ code: 'PDS001', file, line: at, column: 13 }]).findings[0];
    assert.deepEqual([moved.line, moved.column], [at, 13]);
    const elsewhere = refineLocations(r, [{ code: 'PDS001', file, line: 3, column: 1 }]).findings[0];
    assert.equal(elsewhere.line, f.line);
  });

  it('PDS002: an unrounded wall clock, every time (ISO string, epoch float, json.dumps string)', async () => {
    const file = 'unrounded_clock.py';
    for (const style of ['iso', 'iso', 'iso', 'epoch', 'json']) {
      const r = await dry(file, { batches: 2, options: { style } });
      const f = only(r, 'PDS002');
      assert.equal(f.line, lineOf(file, 'def latestOffset'));
      assert.match(f.message, /moved between two calls with no new data in between/);
      assert.equal(r.findings.length, 1);
    }
  });

  it('PDS003: offsets changed by the JSON round trip (warning), or not JSON at all (error)', async () => {
    const file = 'offsets_json.py';
    const r = await dry(file, { batches: 2 });
    assert.deepEqual(codes(r), ['PDS003', 'PDS003']);
    assert.match(r.findings[0].message, /initialOffset.*the key 0 \(int\) comes back as the string "0".*the tuple \(0, 0\) comes back as the list \[0, 0\]/);
    assert.equal(r.findings[0].severity, 'warning');
    assert.equal(r.findings[0].line, lineOf(file, 'def initialOffset'));
    assert.equal(r.findings[1].line, lineOf(file, 'def latestOffset'));
    const bad = await dry(file, { options: { mode: 'datetime' } });
    const f = only(bad, 'PDS003');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /cannot write \(TypeError: Object of type datetime is not JSON serializable\)/);
    assert.equal(bad.batches.length, 0);
  });

  it('PDS009: an unpicklable reader (at the assignment) and an unpicklable partition', async () => {
    const file = 'unpicklable.py';
    const r = await dry(file, { batches: 1 });
    const f = only(r, 'PDS009');
    assert.match(f.message, /the reader cannot be pickled.*`self\.lock` \(_thread\.lock\) cannot be pickled/);
    assert.equal(f.line, lineOf(file, 'self.lock = threading.Lock()'));
    const p = only(await dry(file, { batches: 1, options: { what: 'partition' } }), 'PDS009');
    assert.match(p.message, /partition .* cannot be pickled.*`partition\.value` \(generator\)/);
    assert.equal(p.line, lineOf(file, 'def partitions'));
  });

  it('PDS021: a list instead of an iterator, wrong arity, wrong types, dicts', async () => {
    const file = 'row_types.py';
    const expectations: [string, RegExp][] = [
      ['list', /returned a list, not an iterator/],
      ['arity', /yielded a tuple of 2 values, the schema has 3 fields \(meter, value, read_at\)/],
      ['type', /`read_at`: got str '2024-01-01T00:00:00' where TIMESTAMP expects a datetime\.datetime/],
      ['dict', /yielded a dict .*DATA_SOURCE_INVALID_RETURN_TYPE/],
    ];
    for (const [mode, message] of expectations) {
      const f = only(await dry(file, { batches: 1, options: { mode } }), 'PDS021');
      assert.match(f.message, message);
      assert.equal(f.line, lineOf(file, 'def read'));
      assert.equal(f.severity, 'error');
    }
  });

  it('PDS014: a simple reader whose offset does not advance while it returns rows', async () => {
    const file = 'simple_stuck.py';
    const r = await dry(file, { batches: 2 });
    const f = only(r, 'PDS014');
    assert.equal(f.line, lineOf(file, 'def read(self, start)'));
    assert.match(f.message, /SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE/);
    assert.ok(!codes(r).includes('PDS001'), 'the repeated rows are PDS014, not also PDS001');
  });

  it('an exception: the traceback is trimmed to the user\u2019s frames, their prints kept', async () => {
    const file = 'raises.py';
    const r = (await dry(file)) as DryRunResult & { stderrText: string };
    const [f] = r.findings;
    assert.equal(r.findings.length, 1);
    assert.equal(f.code, null);
    assert.equal(f.kind, 'exception');
    assert.match(f.message, /`read\(partition\)` raised JSONDecodeError/);
    assert.equal(f.line, lineOf(file, 'return json.loads(line)'));
    assert.match(f.traceback!, /File "raises\.py", line \d+, in read\n.*\n  File "raises\.py", line \d+, in parse/);
    assert.doesNotMatch(f.traceback!, /pds_dry_run|json[/\\]decoder/);
    assert.match(r.stderrText, /reading partition 0/);
    assert.match(r.stopped!, /read raised JSONDecodeError/);
  });

  it('a read() that hangs is reported as a timeout', async () => {
    const t0 = Date.now();
    const r = await dry('hangs.py', { timeout: 1 });
    const [f] = r.findings;
    assert.equal(f.kind, 'timeout');
    assert.equal(f.method, 'read');
    assert.match(f.message, /`read\(partition\)` did not return within 1 s/);
    assert.ok(Date.now() - t0 < 8000);
  });

  it('a read() that swallows the timeout is ended by the watchdog', async () => {
    const r = await dry('hangs.py', { timeout: 1, options: { mode: 'swallow' } });
    const [f] = r.findings;
    assert.equal(f.kind, 'timeout');
    assert.match(f.message, /stuck beyond the per-call timeout/);
    assert.equal(f.line, lineOf('hangs.py', 'def read'));
  });
});

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

async function until(what: string, fn: () => boolean, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dry run: cancel and the TypeScript watchdog', { skip: process.platform === 'win32' }, () => {
  it('cancel kills the whole process tree, including what the user code started', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-dry-'));
    const pidfile = path.join(dir, 'child.pid');
    const controller = new AbortController();
    let started = false;
    const pending = runDryRun({
      file: path.join(FIXTURES, 'hangs.py'),
      batches: 1,
      interval: 0,
      timeout: 60,
      python: PYTHON,
      cwd: FIXTURES,
      options: { mode: 'spawn', pidfile },
      signal: controller.signal,
      onEvent: (e) => {
        if (e.event === 'start') started = true;
      },
    });
    await until('the user code to start its child', () => fs.existsSync(pidfile) && fs.readFileSync(pidfile, 'utf8').length > 0);
    const childPid = Number(fs.readFileSync(pidfile, 'utf8'));
    assert.ok(alive(childPid));
    controller.abort();
    const outcome = await pending;
    assert.equal(outcome.result.error?.kind, 'cancelled');
    assert.ok(started, 'the harness reported its start');
    await until('the harness to be gone', () => !alive(outcome.pid!), 5000);
    await until('the user code\u2019s child to be gone', () => !alive(childPid), 5000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a harness that stops responding is killed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-dry-'));
    const fake = path.join(dir, 'silent.py');
    fs.writeFileSync(fake, 'import time\ntime.sleep(600)\n');
    const t0 = Date.now();
    const outcome = await runDryRun({ file: fake, batches: 1, interval: 0, timeout: 0.5, python: PYTHON, cwd: dir, harness: fake, graceSeconds: 0.5 });
    assert.equal(outcome.result.error?.kind, 'unresponsive');
    assert.ok(Date.now() - t0 < 5000);
    await until('the silent process to be gone', () => !alive(outcome.pid!), 5000);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('dry run: what stops it from running', () => {
  it('no Python', async () => {
    const r = await dry('clean_counter.py', { python: '/nonexistent/python3' });
    assert.equal(r.error?.kind, 'no-python');
    assert.match(r.error!.message, /Python was not found: "\/nonexistent\/python3"/);
    assert.equal(exitCodeOf(r), 2);
  });

  it('an import error, with the user\u2019s traceback', async () => {
    const r = await dry('import_error.py');
    assert.equal(r.error?.kind, 'import-error');
    assert.match(r.error!.message, /No module named 'definitely_not_an_installed_module'/);
    assert.match(r.error!.traceback!, /File "import_error\.py", line 1/);
  });

  it('a module that needs more of pyspark than the stand-in has', async (t) => {
    if (spawnSync(PYTHON, ['-c', 'import pyspark.sql.datasource']).status === 0) return t.skip('the real pyspark is installed');
    const r = await dry('needs_pyspark.py');
    assert.equal(r.error?.kind, 'pyspark-missing');
    assert.match(r.error!.message, /needs `pyspark\.sql\.functions`, which pds-lint's stand-in for pyspark does not provide/);
  });

  it('a missing option, named', async () => {
    const r = await dry('missing_option.py');
    assert.equal(r.error?.kind, 'missing-option');
    assert.deepEqual(r.error!.options, ['url']);
    assert.match(r.error!.message, /needs the option `url`/);
  });

  it('several sources, or a class that is not there', async () => {
    const several = await dry('two_sources.py');
    assert.equal(several.error?.kind, 'ambiguous-class');
    assert.deepEqual(several.error!.candidates, ['First', 'Second']);
    const missing = await dry('two_sources.py', { className: 'Nope' });
    assert.equal(missing.error?.kind, 'class-not-found');
    assert.match(missing.error!.message, /has no class Nope \(stream sources here: First, Second, R\)/);
    clean(await dry('two_sources.py', { className: 'Second', batches: 1 }));
  });
});
