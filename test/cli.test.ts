/**
 * The `pds-lint` command line through its real entry point (bin/pds-lint.js in a child process):
 * exit codes, every output format, --fix/--diff, stdin, pyproject.toml configuration, bad flags,
 * and the rule documentation command.
 */
import assert from 'node:assert/strict';
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import { countSyntaxErrors, getParser } from './helpers/engine';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pds-lint.js');
const EXAMPLES = path.join(ROOT, 'examples');
const PITFALLS = path.join(EXAMPLES, 'pitfalls');

function cli(args: string[], options: { cwd?: string; input?: string } = {}) {
  return childProcess.spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: options.cwd ?? ROOT, input: options.input });
}

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pds-cli-'));
}

/** A copy of examples/pitfalls in a fresh directory (tests that fix files). */
function pitfallCopy(): string {
  const dir = tmpdir();
  for (const f of fs.readdirSync(PITFALLS).filter((n) => n.endsWith('.py'))) fs.copyFileSync(path.join(PITFALLS, f), path.join(dir, f));
  return dir;
}

const WRITER = `from pyspark.sql.datasource import DataSourceStreamWriter


class W(DataSourceStreamWriter):
    def write(self, iterator):
        for row in iterator:
            pass
`;

interface JsonFinding {
  code: string;
  message: string;
  severity: string;
  filename: string;
  location: { row: number; column: number };
  end_location: { row: number; column: number };
  fix: null | { applicability: string; message: string; edits: { content: string; location: { row: number; column: number }; end_location: { row: number; column: number } }[] };
  url: string;
}

describe('pds-lint exit codes', () => {
  it('exits 0 on the correct examples, 1 on the pitfalls, 2 on a bad flag or format', () => {
    const clean = cli(['--isolated', ...fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.py')).map((f) => path.join('examples', f))]);
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.match(clean.stderr, /All checks passed/);
    const pitfalls = cli(['--isolated', 'examples/pitfalls']);
    assert.equal(pitfalls.status, 1, pitfalls.stderr);
    for (const [args, message] of [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--format', 'xml', 'examples'], /--format: "xml" is not one of text, json, sarif, github/],
      [['--unsafe-fixes', 'examples'], /--unsafe-fixes needs --fix or --diff/],
      [['--select', 'PDS00x', 'examples'], /--select/],
    ] as const) {
      const r = cli(['--isolated', ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 2, `one line of message plus the usage hint: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    const zero = cli(['--isolated', '--exit-zero', 'examples/pitfalls']);
    assert.equal(zero.status, 0);
    const missing = cli(['--isolated', 'no/such/dir']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no[/\\]such[/\\]dir/);
  });
});

describe('pds-lint output formats', () => {
  it('text: path:line:col: CODE message, and a summary', () => {
    const r = cli(['--isolated', 'examples/pitfalls/PDS020_write_returns_no_commit_message.py']);
    assert.equal(r.status, 1);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^examples\/pitfalls\/PDS020_write_returns_no_commit_message\.py:\d+:\d+: PDS020 .*WriterCommitMessage/);
    assert.match(lines[lines.length - 1], /^Found \d+ problems?\./);
    const quiet = cli(['--isolated', '-q', 'examples/pitfalls/PDS020_write_returns_no_commit_message.py']);
    assert.ok(!/Found/.test(quiet.stdout));
  });

  it('json: one array of ruff-style findings with 1-based rows and columns', () => {
    const r = cli(['--isolated', '--format', 'json', 'examples/pitfalls']);
    assert.equal(r.status, 1, r.stderr);
    const findings = JSON.parse(r.stdout) as JsonFinding[];
    assert.ok(Array.isArray(findings) && findings.length > 5);
    const keys = ['code', 'message', 'severity', 'filename', 'location', 'end_location', 'fix', 'url'];
    for (const f of findings) {
      assert.deepEqual(Object.keys(f).sort(), [...keys].sort());
      assert.match(f.code, /^PDS\d{3}$/);
      assert.ok(['error', 'warning', 'information', 'hint'].includes(f.severity));
      assert.ok(f.location.row >= 1 && f.location.column >= 1);
      assert.ok(f.end_location.row > f.location.row || (f.end_location.row === f.location.row && f.end_location.column >= f.location.column));
      assert.equal(f.url, `https://github.com/pds-lint/pds-lint/blob/main/docs/rules/${f.code}.md`);
      if (f.fix) {
        assert.ok(['safe', 'unsafe'].includes(f.fix.applicability));
        assert.ok(f.fix.message.length > 0 && f.fix.edits.length > 0);
        for (const e of f.fix.edits) assert.ok(typeof e.content === 'string' && e.location.row >= 1 && e.end_location.column >= 1);
      }
    }
    // The position is where the finding's text is: check one against the file.
    const f = findings.find((x) => x.code === 'PDS002')!;
    const line = fs.readFileSync(path.join(ROOT, f.filename), 'utf8').split('\n')[f.location.row - 1];
    assert.match(line.slice(f.location.column - 1), /^json\.dumps/);
  });

  it('sarif: a SARIF 2.1.0 log with the rules, help URIs, results and fixes', () => {
    const r = cli(['--isolated', '--format', 'sarif', 'examples/pitfalls']);
    assert.equal(r.status, 1, r.stderr);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'pds-lint');
    const rules = run.tool.driver.rules as { id: string; helpUri: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }[];
    assert.ok(rules.length >= 12);
    for (const rule of rules) {
      assert.match(rule.id, /^PDS\d{3}$/);
      assert.equal(rule.helpUri, `https://github.com/pds-lint/pds-lint/blob/main/docs/rules/${rule.id}.md`);
      assert.ok(rule.shortDescription.text.length > 0);
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
    }
    assert.ok(run.results.length > 5);
    for (const result of run.results) {
      assert.equal(rules[result.ruleIndex].id, result.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(result.level));
      assert.ok(result.message.text.length > 0);
      const loc = result.locations[0].physicalLocation;
      assert.match(loc.artifactLocation.uri, /^examples\/pitfalls\/\w+\.py$/);
      assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1 && loc.region.endLine >= loc.region.startLine);
    }
    assert.ok(run.results.some((x: { fixes?: unknown[] }) => x.fixes?.length), 'fixes are included');
    assert.equal(run.invocations[0].executionSuccessful, true);
  });

  it('github: one workflow command per finding, with file, line, column and level', () => {
    const r = cli(['--isolated', '--format', 'github', 'examples/pitfalls']);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.length > 5);
    for (const line of lines) {
      assert.match(line, /^::(error|warning|notice) title=pds-lint \(PDS\d{3}\),file=examples\/pitfalls\/\w+\.py,line=\d+,col=\d+,endLine=\d+,endColumn=\d+::PDS\d{3} /);
    }
  });
});

describe('pds-lint --fix and --diff', () => {
  it('--fix applies the safe fixes; the fixed files parse and those findings are gone', async () => {
    const parser = await getParser();
    const dir = pitfallCopy();
    const before = new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    const safeFixed = new Map<string, number>();
    for (const [f, text] of before) safeFixed.set(f, analyze(text, parser).findings.filter((x) => x.fix?.applicability === 'safe').length);
    const r = cli(['--isolated', '--fix', dir]);
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    assert.match(r.stderr, /Fixed \d+ problems?\./);
    let changed = 0;
    for (const [f, text] of before) {
      const after = fs.readFileSync(path.join(dir, f), 'utf8');
      if (after !== text) changed++;
      assert.ok(countSyntaxErrors(parser, after) <= countSyntaxErrors(parser, text), `${f}: --fix added a syntax error`);
      const left = analyze(after, parser).findings.filter((x) => x.fix?.applicability === 'safe');
      assert.deepEqual(left.map((x) => `${x.code} ${x.message}`), [], `${f}: safe-fixable findings remain after --fix`);
      if (safeFixed.get(f)) assert.notEqual(after, text, `${f} had safe fixes but did not change`);
    }
    assert.ok(changed > 0);
    // A second run has nothing left to fix.
    const again = cli(['--isolated', '--fix', dir]);
    assert.ok(!/Fixed/.test(again.stderr), again.stderr);
  });

  it('--fix --unsafe-fixes applies the unsafe ones too', async () => {
    const parser = await getParser();
    const dir = pitfallCopy();
    cli(['--isolated', '--fix', '--unsafe-fixes', dir]);
    for (const f of fs.readdirSync(dir)) {
      const after = fs.readFileSync(path.join(dir, f), 'utf8');
      assert.deepEqual(analyze(after, parser).findings.filter((x) => x.fix).map((x) => `${x.code} ${x.message}`), [], `${f}: fixable findings remain`);
    }
  });

  it('--diff prints the fixes as a unified diff and changes nothing', () => {
    const dir = pitfallCopy();
    const file = path.join(dir, 'PDS020_write_returns_no_commit_message.py');
    const text = fs.readFileSync(file, 'utf8');
    const r = cli(['--isolated', '--diff', file]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^--- /m);
    assert.match(r.stdout, /^\+\+\+ /m);
    assert.match(r.stdout, /^\+\s+return WriterCommitMessage\(\)$/m);
    assert.match(r.stderr, /Would fix \d+ problems?\./);
    assert.equal(fs.readFileSync(file, 'utf8'), text);
  });
});

describe('pds-lint on stdin', () => {
  it('lints source from stdin under the name given by --stdin-filename', () => {
    const r = cli(['--isolated', '--format', 'json', '--stdin-filename', 'jobs/writer.py', '-'], { input: WRITER });
    assert.equal(r.status, 1, r.stderr);
    const findings = JSON.parse(r.stdout) as JsonFinding[];
    assert.ok(findings.some((f) => f.code === 'PDS020' && f.filename === 'jobs/writer.py'));
  });

  it('--fix with stdin prints the fixed source on stdout', async () => {
    const r = cli(['--isolated', '--fix', '-'], { input: WRITER });
    assert.match(r.stdout, /return WriterCommitMessage\(\)/);
    assert.match(r.stdout, /from pyspark\.sql\.datasource import DataSourceStreamWriter, WriterCommitMessage/);
    const parser = await getParser();
    assert.equal(countSyntaxErrors(parser, r.stdout), 0);
    assert.deepEqual(analyze(r.stdout, parser).findings.filter((f) => f.code === 'PDS020'), []);
  });
});

describe('pds-lint configuration', () => {
  it('reads [tool.pds-lint] from the nearest pyproject.toml; the command line wins; --isolated ignores it', () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'pkg'));
    fs.writeFileSync(path.join(dir, 'pkg', 'writer.py'), WRITER);
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "x"\n\n[tool.pds-lint]\nseverity = { PDS020 = "warning" }\n');
    const warned = JSON.parse(cli(['--format', 'json', 'pkg'], { cwd: dir }).stdout) as JsonFinding[];
    assert.equal(warned.find((f) => f.code === 'PDS020')?.severity, 'warning');
    const isolated = JSON.parse(cli(['--isolated', '--format', 'json', 'pkg'], { cwd: dir }).stdout) as JsonFinding[];
    assert.equal(isolated.find((f) => f.code === 'PDS020')?.severity, 'error');

    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.pds-lint]\nignore = ["PDS020"]\n');
    const ignored = cli(['--format', 'json', 'pkg'], { cwd: dir });
    assert.deepEqual((JSON.parse(ignored.stdout) as JsonFinding[]).filter((f) => f.code === 'PDS020'), []);
    const replaced = JSON.parse(cli(['--format', 'json', '--ignore', 'PDS006', 'pkg'], { cwd: dir }).stdout) as JsonFinding[];
    assert.ok(replaced.some((f) => f.code === 'PDS020'), '--ignore on the command line replaces the file\'s ignore list');

    const other = path.join(dir, 'other.toml');
    fs.writeFileSync(other, '[tool.pds-lint]\nselect = ["PDS006"]\n');
    const explicit = JSON.parse(cli(['--config', other, '--format', 'json', 'pkg'], { cwd: dir }).stdout) as JsonFinding[];
    assert.deepEqual([...new Set(explicit.map((f) => f.code))], [], '--config replaces the nearest pyproject.toml');
  });

  it('a bad [tool.pds-lint] value is exit 2 with one line naming the key', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'writer.py'), WRITER);
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.pds-lint]\nseverity = { PDS020 = "loud" }\n');
    const r = cli(['writer.py'], { cwd: dir });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /pyproject\.toml/);
    assert.match(r.stderr, /severity/);
    assert.match(r.stderr, /PDS020/);
  });
});

describe('pds-lint rule', () => {
  it('prints a rule page, the table of all rules, and exits 2 on an unknown code', () => {
    const page = cli(['rule', 'PDS002']);
    assert.equal(page.status, 0);
    assert.match(page.stdout, /^# PDS002: nondeterministic-latest-offset/);
    const table = cli(['rule']);
    assert.match(table.stdout, /^PDS002\s+nondeterministic-latest-offset/m);
    const unknown = cli(['rule', 'PDS999']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown rule PDS999/);
  });
});
