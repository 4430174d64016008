/**
 * The pds-lint language server: live diagnostics, code actions and hovers over the engine.
 * Built with an injected connection (tests drive it over stdio, main.ts wires it), it keeps one
 * incremental tree per open document and one analysis per document version.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type CompletionItem,
  type CompletionParams,
  type Connection,
  type Diagnostic,
  DiagnosticSeverity,
  type DocumentDiagnosticReport,
  DocumentDiagnosticReportKind,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type AnalysisResult, analyzeSyntax } from '../engine/analyze';
import { cpuTime } from '../engine/budget';
import { ConfigError, type FileConfig, readPyprojectConfig } from '../engine/config';
import { fixAll } from '../engine/fixes';
import { noqaEdit } from '../engine/noqa';
import { ParseTimeoutError, type PythonParser } from '../engine/parser';
import { textProblem } from '../engine/decode';
import { ALL_CODES } from '../engine/rules/registry';
import { DocumentStore } from './documents';
import { codeActions, FIX_ALL_KIND, SHOW_DOCUMENTATION_COMMAND } from './features/codeActions';
import { docsHref, rangeOf, toDiagnostic } from './features/diagnostics';
import { COMPLETION_TRIGGERS, type CompletionSupport, completionSupport, memberItems, offsetKeyItems } from './features/completion';
import { hoverAt } from './features/hover';
import { REFACTOR_KINDS, refactorActions } from './features/refactors';
import { completionContext, sharesImports } from '../engine/authoring/completion';
import type { ClassInfo, FileModel } from '../engine/model';
import { LineIndex } from '../engine/source';
import { dryRunLenses } from './features/codeLens';
import { effectiveLintSettings, parseSettings, type Settings } from './config';

export interface ServerOptions {
  /** Parse every change from scratch (to measure what incremental parsing buys). */
  incremental?: boolean;
  /** Override the lint delay (ms) whatever the settings say; for benchmarks. */
  delay?: number;
  /** A full garbage collection, run when documents were closed and the server is idle. */
  collectGarbage?: () => void;
}

interface Analysis {
  version: number;
  /** The settings generation the analysis was computed with. */
  generation: number;
  /**
   * The full result (model and syntax) for the most recently used documents only; absent for
   * the others (and for files too large to analyse), which are re-analysed when a hover needs it.
   */
  result?: AnalysisResult;
  findings: AnalysisResult['findings'];
  diagnostics: Diagnostic[];
  /** The file was not analysed (too large, NUL bytes, parse over time): the diagnostic says why. */
  notAnalysed?: boolean;
}

/** How many documents keep their full analysis (model, syntax) in memory. */
const RETAINED_MODELS = 2;

export class PdsServer {
  private readonly documents: DocumentStore;
  private readonly analyses = new Map<string, Analysis>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly settingsByUri = new Map<string, Settings>();
  private readonly fileConfigByDir = new Map<string, FileConfig | undefined>();
  private readonly reportedProblems = new Set<string>();
  /** Documents whose last parse ran out of budget: their length then, and the settings generation. */
  private readonly parseTimeouts = new Map<string, { length: number; generation: number }>();
  /**
   * Per document, the last analysis in which each class was intact (no syntax error): completion
   * reads a class from it while the line being typed breaks the current parse.
   */
  private readonly intactClasses = new Map<string, Map<string, AnalysisResult>>();
  /** Per document, the last analysis without any syntax error (its imports serve completion edits). */
  private readonly lastClean = new Map<string, AnalysisResult>();
  private completion: CompletionSupport = { snippets: false, asIs: false, labelDetails: false, markdown: false };
  private pullDiagnostics = false;
  private configurationRequests = false;
  private documentChanges = false;
  private workspaceFolders: string[] = [];
  /** Bumped when settings or pyproject.toml change: pulled results of older generations are stale. */
  private generation = 0;

  constructor(
    private readonly connection: Connection,
    private readonly parser: PythonParser,
    private readonly options: ServerOptions = {},
  ) {
    this.documents = new DocumentStore(parser, { retainedTrees: 8, incremental: options.incremental ?? true });
  }

  initialize(params: InitializeParams): InitializeResult {
    const caps = params.capabilities;
    this.pullDiagnostics = !!caps.textDocument?.diagnostic;
    this.configurationRequests = !!caps.workspace?.configuration;
    this.documentChanges = !!caps.workspace?.workspaceEdit?.documentChanges;
    this.completion = completionSupport(caps);
    // Virtual workspaces (vscode-vfs://, untitled:) have no folder on disk: only file: ones count.
    this.workspaceFolders = (params.workspaceFolders ?? []).flatMap((f) => filePathOf(f.uri) ?? []);
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    if (init?.settings) this.settingsByUri.set('*', this.validated(init.settings));
    if (this.parser.fallbackReason) {
      this.connection.console.warn(`pds-lint: using the wasm parser (${this.parser.fallbackReason})`);
    }
    return { capabilities: this.capabilities(), serverInfo: { name: 'pds-lint', version: serverVersion() } };
  }

  capabilities(): ServerCapabilities {
    return {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND, ...REFACTOR_KINDS], resolveProvider: false },
      hoverProvider: true,
      completionProvider: { triggerCharacters: COMPLETION_TRIGGERS, resolveProvider: false },
      codeLensProvider: { resolveProvider: false },
      executeCommandProvider: { commands: [SHOW_DOCUMENTATION_COMMAND] },
      ...(this.pullDiagnostics ? { diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false } } : {}),
    };
  }

  register(): void {
    const c = this.connection;
    c.onDidOpenTextDocument((p) => {
      if (typeof p.textDocument?.uri !== 'string' || !isPython(String(p.textDocument.languageId), p.textDocument.uri)) return;
      if (typeof p.textDocument.text !== 'string') {
        this.reportOnce('open:text', () => this.connection.console.error(`pds-lint: ignored didOpen of ${p.textDocument.uri}: its text is not a string`));
        return;
      }
      this.documents.open(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
      this.schedule(p.textDocument.uri, 0);
    });
    c.onDidChangeTextDocument((p) => {
      const doc = this.documents.change(p.textDocument.uri, p.textDocument.version ?? 0, p.contentChanges);
      if (!doc) return;
      void this.settingsFor(doc.uri).then((s) => {
        if (s.run === 'onType') this.schedule(doc.uri, this.options.delay ?? s.delay);
      });
    });
    c.onDidSaveTextDocument((p) => {
      if (this.documents.get(p.textDocument.uri)) this.schedule(p.textDocument.uri, 0, true);
    });
    c.onDidCloseTextDocument((p) => {
      const uri = p.textDocument.uri;
      clearTimeout(this.timers.get(uri));
      this.timers.delete(uri);
      this.documents.close(uri);
      this.analyses.delete(uri);
      this.parseTimeouts.delete(uri);
      this.intactClasses.delete(uri);
      this.lastClean.delete(uri);
      this.settingsByUri.delete(uri);
      this.scheduleCollection();
      if (!this.pullDiagnostics) void c.sendDiagnostics({ uri, diagnostics: [] });
    });
    c.onDidChangeConfiguration((p) => {
      this.settingsByUri.clear();
      const raw = (p.settings as { pdsLint?: unknown } | undefined)?.pdsLint;
      if (raw && !this.configurationRequests) this.settingsByUri.set('*', this.validated(raw));
      this.relintAll();
    });
    c.onDidChangeWatchedFiles((p) => {
      if (p.changes.some((ch) => ch.uri.endsWith('pyproject.toml'))) {
        this.fileConfigByDir.clear();
        this.relintAll();
      }
    });
    c.onCodeAction((p) => this.guard('codeAction', () => this.onCodeAction(p), []));
    c.onCompletion((p) => this.guard('completion', () => this.onCompletion(p), null));
    c.onHover((p) =>
      this.guard('hover', () => {
        const doc = this.documents.get(p.textDocument.uri);
        const result = doc && this.fullAnalysisOf(doc);
        return doc && result ? hoverAt(doc, result.model, doc.offsetAt(p.position)) ?? null : null;
      }, null),
    );
    c.onCodeLens((p) =>
      this.guard('codeLens', () => {
        const doc = this.documents.get(p.textDocument.uri);
        const result = doc && this.fullAnalysisOf(doc);
        return doc && result ? dryRunLenses(doc, result.model) : [];
      }, []),
    );
    c.onExecuteCommand(async (p) => {
      if (p.command !== SHOW_DOCUMENTATION_COMMAND) return null;
      const code = String(p.arguments?.[0] ?? '');
      if (!/^PDS\d{3}$/.test(code)) return null;
      const href = docsHref(code);
      await c.window.showDocument({ uri: href, external: !href.startsWith('file:'), takeFocus: true });
      return null;
    });
    if (this.pullDiagnostics) {
      c.languages.diagnostics.on(async (p): Promise<DocumentDiagnosticReport> => {
        const doc = this.documents.get(p.textDocument.uri);
        if (!doc) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
        // Settings can change while this request waits for them: the result then carries the
        // older generation, so the pull that follows the refresh is never answered "unchanged".
        const generation = this.generation;
        const settings = await this.settingsFor(doc.uri);
        if (!settings.enable) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
        const analysis = settings.run === 'onSave' ? this.analyses.get(doc.uri) ?? this.analysisOf(doc, settings, generation) : this.analysisOf(doc, settings, generation);
        const resultId = `${analysis?.version ?? doc.version}:${analysis?.generation ?? generation}`;
        if (p.previousResultId === resultId && analysis) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
        return { kind: DocumentDiagnosticReportKind.Full, resultId, items: analysis?.diagnostics ?? [] };
      });
    }
    // For the client's status and for tests: which parser backend serves this session.
    c.onRequest('pdsLint/serverInfo', () => ({
      version: serverVersion(),
      parserBackend: this.parser.backend,
      fallbackReason: this.parser.fallbackReason ?? null,
      openDocuments: this.documents.size,
      memory: process.memoryUsage(),
    }));
    c.onShutdown(() => {
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
    });
  }

  /** Runs `fn`; an internal error is logged once per kind and answered with `fallback`. */
  private guard<T>(what: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (err) {
      this.reportOnce(`internal:${what}`, () => this.connection.console.error(`pds-lint: internal error in ${what}: ${(err as Error).stack ?? err}`));
      return fallback;
    }
  }

  private reportOnce(key: string, report: () => void): void {
    if (this.reportedProblems.has(key)) return;
    this.reportedProblems.add(key);
    report();
  }

  private validated(raw: unknown): Settings {
    const { settings, problems } = parseSettings(raw);
    for (const p of problems) {
      this.reportOnce(`setting:${p.key}:${p.message}`, () => void this.connection.window.showWarningMessage(`pds-lint: setting ${p.key}: ${p.message}. Using the default.`));
    }
    return settings;
  }

  private async settingsFor(uri: string): Promise<Settings> {
    const cached = this.settingsByUri.get(uri) ?? (this.configurationRequests ? undefined : this.settingsByUri.get('*'));
    if (cached) return cached;
    const generation = this.generation;
    let raw: unknown = {};
    if (this.configurationRequests) {
      try {
        raw = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'pdsLint' });
      } catch (err) {
        this.connection.console.warn(`pds-lint: could not read settings (${(err as Error).message})`);
      }
    }
    const settings = this.validated(raw);
    // Answered for settings that changed meanwhile: use them for this request, do not keep them.
    if (generation === this.generation) this.settingsByUri.set(uri, settings);
    return settings;
  }

  private fileConfigFor(uri: string): FileConfig | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const file = filePathOf(uri);
    if (!file) return undefined;
    let dir = path.dirname(file);
    const visited: string[] = [];
    let config: FileConfig | undefined;
    for (;;) {
      if (this.fileConfigByDir.has(dir)) {
        config = this.fileConfigByDir.get(dir);
        break;
      }
      visited.push(dir);
      const candidate = path.join(dir, 'pyproject.toml');
      if (fs.existsSync(candidate)) {
        try {
          config = readPyprojectConfig(candidate, ALL_CODES);
        } catch (err) {
          const message = err instanceof ConfigError ? err.message : String(err);
          this.reportOnce(`pyproject:${message}`, () => void this.connection.window.showWarningMessage(`pds-lint: ${message}. Using the editor settings only.`));
          config = undefined;
        }
        if (config) break;
      }
      const parent = path.dirname(dir);
      if (parent === dir || (this.workspaceFolders.length && !this.workspaceFolders.some((w) => parent.startsWith(w)))) break;
      dir = parent;
    }
    for (const d of visited) this.fileConfigByDir.set(d, config);
    return config;
  }

  private collectionTimer?: NodeJS.Timeout;

  /** After work (analyses, closes), once things are quiet for a second, give the memory back. */
  private scheduleCollection(): void {
    if (!this.options.collectGarbage) return;
    clearTimeout(this.collectionTimer);
    this.collectionTimer = setTimeout(() => this.options.collectGarbage?.(), 1000);
    this.collectionTimer.unref?.();
  }

  /** Keeps the full analysis of the few most recently analysed documents only. */
  private remember(uri: string, analysis: Analysis): void {
    this.analyses.delete(uri);
    this.analyses.set(uri, analysis);
    let withModels = 0;
    for (const [key, a] of [...this.analyses].reverse()) {
      if (!a.result) continue;
      if (++withModels > RETAINED_MODELS && key !== uri) {
        a.result = undefined;
        this.intactClasses.delete(key);
        this.lastClean.delete(key);
      }
    }
  }

  /** The full analysis of the current version, recomputed if only the diagnostics were kept. */
  private fullAnalysisOf(doc: TextDocument): AnalysisResult | undefined {
    const analysis = this.analysisOf(doc);
    if (analysis?.result || !analysis || analysis.notAnalysed) return analysis?.result;
    this.analyses.delete(doc.uri);
    return this.analysisOf(doc)?.result;
  }

  private relintAll(): void {
    this.generation++;
    this.analyses.clear();
    if (this.pullDiagnostics) {
      void this.connection.languages.diagnostics.refresh();
      return;
    }
    for (const doc of this.documents.all()) this.schedule(doc.uri, 0);
  }

  private schedule(uri: string, delay: number, force = false): void {
    clearTimeout(this.timers.get(uri));
    if (this.pullDiagnostics) {
      // The client pulls; on save (onSave mode) it needs to be told to pull again.
      if (force) void this.connection.languages.diagnostics.refresh();
      return;
    }
    const run = () => {
      this.timers.delete(uri);
      void this.publish(uri, force);
    };
    if (delay <= 0) {
      // Still yield to the event loop, so a burst of changes in one read is linted once.
      this.timers.set(uri, setTimeout(run, 0));
    } else {
      this.timers.set(uri, setTimeout(run, delay));
    }
  }

  private async publish(uri: string, saved: boolean): Promise<void> {
    const doc = this.documents.get(uri);
    if (!doc) return;
    const generation = this.generation;
    const settings = await this.settingsFor(uri);
    const current = this.documents.get(uri);
    if (!current || current.version !== doc.version) return; // a newer change is scheduled
    if (!settings.enable) {
      await this.connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    if (settings.run === 'onSave' && !saved && this.analyses.has(uri)) return;
    if (saved && this.parseTimeouts.delete(uri)) this.analyses.delete(uri); // try the parse again
    const analysis = this.analysisOf(doc, settings, generation);
    if (!analysis) return;
    await this.connection.sendDiagnostics({ uri, version: analysis.version, diagnostics: analysis.diagnostics });
  }

  /** The analysis of the document's current version (computed once per version). */
  analysisOf(doc: TextDocument, given?: Settings, generation = this.generation): Analysis | undefined {
    const cached = this.analyses.get(doc.uri);
    if (cached && cached.version === doc.version && cached.generation === this.generation) return cached;
    const settings = given ?? this.settingsByUri.get(doc.uri) ?? this.settingsByUri.get('*') ?? parseSettings({}).settings;
    const text = doc.getText();
    const notAnalysed = (message: string, start = 0, end = start): Analysis => {
      const analysis: Analysis = {
        version: doc.version,
        generation,
        findings: [],
        diagnostics: [{ range: rangeOf(doc, start, end), severity: DiagnosticSeverity.Information, source: 'pds', message }],
        notAnalysed: true,
      };
      this.remember(doc.uri, analysis);
      return analysis;
    };
    if (text.length > settings.maxFileSize) {
      return notAnalysed(`pds-lint did not analyse this file: ${text.length} characters, more than pdsLint.maxFileSize (${settings.maxFileSize})`);
    }
    const problem = textProblem(text);
    if (problem) return notAnalysed(`pds-lint did not analyse this file: it ${problem.message}`, problem.offset, problem.offset + 1);
    // A parse that ran out of budget is not retried on every keystroke (each try would cost the
    // whole budget): only after a save, a settings change, or when a fifth of the text is gone.
    const timedOut = this.parseTimeouts.get(doc.uri);
    if (timedOut && timedOut.generation === generation && text.length > timedOut.length * 0.8) {
      return notAnalysed(`pds-lint did not analyse this file: parsing took more than pdsLint.maxAnalysisMs (${settings.maxAnalysisMs} ms of CPU time); it is tried again when the file is saved`);
    }
    this.parseTimeouts.delete(doc.uri);
    const started = cpuTime();
    const deadline = settings.maxAnalysisMs > 0 ? started + settings.maxAnalysisMs : undefined;
    try {
      const syntax = this.documents.syntaxOf(doc.uri, deadline);
      if (!syntax) return undefined;
      const lint = effectiveLintSettings(this.fileConfigFor(doc.uri), settings);
      const result = analyzeSyntax(text, { tree: syntax.tree, cache: syntax.cache, parseTime: syntax.parseTime }, {
        ...lint,
        path: filePathOf(doc.uri),
        deadline,
        onRuleError: (code, error) =>
          this.reportOnce(`rule:${code}`, () => this.connection.console.error(`pds-lint: rule ${code} failed (other rules still report): ${(error as Error).stack ?? error}`)),
      });
      const diagnostics = result.findings.map((f) => {
        const line = result.model.lines.lineOf(f.start);
        const edit = noqaEdit(result.root, result.model.lines, line, f.code, result.noqa);
        return toDiagnostic(doc, f, edit && { range: rangeOf(doc, edit.start, edit.end), newText: edit.newText });
      });
      if (result.incomplete) {
        const skipped = result.incomplete.skippedRules;
        diagnostics.unshift({
          range: rangeOf(doc, 0, 0),
          severity: DiagnosticSeverity.Information,
          source: 'pds',
          message: `pds-lint stopped analysing this file after ${Math.round(cpuTime() - started)} ms of CPU time (pdsLint.maxAnalysisMs is ${settings.maxAnalysisMs}): ${skipped.length} rule${skipped.length === 1 ? '' : 's'} did not run (${skipped.join(', ')})`,
        });
      }
      const analysis: Analysis = { version: doc.version, generation, result, findings: result.findings, diagnostics };
      this.rememberIntactClasses(doc.uri, result);
      this.remember(doc.uri, analysis);
      this.scheduleCollection();
      return analysis;
    } catch (err) {
      if (err instanceof ParseTimeoutError) {
        this.parseTimeouts.set(doc.uri, { length: text.length, generation });
        return notAnalysed(`pds-lint did not analyse this file: parsing took more than pdsLint.maxAnalysisMs (${settings.maxAnalysisMs} ms of CPU time)`);
      }
      this.reportOnce(`analysis:${(err as Error).message}`, () => this.connection.console.error(`pds-lint: could not analyse ${doc.uri}: ${(err as Error).stack ?? err}`));
      return undefined;
    }
  }

  private rememberIntactClasses(uri: string, result: AnalysisResult): void {
    const byName = this.intactClasses.get(uri) ?? new Map<string, AnalysisResult>();
    for (const c of result.model.classes) if (c.role && !c.nested && !c.hasSyntaxError) byName.set(c.name, result);
    this.intactClasses.set(uri, byName);
    if (!result.root.hasError) this.lastClean.set(uri, result);
  }

  /** The class in the last analysis where it was intact. */
  private intactClass(uri: string, name: string): { model: FileModel; cls: ClassInfo } | undefined {
    const result = this.intactClasses.get(uri)?.get(name);
    const cls = result?.model.classes.find((c) => c.name === name && !c.nested && !c.hasSyntaxError);
    return result && cls ? { model: result.model, cls } : undefined;
  }

  /**
   * Completion costs nothing outside a completion context (decided from the text), and usually no
   * analysis inside one: classes come from the kept intact analyses, import edits from the last
   * clean one while the text above the imports is unchanged. Otherwise the current version is
   * analysed once (cached, and shared with the diagnostics).
   */
  private onCompletion(params: CompletionParams): CompletionItem[] | null {
    const doc = this.documents.get(params.textDocument.uri);
    if (!doc) return null;
    const text = doc.getText();
    const offset = doc.offsetAt(params.position);
    const lines = new LineIndex(text);
    const context = completionContext(text, lines, offset);
    if (!context) return null;
    const cached = this.analyses.get(doc.uri);
    let current = cached?.version === doc.version ? cached.result?.model : undefined;
    const intact = (name: string) => this.intactClass(doc.uri, name);
    if (context === 'offsetKey') {
      let items = offsetKeyItems(doc, { text, offset, lines, current, intact }, this.completion);
      if (!items.length && !current) {
        current = this.fullAnalysisOf(doc)?.model;
        if (current) items = offsetKeyItems(doc, { text, offset, lines, current, intact }, this.completion);
      }
      return items.length ? items : null;
    }
    // The kept model serves the import edits while the text is unchanged up to the imports.
    const kept = this.lastClean.get(doc.uri)?.model;
    const importModel = current ?? (kept && sharesImports(kept, text) ? kept : (current = this.fullAnalysisOf(doc)?.model));
    if (!importModel) return null;
    const items = memberItems(doc, { text, offset, lines, current, importModel, intact }, this.completion);
    return items.length ? items : null;
  }

  private onCodeAction(params: CodeActionParams): CodeAction[] {
    const doc = this.documents.get(params.textDocument.uri);
    if (!doc) return [];
    const analysis = this.analysisOf(doc);
    const settings = this.settingsByUri.get(doc.uri) ?? parseSettings({}).settings;
    const lint = effectiveLintSettings(this.fileConfigFor(doc.uri), settings);
    return [...this.quickFixes(params, doc, analysis, lint, settings), ...this.refactors(params, doc)];
  }

  /** The refactors at the range, when the request admits their kind (they need the model). */
  private refactors(params: CodeActionParams, doc: TextDocument): CodeAction[] {
    const only = params.context.only;
    if (only?.length && !only.some((o) => REFACTOR_KINDS.some((k) => k === o || k.startsWith(`${o}.`)))) return [];
    const model = this.fullAnalysisOf(doc)?.model;
    return model ? refactorActions(doc, model, params.range, this.documentChanges) : [];
  }

  private quickFixes(params: CodeActionParams, doc: TextDocument, analysis: Analysis | undefined, lint: ReturnType<typeof effectiveLintSettings>, settings: Settings): CodeAction[] {
    return codeActions(params, {
      document: doc,
      findings: analysis?.findings ?? [],
      documentChanges: this.documentChanges,
      fixAllSafe: () => {
        if (!analysis || analysis.notAnalysed) return doc.getText();
        // One budget for all the passes: fixes applied before it runs out are kept (each is safe).
        const deadline = settings.maxAnalysisMs > 0 ? cpuTime() + settings.maxAnalysisMs : undefined;
        return fixAll(doc.getText(), (t) => {
          let tree;
          try {
            tree = this.parser.parse(t, undefined, { deadline });
          } catch (err) {
            if (err instanceof ParseTimeoutError) return [];
            throw err;
          }
          try {
            return analyzeSyntax(t, { tree }, { ...lint, deadline }).findings;
          } finally {
            tree.delete?.();
          }
        }).text;
      },
    });
  }
}

/** The file system path of a file: URI; undefined for other schemes and malformed URIs. */
function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function isPython(languageId: string, uri: string): boolean {
  return languageId === 'python' || uri.endsWith('.py') || uri.endsWith('.pyi');
}

export function serverVersion(): string {
  for (const candidate of [path.join(__dirname, '..', '..', '..', '..', 'package.json'), path.join(__dirname, '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pds-lint' && pkg.version) return pkg.version;
    } catch {
      // next
    }
  }
  return '0.0.0';
}

