// Runs with pds-lint installed from its packaged VSIX (not from the source tree): proves the
// package is complete and that the native tree-sitter binding loads from it.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { waitFor, withCode, extensionApi, pitfall, open } = require('./common');

async function run() {
  const { ext, api } = await extensionApi();
  const repo = path.resolve(__dirname, '..', '..', '..');
  assert.ok(!ext.extensionPath.startsWith(repo), `expected the installed VSIX, got the development copy at ${ext.extensionPath}`);
  const info = await waitFor('the server to answer serverInfo', () => api.serverInfo());
  console.log(`installed at ${ext.extensionPath}; server ${info.version}, parser ${info.parserBackend}`);
  assert.strictEqual(info.parserBackend, 'native', `the packaged native binding did not load: ${info.fallbackReason}`);
  const uri = await pitfall('PDS020');
  await open(uri);
  const [d] = await waitFor('a PDS020 diagnostic from the installed extension', () => withCode(uri, 'PDS020').length && withCode(uri, 'PDS020'));
  assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
  // The declarative contributions ship too: snippet files, grammars, the language configuration.
  const contributes = ext.packageJSON.contributes;
  const shipped = [
    ...(contributes.snippets || []).map((s) => s.path),
    ...(contributes.grammars || []).map((g) => g.path),
    ...(contributes.languages || []).map((l) => l.configuration).filter(Boolean),
  ];
  assert.ok(shipped.length >= 4, `contributions: ${JSON.stringify(shipped)}`);
  for (const rel of shipped) assert.ok(fs.existsSync(path.join(ext.extensionPath, rel)), `the VSIX lacks ${rel}`);
  // The dry-run harness ships in the VSIX, found by the bundled client next to dist/.
  assert.ok(fs.existsSync(path.join(ext.extensionPath, 'server', 'dryrun', 'pds_dry_run.py')), 'the VSIX has server/dryrun/pds_dry_run.py');
  const summary = await vscode.commands.executeCommand('pdsLint.dryRun', vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'jsonl_source.py'), undefined, { interactive: false, showReport: false });
  assert.ok(summary && summary.exitCode === 0 && summary.rows === 50, `dry run from the VSIX: ${JSON.stringify(summary)}`);
  console.log('vsix suite passed');
}

module.exports = { run };
