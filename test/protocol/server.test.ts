/**
 * The built language server over stdio, spoken to as an editor would: diagnostics after
 * incremental edits, every code action kind, hovers, settings and pyproject.toml changes,
 * broken syntax, pull diagnostics, shutdown.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/engine/analyze';
import { LineIndex } from '../../server/src/engine/source';
import { getParser } from '../helpers/engine';
import { applyTextEdits, editsOf, positionOf, TestClient } from '../helpers/lsp';

const READER = `from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class RangePartition(InputPartition):
    def __init__(self, start, end):
        self.start = start
        self.end = end


class CounterReader(DataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    def latestOffset(self):
        return {"offset": 10}

    def partitions(self, start, end):
        return [RangePartition(start["offset"], end["offset"])]

    def read(self, partition):
        for i in range(partition.start, partition.end):
            yield (i,)

    def commit(self, end):
        pass
`;

/** What a fresh analysis of `text` says, in the shape diagnostics are compared in. */
async function expected(text: string): Promise<string[]> {
  const parser = await getParser();
  const lines = new LineIndex(text);
  return analyze(text, parser).findings.map((f) => {
    const s = lines.positionAt(f.start);
    const e = lines.positionAt(f.end);
    return `${f.code} ${s.line}:${s.character}-${e.line}:${e.character}`;
  });
}

function shapeOf(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`);
}

const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => d.code);

describe('language server over stdio', () => {
  let client: TestClient;
  before(async () => {
    client = await TestClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('announces incremental sync, code actions, hovers and the fix-all kind', () => {
    const caps = client.initializeResult!.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    assert.ok(caps.hoverProvider);
    assert.deepEqual((caps.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds, ['quickfix', 'source.fixAll.pds', 'refactor.rewrite']);
    assert.equal(caps.diagnosticProvider, undefined, 'push diagnostics for a client without pull support');
    assert.equal(client.initializeResult!.serverInfo?.name, 'pds-lint');
  });

  it('publishes diagnostics with code, source, link, data and the document version', async () => {
    const text = READER.replace('def commit(self, end):', 'def commit(self):');
    const uri = client.open('open.py', text);
    const diagnostics = await client.diagnostics(uri, 1);
    assert.deepEqual(shapeOf(diagnostics), await expected(text));
    const d = diagnostics.find((x) => x.code === 'PDS007');
    assert.ok(d);
    assert.equal(d.source, 'pds');
    assert.equal(d.severity, 1);
    assert.match(d.codeDescription!.href, /PDS007\.md$/);
    const at = positionOf(text, 'commit(self):');
    assert.deepEqual(d.range, { start: { line: at.line, character: at.character + 6 }, end: { line: at.line, character: at.character + 12 } });
    assert.ok((d.data as { fix?: unknown }).fix);
    client.close(uri);
  });

  it('carries related information: PDS005 at the key read points at both producers', async () => {
    const text = READER.replace('return [RangePartition(start["offset"], end["offset"])]', 'return [RangePartition(start["position"], end["offset"])]');
    const uri = client.open('related.py', text);
    const diagnostics = await client.diagnostics(uri, 1);
    const d = diagnostics.find((x) => x.code === 'PDS005');
    assert.ok(d, `PDS005 among ${codes(diagnostics).join(', ')}`);
    assert.equal(d.range.start.line, positionOf(text, 'start["position"]').line);
    const lines = new LineIndex(text);
    assert.deepEqual(
      d.relatedInformation?.map((r) => [r.location.uri, text.slice(lines.offsetAt(r.location.range.start), lines.offsetAt(r.location.range.end))]),
      [
        [uri, '{"offset": 0}'],
        [uri, '{"offset": 10}'],
      ],
    );
    client.close(uri);
  });

  it('follows incremental edits that introduce and remove a bug, ending on the right diagnostics', async () => {
    let text = READER;
    const uri = client.open('edits.py', text);
    assert.deepEqual(shapeOf(await client.diagnostics(uri, 1)), await expected(text));
    let version = 1;
    const edit = (from: number, to: number, insert: string) => {
      const lines = new LineIndex(text);
      client.change(uri, ++version, [{ range: { start: lines.positionAt(from), end: lines.positionAt(to) }, text: insert }]);
      text = text.slice(0, from) + insert + text.slice(to);
    };
    // Remove ", end" one keystroke at a time (a burst: only the last version must be right).
    const at = text.indexOf('def commit(self, end)') + 'def commit(self'.length;
    for (let i = 0; i < 5; i++) edit(at + 4 - i, at + 5 - i, '');
    let diagnostics = await client.diagnostics(uri, version);
    assert.ok(codes(diagnostics).includes('PDS007'));
    assert.deepEqual(shapeOf(diagnostics), await expected(text));
    // Two changes in one notification: a comment above, and the parameter back.
    const lines = new LineIndex(text);
    const commitAt = text.indexOf('def commit(self)') + 'def commit(self'.length;
    client.change(uri, ++version, [
      { range: { start: lines.positionAt(commitAt), end: lines.positionAt(commitAt) }, text: ', end' },
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# é 😀 header\n' },
    ]);
    text = `# é 😀 header\n${text.slice(0, commitAt)}, end${text.slice(commitAt)}`;
    diagnostics = await client.diagnostics(uri, version);
    assert.ok(!codes(diagnostics).includes('PDS007'));
    assert.deepEqual(shapeOf(diagnostics), await expected(text));
    // A full-text replacement after incremental ones.
    text = READER.replace('def read(self, partition):', 'def read(self):');
    client.change(uri, ++version, [{ text }]);
    diagnostics = await client.diagnostics(uri, version);
    assert.deepEqual(shapeOf(diagnostics), await expected(text));
    client.close(uri);
  });

  it('offers the fix (preferred), disable for this line, fix all and show documentation, in that order', async () => {
    const text = READER.replace('def commit(self, end):', 'def commit(self):  # noqa: E501').replace('def read(self, partition):', 'def read(self):');
    const uri = client.open('actions.py', text);
    const diagnostics = (await client.diagnostics(uri, 1)).filter((d) => d.code === 'PDS007');
    assert.equal(diagnostics.length, 2);
    const commit = diagnostics.find((d) => d.range.start.line === positionOf(text, 'def commit').line)!;
    const actions = await client.codeActions(uri, commit.range, [commit]);
    assert.deepEqual(
      actions.map((a) => a.title),
      [
        'Change the parameters to `(self, end)` (PDS007)',
        'Disable PDS007 for this line',
        'Fix all PDS007 problems in this file',
        'Show documentation for PDS007',
        'Fix all auto-fixable pds-lint problems',
      ],
    );
    assert.equal(actions[4].kind, 'source.fixAll.pds');
    assert.equal(actions[0].isPreferred, true);
    assert.equal(actions[0].kind, 'quickfix');

    // The fix, applied and re-linted.
    const fixed = applyTextEdits(text, editsOf(actions[0].edit, uri));
    assert.ok(fixed.includes('def commit(self, end):  # noqa: E501'));
    // Disable merges into the other tool's noqa comment.
    const disabled = applyTextEdits(text, editsOf(actions[1].edit, uri));
    assert.ok(disabled.includes('def commit(self):  # noqa: E501, PDS007'), disabled);
    // Fix all: both PDS007 findings.
    const all = applyTextEdits(text, editsOf(actions[2].edit, uri));
    assert.ok(all.includes('def commit(self, end):') && all.includes('def read(self, partition):'));
    for (const [version, next] of [[2, fixed], [3, disabled], [4, all]] as const) {
      client.change(uri, version, [{ text: next }]);
      const after = await client.diagnostics(uri, version);
      assert.deepEqual(shapeOf(after), await expected(next));
    }
    assert.equal(codes(await client.diagnostics(uri, 4)).filter((c) => c === 'PDS007').length, 0);

    // Show documentation asks the editor to open the rule page.
    await client.connection.sendRequest('workspace/executeCommand', { command: actions[3].command!.command, arguments: actions[3].command!.arguments });
    const shown = await client.waitFor('showDocument', () => client.shownDocuments.at(-1));
    assert.match(shown.uri, /PDS007\.md$/);
    client.close(uri);
  });

  it('puts the noqa comment at the end of the line in UTF-16 columns, after an emoji', async () => {
    const text = READER.replace('def commit(self, end):', 'def commit(self):  # 😀 note');
    const uri = client.open('emoji.py', text);
    const d = (await client.diagnostics(uri, 1)).find((x) => x.code === 'PDS007')!;
    const actions = await client.codeActions(uri, d.range, [d]);
    const disable = actions.find((a) => a.title === 'Disable PDS007 for this line')!;
    const [edit] = editsOf(disable.edit, uri);
    const line = text.split('\n')[edit.range.start.line];
    assert.equal(edit.range.start.character, line.length, 'end of the line, counted in UTF-16 units');
    assert.ok(applyTextEdits(text, [edit]).includes('# 😀 note  # noqa: PDS007'));
    client.close(uri);
  });

  it('applies every safe fix for source.fixAll.pds (editor.codeActionsOnSave)', async () => {
    const text = READER.replace('def commit(self, end):', 'def commit(self):').replace('def read(self, partition):', 'def read(self):');
    const uri = client.open('fixall.py', text);
    await client.diagnostics(uri, 1);
    const actions = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll']);
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'source.fixAll.pds');
    const fixed = applyTextEdits(text, editsOf(actions[0].edit, uri));
    const parser = await getParser();
    assert.deepEqual(analyze(fixed, parser).findings.filter((f) => f.fix?.applicability === 'safe').map((f) => f.code), []);
    const none = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['quickfix']);
    assert.ok(none.every((a) => a.kind === 'quickfix'));
    client.close(uri);
  });

  it('explains contract methods on hover, with the inferred offset shape', async () => {
    const uri = client.open('hover.py', READER);
    await client.diagnostics(uri, 1);
    const hover = await client.hover(uri, positionOf(READER, 'latestOffset'));
    const value = (hover?.contents as { value: string }).value;
    assert.match(value, /latestOffset/);
    assert.match(value, /driver/);
    assert.match(value, /Offset returned here: dict \{`offset`: int\}/);
    const read = await client.hover(uri, positionOf(READER, 'read(self'));
    assert.match((read?.contents as { value: string }).value, /executor/);
    assert.equal(await client.hover(uri, positionOf(READER, 'RangePartition')), null);
    client.close(uri);
  });

  it('re-lints open files when settings change, and reports a bad setting once', async () => {
    const text = READER.replace('def commit(self, end):', 'def commit(self):');
    const uri = client.open('settings.py', text);
    assert.equal((await client.diagnostics(uri, 1)).find((d) => d.code === 'PDS007')?.severity, 1);
    client.published.delete(uri);
    client.settings = { severity: { PDS007: 'hint' }, run: 'sometimes' };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const hinted = await client.diagnostics(uri, 1);
    assert.equal(hinted.find((d) => d.code === 'PDS007')?.severity, 4);
    const warnings = client.messages.filter((m) => m.message.includes('pdsLint.run'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /"sometimes" is not valid/);
    client.published.delete(uri);
    client.settings = { select: ['PDS006'] };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(codes(await client.diagnostics(uri, 1)).filter((c) => c === 'PDS007'), []);
    client.settings = {};
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    client.close(uri);
  });

  it('re-lints when a pyproject.toml changes', async () => {
    const text = READER.replace('def commit(self, end):', 'def commit(self):');
    const uri = client.open('proj.py', text);
    assert.ok(codes(await client.diagnostics(uri, 1)).includes('PDS007'));
    const pyproject = path.join(client.root, 'pyproject.toml');
    fs.writeFileSync(pyproject, '[tool.pds-lint]\nignore = ["PDS007"]\n');
    client.published.delete(uri);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(pyproject).href, type: 1 }] });
    assert.ok(!codes(await client.diagnostics(uri, 1)).includes('PDS007'));
    fs.writeFileSync(pyproject, '[tool.pds-lint]\nignore = ["NOT A CODE"]\n');
    client.published.delete(uri);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(pyproject).href, type: 2 }] });
    assert.ok(codes(await client.diagnostics(uri, 1)).includes('PDS007'), 'a bad pyproject falls back to the editor settings');
    await client.waitFor('a message about the bad pyproject.toml', () => client.messages.find((m) => m.message.includes('pyproject.toml') && m.message.includes('NOT A CODE')));
    fs.rmSync(pyproject);
    client.close(uri);
  });

  it('keeps serving a document with broken syntax and reports its intact classes', async () => {
    const text = `${READER.replace('def commit(self, end):', 'def commit(self):')}\n\nclass Half(DataSourceStreamReader):\n    def partitions(self, start,\n        return [\n`;
    const uri = client.open('broken.py', text);
    const diagnostics = await client.diagnostics(uri, 1);
    assert.deepEqual(shapeOf(diagnostics), await expected(text));
    assert.ok(codes(diagnostics).includes('PDS007'));
    assert.ok(await client.hover(uri, positionOf(text, 'latestOffset')));
    client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ')]}"""\n' }]);
    assert.ok(Array.isArray(await client.diagnostics(uri, 2)));
    client.close(uri);
  });

  it('ignores files that are not Python and answers requests for closed documents', async () => {
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: client.uri('notes.md'), languageId: 'markdown', version: 1, text: '# notes' } });
    assert.deepEqual(await client.codeActions(client.uri('closed.py'), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, []), []);
    assert.equal(await client.hover(client.uri('closed.py'), { line: 0, character: 0 }), null);
    assert.equal(client.published.has(client.uri('notes.md')), false);
  });
});

describe('language server with pull diagnostics', () => {
  it('answers textDocument/diagnostic, with unchanged results for the same version', async () => {
    const client = await TestClient.start({ pull: true });
    try {
      assert.ok(client.initializeResult!.capabilities.diagnosticProvider);
      const text = READER.replace('def commit(self, end):', 'def commit(self):');
      const uri = client.open('pull.py', text);
      const report = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { kind: string; resultId: string; items: Diagnostic[] };
      assert.equal(report.kind, 'full');
      assert.deepEqual(shapeOf(report.items), await expected(text));
      const again = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: report.resultId })) as { kind: string };
      assert.equal(again.kind, 'unchanged');
      client.change(uri, 2, [{ text: READER }]);
      const changed = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: report.resultId })) as { kind: string; items: Diagnostic[] };
      assert.equal(changed.kind, 'full');
      assert.deepEqual(shapeOf(changed.items), await expected(READER));
      client.settings = { severity: { PDS007: 'off' } };
      const refreshes = client.refreshes;
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await client.waitFor('a diagnostic refresh request', () => (client.refreshes > refreshes ? true : undefined));
      // Same document version, new settings: the pulled result must not be "unchanged".
      const refreshed = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: report.resultId })) as { kind: string; items: Diagnostic[] };
      assert.equal(refreshed.kind, 'full');
      client.change(uri, 3, [{ text }]);
      const withSetting = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] };
      assert.deepEqual(codes(withSetting.items).filter((c) => c === 'PDS007'), [], 'PDS007 is off');
      const report2 = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { resultId: string };
      client.settings = {};
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await client.waitFor('a second refresh', () => (client.refreshes > refreshes + 1 ? true : undefined));
      const back = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: report2.resultId })) as { kind: string; items: Diagnostic[] };
      assert.equal(back.kind, 'full');
      assert.ok(codes(back.items).includes('PDS007'));
    } finally {
      await client.stop();
    }
  });
});

describe('language server with pull diagnostics, settings changing during a pull', () => {
  it('never answers "unchanged" with diagnostics computed from the settings before the change', async () => {
    const client = await TestClient.start({ pull: true });
    try {
      const text = READER.replace('def commit(self, end):', 'def commit(self):');
      const uri = client.open('race.py', text);
      let release!: () => void;
      client.configurationGate = new Promise<void>((resolve) => (release = resolve));
      // A pull that waits for the (old) settings while the user changes them.
      const stale = client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } }) as Promise<{ kind: string; resultId: string; items: Diagnostic[] }>;
      await new Promise((resolve) => setTimeout(resolve, 100));
      client.settings = { severity: { PDS007: 'off' } };
      const refreshes = client.refreshes;
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await client.waitFor('a diagnostic refresh request', () => (client.refreshes > refreshes ? true : undefined));
      release();
      const first = await stale;
      assert.ok(codes(first.items).includes('PDS007'), 'the pull in flight was answered with the settings it asked for');
      // The pull that follows the refresh sends the stale result id: it must get the new settings.
      const fresh = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId })) as { kind: string; items: Diagnostic[] };
      assert.equal(fresh.kind, 'full');
      assert.deepEqual(codes(fresh.items).filter((c) => c === 'PDS007'), [], 'PDS007 is off after the change');
    } finally {
      await client.stop();
    }
  });
});

describe('language server lifecycle', () => {
  it('shuts down and exits with code 0', async () => {
    const client = await TestClient.start();
    assert.equal(await client.stop(), 0);
  });
});
