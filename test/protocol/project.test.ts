/**
 * The language server across files, over stdio: it indexes the workspace in the background, open
 * documents see base classes and helpers of other files, changes to those files (on disk or in
 * an open editor) re-lint the documents that depend on them, and `pdsLint.scope: workspace`
 * reports closed files.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, DocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { TestClient } from '../helpers/lsp';
import { compare, copyProject, expectations, projectFiles } from '../helpers/projects';

const keysOf = (file: string, diagnostics: Diagnostic[]) => diagnostics.map((d) => `${file}:${d.range.start.line + 1}:${String(d.code)}`);
const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => String(d.code)).sort();

async function openAll(client: TestClient, dir: string, files = projectFiles(dir)): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, file), 'utf8');
    } catch {
      continue;
    }
    const uri = client.open(file, text);
    found.push(...keysOf(file, await client.diagnostics(uri, 1)));
  }
  return found;
}

describe('language server across files', () => {
  it('indexes the workspace with progress; open files see base classes and helpers of other files', async () => {
    const dir = copyProject('inherit');
    const client = await TestClient.start({ root: dir, workDoneProgress: true });
    try {
      await client.indexed();
      const kinds = client.progress.map((p) => p.value.kind);
      assert.equal(client.progressTokens.length, 1);
      assert.equal(kinds[0], 'begin');
      assert.equal(kinds[kinds.length - 1], 'end');
      const status = (await client.connection.sendRequest('pdsLint/indexStatus')) as { state: string; files: number };
      assert.equal(status.state, 'ready');
      assert.equal(status.files, projectFiles(dir).length);
      assert.deepEqual(compare(await openAll(client, dir), expectations(dir)), []);

      // The clock is read in offsets.py: the finding is on the call in clock.py, the read is related.
      const clock = client.published.get(client.uri('pipelines/readers/clock.py'))!.diagnostics.find((d) => d.code === 'PDS002')!;
      const related = clock.relatedInformation!.find((r) => r.location.uri === client.uri('pipelines/common/offsets.py'))!;
      assert.ok(related, JSON.stringify(clock.relatedInformation));
      const lines = fs.readFileSync(path.join(dir, 'pipelines/common/offsets.py'), 'utf8').split('\n');
      const { start, end } = related.location.range;
      assert.equal(lines[start.line].slice(start.character, end.character), 'datetime.now(timezone.utc)');
    } finally {
      await client.stop();
    }
  });

  it('a base class changed on disk re-lints the open documents that derive from it', async () => {
    const dir = copyProject('inherit');
    const client = await TestClient.start({ root: dir });
    try {
      await client.indexed();
      const orders = fs.readFileSync(path.join(dir, 'pipelines/readers/orders.py'), 'utf8');
      const uri = client.open('pipelines/readers/orders.py', orders);
      assert.deepEqual(codes(await client.diagnostics(uri, 1)), ['PDS008']);
      const basePath = path.join(dir, 'pipelines/common/base.py');
      const base = fs.readFileSync(basePath, 'utf8');
      // The base no longer assigns `self.window` in `partitions()`: nothing to report any more.
      fs.writeFileSync(basePath, base.replace(/^ {8}self\.window = .*\n/m, ''));
      client.filesChanged([{ name: 'pipelines/common/base.py', type: 2 }]);
      await client.pushed(uri, 'orders.py without PDS008', (d) => d.length === 0);
      fs.writeFileSync(basePath, base);
      client.filesChanged([{ name: 'pipelines/common/base.py', type: 2 }]);
      await client.pushed(uri, 'orders.py with PDS008 again', (d) => codes(d).join() === 'PDS008');
    } finally {
      await client.stop();
    }
  });

  it('an edit of an open base class (not saved) re-lints its subclasses; the buffer wins over the disk', async () => {
    const dir = copyProject('inherit');
    const client = await TestClient.start({ root: dir, settings: { delay: 0 } });
    try {
      await client.indexed();
      const base = fs.readFileSync(path.join(dir, 'pipelines/common/base.py'), 'utf8');
      const baseUri = client.open('pipelines/common/base.py', base);
      assert.deepEqual(await client.diagnostics(baseUri, 1), [], 'an abstract base with subclasses in other files');
      const uri = client.open('pipelines/readers/incomplete.py', fs.readFileSync(path.join(dir, 'pipelines/readers/incomplete.py'), 'utf8'));
      assert.deepEqual(codes(await client.diagnostics(uri, 1)), ['PDS006']);
      // The base gets a `read`: the subclass is complete.
      const withRead = base.replace('    def _last_page(self):', '    def read(self, partition):\n        yield from self._fetch(partition.start)\n\n    def _last_page(self):');
      client.change(baseUri, 2, [{ text: withRead }]);
      await client.pushed(uri, 'incomplete.py without PDS006', (d) => d.length === 0);
      client.change(baseUri, 3, [{ text: base }]);
      await client.pushed(uri, 'incomplete.py with PDS006 again', (d) => codes(d).join() === 'PDS006');
    } finally {
      await client.stop();
    }
  });

  it('pull diagnostics: a change of a base class asks the client to pull again, with new results', async () => {
    const dir = copyProject('inherit');
    const client = await TestClient.start({ root: dir, pull: true, settings: { delay: 0 } });
    try {
      await client.indexed();
      assert.equal(client.initializeResult!.capabilities.diagnosticProvider && (client.initializeResult!.capabilities.diagnosticProvider as { interFileDependencies: boolean }).interFileDependencies, true);
      const uri = client.open('pipelines/readers/orders.py', fs.readFileSync(path.join(dir, 'pipelines/readers/orders.py'), 'utf8'));
      const first = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as DocumentDiagnosticReport & { resultId: string; items: Diagnostic[] };
      assert.deepEqual(codes(first.items), ['PDS008']);
      const basePath = path.join(dir, 'pipelines/common/base.py');
      fs.writeFileSync(basePath, fs.readFileSync(basePath, 'utf8').replace(/^ {8}self\.window = .*\n/m, ''));
      const refreshes = client.refreshes;
      client.filesChanged([{ name: 'pipelines/common/base.py', type: 2 }]);
      await client.waitFor('a refresh', () => (client.refreshes > refreshes ? true : undefined));
      const again = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId })) as DocumentDiagnosticReport & { items: Diagnostic[] };
      assert.equal(again.kind, 'full');
      assert.deepEqual(again.items, []);
    } finally {
      await client.stop();
    }
  });

  it('an import cycle, and classes deriving from each other across files, are analysed without looping', async () => {
    const dir = copyProject('cycle');
    const client = await TestClient.start({ root: dir });
    try {
      await client.indexed();
      assert.deepEqual(compare(await openAll(client, dir), expectations(dir)), []);
    } finally {
      await client.stop();
    }
  });

  it('files that do not parse, cannot be read or do not exist do not stop the others', async () => {
    const dir = copyProject('broken');
    fs.writeFileSync(path.join(dir, 'app', 'garbage.py'), Buffer.from([0x63, 0x6c, 0x61, 0x73, 0x73, 0x00, 0xff, 0xfe]));
    const client = await TestClient.start({ root: dir });
    try {
      await client.indexed();
      const found = await openAll(client, dir, ['app/readers.py', 'app/good_base.py']);
      assert.deepEqual(compare(found, expectations(dir)).filter((p) => !p.includes('broken.py')), []);
    } finally {
      await client.stop();
    }
  });

  it('pdsLint.scope workspace: closed data-source files get diagnostics, cleared when deleted or when the scope goes back', async () => {
    const dir = copyProject('inherit');
    const client = await TestClient.start({ root: dir, settings: { scope: 'workspace' } });
    try {
      await client.indexed();
      const incomplete = client.uri('pipelines/readers/incomplete.py');
      assert.deepEqual(codes(await client.pushed(incomplete, 'the closed incomplete.py', (d) => d.length > 0)), ['PDS006']);
      const clock = client.uri('pipelines/readers/clock.py');
      assert.deepEqual(codes(await client.pushed(clock, 'the closed clock.py', (d) => d.length > 0)), ['PDS002', 'PDS003']);
      const base = client.uri('pipelines/common/base.py');
      const dataSourceFiles = ['common/base.py', 'common/polling.py', 'readers/clock.py', 'readers/events.py', 'readers/incomplete.py', 'readers/orders.py', 'readers/poll.py'].map((f) => client.uri(`pipelines/${f}`));
      await client.waitFor('every data-source file analysed', () => (dataSourceFiles.every((u) => client.published.has(u)) ? true : undefined));
      assert.deepEqual(client.published.get(base)!.diagnostics, [], 'the abstract base has subclasses elsewhere');
      const status = (await client.connection.sendRequest('pdsLint/indexStatus')) as { workspaceDiagnostics: string[] };
      assert.deepEqual([...status.workspaceDiagnostics].sort(), [...dataSourceFiles].sort(), 'offsets.py, aliases.py and the __init__.py files are not data-source files');

      // Opening a file: the open document's diagnostics take over; closing it pushes the closed ones again.
      const opened = client.open('pipelines/readers/clock.py', fs.readFileSync(path.join(dir, 'pipelines/readers/clock.py'), 'utf8'));
      assert.deepEqual(codes(await client.diagnostics(opened, 1)), ['PDS002', 'PDS003']);
      client.close(opened);
      await client.pushed(clock, 'clock.py closed again', (d) => codes(d).join() === 'PDS002,PDS003' && client.published.get(clock)?.version === undefined);

      // Deleted: its diagnostics are cleared.
      fs.rmSync(path.join(dir, 'pipelines/readers/incomplete.py'));
      client.filesChanged([{ name: 'pipelines/readers/incomplete.py', type: 3 }]);
      await client.pushed(incomplete, 'incomplete.py cleared', (d) => d.length === 0);

      // A new file: analysed.
      fs.writeFileSync(path.join(dir, 'pipelines/readers/fresh.py'), 'from ..common.base import BaseApiReader\n\n\nclass FreshReader(BaseApiReader):\n    pass\n');
      client.filesChanged([{ name: 'pipelines/readers/fresh.py', type: 1 }]);
      assert.deepEqual(codes(await client.pushed(client.uri('pipelines/readers/fresh.py'), 'the new fresh.py', (d) => d.length > 0)), ['PDS006']);

      // Back to open files only: the closed files' diagnostics are cleared.
      client.settings = { scope: 'openFiles' };
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await client.pushed(clock, 'clock.py cleared', (d) => d.length === 0);
    } finally {
      await client.stop();
    }
  });

  it('honours files.exclude and .gitignore when indexing', async () => {
    const dir = copyProject('inherit');
    fs.writeFileSync(path.join(dir, '.gitignore'), 'offsets.py\n');
    const client = await TestClient.start({ root: dir, sections: { files: { exclude: { '**/incomplete.py': true, '**/events.py': false } } } });
    try {
      await client.indexed();
      const status = (await client.connection.sendRequest('pdsLint/indexStatus')) as { files: number };
      const all = projectFiles(dir);
      assert.equal(status.files, all.length - 2, 'offsets.py (.gitignore) and incomplete.py (files.exclude) are not indexed');
      // clock.py still derives from the base; its helpers module is not indexed: nothing is guessed.
      const uri = client.open('pipelines/readers/clock.py', fs.readFileSync(path.join(dir, 'pipelines/readers/clock.py'), 'utf8'));
      assert.deepEqual(await client.diagnostics(uri, 1), []);
      assert.ok(fileURLToPath(uri).startsWith(dir));
    } finally {
      await client.stop();
    }
  });
});
