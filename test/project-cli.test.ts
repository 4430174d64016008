/**
 * Analysis across files through the real command line: the project fixtures' annotations hold in
 * every file, with one thread and with several, whichever files are named; places in other files
 * are reported with that file's path and positions; fixes only ever edit the file they are for.
 */
import assert from 'node:assert/strict';
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { JsonFinding } from '../server/src/cli/formats';
import { compare, copyProject, expectations, PROJECTS_DIR } from './helpers/projects';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'pds-lint.js');

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return childProcess.spawnSync(process.execPath, [BIN, '--isolated', ...args], { encoding: 'utf8', cwd, env: { ...process.env, ...env } });
}

function json(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): JsonFinding[] {
  const r = cli(['--format', 'json', ...args], cwd, env);
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as JsonFinding[];
}

const keys = (findings: JsonFinding[]) => findings.map((f) => `${f.filename.split(path.sep).join('/')}:${f.location.row}:${f.code}`);

/** A binary file next to the broken project's modules: it cannot be read as Python. */
function addGarbage(dir: string): void {
  fs.writeFileSync(path.join(dir, 'app', 'garbage.py'), Buffer.from([0x63, 0x6c, 0x61, 0x73, 0x73, 0x00, 0xff, 0xfe, 0x00]));
}

describe('pds-lint across files', () => {
  for (const name of ['inherit', 'cycle', 'broken']) {
    it(`${name}: every file's annotations hold, with one thread and with four`, () => {
      const dir = copyProject(name);
      if (name === 'broken') addGarbage(dir);
      const expected = expectations(dir);
      const lint = name === 'broken' ? ['app/readers.py', 'app/good_base.py', 'app/broken.py'] : ['.'];
      const one = json(lint, dir, { PDS_LINT_THREADS: '1' });
      assert.deepEqual(compare(keys(one), expected), []);
      // Workers: the same findings, byte for byte, however the summaries of the files are made.
      assert.deepEqual(json(lint, dir, { PDS_LINT_THREADS: '4' }), one);
      for (const strategy of ['shared', 'lazy']) {
        assert.deepEqual(json(lint, dir, { PDS_LINT_THREADS: '4', PDS_LINT_SUMMARIES: strategy }), one, strategy);
        assert.deepEqual(json(lint, dir, { PDS_LINT_THREADS: '1', PDS_LINT_SUMMARIES: strategy }), one, `${strategy}, one thread`);
      }
    });
  }

  it('a file named alone is analysed with the other files of its package', () => {
    const dir = path.join(PROJECTS_DIR, 'inherit');
    const found = keys(json(['pipelines/readers/clock.py'], dir));
    assert.deepEqual(found.sort(), ['pipelines/readers/clock.py:14:PDS002', 'pipelines/readers/clock.py:27:PDS003']);
    // From another working directory, and from stdin with --stdin-filename: the same.
    const fromAbove = keys(json(['inherit/pipelines/readers/clock.py'], PROJECTS_DIR));
    assert.deepEqual(fromAbove.sort(), ['inherit/pipelines/readers/clock.py:14:PDS002', 'inherit/pipelines/readers/clock.py:27:PDS003']);
    const text = fs.readFileSync(path.join(dir, 'pipelines/readers/incomplete.py'), 'utf8');
    const r = childProcess.spawnSync(process.execPath, [BIN, '--isolated', '--format', 'json', '--stdin-filename', 'pipelines/readers/incomplete.py', '-'], { encoding: 'utf8', cwd: dir, input: text });
    assert.deepEqual(keys(JSON.parse(r.stdout) as JsonFinding[]), ['pipelines/readers/incomplete.py:6:PDS006']);
  });

  it('a base class linted alone knows its subclasses, also under another name through another module', () => {
    const dir = path.join(PROJECTS_DIR, 'inherit');
    for (const strategy of ['recheck', 'shared', 'lazy']) {
      assert.deepEqual(json(['pipelines/common/polling.py', 'pipelines/common/base.py'], dir, { PDS_LINT_SUMMARIES: strategy }), [], strategy);
      assert.deepEqual(keys(json(['pipelines/common/polling.py'], dir, { PDS_LINT_SUMMARIES: strategy, PDS_LINT_CROSS_FILE: '0' })), ['pipelines/common/polling.py:6:PDS006'], 'alone, the base looks incomplete');
    }
  });

  it('without the project (PDS_LINT_CROSS_FILE=0) the readers have no Spark role: nothing is reported', () => {
    const dir = path.join(PROJECTS_DIR, 'inherit');
    assert.deepEqual(json(['.'], dir, { PDS_LINT_CROSS_FILE: '0' }).filter((f) => f.filename.includes('readers')), []);
  });

  it('sarif: a related place in another file has its uri and its own lines and columns', () => {
    const dir = path.join(PROJECTS_DIR, 'inherit');
    const r = cli(['--format', 'sarif', 'pipelines/readers/clock.py', 'pipelines/readers/orders.py'], dir);
    assert.equal(r.status, 1, r.stderr);
    const log = JSON.parse(r.stdout) as {
      runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[]; relatedLocations?: { message: { text: string }; physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }[] }[] }[];
    };
    const results = log.runs[0].results;
    const clock = results.find((x) => x.ruleId === 'PDS002')!;
    assert.equal(clock.locations[0].physicalLocation.artifactLocation.uri, 'pipelines/readers/clock.py');
    const offsetsFile = fs.readFileSync(path.join(dir, 'pipelines/common/offsets.py'), 'utf8').split('\n');
    const related = clock.relatedLocations!.find((x) => x.physicalLocation.artifactLocation.uri === 'pipelines/common/offsets.py')!;
    assert.ok(related, JSON.stringify(clock.relatedLocations));
    const region = related.physicalLocation.region!;
    assert.match(offsetsFile[region.startLine - 1].slice(region.startColumn - 1), /^datetime\.now\(timezone\.utc\)/);
    assert.equal(region.endColumn - region.startColumn, 'datetime.now(timezone.utc)'.length);
    // PDS008 in orders.py: the assignment is in the base class's file.
    const window = results.find((x) => x.ruleId === 'PDS008')!;
    const assigned = window.relatedLocations!.find((x) => x.physicalLocation.artifactLocation.uri === 'pipelines/common/base.py')!;
    const baseFile = fs.readFileSync(path.join(dir, 'pipelines/common/base.py'), 'utf8').split('\n');
    const at = assigned.physicalLocation.region!;
    assert.match(baseFile[at.startLine - 1].slice(at.startColumn - 1), /^self\.window = /);
  });

  it('--fix edits only the file a finding is in; a finding moved from another file has no fix', () => {
    const dir = copyProject('inherit');
    const before = new Map(['pipelines/common/base.py', 'pipelines/common/offsets.py', 'pipelines/readers/clock.py'].map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    const findings = json(['.'], dir);
    const moved = findings.find((f) => f.code === 'PDS002')!;
    assert.equal(moved.fix, null, 'the clock is read in offsets.py: no edit of clock.py can fix it');
    const r = cli(['--fix', '.'], dir, { PDS_LINT_THREADS: '4' });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    for (const [f, text] of before) assert.equal(fs.readFileSync(path.join(dir, f), 'utf8'), text, `${f} is unchanged`);
    // The stub fix of PDS006 went into incomplete.py.
    assert.match(fs.readFileSync(path.join(dir, 'pipelines/readers/incomplete.py'), 'utf8'), /def read\(self, partition\):/);
    assert.deepEqual(keys(json(['.'], dir)).filter((k) => k.includes('PDS006')), []);
  });
});
