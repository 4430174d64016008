/**
 * Sections 2 and 5: the language server over stdio. Keystroke latency (didChange → diagnostics
 * for that version, lint delay 0, incremental vs full reparse) and memory with many documents.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateSource } from './generate';
import { LspProcess } from './lsp';
import type { Summary } from './stats';
import { timeLspServer } from './peers';

export function serverCommand(root: string, extra: string[] = []): { command: string; args: string[] } {
  return { command: process.execPath, args: [path.join(root, 'out', 'server', 'src', 'lsp', 'main.js'), '--stdio', '--delay', '0', ...extra] };
}

export interface LatencyResult {
  incremental: { firstDiagnostics: number; edit: Summary };
  fullReparse: { firstDiagnostics: number; edit: Summary };
  /** With the default lint delay (what a user sees while typing). */
  defaultDelayMs: number;
}

export async function keystrokeLatency(root: string, text: string, edits: number): Promise<LatencyResult> {
  const inc = serverCommand(root);
  const full = serverCommand(root, ['--no-incremental']);
  const incremental = await timeLspServer(inc.command, inc.args, text, edits);
  const fullReparse = await timeLspServer(full.command, full.args, text, edits);
  return {
    incremental: { firstDiagnostics: incremental.firstDiagnostics, edit: incremental.edit },
    fullReparse: { firstDiagnostics: fullReparse.firstDiagnostics, edit: fullReparse.edit },
    defaultDelayMs: 150,
  };
}

export interface MemoryResult {
  documents: number;
  lines: number;
  startMiB: number;
  openMiB: number;
  closedMiB: number;
}

/** Server RSS at start, after opening `documents` files of `lines` lines (all diagnosed), and after closing them. */
export async function serverMemory(root: string, documents: number, lines: number): Promise<MemoryResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-bench-mem-'));
  const { command, args } = serverCommand(root);
  const server = LspProcess.start(command, args, dir);
  try {
    await server.initialize(dir);
    // One document first, so the parser and rules are loaded in the baseline.
    const warm = pathToFileURL(path.join(dir, 'warm.py')).href;
    const warmed = server.waitForDiagnostics(warm, 1);
    server.open(warm, generateSource(50, 1), 1);
    await warmed;
    server.close(warm);
    const startMiB = await settledRss(server);
    const uris: string[] = [];
    for (let i = 0; i < documents; i++) {
      const uri = pathToFileURL(path.join(dir, `doc${i}.py`)).href;
      uris.push(uri);
      const done = server.waitForDiagnostics(uri, 1, 120_000);
      server.open(uri, generateSource(lines, i + 1), 1);
      await done;
    }
    const openMiB = await settledRss(server);
    for (const uri of uris) server.close(uri);
    // A round trip after the closes, so they are processed before measuring.
    const probe = pathToFileURL(path.join(dir, 'probe.py')).href;
    const probed = server.waitForDiagnostics(probe, 1);
    server.open(probe, 'x = 1\n', 1);
    await probed;
    server.close(probe);
    const closedMiB = await settledRss(server);
    return { documents, lines, startMiB, openMiB, closedMiB };
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** RSS after the server had a moment to collect garbage (a few samples, the last one). */
async function settledRss(server: LspProcess): Promise<number> {
  let last = server.rssMiB();
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = server.rssMiB();
    if (Math.abs(now - last) < 0.5) return now;
    last = now;
  }
  return last;
}

