/**
 * Hostile and odd input: each is analysed or gets one clear message, never a crash; positions
 * stay right; and nothing executes the user's code.
 */
import assert from 'node:assert/strict';
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyze, analyzeSyntax } from '../server/src/engine/analyze';
import { cpuTime } from '../server/src/engine/budget';
import { decodeSource, SourceError, textProblem } from '../server/src/engine/decode';
import { ParseTimeoutError } from '../server/src/engine/parser';
import { ALL_CODES, RULES_BY_CODE } from '../server/src/engine/rules/registry';
import { defineRule } from '../server/src/engine/rules/rule';
import { LineIndex } from '../server/src/engine/source';
import { convertTree, MAX_SYNTAX_DEPTH, walk } from '../server/src/engine/syntax';
import { run } from '../server/src/cli/main';
import { generateSource, mulberry32 } from '../bench/generate';
import { getParser } from './helpers/engine';
import { listFixtures } from './helpers/fixtures';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'pds-lint.js');
const READER_HEAD = 'from pyspark.sql.datasource import DataSourceStreamReader\n\n\nclass R(DataSourceStreamReader):\n';

function cli(args: string[], cwd?: string) {
  return childProcess.spawnSync(process.execPath, [BIN, '--isolated', ...args], { encoding: 'utf8', cwd });
}

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pds-hostile-'));
}

describe('hostile input: engine', () => {
  it('analyses 10,000 levels of nesting without exhausting the stack', async () => {
    const parser = await getParser();
    for (const [open, close] of [['(', ')'], ['[', ']'], ['f(', ')'], ['{"k": ', '}']]) {
      const text = `${READER_HEAD}    def latestOffset(self):\n        return ${open.repeat(10_000)}1${close.repeat(10_000)}\n`;
      const result = analyze(text, parser);
      assert.deepEqual(result.ruleFailures, []);
      let depth = 0;
      const depthOf = (n: { parent: unknown }) => {
        let d = 0;
        for (let p = n.parent as { parent: unknown } | null; p; p = p.parent as { parent: unknown } | null) d++;
        return d;
      };
      walk(result.root, (n) => {
        depth = Math.max(depth, depthOf(n));
      });
      assert.ok(depth <= MAX_SYNTAX_DEPTH + 1, `snapshot depth ${depth}`);
      assert.ok(result.findings.some((f) => f.code === 'PDS006'), 'the class is still analysed');
    }
  });

  it('analyses a 50,000-line file and a single 1 MB line', async () => {
    const parser = await getParser();
    const big = generateSource(50_000, 7);
    assert.ok(big.split('\n').length >= 50_000);
    const t0 = performance.now();
    const result = analyze(big, parser);
    // About 2 s; PDS012 once walked the whole file for every writer (16 s).
    assert.ok(performance.now() - t0 < 20_000, `50,000 lines took ${Math.round(performance.now() - t0)} ms`);
    assert.deepEqual(result.ruleFailures, []);
    for (const f of result.findings) assert.ok(f.start >= 0 && f.end <= big.length && f.start <= f.end);
    const longLine = `${READER_HEAD}    URL = "${'x'.repeat(1024 * 1024)}"\n`;
    const r2 = analyze(longLine, parser);
    assert.equal(r2.root.hasError, false);
    assert.ok(r2.findings.some((f) => f.code === 'PDS006'));
  });

  it('stays linear on many findings and on long chains of user base classes', async () => {
    // Both were quadratic: every stub fix re-split the file to find its indentation unit, and
    // every method lookup walked the whole chain of base classes again (4 s for 3,000 classes).
    const parser = await getParser();
    const many = `from pyspark.sql.datasource import DataSourceStreamReader\n${Array.from({ length: 16_000 }, (_, i) => `class R${i}(DataSourceStreamReader):\n    def commit(self):\n        pass\n`).join('')}`;
    let t0 = performance.now();
    const r1 = analyze(many, parser);
    const manyMs = performance.now() - t0;
    assert.equal(r1.findings.filter((f) => f.code === 'PDS006').length, 16_000);
    const chain = `from pyspark.sql.datasource import DataSourceStreamReader\nclass C0(DataSourceStreamReader):\n    pass\n${Array.from({ length: 10_000 }, (_, i) => `class C${i + 1}(C${i}):\n    def commit(self):\n        pass\n`).join('')}`;
    t0 = performance.now();
    const r2 = analyze(chain, parser);
    const chainMs = performance.now() - t0;
    assert.deepEqual(r2.ruleFailures, []);
    // Every class of the chain is a stream reader (through C0) with a wrong `commit` signature.
    assert.equal(r2.findings.filter((f) => f.code === 'PDS007').length, 10_000);
    // Generous bounds (about 1 s each here): a quadratic cost takes tens of seconds.
    assert.ok(manyMs < 15_000, `16,000 classes took ${manyMs.toFixed(0)} ms`);
    assert.ok(chainMs < 15_000, `a chain of 10,000 classes took ${chainMs.toFixed(0)} ms`);
  });

  it('stops at a deadline: the parse with a ParseTimeoutError, the rules not yet run listed, unused-noqa rules skipped', async () => {
    const parser = await getParser();
    const rand = mulberry32(7);
    let junk = '';
    for (let i = 0; i < 300_000; i++) junk += '()[]{}"\':\n '[Math.floor(rand() * 11)];
    // Budgets count CPU time: a loaded machine does not shorten them.
    const c0 = cpuTime();
    assert.throws(() => parser.parse(junk, undefined, { deadline: cpuTime() + 50 }), ParseTimeoutError);
    assert.ok(cpuTime() - c0 < 1000, `the parse stopped after ${Math.round(cpuTime() - c0)} ms of CPU time`);
    // The parser was reset: the next parse is of the new text only.
    const text = `${READER_HEAD}    def commit(self):  # noqa: PDS006\n        pass\n`;
    assert.equal(convertTree(parser.parse(text), text).hasError, false);
    const tree = parser.parse(text);
    const none = analyzeSyntax(text, { tree }, { deadline: cpuTime() - 1 });
    assert.deepEqual(none.findings, []);
    assert.deepEqual(none.incomplete?.skippedRules, [...ALL_CODES]);
    // A rule that uses up the budget: the ones after it, and the after-suppression ones, do not run.
    const slow = defineRule({ code: 'PDS001', name: 'slow', summary: 'slow', defaultSeverity: 'warning', fixAvailability: 'none', since: '0.1.0' }, () => {
      const until = cpuTime() + 30;
      while (cpuTime() < until);
    });
    let unusedNoqaRan = false;
    const unusedNoqa = { meta: { ...slow.meta, code: 'PDS100' }, phase: 'after-suppression' as const, check: () => void (unusedNoqaRan = true) };
    const cut = analyzeSyntax(text, { tree }, { rules: [slow, RULES_BY_CODE.get('PDS007')!, unusedNoqa], deadline: cpuTime() + 10 });
    assert.deepEqual(cut.incomplete?.skippedRules, ['PDS007', 'PDS100']);
    assert.equal(unusedNoqaRan, false);
    const full = analyzeSyntax(text, { tree }, { rules: [RULES_BY_CODE.get('PDS007')!, unusedNoqa], deadline: cpuTime() + 60_000 });
    assert.equal(full.incomplete, undefined);
    assert.equal(unusedNoqaRan, true);
    assert.deepEqual(full.findings.map((f) => f.code), ['PDS007']);
  });

  it('finds the NUL in decoded text (tree-sitter would read it as the end of the file)', async () => {
    const parser = await getParser();
    const text = `x = "\0"\n${READER_HEAD}    def commit(self):\n        pass\n`;
    assert.deepEqual(analyze(text, parser).findings, [], 'the reader after the NUL is invisible to the parser');
    assert.deepEqual(textProblem(text), { offset: 5, message: 'contains a NUL byte; binary files are not Python source' });
    assert.equal(textProblem(text.replace('\0', '')), undefined);
  });

  it('keeps columns right around surrogate pairs and combining characters', async () => {
    const parser = await getParser();
    // "é" as e + combining acute (2 code units, 2 code points); 😀 is one code point, 2 code units.
    const text = `from pyspark.sql.datasource import DataSourceStreamReader\nclass R(DataSourceStreamReader):\n    def commit(self):  # 😀 e\u0301\n        pass\n    x = "😀😀"; y = "e\u0301"\n`;
    const finding = analyze(text, parser).findings.find((f) => f.code === 'PDS007');
    assert.ok(finding);
    assert.equal(text.slice(finding.start, finding.end), '(self)');
    const lines = new LineIndex(text);
    assert.deepEqual(lines.rowColumn(finding.start), { row: 3, column: 15 });
    const emojiLine = text.indexOf('x = "😀😀"');
    const afterEmoji = text.indexOf('; y', emojiLine);
    // 4 spaces + `x = "` (5) + 2 emoji (2 characters) + `"` = column 13 for ';' (1-based)
    assert.deepEqual(lines.rowColumn(afterEmoji), { row: 5, column: 13 });
    assert.equal(lines.positionAt(afterEmoji).character, 14, 'LSP columns count UTF-16 units');
  });

  it('handles CRLF, lone CR and mixed line endings, tabs and a BOM', async () => {
    const parser = await getParser();
    const body = `from pyspark.sql.datasource import DataSourceStreamReader\nclass R(DataSourceStreamReader):\n\tdef partitions(self):\n\t\treturn []\n`;
    for (const text of [body.replace(/\n/g, '\r\n'), body.replace(/\n/g, '\r'), body.replace('\n', '\r\n'), `\ufeff${body}`]) {
      const decoded = decodeSource(Buffer.from(text, 'utf8'));
      const result = analyze(decoded.text, parser);
      const f = result.findings.find((x) => x.code === 'PDS007');
      assert.ok(f, JSON.stringify(text.slice(0, 80)));
      assert.equal(decoded.text.slice(f.start, f.end), '(self)');
      assert.equal(new LineIndex(decoded.text).rowColumn(f.start).row, 3);
    }
    assert.equal(decodeSource(Buffer.from(`\ufeffx = 1\n`, 'utf8')).hasBom, true);
  });

  it('rejects NUL bytes, invalid UTF-8 and oversized files with one clear message', () => {
    assert.throws(() => decodeSource(Buffer.from('x = 1\0\n')), (e: Error) => e instanceof SourceError && /NUL byte at offset 5/.test(e.message));
    assert.throws(() => decodeSource(Buffer.from([0x78, 0x20, 0x3d, 0x20, 0xff, 0x0a])), (e: Error) => e instanceof SourceError && /not valid UTF-8 \(at byte 4\)/.test(e.message));
    assert.throws(() => decodeSource(Buffer.alloc(100, 0x61), 10), (e: Error) => e instanceof SourceError && /larger than the 10 bytes limit/.test(e.message));
  });

  it('converts random binary-ish and truncated text without throwing', async () => {
    const parser = await getParser();
    const seed = fs.readFileSync(listFixtures()[0].file, 'utf8');
    for (let cut = 0; cut < seed.length; cut += Math.max(1, Math.floor(seed.length / 60))) {
      const text = seed.slice(0, cut) + '\u0007\u001b[0m"""' + seed.slice(cut, cut + 40);
      const result = analyze(text, parser);
      assert.deepEqual(result.ruleFailures.map((f) => f.code), []);
      convertTree(parser.parse(text), text);
    }
  });
});

describe('hostile input: command line', () => {
  it('reports each unreadable file once (exit 2) and still lints the others', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'good.py'), `${READER_HEAD}    def commit(self):\n        pass\n`);
    fs.writeFileSync(path.join(dir, 'binary.py'), Buffer.from([0x00, 0x01, 0x02]));
    fs.writeFileSync(path.join(dir, 'latin1.py'), Buffer.from('x = "caf\xe9"\n', 'latin1'));
    fs.writeFileSync(path.join(dir, 'with space é.py'), `${READER_HEAD}    def partitions(self):\n        return []\n`);
    const r = cli(['--format', 'json', dir]);
    assert.equal(r.status, 2, r.stderr);
    const stderr = r.stderr.split('\n').filter(Boolean);
    assert.equal(stderr.filter((l) => l.includes('binary.py')).length, 1);
    assert.match(r.stderr, /binary\.py: contains a NUL byte/);
    assert.match(r.stderr, /latin1\.py: is not valid UTF-8/);
    const findings = JSON.parse(r.stdout) as { filename: string; code: string }[];
    assert.ok(findings.some((f) => f.filename.endsWith('good.py') && f.code === 'PDS007'));
    assert.ok(findings.some((f) => f.filename.endsWith('with space é.py') && f.code === 'PDS007'));
  });

  it('survives a symlink loop and a dangling link', () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'a'));
    fs.writeFileSync(path.join(dir, 'a', 'x.py'), `${READER_HEAD}    def commit(self):\n        pass\n`);
    fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'a', 'loop'));
    fs.symlinkSync(path.join(dir, 'missing.py'), path.join(dir, 'dangling.py'));
    const r = cli(['--format', 'json', dir]);
    assert.equal(r.status, 1, r.stderr);
    const findings = JSON.parse(r.stdout) as { filename: string; code: string }[];
    assert.equal(new Set(findings.map((f) => f.filename)).size, 1, 'the file under the loop is linted once');
    assert.equal(findings.filter((f) => f.code === 'PDS007').length, 1);
  });

  it('reports columns in characters in JSON output past emoji and combining marks', () => {
    const dir = tmpdir();
    const file = path.join(dir, 'cols.py');
    fs.writeFileSync(file, `from pyspark.sql.datasource import DataSourceStreamReader\nclass R(DataSourceStreamReader):\n    x = "😀e\u0301"; y = 1\n    def commit(self): pass  # 😀\n`);
    const r = cli(['--format', 'json', file]);
    const f = (JSON.parse(r.stdout) as { code: string; location: { row: number; column: number }; end_location: { row: number; column: number } }[]).find((x) => x.code === 'PDS007');
    assert.ok(f, r.stdout);
    assert.deepEqual(f.location, { row: 4, column: 15 });
    assert.deepEqual(f.end_location, { row: 4, column: 21 });
  });
});

interface JsonFinding {
  code: string;
  filename: string;
  location: { row: number; column: number };
  end_location: { row: number; column: number };
}

const json = (stdout: string) => JSON.parse(stdout) as JsonFinding[];

describe('hostile input: command line, what the user sees', () => {
  it('lints a 50,000-line file, a single 1 MB line and 10,000 levels of nesting', { timeout: 120_000 }, () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'lines50k.py'), generateSource(50_000, 7));
    fs.writeFileSync(path.join(dir, 'line1mb.py'), `${READER_HEAD}    URL = "${'x'.repeat(1024 * 1024)}"\n    def commit(self):\n        pass\n`);
    fs.writeFileSync(path.join(dir, 'nested.py'), `${READER_HEAD}    def latestOffset(self):\n        return ${'('.repeat(10_000)}1${')'.repeat(10_000)}\n`);
    const r = cli(['--format', 'json', dir]);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, '');
    const findings = json(r.stdout);
    assert.ok(findings.filter((f) => f.filename.endsWith('lines50k.py')).length > 50);
    assert.deepEqual(
      findings.filter((f) => f.filename.endsWith('line1mb.py') && f.code === 'PDS007').map((f) => [f.location, f.end_location]),
      [[{ row: 6, column: 15 }, { row: 6, column: 21 }]],
    );
    assert.ok(findings.some((f) => f.filename.endsWith('nested.py') && f.code === 'PDS006'));
  });

  it('counts columns in characters after a BOM, with CRLF, mixed and lone-CR endings and tabs; --fix keeps BOM and endings', () => {
    const dir = tmpdir();
    const body = `from pyspark.sql.datasource import DataSourceStreamReader\nclass R(DataSourceStreamReader):\n\tdef commit(self):\n\t\tpass\n`;
    const variants: Record<string, Buffer> = {
      'bom.py': Buffer.from(`\ufeff${body}`, 'utf8'),
      'crlf.py': Buffer.from(body.replace(/\n/g, '\r\n')),
      'lone_cr.py': Buffer.from(body.replace(/\n/g, '\r')),
      'mixed.py': Buffer.from(body.replace('\n', '\r\n').replace('\t\tpass\n', '\t\tpass\r')),
    };
    for (const [name, bytes] of Object.entries(variants)) fs.writeFileSync(path.join(dir, name), bytes);
    const r = cli(['--format', 'json', dir]);
    assert.equal(r.status, 1, r.stderr);
    const findings = json(r.stdout).filter((f) => f.code === 'PDS007');
    assert.equal(findings.length, 4);
    // The BOM is not a character of line 1; a tab is one character.
    for (const f of findings) assert.deepEqual([f.location, f.end_location], [{ row: 3, column: 12 }, { row: 3, column: 18 }], f.filename);
    const fixed = cli(['--fix', dir]);
    assert.equal(fixed.status, 0, fixed.stderr); // the signature fix and PDS006's stubs
    const bom = fs.readFileSync(path.join(dir, 'bom.py'));
    assert.deepEqual([...bom.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the BOM is kept');
    assert.match(bom.toString('utf8'), /def commit\(self, end\):/);
    const crlf = fs.readFileSync(path.join(dir, 'crlf.py'), 'utf8');
    assert.match(crlf, /def commit\(self, end\):/);
    assert.equal(crlf.replace(/\r\n/g, '').includes('\n'), false, 'only CRLF endings in the fixed CRLF file');
    const cr = fs.readFileSync(path.join(dir, 'lone_cr.py'), 'utf8');
    assert.equal(cr.includes('\n'), false, 'only CR endings in the fixed CR file');
  });

  it('counts columns in characters (code points) inside and after emoji and combining marks, in every format', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'emoji.py'), `from pyspark.sql.datasource import DataSourceStreamReader\nclass R(DataSourceStreamReader):\n    def commit(self, *, tag="😀e\u0301"):  # 😀\n        pass\n`);
    // `(self, *, tag="` is 15 characters, then 😀, e and U+0301 one each, then `")`: 15 + 20 = 35.
    const f = json(cli(['--format', 'json', 'emoji.py'], dir).stdout).find((x) => x.code === 'PDS007');
    assert.deepEqual([f?.location, f?.end_location], [{ row: 3, column: 15 }, { row: 3, column: 35 }]);
    assert.match(cli(['emoji.py'], dir).stdout, /^emoji\.py:3:15: PDS007 /m);
    assert.match(cli(['--format', 'github', 'emoji.py'], dir).stdout, /^::error title=pds-lint \(PDS007\),file=emoji\.py,line=3,col=15,endLine=3,endColumn=35::/m);
    const sarif = JSON.parse(cli(['--format', 'sarif', 'emoji.py'], dir).stdout) as { runs: { columnKind: string; results: { ruleId: string; locations: { physicalLocation: { region: unknown } }[] }[] }[] };
    assert.equal(sarif.runs[0].columnKind, 'unicodeCodePoints');
    const region = sarif.runs[0].results.find((r) => r.ruleId === 'PDS007')?.locations[0].physicalLocation.region;
    assert.deepEqual(region, { startLine: 3, startColumn: 15, endLine: 3, endColumn: 35 });
  });

  it('a FIFO or a device named on the command line is refused (exit 2), not read forever; in a directory it is skipped', { timeout: 60_000 }, (t) => {
    if (process.platform === 'win32') return t.skip('no FIFOs');
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'good.py'), `${READER_HEAD}    def commit(self):\n        pass\n`);
    const fifo = childProcess.spawnSync('mkfifo', [path.join(dir, 'pipe.py')]);
    if (fifo.status !== 0) return t.skip('mkfifo not available');
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.py'));
    const named = childProcess.spawnSync(process.execPath, [BIN, '--isolated', '--format', 'json', 'pipe.py', 'zero.py', 'good.py'], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
    assert.equal(named.signal, null, 'the CLI hung on a FIFO or a device');
    assert.equal(named.status, 2);
    assert.deepEqual(named.stderr.trim().split('\n'), [
      'pds-lint: pipe.py: is not a regular file (a named pipe); not linted',
      'pds-lint: zero.py: is not a regular file (a device); not linted',
    ]);
    assert.ok(json(named.stdout).some((f) => f.filename === 'good.py' && f.code === 'PDS007'));
    const walked = childProcess.spawnSync(process.execPath, [BIN, '--isolated', '--format', 'json', '.'], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
    assert.equal(walked.status, 1, walked.stderr);
    assert.deepEqual([...new Set(json(walked.stdout).map((f) => f.filename))], ['good.py']);
    // A FIFO as .gitignore is not read; as pyproject.toml it is a configuration error, not a hang.
    childProcess.spawnSync('mkfifo', [path.join(dir, '.gitignore')]);
    const ignored = childProcess.spawnSync(process.execPath, [BIN, '--isolated', '--format', 'json', '.'], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
    assert.equal(ignored.signal, null, 'the CLI hung on a FIFO .gitignore');
    assert.equal(ignored.status, 1, ignored.stderr);
    childProcess.spawnSync('mkfifo', [path.join(dir, 'pyproject.toml')]);
    const configured = childProcess.spawnSync(process.execPath, [BIN, 'good.py'], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
    assert.equal(configured.signal, null, 'the CLI hung on a FIFO pyproject.toml');
    assert.equal(configured.status, 2);
    assert.equal(configured.stderr, `pds-lint: ${path.join(fs.realpathSync(dir), 'pyproject.toml')}: is not a regular file\n`);
  });

  it('an unreadable file or directory is exit 2 naming it; the others are still linted', (t) => {
    // Root reads everything: the CLI runs as an unprivileged user (nobody) when the test is root.
    const root = process.getuid?.() === 0;
    if (process.platform === 'win32') return t.skip('no POSIX permissions');
    const dir = tmpdir();
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, 'good.py'), `${READER_HEAD}    def commit(self):\n        pass\n`);
    fs.writeFileSync(path.join(dir, 'secret.py'), 'x = 1\n');
    fs.chmodSync(path.join(dir, 'secret.py'), 0o000);
    fs.mkdirSync(path.join(dir, 'locked'));
    fs.writeFileSync(path.join(dir, 'locked', 'inner.py'), 'x = 1\n');
    fs.chmodSync(path.join(dir, 'locked'), 0o000);
    const as = root ? { uid: 65534, gid: 65534 } : {};
    const r = childProcess.spawnSync(process.execPath, [BIN, '--isolated', '--format', 'json', '.'], { encoding: 'utf8', cwd: dir, ...as });
    if (r.error) return t.skip(`cannot run as an unprivileged user: ${r.error.message}`);
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(r.stderr.trim().split('\n').sort(), ['pds-lint: locked: permission denied', 'pds-lint: secret.py: cannot read: permission denied']);
    assert.ok(json(r.stdout).some((f) => f.filename === 'good.py' && f.code === 'PDS007'));
    fs.chmodSync(path.join(dir, 'locked'), 0o755);
  });

  it('a symlink loop named on the command line is exit 2 with one message', () => {
    const dir = tmpdir();
    fs.symlinkSync(path.join(dir, 'self.py'), path.join(dir, 'self.py'));
    fs.writeFileSync(path.join(dir, 'good.py'), `${READER_HEAD}    def commit(self):\n        pass\n`);
    const r = cli(['--format', 'json', 'self.py', 'good.py'], dir);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'pds-lint: self.py: too many levels of symbolic links\n');
    assert.ok(json(r.stdout).some((f) => f.filename === 'good.py'));
  });

  it('paths with spaces and non-ASCII names, given directly and found in directories', () => {
    const dir = tmpdir();
    const sub = path.join(dir, 'données à lire', 'sous dossier');
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, 'lecteur ü 😀.py'), `${READER_HEAD}    def commit(self):\n        pass\n`);
    const walked = cli(['--format', 'json', 'données à lire'], dir);
    assert.equal(walked.status, 1, walked.stderr);
    assert.deepEqual([...new Set(json(walked.stdout).map((f) => f.filename))], [path.join('données à lire', 'sous dossier', 'lecteur ü 😀.py')]);
    const text = cli([path.join(sub, 'lecteur ü 😀.py')], dir);
    assert.match(text.stdout, /^données à lire\/sous dossier\/lecteur ü 😀\.py:5:15: PDS007 /m);
  });

  it('bad [tool.pds-lint] values: exit 2 with one line naming the file, the key and why', () => {
    const cases: [string, RegExp][] = [
      ['select = "PDS002"', /\[tool\.pds-lint\] select must be a list of rule codes/],
      ['select = ["PDS999"]', /\[tool\.pds-lint\] select: unknown rule "PDS999"/],
      ['ignore = ["E501"]', /\[tool\.pds-lint\] ignore: "E501" does not name a pds-lint rule/],
      ['ignore = ["pds-0"]', /\[tool\.pds-lint\] ignore: "pds-0" is not a rule code or prefix/],
      ['severity = "error"', /\[tool\.pds-lint\] severity must be a table/],
      ['severity = { PDS002 = "fatal" }', /\[tool\.pds-lint\] severity\.PDS002: "fatal" is not one of error, warning, information, hint, off/],
      ['severity = { PDS999 = "error" }', /\[tool\.pds-lint\] severity: unknown rule "PDS999"/],
      ['exclude = "build"', /\[tool\.pds-lint\] exclude must be a list of path patterns/],
      ['colour = true', /\[tool\.pds-lint\] unknown key "colour" \(known: /],
      ['select = [', /invalid TOML/],
    ];
    for (const [line, message] of cases) {
      const dir = tmpdir();
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), `[project]\nname = "x"\n\n[tool.pds-lint]\n${line}\n`);
      fs.writeFileSync(path.join(dir, 'reader.py'), `${READER_HEAD}    def commit(self):\n        pass\n`);
      const r = childProcess.spawnSync(process.execPath, [BIN, 'reader.py'], { encoding: 'utf8', cwd: dir });
      assert.equal(r.status, 2, `${line}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${line}: ${r.stderr}`);
      assert.match(lines[0], /^pds-lint: .*pyproject\.toml: /, line);
      assert.match(lines[0], message, line);
    }
    // A [tool] that is not a table of tables.
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool]\npds-lint = 3\n');
    fs.writeFileSync(path.join(dir, 'reader.py'), 'x = 1\n');
    const r = childProcess.spawnSync(process.execPath, [BIN, 'reader.py'], { encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\[tool\.pds-lint\] must be a table/);
  });

  it('NUL bytes, invalid UTF-8 and files over 10 MB: one line each naming the file, the rest linted', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'good.py'), `${READER_HEAD}    def commit(self):\n        pass\n`);
    fs.writeFileSync(path.join(dir, 'nul.py'), Buffer.from('x = "a\0b"\n'));
    fs.writeFileSync(path.join(dir, 'png.py'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    fs.writeFileSync(path.join(dir, 'latin1.py'), Buffer.from('x = "caf\xe9"\n', 'latin1'));
    fs.writeFileSync(path.join(dir, 'truncated.py'), Buffer.from([0x78, 0x20, 0x3d, 0x20, 0x22, 0xf0, 0x9f, 0x98]));
    fs.writeFileSync(path.join(dir, 'huge.py'), Buffer.alloc(11 * 1024 * 1024, 0x20));
    const r = cli(['--format', 'json', dir]);
    assert.equal(r.status, 2);
    const rel = (n: string) => path.join(dir, n);
    assert.deepEqual(r.stderr.trim().split('\n').sort(), [
      `pds-lint: ${rel('huge.py')}: file is 11.0 MB, larger than the 10.0 MB limit; not analysed`,
      `pds-lint: ${rel('latin1.py')}: is not valid UTF-8 (at byte 8); save it as UTF-8 to lint it`,
      `pds-lint: ${rel('nul.py')}: contains a NUL byte at offset 6; binary files are not Python source`,
      `pds-lint: ${rel('png.py')}: contains a NUL byte at offset 8; binary files are not Python source`,
      `pds-lint: ${rel('truncated.py')}: is not valid UTF-8 (at byte 5); save it as UTF-8 to lint it`,
    ]);
    assert.deepEqual([...new Set(json(r.stdout).map((f) => f.filename))], [rel('good.py')]);
  });
});

describe('static analysis never runs user code', () => {
  it('spawns no process while analysing every fixture and linting through the CLI entry', async () => {
    const parser = await getParser();
    const names = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;
    // The module object itself (an `import * as` namespace only has getters).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cp = require('node:child_process') as Record<string, unknown>;
    const originals = new Map(names.map((n) => [n, cp[n]]));
    const calls: string[] = [];
    for (const n of names) {
      cp[n] = (...args: unknown[]) => {
        calls.push(`${n} ${String(args[0])}`);
        throw new Error(`analysis tried to run ${String(args[0])}`);
      };
    }
    // Worker threads would run outside this patch; keep the CLI on this thread.
    const threads = process.env.PDS_LINT_THREADS;
    process.env.PDS_LINT_THREADS = '1';
    try {
      for (const f of listFixtures()) analyze(fs.readFileSync(f.file, 'utf8'), parser);
      const out: string[] = [];
      const fixturesDir = path.dirname(path.dirname(listFixtures()[0].file));
      const code = await run(['--isolated', fixturesDir], { stdout: (t) => out.push(t), stderr: (t) => out.push(t), readStdin: () => Buffer.alloc(0), cwd: process.cwd() });
      assert.ok(code === 0 || code === 1, out.join(''));
    } finally {
      for (const [n, fn] of originals) cp[n] = fn;
      if (threads === undefined) delete process.env.PDS_LINT_THREADS;
      else process.env.PDS_LINT_THREADS = threads;
    }
    assert.deepEqual(calls, []);
  });
});
