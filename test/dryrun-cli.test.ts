/**
 * `pds-lint dry-run`: exit codes (0 clean, 1 problems, 2 could not run), text and JSON output,
 * `[tool.pds-lint.dry-run]` in pyproject.toml, and the errors that name what is wrong.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../server/src/cli/main';
import { mergeDryRunSettings, optionString, parseOptionArgs, validateDryRunTable } from '../server/src/dryrun/settings';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'dryrun');
const PYTHON = process.env.PDS_TEST_PYTHON ?? 'python3';

async function cli(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['dry-run', ...args, ...(args.includes('--python') ? [] : ['--python', PYTHON])], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: () => Buffer.alloc(0),
    cwd,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-dry-cli-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('pds-lint dry-run', () => {
  it('a correct reader: N clean batches, exit 0', async () => {
    const { code, stdout, stderr } = await cli(['examples/jsonl_source.py']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Dry run of examples\/jsonl_source\.py\n/);
    assert.match(stdout, /source {3}JsonlSource -> JsonlStreamReader \(DataSourceStreamReader\)/);
    assert.match(stdout, /batch {2}start {9}end {11}partitions {2}rows {2}time per partition\n {4}1 {2}\{"line": 0\} {3}\{"line": 10\} {11}2 {4}10 {2}/);
    assert.match(stdout, /No problems found: 5 clean batches, 50 rows/);
  });

  it('inclusive boundaries: the duplicated rows named, exit 1', async () => {
    const { code, stdout } = await cli(['examples/pitfalls/inclusive_boundaries_jsonl.py', '--batches', '3']);
    assert.equal(code, 1);
    assert.match(stdout, /^examples\/pitfalls\/inclusive_boundaries_jsonl\.py:58:9: PDS001 5 rows were returned twice \(compared by value\): \(5, 2024-01-01T00:03:05\+00:00, 'ana', 'purchase', 65\.25\) in batch 1 partition 1 and batch 1 partition 2; .* \[confirmed by a dry run\]$/m);
    assert.match(stdout, /Found 1 problem, confirmed by a dry run: 3 batches, 35 rows/);
  });

  it('--format json: one document with the batches and the exit code', async () => {
    const { code, stdout } = await cli(['examples/jsonl_source.py', '--format', 'json', '--batches', '2', '--option', 'rows_per_partition=10']);
    assert.equal(code, 0);
    const doc = JSON.parse(stdout) as { exitCode: number; batches: { partitions: number }[]; findings: unknown[]; options: Record<string, string> };
    assert.equal(doc.exitCode, 0);
    assert.deepEqual(doc.batches.map((b) => b.partitions), [1, 1]);
    assert.deepEqual(doc.findings, []);
    assert.deepEqual(doc.options, { rows_per_partition: '10' });
  });

  it('exit 2 when it cannot run: no Python, import error, class not found, missing option', async () => {
    const noPython = await cli(['examples/jsonl_source.py', '--python', '/nonexistent/bin/python3']);
    assert.equal(noPython.code, 2);
    assert.match(noPython.stderr, /Python was not found: "\/nonexistent\/bin\/python3"/);
    const importError = await cli([path.join(FIXTURES, 'import_error.py')]);
    assert.equal(importError.code, 2);
    assert.match(importError.stderr, /could not import .*import_error\.py: ModuleNotFoundError/);
    assert.match(importError.stdout, /File "test\/fixtures\/dryrun\/import_error\.py", line 1, in <module>/);
    const noClass = await cli([path.join(FIXTURES, 'two_sources.py'), '--class', 'Nope']);
    assert.equal(noClass.code, 2);
    assert.match(noClass.stderr, /has no class Nope \(stream sources here: First, Second, R\)/);
    const ambiguous = await cli([path.join(FIXTURES, 'two_sources.py')]);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /several stream sources \(First, Second\): choose one with --class/);
    const option = await cli([path.join(FIXTURES, 'missing_option.py')]);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /needs the option `url` \(pass --option url=VALUE\)/);
  });

  it('exit 1 for a run that raised, with the trimmed traceback', async () => {
    const { code, stdout, stderr } = await cli([path.join(FIXTURES, 'raises.py'), '--batches', '1']);
    assert.equal(code, 1);
    assert.match(stdout, /raises\.py:\d+:5: error `read\(partition\)` raised JSONDecodeError/);
    assert.match(stdout, / {4}Traceback \(most recent call last, your code only\):/);
    assert.match(stderr, /reading partition 0/, "the user's print is shown");
  });

  it('bad arguments: exit 2 naming them', async () => {
    const cases: [string[], RegExp][] = [
      [['examples/jsonl_source.py', '--option', 'novalue'], /--option: "novalue" is not KEY=VALUE/],
      [['examples/jsonl_source.py', '--batches', '0'], /--batches must be an integer from 1 to 1000, not "0"/],
      [['examples/jsonl_source.py', '--timeout', 'soon'], /--timeout must be a number of seconds/],
      [['examples/jsonl_source.py', '--format', 'xml'], /--format: "xml" is not one of text, json/],
      [['examples/nope.py'], /examples\/nope\.py: no such file/],
      [[], /FILE is missing/],
      [['examples/jsonl_source.py', '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, message);
    }
  });

  it('[tool.pds-lint.dry-run]: class, options, batches from pyproject.toml; the command line wins', async () => {
    const source = fs.readFileSync(path.join(FIXTURES, 'clean_counter.py'), 'utf8');
    const dir = project({
      'pyproject.toml': '[tool.pds-lint.dry-run]\nclass = "CounterSource"\nbatches = 2\noptions = { per_batch = 4 }\n',
      'source.py': source,
    });
    const fromFile = await cli(['source.py', '--format', 'json'], dir);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const doc = JSON.parse(fromFile.stdout) as { batches: { end: string }[]; options: Record<string, string> };
    assert.deepEqual(doc.batches.map((b) => b.end), ['{"n": 4}', '{"n": 8}']);
    assert.deepEqual(doc.options, { per_batch: '4' });
    const overridden = JSON.parse((await cli(['source.py', '--format', 'json', '--batches', '1', '--option', 'per_batch=2'], dir)).stdout) as typeof doc;
    assert.deepEqual(overridden.batches.map((b) => b.end), ['{"n": 2}']);
    const isolated = JSON.parse((await cli(['source.py', '--format', 'json', '--isolated'], dir)).stdout) as typeof doc;
    assert.equal(isolated.batches.length, 5);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a bad [tool.pds-lint.dry-run] value: exit 2 naming the key', async () => {
    const cases: [string, RegExp][] = [
      ['batches = "five"', /\[tool\.pds-lint\.dry-run\] batches must be an integer from 1 to 1000, not "five"/],
      ['interval = -1', /interval must be a number of seconds from 0 to 3600, not -1/],
      ['options = { url = [1] }', /options\.url must be a string, number or boolean/],
      ['frequency = 3', /unknown key "frequency"/],
    ];
    for (const [line, message] of cases) {
      const dir = project({ 'pyproject.toml': `[tool.pds-lint.dry-run]\n${line}\n`, 'source.py': 'x = 1\n' });
      const { code, stderr } = await cli(['source.py'], dir);
      assert.equal(code, 2, line);
      assert.match(stderr, message);
      assert.match(stderr, /pyproject\.toml: /);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dry-run settings', () => {
  it('option values become strings, as Spark passes them', () => {
    assert.equal(optionString(5), '5');
    assert.equal(optionString(true), 'true');
    assert.equal(optionString([1]), undefined);
    assert.deepEqual(parseOptionArgs(['url=http://x/?a=b', 'empty=']), { url: 'http://x/?a=b', empty: '' });
  });

  it('layers merge key by key, options merged', () => {
    const merged = mergeDryRunSettings(validateDryRunTable({ batches: 2, options: { a: 'x', b: 1 } }), { options: { b: '2' }, timeout: 5 });
    assert.deepEqual(merged, { options: { a: 'x', b: '2' }, batches: 2, interval: 0, timeout: 5 });
  });
});
