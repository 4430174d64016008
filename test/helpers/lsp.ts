/**
 * A JSON-RPC client for protocol tests: starts the BUILT language server over stdio and speaks
 * LSP to it with vscode-jsonrpc/vscode-languageserver-protocol. Waits are event-driven with a
 * deadline; no fixed sleeps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, type MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type {
  CodeAction,
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentDiagnosticReport,
  Hover,
  InitializeResult,
  Position,
  Range,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';

export const SERVER_MAIN = path.resolve(__dirname, '..', '..', 'server', 'src', 'lsp', 'main.js');

export interface ClientOptions {
  pull?: boolean;
  settings?: Record<string, unknown>;
  /** Workspace folder; a fresh temp dir when absent. */
  root?: string;
  args?: string[];
  /** More workspace folders (any scheme), after the temp dir. */
  extraWorkspaceFolders?: string[];
  /** Options for node itself, before the server script (e.g. `--require` a preload). */
  nodeArgs?: string[];
  documentChanges?: boolean;
  /** Other configuration sections the client answers (`files` for `files.exclude`). */
  sections?: Record<string, unknown>;
  /** The client shows `window/workDoneProgress`. */
  workDoneProgress?: boolean;
  /** Completion capabilities (default: snippets, `insertTextMode` asIs, label details, markdown). */
  completion?: Record<string, unknown>;
}

export class TestClient {
  readonly connection: MessageConnection;
  readonly messages: { type: number; message: string }[] = [];
  readonly logs: string[] = [];
  /** What the server wrote on stderr. */
  stderr = '';
  readonly shownDocuments: { uri: string; external?: boolean }[] = [];
  readonly published = new Map<string, { version?: number; diagnostics: Diagnostic[] }>();
  settings: Record<string, unknown>;
  refreshes = 0;
  /** While pending, answers to `workspace/configuration` wait (to test settings changing mid-request). */
  configurationGate: Promise<void> = Promise.resolve();
  /** `$/progress` notifications, in order. */
  readonly progress: { token: unknown; value: { kind: string; title?: string; percentage?: number; message?: string } }[] = [];
  readonly progressTokens: unknown[] = [];
  initializeResult?: InitializeResult;
  private waiters: (() => void)[] = [];
  private readonly publishListeners = new Set<(p: { uri: string; version?: number; diagnostics: Diagnostic[] }) => void>();
  readonly root: string;

  private constructor(
    readonly child: ChildProcess,
    readonly options: ClientOptions,
  ) {
    this.settings = options.settings ?? {};
    this.root = options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pds-lsp-'));
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const c = this.connection;
    c.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
      this.published.set(p.uri, { version: p.version, diagnostics: p.diagnostics });
      for (const l of this.publishListeners) l(p);
      this.notify();
    });
    c.onNotification('window/showMessage', (p: { type: number; message: string }) => {
      this.messages.push(p);
      this.notify();
    });
    c.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
      this.notify();
    });
    c.onRequest('window/showMessageRequest', (p: { type: number; message: string }) => {
      this.messages.push(p);
      this.notify();
      return null;
    });
    c.onRequest('window/showDocument', (p: { uri: string; external?: boolean }) => {
      this.shownDocuments.push(p);
      this.notify();
      return { success: true };
    });
    c.onRequest('workspace/configuration', async (p: { items: { section?: string }[] }) => {
      // The answer is the settings as they were when asked, even when held back by the gate.
      const snapshot = this.settings;
      await this.configurationGate;
      return p.items.map((item) => (item.section && item.section !== 'pdsLint' ? this.options.sections?.[item.section] ?? null : snapshot));
    });
    c.onRequest('window/workDoneProgress/create', (p: { token: unknown }) => {
      this.progressTokens.push(p.token);
      this.notify();
      return null;
    });
    c.onNotification('$/progress', (p: { token: unknown; value: { kind: string } }) => {
      this.progress.push(p as TestClient['progress'][number]);
      this.notify();
    });
    c.onRequest('workspace/diagnostic/refresh', () => {
      this.refreshes++;
      this.notify();
      return null;
    });
    c.onRequest('client/registerCapability', () => null);
    c.listen();
  }

  static async start(options: ClientOptions = {}): Promise<TestClient> {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), SERVER_MAIN, '--stdio', ...(options.args ?? [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new TestClient(child, options);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      client.stderr += chunk;
    });
    try {
      client.initializeResult = await client.request<InitializeResult>('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(client.root).href,
        workspaceFolders: [{ uri: pathToFileURL(client.root).href, name: 'ws' }, ...(options.extraWorkspaceFolders ?? []).map((uri, i) => ({ uri, name: `extra${i}` }))],
        capabilities: {
          textDocument: {
            publishDiagnostics: { versionSupport: true, relatedInformation: true, codeDescriptionSupport: true, dataSupport: true },
            ...(options.pull ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
            codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'refactor.rewrite', 'source', 'source.fixAll'] } }, isPreferredSupport: true, dataSupport: true },
            completion: options.completion ?? {
              completionItem: { snippetSupport: true, insertTextModeSupport: { valueSet: [1, 2] }, labelDetailsSupport: true, documentationFormat: ['markdown', 'plaintext'] },
            },
            hover: { contentFormat: ['markdown', 'plaintext'] },
          },
          workspace: { configuration: true, workspaceEdit: { documentChanges: options.documentChanges ?? true }, diagnostics: { refreshSupport: true } },
          window: { showDocument: { support: true }, workDoneProgress: !!options.workDoneProgress },
        },
      });
    } catch (err) {
      // A server that does not start must not keep the test process alive.
      child.kill('SIGKILL');
      client.connection.dispose();
      throw err;
    }
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  /**
   * Observes every publishDiagnostics. (Never `connection.onNotification` for a method the client
   * handles: vscode-jsonrpc keeps one handler per method, so that would silently replace this one.)
   */
  onPublish(listener: (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) => void): { dispose(): void } {
    this.publishListeners.add(listener);
    return { dispose: () => this.publishListeners.delete(listener) };
  }

  /** A request that fails with a clear message instead of waiting forever for its answer. */
  request<T>(method: string, params: unknown, timeoutMs = 10_000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to ${method} after ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.connection.sendRequest(method, params) as Promise<T>, deadline]).finally(() => clearTimeout(timer));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `check` returns a value (re-checked on every message), or fails at the deadline. */
  waitFor<T>(what: string | (() => string), check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`)), timeoutMs);
      const attempt = () => {
        const value = check();
        if (value !== undefined) {
          clearTimeout(deadline);
          resolve(value);
        } else {
          this.waiters.push(attempt);
        }
      };
      attempt();
    });
  }

  /** Resolves when the server finished indexing the workspace (its log line says so). */
  indexed(timeoutMs = 20_000): Promise<string> {
    return this.waitFor('the workspace index', () => this.logs.find((l) => /pds-lint: indexed \d+ Python files/.test(l)), timeoutMs);
  }

  /** Waits for pushed diagnostics of a URI that satisfy `check` (closed files, documents published again). */
  pushed(uri: string, what: string, check: (diagnostics: Diagnostic[]) => boolean, timeoutMs = 10_000): Promise<Diagnostic[]> {
    return this.waitFor(what, () => {
      const p = this.published.get(uri);
      return p && check(p.diagnostics) ? p.diagnostics : undefined;
    }, timeoutMs);
  }

  /** Tells the server about files changed on disk (1 created, 2 changed, 3 deleted). */
  filesChanged(changes: { name: string; type: 1 | 2 | 3 }[]): void {
    void this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: changes.map((c) => ({ uri: this.uri(c.name), type: c.type })) });
  }

  uri(name: string): string {
    return pathToFileURL(path.join(this.root, name)).href;
  }

  open(name: string, text: string, version = 1): string {
    const uri = this.uri(name);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
    return uri;
  }

  change(uri: string, version: number, changes: ({ range: Range; text: string } | { text: string })[]): void {
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Diagnostics for a version: pushed by the server, or pulled. */
  async diagnostics(uri: string, version: number, timeoutMs = 10_000): Promise<Diagnostic[]> {
    if (this.options.pull) {
      const report = await this.request<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri } });
      return report.kind === 'full' ? report.items : [];
    }
    return this.waitFor(() => `diagnostics of ${uri} v${version} (last published: ${this.published.has(uri) ? `v${this.published.get(uri)?.version}` : 'none'})`, () => {
      const p = this.published.get(uri);
      return p && p.version === version ? p.diagnostics : undefined;
    }, timeoutMs);
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    return this.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, ...(only ? { only } : {}) } });
  }

  async completion(uri: string, position: Position, triggerCharacter?: string): Promise<CompletionItem[]> {
    const context = triggerCharacter ? { triggerKind: 2, triggerCharacter } : { triggerKind: 1 };
    const result = await this.request<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position, context });
    return Array.isArray(result) ? result : result?.items ?? [];
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.request('textDocument/hover', { textDocument: { uri }, position });
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    try {
      await this.request('shutdown', undefined, 5000);
      await this.connection.sendNotification('exit');
    } catch {
      this.child.kill('SIGKILL');
    }
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<null>((r) => (timer = setTimeout(() => r(null), 5000)))]);
    clearTimeout(timer);
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    return code;
  }
}

/** Applies LSP text edits (positions in UTF-16, any line endings) to a text. */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') lineStarts.push(i + 1);
    else if (ch === '\r') {
      if (text[i + 1] === '\n') i++;
      lineStarts.push(i + 1);
    }
  }
  const offset = (p: Position) => Math.min(text.length, (lineStarts[p.line] ?? text.length) + p.character);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

export function editsOf(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (!edit) return [];
  if (edit.documentChanges) {
    return edit.documentChanges.flatMap((d) => ('textDocument' in d && d.textDocument.uri === uri ? d.edits.map((e) => e as TextEdit) : []));
  }
  return edit.changes?.[uri] ?? [];
}

export function positionOf(text: string, needle: string, occurrence = 0): Position {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) index = text.indexOf(needle, index + 1);
  if (index < 0) throw new Error(`"${needle}" not in text`);
  const before = text.slice(0, index);
  const line = before.split(/\r\n|\r|\n/).length - 1;
  const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
  return { line, character: index - lineStart };
}
