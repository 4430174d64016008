// Snippets and the checkpoint language in a real VS Code: every pds- snippet, inserted through the
// editor into a new Python file and saved, gets no pds diagnostics; the completion list at a typed
// prefix offers the snippet; checkpoint files open as spark-checkpoint, Python files beside them
// stay Python.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { waitFor, codeOf, ours, withCode, extensionApi, workspaceFile, open } = require('./common');

/** The snippets the extension contributes for Python, read from its own snippet files. */
async function contributedSnippets() {
  const { ext } = await extensionApi();
  const out = [];
  for (const contribution of ext.packageJSON.contributes.snippets || []) {
    if (contribution.language !== 'python') continue;
    const data = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, contribution.path), 'utf8'));
    for (const [name, s] of Object.entries(data)) {
      out.push({ name, prefix: s.prefix, body: Array.isArray(s.body) ? s.body.join('\n') : s.body });
    }
  }
  assert.ok(out.length > 0, 'the extension contributes no Python snippets');
  return out;
}

/** A file that PDS020 reports: when its finding goes, the server has answered for the new text. */
const WRITER_WITHOUT_MESSAGE = [
  'from pyspark.sql.datasource import DataSourceStreamWriter',
  '',
  '',
  'class Writer(DataSourceStreamWriter):',
  '    def write(self, iterator):',
  '        for row in iterator:',
  '            print(row)',
  '',
].join('\n');

/** For a method snippet: a reader that lacks `read` (PDS006) until the snippet adds it at the end. */
const READER_WITHOUT_READ = [
  'from pyspark.sql.datasource import DataSourceStreamReader, InputPartition',
  '',
  '',
  'class Reader(DataSourceStreamReader):',
  '    def initialOffset(self):',
  '        return {"offset": 0}',
  '',
  '    def latestOffset(self):',
  '        return {"offset": 0}',
  '',
  '    def partitions(self, start, end):',
  '        return [InputPartition(start["offset"])]',
  '',
  '    def fetch_partition(self, partition):',
  '        yield (partition.value,)',
  '',
  '    ',
].join('\n');

module.exports = (step) => {
  step('every snippet inserted into a new file and saved gets no pds diagnostics', async () => {
    const snippets = await contributedSnippets();
    for (const s of snippets) {
      // A whole-module snippet replaces a file PDS020 reports; a method goes at the end of a
      // reader PDS006 reports for lacking it. The finding going away proves the server answered
      // for the text with the snippet.
      const method = s.body.startsWith('def ');
      const [placeholder, probe] = method ? [READER_WITHOUT_READ, 'PDS006'] : [WRITER_WITHOUT_MESSAGE, 'PDS020'];
      const uri = workspaceFile('snippets', `${s.prefix.replace(/-/g, '_')}.py`);
      await vscode.workspace.fs.writeFile(uri, Buffer.from(placeholder));
      const doc = await open(uri);
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor && editor.document === doc);
      await waitFor(`${probe} on the file before ${s.prefix}`, () => withCode(uri, probe).length);
      const end = doc.lineAt(doc.lineCount - 1).range.end;
      const where = method ? new vscode.Range(end, end) : new vscode.Range(new vscode.Position(0, 0), end);
      assert.ok(await editor.insertSnippet(new vscode.SnippetString(s.body), where), `insertSnippet ${s.prefix}`);
      assert.ok(await doc.save(), `save ${s.prefix}`);
      const firstLine = s.body.split('\n')[0];
      assert.ok(doc.getText().includes(firstLine), `${s.prefix}: the snippet was inserted`);
      assert.strictEqual(doc.getText().includes('print(row)'), false, `${s.prefix}: the snippet replaced the file`);
      await waitFor(`the server to answer for ${s.prefix}`, () => withCode(uri, probe).length === 0);
      const found = ours(uri).map((d) => `${codeOf(d)} line ${d.range.start.line + 1}: ${d.message}`);
      assert.deepStrictEqual(found, [], `${s.prefix} (${s.name}) should lint clean:\n${doc.getText()}`);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });

  step('the completion list at a typed prefix offers the snippets', async () => {
    const snippets = await contributedSnippets();
    const uri = workspaceFile('snippets', 'completion_probe.py');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('import json\n\n\n'));
    const doc = await open(uri);
    const editor = vscode.window.activeTextEditor;
    for (const typed of ['pds', 'pds-stream']) {
      await editor.edit((e) => e.replace(new vscode.Range(3, 0, doc.lineCount, 0), typed));
      const position = new vscode.Position(3, typed.length);
      const expected = snippets.filter((s) => s.prefix.startsWith(typed)).map((s) => s.prefix);
      assert.ok(expected.length > 0);
      const labels = await waitFor(`completions for "${typed}"`, async () => {
        const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', uri, position);
        const items = (list && list.items) || [];
        const snippetLabels = items
          .filter((i) => i.kind === vscode.CompletionItemKind.Snippet)
          .map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
        return expected.every((p) => snippetLabels.includes(p)) && snippetLabels;
      });
      for (const p of expected) assert.ok(labels.includes(p), `"${typed}" should offer ${p}: ${JSON.stringify(labels)}`);
    }
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  step('checkpoint offsets and commits files open as spark-checkpoint, Python beside them stays Python', async () => {
    const files = {
      'checkpoint/offsets/0': 'v1\n{"batchWatermarkMs":0,"batchTimestampMs":1717243200000,"conf":{"spark.sql.shuffle.partitions":"200"}}\n{"ts": "2024-06-01T12:00:00+00:00"}\n',
      'checkpoint/offsets/1234567': 'v1\n{"batchWatermarkMs":0,"batchTimestampMs":1717243260000}\n-\n',
      'checkpoint/commits/0': 'v1\n{"nextBatchWatermarkMs":0}\n',
      'checkpoint/offsets/1_notes.py': '# notes\n',
    };
    for (const [rel, text] of Object.entries(files)) await vscode.workspace.fs.writeFile(workspaceFile(...rel.split('/')), Buffer.from(text));
    for (const rel of ['checkpoint/offsets/0', 'checkpoint/offsets/1234567', 'checkpoint/commits/0']) {
      const doc = await vscode.workspace.openTextDocument(workspaceFile(...rel.split('/')));
      assert.strictEqual(doc.languageId, 'spark-checkpoint', rel);
    }
    const py = await vscode.workspace.openTextDocument(workspaceFile('checkpoint', 'offsets', '1_notes.py'));
    assert.strictEqual(py.languageId, 'python', 'a .py file in an offsets folder stays Python');
  });
};
