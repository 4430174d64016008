// The end-to-end suite: the extension in a real VS Code, on a copy of examples/ as the workspace.
// The extension host calls run(); the runner exits 0 when it resolves, non-zero when it rejects.
'use strict';
const assert = require('assert');
const vscode = require('vscode');
const { waitFor, codeOf, ours, withCode, extensionApi, workspaceFile, pitfall, open, codeActions } = require('./common');

const steps = [];
function step(name, fn) {
  steps.push({ name, fn });
}

step('the extension activates and its server runs with the native parser', async () => {
  const { api } = await extensionApi();
  const info = await waitFor('the server to answer serverInfo', () => api.serverInfo());
  console.log(`server ${info.version}, parser ${info.parserBackend}`);
  assert.strictEqual(info.parserBackend, 'native', `the native binding did not load: ${info.fallbackReason}`);
});

step('pitfall files get their diagnostics, with source, code and documentation link', async () => {
  const uri = await pitfall('PDS020');
  await open(uri);
  const [d] = await waitFor('a PDS020 diagnostic', () => withCode(uri, 'PDS020').length && withCode(uri, 'PDS020'));
  assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
  assert.ok(typeof d.code === 'object' && /PDS020\.md$/.test(String(d.code.target)), `documentation link: ${JSON.stringify(d.code)}`);
});

step('a quick fix from the menu removes the finding', async () => {
  const uri = await pitfall('PDS020');
  const doc = await open(uri);
  const [d] = await waitFor('a PDS020 diagnostic', () => withCode(uri, 'PDS020').length && withCode(uri, 'PDS020'));
  const actions = await codeActions(uri, d.range, vscode.CodeActionKind.QuickFix.value);
  const titles = actions.map((a) => a.title);
  const fix = actions.find((a) => a.isPreferred && a.title.endsWith('(PDS020)'));
  assert.ok(fix, `no preferred PDS020 fix; menu: ${JSON.stringify(titles)}`);
  for (const expected of ['Disable PDS020 for this line', 'Show documentation for PDS020']) assert.ok(titles.includes(expected), `menu lacks "${expected}": ${JSON.stringify(titles)}`);
  assert.ok(await vscode.workspace.applyEdit(fix.edit), 'applyEdit returned false');
  assert.match(doc.getText(), /return WriterCommitMessage\(\)/);
  await waitFor('PDS020 to clear after the fix', () => withCode(uri, 'PDS020').length === 0);
  await vscode.commands.executeCommand('workbench.action.files.revert');
});

step('"Disable for this line" adds a noqa comment and the finding goes', async () => {
  const uri = await pitfall('PDS018');
  const doc = await open(uri);
  const [d] = await waitFor('a PDS018 diagnostic', () => withCode(uri, 'PDS018').length && withCode(uri, 'PDS018'));
  const line = d.range.start.line;
  const actions = await codeActions(uri, d.range, vscode.CodeActionKind.QuickFix.value);
  const disable = actions.find((a) => a.title === 'Disable PDS018 for this line');
  assert.ok(disable, `menu: ${JSON.stringify(actions.map((a) => a.title))}`);
  assert.ok(await vscode.workspace.applyEdit(disable.edit));
  assert.match(doc.lineAt(line).text, /# noqa: PDS018$/);
  await waitFor('PDS018 to be suppressed', () => withCode(uri, 'PDS018').length === 0);
  await vscode.commands.executeCommand('workbench.action.files.revert');
});

step('source.fixAll.pds applies every safe fix in the file', async () => {
  const uri = await pitfall('PDS020');
  const doc = await open(uri);
  await waitFor('a PDS020 diagnostic', () => withCode(uri, 'PDS020').length);
  const whole = new vscode.Range(0, 0, doc.lineCount, 0);
  const actions = await codeActions(uri, whole, 'source.fixAll.pds');
  const fixAll = actions.find((a) => a.kind && a.kind.value === 'source.fixAll.pds');
  assert.ok(fixAll, `no source.fixAll.pds action: ${JSON.stringify(actions.map((a) => a.title))}`);
  assert.ok(await vscode.workspace.applyEdit(fixAll.edit));
  await waitFor('PDS020 to clear after fix-all', () => withCode(uri, 'PDS020').length === 0);
  await vscode.commands.executeCommand('workbench.action.files.revert');
});

step('hovering a contract method explains where Spark calls it', async () => {
  const uri = workspaceFile('hover_reader.py');
  await vscode.workspace.fs.writeFile(
    uri,
    Buffer.from(
      'from pyspark.sql.datasource import DataSourceStreamReader\n\n\nclass Reader(DataSourceStreamReader):\n    def latestOffset(self):\n        return {"offset": 1}\n',
    ),
  );
  const doc = await open(uri);
  const position = doc.positionAt(doc.getText().indexOf('latestOffset') + 2);
  const hovers = await waitFor('a hover', async () => {
    const h = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, position);
    return h && h.length && h;
  });
  const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  assert.match(text, /runs on the \*\*driver\*\*/);
  assert.match(text, /Offset returned here: dict \{`offset`: int\}/);
});

step('changing pdsLint.severity changes the severity shown', async () => {
  const uri = await pitfall('PDS018');
  await open(uri);
  await waitFor('a PDS018 diagnostic', () => withCode(uri, 'PDS018').length);
  const config = vscode.workspace.getConfiguration('pdsLint');
  await config.update('severity', { PDS018: 'error' }, vscode.ConfigurationTarget.Workspace);
  try {
    await waitFor('PDS018 shown as an error', () => withCode(uri, 'PDS018').every((d) => d.severity === vscode.DiagnosticSeverity.Error) && withCode(uri, 'PDS018').length);
  } finally {
    await config.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
  }
  await waitFor('PDS018 back to information', () => withCode(uri, 'PDS018').some((d) => d.severity === vscode.DiagnosticSeverity.Information));
});

step('the correct examples stay clean', async () => {
  const folder = vscode.workspace.workspaceFolders[0].uri;
  const files = (await vscode.workspace.fs.readDirectory(folder)).filter(([n, t]) => t === vscode.FileType.File && n.endsWith('.py') && n !== 'hover_reader.py');
  assert.ok(files.length > 0, 'no examples in the workspace');
  for (const [name] of files) {
    const uri = vscode.Uri.joinPath(folder, name);
    await open(uri);
    // Wait until the server has answered for this document: a clean file publishes an empty list,
    // so give it until a pitfall opened after it shows its diagnostics.
    const probe = await pitfall('PDS020');
    await open(probe);
    await waitFor('diagnostics for the probe', () => withCode(probe, 'PDS020').length);
    assert.deepStrictEqual(ours(uri).map((d) => `${codeOf(d)} ${d.message}`), [], `${name} should have no findings`);
  }
});

// Feature suites add their steps in test/e2e/suite/*.steps.js: `module.exports = (step) => { step(name, fn) ... }`.
const fs = require('fs');
const path = require('path');
for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.steps.js')).sort()) {
  require(path.join(__dirname, file))(step);
}

async function run() {
  const started = Date.now();
  for (const { name, fn } of steps) {
    const t0 = Date.now();
    try {
      await fn();
    } catch (err) {
      console.error(`FAIL ${name}: ${err.message}`);
      throw err;
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    console.log(`ok ${name} (${Date.now() - t0} ms)`);
  }
  console.log(`e2e suite: ${steps.length} passed in ${Date.now() - started} ms`);
}

module.exports = { run };
