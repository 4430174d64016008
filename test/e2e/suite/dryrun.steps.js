// The dry run in a real VS Code: the "Dry run" lens, then `pdsLint.dryRun` on the
// inclusive-boundaries example (file, class and options passed as arguments, so no input box),
// whose confirmed PDS001 appears as a diagnostic and goes when the file changes; the correct
// example gives none. The workspace is a copy of examples/ (trusted: --disable-workspace-trust).
'use strict';
const assert = require('assert');
const vscode = require('vscode');
const { waitFor, codeOf, workspaceFile, open } = require('./common');

const dryRunDiagnostics = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'pds (dry run)');

module.exports = (step) => {
  step('a "Dry run" lens sits above the stream source classes', async () => {
    const uri = workspaceFile('pitfalls', 'inclusive_boundaries_jsonl.py');
    await open(uri);
    const lenses = await waitFor('the dry-run lenses', async () => {
      const found = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri);
      const ours = (found || []).filter((l) => l.command && l.command.command === 'pdsLint.dryRun');
      return ours.length >= 2 && ours;
    });
    assert.deepStrictEqual(lenses.map((l) => l.command.arguments[1]).sort(), ['InclusiveJsonlReader', 'InclusiveJsonlSource']);
    assert.ok(vscode.workspace.isTrusted, 'the e2e workspace is trusted');
  });

  step('pdsLint.dryRun confirms the duplicated rows as a PDS001 diagnostic, cleared by an edit', async () => {
    const uri = workspaceFile('pitfalls', 'inclusive_boundaries_jsonl.py');
    const doc = await open(uri);
    // The static PDS001 first: the confirmed finding is then shown at its place.
    await waitFor('the static PDS001', () => vscode.languages.getDiagnostics(uri).some((x) => x.source === 'pds' && codeOf(x) === 'PDS001'));
    const summary = await vscode.commands.executeCommand('pdsLint.dryRun', uri, 'InclusiveJsonlSource', { batches: 3, options: { rows_per_partition: '5' }, interactive: false });
    assert.ok(summary, 'the command returns a summary');
    assert.strictEqual(summary.exitCode, 1, JSON.stringify(summary));
    assert.strictEqual(summary.batches, 3);
    const [d] = await waitFor('a confirmed PDS001 diagnostic', () => {
      const found = dryRunDiagnostics(uri).filter((x) => codeOf(x) === 'PDS001');
      return found.length && found;
    });
    assert.match(d.message, /^5 rows were returned twice \(compared by value\): \(5, 2024-01-01T00:03:05\+00:00, 'ana', 'purchase', 65\.25\) in batch 1 partition 1 and batch 1 partition 2/);
    assert.match(d.message, /\(confirmed by a dry run\)$/);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    // Where the static PDS001 reports the pitfall in that class (the assignment that makes the
    // ranges meet), else the `partitions` def.
    const line = doc.lineAt(d.range.start.line).text;
    const statics = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'pds' && codeOf(x) === 'PDS001');
    if (statics.length) assert.deepStrictEqual(d.range.start, statics[0].range.start, `the confirmed finding sits on the static one, not on "${line}"`);
    else assert.match(line, /def partitions/);
    assert.ok(typeof d.code === 'object' && /PDS001\.md$/.test(String(d.code.target)), `documentation link: ${JSON.stringify(d.code)}`);

    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), '# edited\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('the dry-run diagnostics to clear after the edit', () => dryRunDiagnostics(uri).length === 0);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  step('pdsLint.dryRun on the correct example: clean batches, no dry-run diagnostics', async () => {
    const uri = workspaceFile('jsonl_source.py');
    await open(uri);
    const summary = await vscode.commands.executeCommand('pdsLint.dryRun', uri, undefined, { batches: 5, interactive: false, showReport: false });
    assert.deepStrictEqual([summary.exitCode, summary.batches, summary.rows, summary.findings], [0, 5, 50, []], JSON.stringify(summary));
    assert.deepStrictEqual(dryRunDiagnostics(uri), []);
  });
};
