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
import { analyze } from '../server/src/engine/analyze';
import { decodeSource, SourceError } from '../server/src/engine/decode';
import { LineIndex } from '../server/src/engine/source';
import { convertTree, MAX_SYNTAX_DEPTH, walk } from '../server/src/engine/syntax';
import { run } from '../server/src/cli/main';
import { generateSource } from '../bench/generate';
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
    const result = analyze(big, parser);
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
