// Helpers for the end-to-end suites that run inside a real VS Code extension host
// (code-server here and in CI, @vscode/test-electron where VS Code can be downloaded).
'use strict';
const assert = require('assert');
const vscode = require('vscode');

const EXTENSION_ID = 'pds-lint.pds-lint';

/** Polls `fn` until it returns a truthy value; fails with `what` after `timeoutMs`. Never a fixed sleep. */
async function waitFor(what, fn, timeoutMs = 30000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code));
const ours = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'pds');
const withCode = (uri, code) => ours(uri).filter((d) => codeOf(d) === code);

async function extensionApi() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  assert.ok(api && typeof api.serverInfo === 'function', 'the extension exports serverInfo()');
  return { ext, api };
}

function workspaceFile(...parts) {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(folder, 'the e2e workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

/** The pitfall example of a rule, found by its code prefix. */
async function pitfall(code) {
  const dir = workspaceFile('pitfalls');
  const entries = await vscode.workspace.fs.readDirectory(dir);
  const name = entries.map(([n]) => n).find((n) => n.startsWith(`${code}_`) && n.endsWith('.py'));
  assert.ok(name, `no pitfalls/${code}_*.py in the workspace`);
  return vscode.Uri.joinPath(dir, name);
}

async function open(uri) {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  assert.strictEqual(doc.languageId, 'python');
  return doc;
}

async function codeActions(uri, range, kind) {
  return (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind)) || [];
}

module.exports = { EXTENSION_ID, waitFor, codeOf, ours, withCode, extensionApi, workspaceFile, pitfall, open, codeActions };
