// Authoring in a real VS Code: the "Convert to streaming reader" refactor on examples/batch_reader.py,
// and completion of contract methods and offset keys.
'use strict';
const assert = require('assert');
const vscode = require('vscode');
const { waitFor, ours, codeOf, workspaceFile, open, codeActions } = require('./common');

const TITLE = 'Convert to streaming reader (time-range offsets)';

/** Resolves on the next diagnostics change of `uri` (a push, or the answer to a pull). */
function nextDiagnostics(uri) {
  let seen = false;
  const subscription = vscode.languages.onDidChangeDiagnostics((e) => {
    if (e.uris.some((u) => u.toString() === uri.toString())) seen = true;
  });
  return async (what) => {
    try {
      await waitFor(what, () => seen);
    } finally {
      subscription.dispose();
    }
  };
}

const labelOf = (item) => (typeof item.label === 'string' ? item.label : item.label.label);

module.exports = (step) => {
  step('the batch reader converts to a streaming reader that lints clean', async () => {
    const uri = workspaceFile('batch_reader.py');
    const doc = await open(uri);
    const at = doc.positionAt(doc.getText().indexOf('class EventsReader') + 'class '.length);
    const range = new vscode.Range(at, at);
    const action = await waitFor(`the "${TITLE}" action`, async () => (await codeActions(uri, range)).find((a) => a.title === TITLE));
    assert.strictEqual(action.kind && action.kind.value, 'refactor.rewrite');
    const diagnosticsChanged = nextDiagnostics(uri);
    assert.ok(await vscode.workspace.applyEdit(action.edit), 'applyEdit returned false');
    const text = doc.getText();
    for (const expected of [
      /^class EventsStreamReader\(DataSourceStreamReader\):$/m,
      /^class EventsTimeRangePartition\(InputPartition\):$/m,
      /^ {4}def streamReader\(self, schema\):$/m,
      /^class EventsReader\(DataSourceReader\):$/m,
      /^from pyspark\.sql\.datasource import .*DataSourceStreamReader/m,
    ]) {
      assert.match(text, expected);
    }
    // The server has the converted text once it stops offering the action; then its diagnostics are in.
    await waitFor('the action to go once converted', async () => !(await codeActions(uri, range)).some((a) => a.title === TITLE));
    await diagnosticsChanged('diagnostics for the converted file');
    assert.deepStrictEqual(ours(uri).map((d) => `${codeOf(d)} ${d.message}`), []);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  step('completion offers missing contract methods and, after start["], the offset keys', async () => {
    const uri = workspaceFile('completion_reader.py');
    await vscode.workspace.fs.writeFile(
      uri,
      Buffer.from(
        [
          'from pyspark.sql.datasource import DataSourceStreamReader',
          '',
          '',
          'class Reader(DataSourceStreamReader):',
          '    def initialOffset(self):',
          '        return {"ts": "2024-01-01T00:00:00+00:00", "seq": 0}',
          '',
          '    def partitions(self, start, end):',
          '        return []',
          '',
        ].join('\n'),
      ),
    );
    try {
      await completionChecks(uri);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      // Incomplete on purpose: it must not stay in the workspace for later steps.
      await vscode.workspace.fs.delete(uri);
    }
  });
};

async function completionChecks(uri) {
  const doc = await open(uri);
  const editor = vscode.window.activeTextEditor;
  // A new member line at the end of the class.
  const end = new vscode.Position(9, 0);
  assert.ok(await editor.edit((b) => b.insert(end, '\n    ')));
  const memberAt = new vscode.Position(10, 4);
  const members = await waitFor('contract method completions', async () => {
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', uri, memberAt);
    const items = (list && list.items) || [];
    return items.some((i) => labelOf(i) === 'latestOffset') && items;
  });
  const latest = members.find((i) => labelOf(i) === 'latestOffset');
  assert.strictEqual(latest.kind, vscode.CompletionItemKind.Method);
  assert.ok(!members.some((i) => labelOf(i) === 'initialOffset'), 'initialOffset is already defined');

  // Type `lo = start["` in partitions(): the file stops parsing, the keys still come.
  const bodyAt = new vscode.Position(8, 8);
  assert.ok(await editor.edit((b) => b.insert(bodyAt, 'lo = start["\n        ')));
  const keyAt = new vscode.Position(8, 8 + 'lo = start["'.length);
  assert.strictEqual(doc.lineAt(8).text, '        lo = start["');
  const keys = await waitFor('offset key completions', async () => {
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', uri, keyAt, '"');
    const items = (list && list.items) || [];
    return items.some((i) => labelOf(i) === 'ts') && items;
  });
  const labels = keys.filter((i) => i.kind === vscode.CompletionItemKind.Property).map(labelOf);
  assert.deepStrictEqual(labels, ['ts', 'seq']);
  assert.strictEqual(keys.find((i) => labelOf(i) === 'seq').detail, 'seq — int');
  await vscode.commands.executeCommand('workbench.action.files.revert');
}
