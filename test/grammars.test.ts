/**
 * The TextMate grammars in `syntaxes/`: the `# noqa` injection into Python comments and the Spark
 * checkpoint language. Their manifest entries are checked here; their scopes by
 * `vscode-tmgrammar-test` against the annotated samples in `test/syntaxes/*.syntax.*`, run with
 * package.json as its configuration (so the injection is loaded through its real `injectTo`) and
 * with a test-only Python host grammar, since VS Code's own Python grammar is not an npm package.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');
const SAMPLES = path.join('test', 'syntaxes');
const HOST_PYTHON = path.join(SAMPLES, 'host-python.tmLanguage.json');

interface GrammarContribution {
  language?: string;
  scopeName: string;
  path: string;
  injectTo?: string[];
}

interface LanguageContribution {
  id: string;
  aliases?: string[];
  filenamePatterns?: string[];
  configuration?: string;
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { grammars?: GrammarContribution[]; languages?: LanguageContribution[] };
};
const grammars = pkg.contributes.grammars ?? [];
const languages = pkg.contributes.languages ?? [];
const readJson = (rel: string) => JSON.parse(fs.readFileSync(path.join(ROOT, rel), 'utf8')) as Record<string, unknown>;

/**
 * The subset of VS Code's glob syntax (`src/vs/base/common/glob.ts`) the checkpoint patterns use:
 * `**\/` (any folders), `{a,b}` alternatives, `[0-9]` ranges, literal text. VS Code matches a
 * pattern that contains a `/` against the whole (lower-cased) path, with `/` or `\` as separator.
 */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (glob.startsWith('**/', i)) {
      re += '(?:.*[/\\\\])?';
      i += 2;
    } else if (ch === '{') {
      const close = glob.indexOf('}', i);
      re += `(?:${glob
        .slice(i + 1, close)
        .split(',')
        .map((alt) => globToRegExp(alt).source.slice(1, -1))
        .join('|')})`;
      i = close;
    } else if (ch === '[') {
      const close = glob.indexOf(']', i);
      re += glob.slice(i, close + 1);
      i = close;
    } else if (ch === '/') {
      re += '[/\\\\]';
    } else if (ch === '*' || ch === '?') {
      throw new Error(`${glob}: wildcard outside this test's subset`);
    } else {
      re += ch.replace(/[.+^$()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

describe('grammar contributions', () => {
  it('point at grammar files whose scopeName they repeat', () => {
    assert.ok(grammars.length >= 2);
    for (const g of grammars) {
      const grammar = readJson(g.path);
      assert.equal(grammar.scopeName, g.scopeName, g.path);
      assert.ok(Array.isArray(grammar.patterns), `${g.path}: patterns`);
    }
  });

  it('inject the noqa grammar into Python comments', () => {
    const injection = grammars.find((g) => g.injectTo);
    assert.ok(injection, 'no injection grammar');
    assert.deepEqual(injection.injectTo, ['source.python']);
    assert.equal(injection.language, undefined, 'an injection belongs to no language');
    assert.equal(readJson(injection.path).injectionSelector, 'L:comment.line.number-sign.python');
  });

  it('give the checkpoint language its grammar and its configuration', () => {
    const lang = languages.find((l) => l.id === 'spark-checkpoint');
    assert.ok(lang, 'no spark-checkpoint language');
    assert.ok(lang.configuration && fs.existsSync(path.join(ROOT, lang.configuration)), 'language configuration file');
    readJson(lang.configuration);
    const grammar = grammars.find((g) => g.language === 'spark-checkpoint');
    assert.ok(grammar);
    assert.equal(grammar.scopeName, 'source.spark-checkpoint');
  });

  it('associate offsets/<n> and commits/<n> files, and no file with another name', () => {
    const lang = languages.find((l) => l.id === 'spark-checkpoint');
    const patterns = (lang?.filenamePatterns ?? []).map(globToRegExp);
    assert.ok(patterns.length > 0);
    const matches = (p: string) => patterns.some((re) => re.test(p.toLowerCase()));
    for (const p of ['/data/ckpt/events/offsets/0', '/data/ckpt/offsets/17', 'C:\\ckpt\\commits\\123456789', '/ckpt/commits/999999999999', 'offsets/3']) {
      assert.ok(matches(p), `${p} should be a checkpoint file`);
    }
    // A filename pattern wins over an extension in VS Code, so it must never claim source files.
    for (const p of ['/repo/offsets/1_notes.py', '/repo/offsets/2.json', '/ckpt/offsets/.0.crc', '/ckpt/offsets/0.tmp', '/ckpt/sources/0/0', '/ckpt/metadata', '/repo/my_offsets/0', '/repo/offsets/v1']) {
      assert.ok(!matches(p), `${p} should not be a checkpoint file`);
    }
  });
});

describe('grammar scopes (vscode-tmgrammar-test)', () => {
  it('match every annotation of the samples in test/syntaxes', () => {
    const samples = fs.readdirSync(path.join(ROOT, SAMPLES)).filter((f) => /\.syntax\.[a-z]+$/.test(f));
    assert.ok(samples.length >= 3, `samples: ${samples.join(', ')}`);
    const bin = path.join(ROOT, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');
    const result = spawnSync(process.execPath, [bin, '--compact', '-g', HOST_PYTHON, ...samples.map((f) => path.join(SAMPLES, f))], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    assert.equal(result.error, undefined, String(result.error));
    assert.equal(result.status, 0, `vscode-tmgrammar-test failed:\n${result.stdout}${result.stderr}`);
    for (const f of samples) assert.match(result.stdout, new RegExp(`${f.replace(/\./g, '\\.')} run successfuly`), `${f} was not run`);
  });
});
