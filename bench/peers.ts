/** Section 3: the Python tools a user already runs, on the same files, in the same run. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { editPoints, LspProcess, positionOf } from './lsp';
import { type Summary, summarize } from './stats';

export interface LspTimings {
  /** Spawn to the first diagnostics of the opened file. */
  firstDiagnostics: number;
  /** didChange to the diagnostics of that version. */
  edit: Summary;
  rssMiB: number;
}

/** Times an LSP server: first diagnostics, then `edits` single-character edits spread over the file. */
export async function timeLspServer(command: string, args: string[], text: string, edits: number, settings: unknown = {}, initializationOptions: unknown = {}): Promise<LspTimings> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-bench-'));
  const file = path.join(dir, 'source.py');
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const t0 = performance.now();
  const server = LspProcess.start(command, args, dir);
  server.settings = settings;
  try {
    await server.initialize(dir, initializationOptions);
    const first = server.waitForDiagnostics(uri, 1, 120_000);
    server.open(uri, text, 1);
    await first;
    const firstDiagnostics = performance.now() - t0;
    let current = text;
    const samples: number[] = [];
    let version = 1;
    for (const offset of editPoints(text, edits)) {
      // Offsets drift by one per earlier edit above; recompute on the current text.
      const shift = samples.length;
      const at = Math.min(current.length, offset + shift);
      const pos = positionOf(current, at);
      current = `${current.slice(0, at)} ${current.slice(at)}`;
      version++;
      const done = server.waitForDiagnostics(uri, version, 60_000);
      const s = performance.now();
      server.change(uri, version, [{ range: { start: pos, end: pos }, text: ' ' }]);
      await done;
      samples.push(performance.now() - s);
    }
    return { firstDiagnostics, edit: summarize(samples), rssMiB: server.rssMiB() };
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function pyrightCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [require.resolve('pyright/langserver.index.js'), '--stdio'] };
}

export interface RuffTimings {
  lint: Summary;
}

/** `@astral-sh/ruff-wasm-nodejs` linting the same text in-process. */
export function timeRuffWasm(text: string, reps: number): RuffTimings {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ruff = require('@astral-sh/ruff-wasm-nodejs') as {
    Workspace: { new (settings: unknown, encoding: number): { check(text: string): unknown[]; free(): void }; defaultSettings(): unknown };
    PositionEncoding: { Utf16: number };
  };
  const ws = new ruff.Workspace(ruff.Workspace.defaultSettings(), ruff.PositionEncoding.Utf16);
  try {
    for (let i = 0; i < 3; i++) ws.check(text);
    const samples: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      ws.check(text);
      samples.push(performance.now() - t0);
    }
    return { lint: summarize(samples) };
  } finally {
    ws.free();
  }
}
