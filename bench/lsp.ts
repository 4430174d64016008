/**
 * A minimal LSP client over stdio for benchmarks: spawn a server, open documents, send
 * incremental edits and time until `publishDiagnostics` for that version (or a pull response).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, type MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: unknown[];
}

export class LspProcess {
  readonly connection: MessageConnection;
  private readonly waiters: { uri: string; version?: number; resolve: (d: PublishedDiagnostics) => void }[] = [];
  readonly latest = new Map<string, PublishedDiagnostics>();

  private constructor(readonly child: ChildProcess) {
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      this.latest.set(p.uri, p);
      this.checkWaits();
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w.uri === p.uri && (w.version === undefined || p.version === undefined || p.version >= w.version)) {
          this.waiters.splice(i, 1);
          w.resolve(p);
        }
      }
    });
    // Answer the requests servers make of their client.
    this.connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => this.settings));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
      this.checkWaits();
    });
    this.connection.onNotification(() => undefined);
    this.connection.listen();
  }

  readonly logs: string[] = [];
  private readonly conditions: { check: () => boolean; resolve: () => void }[] = [];

  private checkWaits(): void {
    for (let i = this.conditions.length - 1; i >= 0; i--) {
      if (!this.conditions[i].check()) continue;
      const [c] = this.conditions.splice(i, 1);
      c.resolve();
    }
  }

  /** Resolves when `check` holds (checked on each log message and each publish). */
  private until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.conditions.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Resolves when the server logs a line matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    return this.until(`a log line ${pattern}`, () => this.logs.some((l) => pattern.test(l)), timeoutMs);
  }

  /** Resolves when diagnostics were published for at least `count` distinct documents. */
  waitForPublishedCount(count: number, timeoutMs = 60_000): Promise<void> {
    return this.until(`diagnostics of ${count} documents`, () => this.latest.size >= count, timeoutMs);
  }

  settings: unknown = {};

  static start(command: string, args: string[], cwd: string): LspProcess {
    const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr?.resume();
    return new LspProcess(child);
  }

  async initialize(rootDir: string, initializationOptions: unknown = {}): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(rootDir).href,
      workspaceFolders: [{ uri: pathToFileURL(rootDir).href, name: path.basename(rootDir) }],
      capabilities: {
        textDocument: { publishDiagnostics: { versionSupport: true }, synchronization: { didSave: true } },
        workspace: { configuration: true, workspaceFolders: true },
      },
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
  }

  waitForDiagnostics(uri: string, version?: number, timeoutMs = 60_000): Promise<PublishedDiagnostics> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        uri,
        version,
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      });
    });
  }

  open(uri: string, text: string, version = 1): void {
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  }

  change(uri: string, version: number, changes: unknown[]): void {
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  /** Resident set size of the server process in MiB (Linux /proc). */
  rssMiB(): number {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const status = require('node:fs').readFileSync(`/proc/${this.child.pid}/status`, 'utf8') as string;
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      return m ? Number(m[1]) / 1024 : NaN;
    } catch {
      return NaN;
    }
  }
}

/** Position (line, character) of an offset in a text. */
export function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

/**
 * Offsets spread over the text where inserting a character keeps the file meaningful: just
 * before a newline at the end of a comment or a docstring-free statement (`x` appended to an
 * identifier at line end). Deterministic.
 */
export function editPoints(text: string, count: number): number[] {
  const candidates: number[] = [];
  const re = /[A-Za-z0-9_)\]"]\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) candidates.push(m.index + 1);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(candidates[Math.floor(((i + 0.5) * candidates.length) / count)]);
  return out;
}
