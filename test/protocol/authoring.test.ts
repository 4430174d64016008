/**
 * Authoring through the built server over stdio: completion of contract methods and of offset
 * keys (also while the line being typed is a syntax error), and the "Convert to streaming
 * reader" refactor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CompletionItem, Position, TextEdit } from 'vscode-languageserver-protocol';
import { BATCH_EXAMPLE } from '../helpers/batchReaders';
import { applyTextEdits, editsOf, positionOf, TestClient } from '../helpers/lsp';

/** The text a snippet inserts with every placeholder left as it is. */
function snippetText(snippet: string): string {
  return snippet.replace(/\\([\\$}])|\$\{\d+:((?:\\.|[^}\\])*)\}|\$\d+/g, (_, escaped: string | undefined, placeholder: string | undefined) =>
    escaped ?? (placeholder ?? '').replace(/\\([\\$}])/g, '$1'),
  );
}

/** Applies a completion item (its text edit and additional edits) to `text`. */
function accept(text: string, item: CompletionItem): string {
  const main = item.textEdit as TextEdit;
  const newText = item.insertTextFormat === 2 ? snippetText(main.newText) : main.newText;
  return applyTextEdits(text, [{ range: main.range, newText }, ...(item.additionalTextEdits ?? [])]);
}

const READER = `from pyspark.sql.datasource import DataSourceStreamReader


class EventReader(DataSourceStreamReader):
    def initialOffset(self):
        return {"ts": "2024-01-01T00:00:00+00:00", "seq": 0}

    def partitions(self, start, end):
        return []
`;

function endOf(text: string): Position {
  const lines = text.split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

describe('authoring over the protocol', () => {
  let client: TestClient;
  before(async () => {
    client = await TestClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('announces completion with quote and bracket triggers, and refactor code actions', () => {
    const caps = client.initializeResult!.capabilities;
    assert.deepEqual(caps.completionProvider, { triggerCharacters: ['"', "'", '['], resolveProvider: false });
    assert.ok((caps.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds.includes('refactor.rewrite'));
  });

  it('completes the missing contract methods as snippets with the contract as documentation', async () => {
    const text = `${READER}\n    `;
    const uri = client.open('members.py', text);
    await client.diagnostics(uri, 1);
    const items = await client.completion(uri, endOf(text));
    assert.deepEqual(items.map((i) => [i.label, i.labelDetails?.description ?? '']), [
      ['latestOffset', ''],
      ['latestOffset', 'Spark 4.2'],
      ['read', ''],
      ['commit', ''],
      ['stop', ''],
    ]);
    const latest = items[0];
    assert.equal(latest.kind, 2 /* Method */);
    assert.equal(latest.detail, 'latestOffset(self) -> dict');
    assert.equal(latest.insertTextFormat, 2 /* Snippet */);
    assert.equal(latest.insertTextMode, 1 /* asIs */);
    assert.match((latest.documentation as { value: string }).value, /^Runs on the driver\. Called on every trigger/);
    assert.equal((latest.textEdit as TextEdit).newText, [
      'def latestOffset(self):',
      '        # Every trigger: the newest offset at the source (same value: no new data).',
      '        return {"ts": ${1:""}, "seq": ${2:0}\\}',
    ].join('\n'));
    assert.equal(items[1].detail, 'latestOffset(self, start: dict, limit: ReadLimit) -> dict   (Spark 4.2)');
    assert.deepEqual(items[1].labelDetails, { detail: '(self, start: dict, limit: ReadLimit)', description: 'Spark 4.2' });
    client.close(uri);
  });

  it('completes a whole stream reader from its items into a file with no diagnostics', async () => {
    let text = `from pyspark.sql.datasource import DataSourceStreamReader


class Ticks(DataSourceStreamReader):
    `;
    const uri = client.open('complete.py', text);
    let version = 1;
    for (;;) {
      const items = await client.completion(uri, endOf(text));
      if (!items.length) break;
      text = `${accept(text, items[0])}\n\n    `;
      client.change(uri, ++version, [{ text }]);
    }
    text = text.trimEnd() + '\n';
    client.change(uri, ++version, [{ text }]);
    assert.match(text, /def initialOffset\(self\):[\s\S]*def latestOffset\(self\):[\s\S]*def partitions\(self, start: dict, end: dict\):[\s\S]*def read\(self, partition\):[\s\S]*def commit\(self, end: dict\):[\s\S]*def stop\(self\):/);
    assert.match(text, /^from pyspark\.sql\.datasource import DataSourceStreamReader, InputPartition$/m);
    assert.deepEqual(await client.diagnostics(uri, version), []);
    client.close(uri);
  });

  it('completes offset keys while the line being typed is a syntax error', async () => {
    const uri = client.open('keys.py', READER);
    await client.diagnostics(uri, 1);
    // Type `lo = start["` at the start of partitions(): the file no longer parses.
    const at = positionOf(READER, '        return []');
    client.change(uri, 2, [{ range: { start: at, end: at }, text: '        lo = start["\n' }]);
    const cursor = { line: at.line, character: '        lo = start["'.length };
    const items = await client.completion(uri, cursor, '"');
    assert.deepEqual(items.map((i) => [i.label, i.detail, (i.textEdit as TextEdit).newText]), [
      ['ts', 'ts — str', 'ts"]'],
      ['seq', 'seq — int', 'seq"]'],
    ]);
    assert.equal(items[0].kind, 10 /* Property */);
    assert.match((items[0].documentation as { value: string }).value, /written by `initialOffset`/);
    const diagnostics = await client.diagnostics(uri, 2);
    assert.ok(diagnostics.every((d) => d.source === 'pds'));
    // With the quote closed by the editor, only the key goes in.
    client.change(uri, 3, [{ range: { start: cursor, end: cursor }, text: '"]' }]);
    const closed = await client.completion(uri, cursor, '"');
    assert.deepEqual(closed.map((i) => (i.textEdit as TextEdit).newText), ['ts', 'seq']);
    // Elsewhere a quote completes nothing.
    assert.deepEqual(await client.completion(uri, { line: 4, character: 'class EventReader(DataSourceStreamReader):'.length }, '"'), []);
    client.close(uri);
  });

  it('adds imports at the right place from the kept analysis, and re-analyses once the imports changed', async () => {
    const text = `from pyspark.sql.datasource import DataSourceStreamWriter\n\n\nclass Sink(DataSourceStreamWriter):\n    def commit(self, messages, batchId):\n        pass\n`;
    const uri = client.open('kept.py', text);
    await client.diagnostics(uri, 1);
    // Versions 2 and 3 are not analysed before the completions come (the lint delay has not passed).
    const v2 = `${text}\n    `;
    client.change(uri, 2, [{ text: v2 }]);
    const [write] = await client.completion(uri, endOf(v2));
    assert.equal(write.label, 'write');
    assert.match(accept(v2, write), /^from pyspark\.sql\.datasource import DataSourceStreamWriter, WriterCommitMessage\n/);
    const v3 = `"""Sinks."""\nimport json\n${v2}`;
    client.change(uri, 3, [{ text: v3 }]);
    const [again] = await client.completion(uri, endOf(v3));
    assert.match(accept(v3, again), /^"""Sinks\."""\nimport json\nfrom pyspark\.sql\.datasource import DataSourceStreamWriter, WriterCommitMessage\n/);
    client.close(uri);
  });

  it('serves plain text with relative indentation to a client without snippets', async () => {
    const plain = await TestClient.start({ completion: {} });
    try {
      const text = `from pyspark.sql.datasource import DataSourceStreamWriter\n\n\nclass Sink(DataSourceStreamWriter):\n    `;
      const uri = plain.open('plain.py', text);
      const [write] = await plain.completion(uri, endOf(text));
      assert.equal(write.label, 'write');
      assert.equal(write.insertTextFormat, 1 /* PlainText */);
      assert.equal(write.insertTextMode, undefined);
      assert.equal(write.labelDetails, undefined);
      assert.equal((write.textEdit as TextEdit).newText, [
        'def write(self, iterator):',
        '    # On executors, again on retries: make writes idempotent, let errors raise.',
        '    for row in iterator:',
        '        pass',
        '    return WriterCommitMessage()',
      ].join('\n'));
      assert.deepEqual(write.additionalTextEdits?.map((e) => e.newText), [', WriterCommitMessage']);
    } finally {
      await plain.stop();
    }
  });

  it('converts a batch reader to a streaming reader with a refactor code action', async () => {
    const uri = client.open('batch_reader.py', BATCH_EXAMPLE);
    assert.deepEqual(await client.diagnostics(uri, 1), []);
    const onClass = positionOf(BATCH_EXAMPLE, 'EventsReader(DataSourceReader)');
    const actions = await client.codeActions(uri, { start: onClass, end: onClass }, []);
    const convert = actions.find((a) => a.title === 'Convert to streaming reader (time-range offsets)');
    assert.ok(convert, `actions: ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.equal(convert.kind, 'refactor.rewrite');
    // Also from the DataSource, and not among the quick fixes.
    const onSource = positionOf(BATCH_EXAMPLE, 'return "events"');
    assert.ok((await client.codeActions(uri, { start: onSource, end: onSource }, [])).some((a) => a.title === convert.title));
    assert.ok(!(await client.codeActions(uri, { start: onClass, end: onClass }, [], ['quickfix'])).some((a) => a.title === convert.title));
    assert.ok((await client.codeActions(uri, { start: onClass, end: onClass }, [], ['refactor'])).some((a) => a.title === convert.title));

    const converted = applyTextEdits(BATCH_EXAMPLE, editsOf(convert.edit, uri));
    assert.match(converted, /class EventsStreamReader\(DataSourceStreamReader\):/);
    assert.match(converted, /def streamReader\(self, schema\):/);
    client.change(uri, 2, [{ text: converted }]);
    assert.deepEqual(await client.diagnostics(uri, 2), []);
    const again = await client.codeActions(uri, { start: onClass, end: onClass }, []);
    assert.ok(!again.some((a) => a.title === convert.title), 'offered again after the conversion');
    client.close(uri);
  });
});
