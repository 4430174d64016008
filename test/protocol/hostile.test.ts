/**
 * Hostile and odd documents through the real language server: each is analysed (diagnostics
 * equal to a fresh analysis, positions in UTF-16 as the editor counts them) or gets one clear
 * diagnostic; the per-document caps (pdsLint.maxFileSize, pdsLint.maxAnalysisMs) hold; and
 * serving documents starts no process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../../server/src/engine/analyze';
import { LineIndex } from '../../server/src/engine/source';
import { generateSource, mulberry32 } from '../../bench/generate';
import { getParser } from '../helpers/engine';
import { listFixtures } from '../helpers/fixtures';
import { positionOf, TestClient } from '../helpers/lsp';

const READER_HEAD = 'from pyspark.sql.datasource import DataSourceStreamReader\n\n\nclass R(DataSourceStreamReader):\n';
const BODY = `from pyspark.sql.datasource import DataSourceStreamReader\nclass R(DataSourceStreamReader):\n\tdef partitions(self):\n\t\treturn []\n`;

async function expected(text: string): Promise<string[]> {
  const parser = await getParser();
  const lines = new LineIndex(text);
  return analyze(text, parser).findings.map((f) => {
    const s = lines.positionAt(f.start);
    const e = lines.positionAt(f.end);
    return `${f.code} ${s.line}:${s.character}-${e.line}:${e.character}`;
  });
}
const shapeOf = (ds: Diagnostic[]) => ds.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`);

/** The range of `needle` in `text` as an editor computes it (vscode-languageserver-textdocument). */
function editorRange(text: string, needle: string) {
  const doc = TextDocument.create('file:///x.py', 'python', 1, text);
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not in text`);
  return { start: doc.positionAt(at), end: doc.positionAt(at + needle.length) };
}

/** A megabyte-ish of random brackets and quotes: tree-sitter's error recovery takes seconds on it. */
function bracketJunk(length: number): string {
  const rand = mulberry32(7);
  const alphabet = '()[]{}"\':\n ';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(rand() * alphabet.length)];
  return out;
}

describe('language server: hostile documents', () => {
  let client: TestClient;
  before(async () => {
    // Without the analysis budget: these tests compare with a full analysis (the budget's own
    // tests are below; the 50,000-line file takes about 2 s of CPU, under the default 5 s).
    client = await TestClient.start({ args: ['--delay', '0'], settings: { maxAnalysisMs: 0 } });
  });
  after(async () => {
    await client.stop();
  });

  it('analyses a 50,000-line file, a single 1 MB line and 10,000 levels of nesting', { timeout: 120_000 }, async () => {
    const cases: [string, string, boolean][] = [
      ['lines50k.py', generateSource(50_000, 7), true],
      ['line1mb.py', `${READER_HEAD}    URL = "${'x'.repeat(1024 * 1024)}"\n    def commit(self):\n        pass\n`, true],
      ['nested.py', `${READER_HEAD}    def latestOffset(self):\n        return ${'('.repeat(10_000)}1${')'.repeat(10_000)}\n`, true],
      // Unbalanced: the class has a syntax error to its end, so the rules stay quiet on it.
      ['unbalanced.py', `${READER_HEAD}    def latestOffset(self):\n        return ${'['.repeat(10_000)}1\n`, false],
    ];
    for (const [name, text, findings] of cases) {
      const uri = client.open(name, text);
      const diagnostics = await client.diagnostics(uri, 1, 60_000);
      assert.deepEqual(shapeOf(diagnostics), await expected(text), name);
      assert.equal(diagnostics.length > 0, findings, `${name}: ${diagnostics.length} diagnostics`);
      const lastLine = text.split(/\r\n|\r|\n/).length - 1;
      for (const d of diagnostics) assert.ok(d.range.end.line <= lastLine, `${name}: ${d.code} past the end`);
      client.close(uri);
    }
  });

  it('a NUL byte gets one diagnostic at the NUL, not a silently cut analysis', async () => {
    // tree-sitter reads NUL as the end of input: without the check, the reader after it vanished.
    const text = `x = "a\0b"\n${READER_HEAD}    def commit(self):\n        pass\n`;
    const uri = client.open('nul.py', text);
    const diagnostics = await client.diagnostics(uri, 1);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.match(diagnostics[0].message, /did not analyse this file: it contains a NUL byte/);
    assert.deepEqual(diagnostics[0].range, { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } });
    assert.equal(diagnostics[0].severity, 3);
    // Deleting the NUL brings the findings back.
    client.change(uri, 2, [{ range: diagnostics[0].range, text: '' }]);
    const fixed = await client.diagnostics(uri, 2);
    assert.ok(fixed.some((d) => d.code === 'PDS007'), JSON.stringify(fixed));
    client.close(uri);
  });

  it('analyses replacement characters and lone surrogates (what an editor makes of invalid UTF-8)', async () => {
    for (const junk of ['\ufffd\ufffd', '\ud800', '\udc00x\ud83d']) {
      const text = `x = "${junk}"  # ${junk}\n${BODY}`;
      const uri = client.open(`invalid${junk.length}.py`, text);
      const diagnostics = await client.diagnostics(uri, 1);
      assert.deepEqual(shapeOf(diagnostics), await expected(text));
      assert.deepEqual(diagnostics.find((d) => d.code === 'PDS007')?.range, editorRange(text, '(self)'));
      client.close(uri);
    }
  });

  it('keeps UTF-16 positions right with a BOM, CRLF, mixed and lone-CR endings and tabs', async () => {
    const variants: [string, string][] = [
      ['bom', `\ufeff${BODY}`],
      ['crlf', BODY.replace(/\n/g, '\r\n')],
      ['lone-cr', BODY.replace(/\n/g, '\r')],
      ['mixed', BODY.replace('\n', '\r\n').replace(/\t\t/, '\r\t\t')],
      ['tabs-and-spaces', BODY.replace('\t\treturn', '\t        return')],
    ];
    for (const [name, text] of variants) {
      const uri = client.open(`${name}.py`, text);
      const diagnostics = await client.diagnostics(uri, 1);
      const d = diagnostics.find((x) => x.code === 'PDS007');
      assert.ok(d, `${name}: ${JSON.stringify(diagnostics)}`);
      assert.deepEqual(d.range, editorRange(text, '(self)'), name);
      assert.equal(d.range.start.line, 2, name);
      client.close(uri);
    }
  });

  it('counts UTF-16 code units past surrogate pairs and combining marks', async () => {
    const text = `from pyspark.sql.datasource import DataSourceStreamReader\nclass R(DataSourceStreamReader):\n    def commit(self, *, tag="😀e\u0301"):  # 😀\n        pass\n`;
    const uri = client.open('emoji.py', text);
    const d = (await client.diagnostics(uri, 1)).find((x) => x.code === 'PDS007');
    assert.ok(d);
    // `(self, *, tag="` is 15 units, 😀 two, e and U+0301 one each, `")` two: 14 + 21 = 35.
    assert.deepEqual(d.range, { start: { line: 2, character: 14 }, end: { line: 2, character: 35 } });
    assert.deepEqual(d.range, editorRange(text, '(self, *, tag="😀e\u0301")'));
    // The "disable for this line" edit goes to the end of the line, past the emoji of the comment.
    const actions = await client.codeActions(uri, d.range, [d]);
    const disable = actions.find((a) => a.title.startsWith('Disable PDS007'));
    const edit = disable?.edit?.documentChanges?.[0];
    assert.ok(edit && 'edits' in edit);
    assert.equal(edit.edits[0].range.start.character, text.split('\n')[2].length);
    client.close(uri);
  });

  it('answers hovers, completions and code actions on every odd document without an internal error', async () => {
    const texts = [`\ufeff${BODY}`, BODY.replace(/\n/g, '\r'), `x = "\0"\n${BODY}`, `${READER_HEAD}    def latestOffset(self):\n        return ${'{"k": '.repeat(10_000)}1\n`];
    for (const [i, text] of texts.entries()) {
      const uri = client.open(`requests${i}.py`, text);
      await client.diagnostics(uri, 1);
      await client.hover(uri, text.includes('partitions') ? positionOf(text, 'partitions') : { line: 4, character: 8 });
      for (const position of [{ line: 0, character: 0 }, { line: 2, character: 1 }, { line: 4, character: 9 }, { line: 999, character: 999 }]) {
        assert.ok(Array.isArray(await client.completion(uri, position)));
        assert.ok(Array.isArray(await client.completion(uri, position, '.')));
      }
      assert.ok(Array.isArray(await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } }, [], ['source.fixAll.pds'])));
      client.close(uri);
    }
    assert.deepEqual(client.logs.filter((l) => /internal error|could not analyse/.test(l)), []);
  });
});

describe('language server: per-document caps', () => {
  it('pdsLint.maxFileSize: a larger file gets one message on its first line', async () => {
    const client = await TestClient.start({ args: ['--delay', '0'], settings: { maxFileSize: 1000 } });
    try {
      const text = generateSource(100, 3);
      assert.ok(text.length > 1000);
      const uri = client.open('large.py', text);
      const diagnostics = await client.diagnostics(uri, 1);
      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0].message, `pds-lint did not analyse this file: ${text.length} characters, more than pdsLint.maxFileSize (1000)`);
      assert.deepEqual(diagnostics[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
      assert.equal(await client.hover(uri, { line: 5, character: 4 }), null);
    } finally {
      await client.stop();
    }
  });

  it('pdsLint.maxAnalysisMs: a parse over the budget leaves one message, and the server keeps serving', { timeout: 60_000 }, async () => {
    const client = await TestClient.start({ args: ['--delay', '0'], settings: { maxAnalysisMs: 100 } });
    try {
      // Parsing this takes about 2 s; the budget stops it after 100 ms.
      const junk = bracketJunk(300_000);
      const uri = client.open('junk.py', junk);
      const diagnostics = await client.diagnostics(uri, 1, 30_000);
      assert.deepEqual(
        diagnostics.map((d) => d.message),
        ['pds-lint did not analyse this file: parsing took more than pdsLint.maxAnalysisMs (100 ms of CPU time)'],
      );
      // The parser is reset: the next document parses from its own start.
      const text = BODY;
      const other = client.open('after-junk.py', text);
      assert.deepEqual(shapeOf(await client.diagnostics(other, 1)), await expected(text));
      // Typing in the junk does not pay the budget on every keystroke; a save tries again.
      client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '(' }]);
      assert.match((await client.diagnostics(uri, 2))[0].message, /parsing took more than pdsLint\.maxAnalysisMs \(100 ms of CPU time\); it is tried again when the file is saved$/);
      client.published.delete(uri);
      void client.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
      assert.deepEqual((await client.diagnostics(uri, 2)).map((d) => d.message), ['pds-lint did not analyse this file: parsing took more than pdsLint.maxAnalysisMs (100 ms of CPU time)']);
      // Replacing the junk with code: analysed at once.
      client.change(uri, 3, [{ text }]);
      assert.deepEqual(shapeOf(await client.diagnostics(uri, 3)), await expected(text));
    } finally {
      await client.stop();
    }
  });

  it('pdsLint.maxAnalysisMs: rules past the budget are skipped and named on the first line', { timeout: 60_000 }, async () => {
    const client = await TestClient.start({ args: ['--delay', '0'] });
    try {
      // Many classes: the parse is reused from the first analysis, but the model and the rules
      // of the re-analysis after the settings change take well over 20 ms.
      const text = `from pyspark.sql.datasource import DataSourceStreamReader\n${Array.from({ length: 8000 }, (_, i) => `class R${i}(DataSourceStreamReader):\n    def commit(self):  # noqa: PDS007\n        pass\n`).join('')}`;
      const uri = client.open('classes.py', text);
      const full = await client.diagnostics(uri, 1, 30_000);
      assert.equal(full.length, 8000);
      client.published.delete(uri);
      client.settings = { maxAnalysisMs: 20 };
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      const cut = await client.diagnostics(uri, 1, 30_000);
      assert.match(cut[0].message, /^pds-lint stopped analysing this file after \d+ ms of CPU time \(pdsLint\.maxAnalysisMs is 20\): \d+ rules? did not run \(PDS\d{3}(, PDS\d{3})*\)$/);
      assert.equal(cut[0].code, undefined);
      assert.deepEqual(cut[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
      assert.ok(cut.length < full.length + 1);
      client.published.delete(uri);
      client.settings = {};
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      assert.deepEqual(shapeOf(await client.diagnostics(uri, 1, 30_000)), shapeOf(full));
    } finally {
      await client.stop();
    }
  });
});

describe('language server: a misbehaving client', () => {
  it('starts in a workspace with virtual folders and serves documents with odd URIs', async () => {
    // fileURLToPath threw on vscode-vfs:// folders, failing initialize: no server in a virtual workspace.
    const client = await TestClient.start({ args: ['--delay', '0'], extraWorkspaceFolders: ['vscode-vfs://github/org/repo', 'file://server/share/project'] });
    try {
      for (const uri of ['vscode-vfs://github/org/repo/reader.py', 'untitled:Untitled-1', 'file:///%E0%A4%A.py', 'file://server/share/project/x.py']) {
        void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: BODY } });
        const diagnostics = await client.diagnostics(uri, 1);
        assert.deepEqual(shapeOf(diagnostics), await expected(BODY), uri);
      }
      assert.deepEqual(client.logs.filter((l) => /could not analyse|internal error|uncaught/.test(l)), []);
    } finally {
      await client.stop();
    }
  });

  it('a pyproject.toml that is a FIFO or has bad values: one warning, and the file is still linted', async (t) => {
    if (process.platform === 'win32') return t.skip('no FIFOs');
    const client = await TestClient.start({ args: ['--delay', '0'] });
    try {
      fs.mkdirSync(path.join(client.root, 'fifo'));
      if (spawnSync('mkfifo', [path.join(client.root, 'fifo', 'pyproject.toml')]).status !== 0) return t.skip('mkfifo not available');
      fs.mkdirSync(path.join(client.root, 'bad'));
      fs.writeFileSync(path.join(client.root, 'bad', 'pyproject.toml'), '[tool.pds-lint]\nselect = "PDS007"\n');
      for (const dir of ['fifo', 'bad']) {
        const uri = client.open(`${dir}/reader.py`, BODY);
        assert.deepEqual(shapeOf(await client.diagnostics(uri, 1)), await expected(BODY), dir);
      }
      const warnings = client.messages.map((m) => m.message);
      assert.equal(warnings.length, 2, JSON.stringify(warnings));
      assert.match(warnings[0], /fifo\/pyproject\.toml: is not a regular file\. Using the editor settings only\.$/);
      assert.match(warnings[1], /bad\/pyproject\.toml: \[tool\.pds-lint\] select must be a list of rule codes/);
    } finally {
      await client.stop();
    }
  });

  it('keeps its tree right through reversed ranges and skips malformed changes and opens', async () => {
    const client = await TestClient.start({ args: ['--delay', '0'] });
    try {
      // A range with its end before its start is applied as the range in order (TextDocument does
      // so); the tree edit said otherwise and corrupted the incremental tree: wrong findings.
      const text = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'examples', 'pitfalls', 'PDS002_nondeterministic_latest_offset.py'), 'utf8');
      let version = 0;
      let doc = TextDocument.create('file:///x.py', 'python', 0, text);
      let uri = '';
      for (const [at, length, insert] of [[1105, 12, 'pass'], [262, 15, 'x'], [213, 15, '(1)']] as const) {
        uri = client.open(`reversed${at}.py`, text);
        await client.diagnostics(uri, 1);
        doc = TextDocument.create(uri, 'python', 1, text);
        const reversed = { start: doc.positionAt(at + length), end: doc.positionAt(at) };
        client.change(uri, 2, [{ range: reversed, text: insert }]);
        doc = TextDocument.update(doc, [{ range: reversed, text: insert }], 2);
        assert.deepEqual(shapeOf(await client.diagnostics(uri, 2)), await expected(doc.getText()), `reversed [${at}, ${at + length})`);
        version = 2;
      }
      // Then ordinary typing on the same tree.
      const at = { line: 4, character: 0 };
      client.change(uri, ++version, [{ range: { start: at, end: at }, text: '    X = 1\n' }]);
      doc = TextDocument.update(doc, [{ range: { start: at, end: at }, text: '    X = 1\n' }], version);
      assert.deepEqual(shapeOf(await client.diagnostics(uri, version)), await expected(doc.getText()));
      // Malformed changes are not applied; the document stays as it was.
      void client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: ++version },
        contentChanges: [{ range: { start: { line: 'a', character: 0 }, end: { line: 0, character: 0 } }, text: 'junk' }, { range: at }, { text: null }],
      });
      assert.deepEqual(shapeOf(await client.diagnostics(uri, version)), await expected(doc.getText()));
      // An open without text is ignored, with one log line.
      void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: client.uri('null.py'), languageId: 'python', version: 1, text: null } });
      await client.waitFor('the log line about the open without text', () => client.logs.find((l) => l.includes('its text is not a string')));
      assert.equal((await client.request<{ openDocuments: number }>('pdsLint/serverInfo', null)).openDocuments, 3);
    } finally {
      await client.stop();
    }
    assert.doesNotMatch(client.logs.join('\n'), /uncaught exception/);
  });

  it('offers no code action from diagnostic data it did not write', async () => {
    const client = await TestClient.start({ args: ['--delay', '0'] });
    try {
      const uri = client.open('data.py', BODY);
      const [d] = (await client.diagnostics(uri, 1)).filter((x) => x.code === 'PDS007');
      const titles = async (data: unknown) => (await client.codeActions(uri, d.range, [{ ...d, data }], ['quickfix'])).map((a) => a.title);
      const good = await titles(d.data);
      assert.equal(good.length, 3, JSON.stringify(good));
      assert.match(good[0], / \(PDS007\)$/);
      assert.deepEqual(good.slice(1), ['Disable PDS007 for this line', 'Show documentation for PDS007']);
      for (const bad of ['a string', null, { version: 1, fix: { title: 3, edits: 'nope' }, noqa: 5 }, { version: 1, fix: { title: 'x', applicability: 'safe', edits: [{ newText: 'x' }] } }, { fix: (d.data as { fix: unknown }).fix }]) {
        assert.deepEqual(await titles(bad), ['Show documentation for PDS007'], JSON.stringify(bad));
      }
    } finally {
      await client.stop();
    }
  });
});

describe('language server: runs nothing', () => {
  it('serves fixtures, edits, hovers, fixes and pyproject.toml without starting a process or thread', { timeout: 120_000 }, async () => {
    const preload = path.resolve(__dirname, '..', 'helpers', 'no-spawn-preload.js');
    const client = await TestClient.start({ args: ['--delay', '0'], nodeArgs: ['--require', preload] });
    try {
      fs.writeFileSync(path.join(client.root, 'pyproject.toml'), '[tool.pds-lint]\nignore = ["PDS018"]\n');
      for (const [i, fixture] of listFixtures().entries()) {
        const text = fs.readFileSync(fixture.file, 'utf8');
        const uri = client.open(`f${i}.py`, text);
        const diagnostics = await client.diagnostics(uri, 1);
        client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
        const edited = await client.diagnostics(uri, 2);
        for (const d of edited.slice(0, 3)) {
          await client.hover(uri, d.range.start);
          await client.codeActions(uri, d.range, [d]);
        }
        await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll.pds']);
        assert.ok(diagnostics.length >= 0);
        client.close(uri);
      }
      await client.request('workspace/executeCommand', { command: 'pdsLint.showDocumentation', arguments: ['PDS002'] });
      await client.request('pdsLint/serverInfo', null);
    } finally {
      await client.stop();
    }
    assert.match(client.stderr, /pds-test: no-spawn guard active/);
    assert.deepEqual(client.stderr.split('\n').filter((l) => l.startsWith('pds-test: spawn')), []);
  });
});
