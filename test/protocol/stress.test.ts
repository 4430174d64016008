/**
 * The server under load and abuse: bursts of changes, open/close cycles, cancellation, a client
 * that stops reading, random edit sequences. No crash, no stale diagnostics, memory back down.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/engine/analyze';
import { LineIndex } from '../../server/src/engine/source';
import { generateSource } from '../../bench/generate';
import { getParser } from '../helpers/engine';
import { FIXTURES_DIR, listFixtures } from '../helpers/fixtures';
import { SERVER_MAIN, TestClient } from '../helpers/lsp';

const SEED = Number(process.env.PDS_PROPERTY_SEED ?? 20261125);

async function fresh(text: string): Promise<string[]> {
  const parser = await getParser();
  const lines = new LineIndex(text);
  return analyze(text, parser).findings.map((f) => `${f.code} ${lines.positionAt(f.start).line}:${lines.positionAt(f.start).character}`);
}
const shapeOf = (ds: Diagnostic[]) => ds.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}`);

interface ServerInfo {
  openDocuments: number;
  memory: { heapUsed: number; rss: number };
}

describe('server under load', () => {
  let client: TestClient;
  before(async () => {
    client = await TestClient.start({ args: ['--delay', '0'] });
  });
  after(async () => {
    await client.stop();
  });

  it('1,000 rapid changes end on the diagnostics of the last version, never going back in versions', { timeout: 120_000 }, async () => {
    let text = generateSource(400, 3);
    const uri = client.open('burst.py', text);
    await client.diagnostics(uri, 1);
    const versions: number[] = [];
    const listener = client.onPublish((p) => {
      if (p.uri === uri && p.version !== undefined) versions.push(p.version);
    });
    let version = 1;
    const hovers: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      const lines = new LineIndex(text);
      // Type into a comment at the end of a line spread over the file; every 97th edit breaks a line.
      const at = text.indexOf('\n', Math.floor(((i * 7919) % 997) / 997 * (text.length - 2)));
      const insert = i % 97 === 0 ? '(' : 'x';
      client.change(uri, ++version, [{ range: { start: lines.positionAt(at), end: lines.positionAt(at) }, text: insert }]);
      text = text.slice(0, at) + insert + text.slice(at);
      if (i % 100 === 0) hovers.push(client.hover(uri, { line: 0, character: 0 }));
    }
    const diagnostics = await client.diagnostics(uri, version, 60_000);
    listener.dispose();
    assert.deepEqual(shapeOf(diagnostics), await fresh(text));
    await Promise.all(hovers); // every request answered
    for (let i = 1; i < versions.length; i++) assert.ok(versions[i] >= versions[i - 1], `diagnostics went back from v${versions[i - 1]} to v${versions[i]}`);
    client.close(uri);
  });

  it('100 open/close cycles leave no document behind and the heap back near its start', { timeout: 120_000 }, async () => {
    const info = () => client.connection.sendRequest('pdsLint/serverInfo') as Promise<ServerInfo>;
    const text = generateSource(1000, 11);
    // Warm up, then take the baseline after the server's idle collection.
    const warm = client.open('warm.py', text);
    await client.diagnostics(warm, 1);
    client.close(warm);
    const start = await settledHeap(info);
    for (let i = 0; i < 100; i++) {
      const uri = client.open(`cycle${i}.py`, text);
      await client.diagnostics(uri, 1);
      client.close(uri);
    }
    const end = await settledHeap(info);
    const now = await info();
    assert.equal(now.openDocuments, 0);
    assert.ok(end <= start * 1.1 + 2 * 1024 * 1024, `heap ${(end / 1048576).toFixed(1)} MiB after closing, ${(start / 1048576).toFixed(1)} MiB before`);
    // Requests about the closed documents are answered, with nothing.
    assert.equal(await client.hover(client.uri('cycle3.py'), { line: 1, character: 1 }), null);
  });

  it('20 documents open at once, closed, three times: the heap back near its start, RSS not growing round after round', { timeout: 180_000 }, async () => {
    const info = () => client.request<ServerInfo>('pdsLint/serverInfo', null);
    const start = await settledHeap(info);
    const rss: number[] = [];
    for (let round = 0; round < 3; round++) {
      const uris: string[] = [];
      for (let i = 0; i < 20; i++) uris.push(client.open(`round${round}-${i}.py`, generateSource(500, i + 1)));
      for (const uri of uris) await client.diagnostics(uri, 1, 60_000);
      for (const uri of uris) client.close(uri);
      const heap = await settledHeap(info);
      const now = await info();
      assert.equal(now.openDocuments, 0);
      assert.ok(heap <= start * 1.1 + 2 * 1024 * 1024, `round ${round}: heap ${(heap / 1048576).toFixed(1)} MiB after closing, ${(start / 1048576).toFixed(1)} MiB before`);
      rss.push(now.memory.rss);
    }
    // The allocator keeps its high-water mark (RSS does not drop to the start), but a leak would
    // add to it every round.
    assert.ok(rss[2] <= rss[0] * 1.15, `RSS ${rss.map((r) => (r / 1048576).toFixed(0)).join(' → ')} MiB over three rounds`);
  });

  it('survives cancelled requests and keeps answering', { timeout: 60_000 }, async () => {
    const text = generateSource(3000, 5);
    const uri = client.open('cancel.py', text);
    await client.diagnostics(uri, 1);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => {
        const source = new CancellationTokenSource();
        const request = client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: i, character: 0 }, end: { line: i + 1, character: 0 } }, context: { diagnostics: [] } }, source.token);
        source.cancel();
        return request;
      }),
    );
    for (const o of outcomes) if (o.status === 'rejected') assert.match(String(o.reason), /cancel/i);
    assert.ok(Array.isArray(await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [])));
    client.close(uri);
  });
});

async function settledHeap(info: () => Promise<ServerInfo>): Promise<number> {
  // The server collects garbage a second after it goes idle; sample until two readings agree.
  let last = (await info()).memory.heapUsed;
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = (await info()).memory.heapUsed;
    if (Math.abs(now - last) < 256 * 1024 && i >= 6) return now;
    last = now;
  }
  return last;
}

describe('server with a client that stops reading', () => {
  it('buffers its output without crashing and answers once the client reads again', { timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, [SERVER_MAIN, '--stdio', '--delay', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.resume();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const frame = (msg: unknown) => {
        const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...(msg as object) }), 'utf8');
        return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
      };
      child.stdout.pause(); // the client reads nothing for now
      child.stdin.write(frame({ id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
      child.stdin.write(frame({ method: 'initialized', params: {} }));
      const text = generateSource(600, 2);
      const documents = 60;
      for (let i = 0; i < documents; i++) {
        child.stdin.write(frame({ method: 'textDocument/didOpen', params: { textDocument: { uri: `file:///tmp/unread${i}.py`, languageId: 'python', version: 1, text } } }));
      }
      child.stdin.write(frame({ id: 2, method: 'pdsLint/serverInfo', params: null }));
      // While nobody reads, the server keeps running (its output piles up in the pipe and its buffer).
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(child.exitCode, null, 'the server exited while its output was not read');
      let received = '';
      const published = () => new Set(received.match(/"uri":"file:\/\/\/tmp\/unread\d+\.py"/g) ?? []).size;
      // The answer to the request and the diagnostics of every document, whatever their order.
      const answered = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`after 60 s: answer to the request ${/"id":2,"result"/.test(received) ? 'received' : 'missing'}, diagnostics for ${published()} of ${documents} documents`)),
          60_000,
        );
        child.stdout.on('data', (chunk: Buffer) => {
          received += chunk.toString('utf8');
          if (/"id":2,"result"/.test(received) && published() === documents) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      child.stdout.resume();
      await answered;
      child.stdin.write(frame({ id: 3, method: 'shutdown', params: null }));
      child.stdin.write(frame({ method: 'exit', params: null }));
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('still running 10 s after exit'), 10_000)))]);
      clearTimeout(timer);
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('property: the server answers and matches a fresh analysis after random edits', () => {
  it('random edit sequences through the real server', { timeout: 120_000 }, async () => {
    const client = await TestClient.start({ args: ['--delay', '0'] });
    const sources = listFixtures().map((f) => ({ name: path.relative(FIXTURES_DIR, f.file), text: fs.readFileSync(f.file, 'utf8') }));
    try {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...sources),
          fc.array(fc.record({ at: fc.nat({ max: 3000 }), remove: fc.nat({ max: 20 }), insert: fc.constantFrom('', '(', ')', '"', ':', '\n', '\n    ', 'def ', 'self.', 'é😀', '\r\n', 'return {', 'x') }), { minLength: 1, maxLength: 10 }),
          async (source, edits) => {
            const uri = client.open(`random${run++}.py`, source.text);
            let text = source.text;
            let version = 1;
            for (const e of edits) {
              const lines = new LineIndex(text);
              const start = Math.min(e.at, text.length);
              const end = Math.min(text.length, start + e.remove);
              // An editor never sends a position inside a CRLF pair.
              const s = lines.positionAt(start);
              const en = lines.positionAt(end);
              const startOffset = lines.offsetAt(s);
              const endOffset = Math.max(startOffset, lines.offsetAt(en));
              client.change(uri, ++version, [{ range: { start: s, end: lines.positionAt(endOffset) }, text: e.insert }]);
              text = text.slice(0, startOffset) + e.insert + text.slice(endOffset);
            }
            const diagnostics = await client.diagnostics(uri, version);
            assert.deepEqual(shapeOf(diagnostics), await fresh(text));
            assert.ok(await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, []));
            const last = new LineIndex(text).positionAt(Math.min(text.length, edits[edits.length - 1].at));
            assert.ok(Array.isArray(await client.completion(uri, last)));
            assert.ok(await client.hover(uri, last) !== undefined);
            client.close(uri);
          },
        ),
        { seed: SEED, numRuns: Math.ceil(Number(process.env.PDS_PROPERTY_RUNS ?? 200) / 2) },
      );
      // Internal errors are caught and logged, not crashes: the log says whether any happened.
      assert.deepEqual(client.logs.filter((l) => /internal error|failed|could not analyse|uncaught/.test(l)), []);
    } finally {
      await client.stop();
    }
  });
});
