/**
 * The pds-lint language server: live diagnostics, code actions and hovers over the engine.
 * Built with an injected connection (tests drive it over stdio, main.ts wires it), it keeps one
 * incremental tree per open document and one analysis per document version.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  FileChangeType,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type AnalysisResult, analyzeSyntax } from '../engine/analyze';
import { cpuTime } from '../engine/budget';
import { ConfigError, type FileConfig, readPyprojectConfig } from '../engine/config';
import { fixAll } from '../engine/fixes';
import { noqaEdit } from '../engine/noqa';
import { ParseTimeoutError, type PythonParser } from '../engine/parser';
import { type ProjectSession, summarizeModel } from '../engine/project';
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
import { excludeMatcher } from './globs';
import { WorkspaceProject } from './workspace';

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
  /** The document's dependency epoch (bumped when a file it read from the project changes). */
  epoch: number;
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
  /** The workspace's Python files, for analysis across files (absent without a file workspace folder). */
  private project?: WorkspaceProject;
  private workDoneProgress = false;
  /** Open documents by file path. */
  private readonly openPaths = new Map<string, string>();
  /** The project files each analysis read (by document URI): it is analysed again when one changes. */
  private readonly dependencies = new Map<string, Set<string>>();
  /** Per document, bumped when a file it depends on changes: older results are stale. */
  private readonly epochs = new Map<string, number>();
  /** Closed files that have pushed diagnostics (`pdsLint.scope: workspace`). */
  private readonly workspaceDiagnostics = new Set<string>();
  /** Resolves when the workspace's files are listed (lookups can then find them); indexing goes on. */
  private discovered: Promise<void> = Promise.resolve();
  private workspaceRun = 0;
  private refreshTimer?: NodeJS.Timeout;
  private readonly dependantTimers = new Map<string, NodeJS.Timeout>();

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
    if (!this.workspaceFolders.length && params.rootUri) this.workspaceFolders = [filePathOf(params.rootUri) ?? []].flat();
    this.workDoneProgress = !!caps.window?.workDoneProgress;
    if (this.workspaceFolders.length) {
      this.project = new WorkspaceProject({
        parser: this.parser,
        folders: this.workspaceFolders,
        openText: (file) => {
          const uri = this.openPaths.get(file);
          return uri ? this.documents.get(uri)?.getText() : undefined;
        },
        log: (message) => this.reportOnce(message, () => this.connection.console.warn(message)),
      });
    }
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
      // Closed files' diagnostics (scope `workspace`) are pushed, not answered to `workspace/diagnostic`
      // pulls: VS Code's client re-sends that request in a loop, and push is what it shows best.
      ...(this.pullDiagnostics ? { diagnosticProvider: { interFileDependencies: !!this.project, workspaceDiagnostics: false } } : {}),
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
      const file = this.fileOf(p.textDocument.uri);
      if (file) {
        this.openPaths.set(file, p.textDocument.uri);
        // Its pushed workspace diagnostics give way to the open document's.
        if (this.workspaceDiagnostics.delete(p.textDocument.uri) && this.pullDiagnostics) void c.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
        this.projectFileChanged(file, p.textDocument.uri, 0);
      }
      this.schedule(p.textDocument.uri, 0);
    });
    c.onDidChangeTextDocument((p) => {
      const doc = this.documents.change(p.textDocument.uri, p.textDocument.version ?? 0, p.contentChanges);
      if (!doc) return;
      void this.settingsFor(doc.uri).then((s) => {
        const delay = this.options.delay ?? s.delay;
        if (s.run === 'onType') this.schedule(doc.uri, delay);
        const file = this.fileOf(doc.uri);
        if (file) this.projectFileChanged(file, doc.uri, s.run === 'onType' ? delay : undefined);
      });
    });
    c.onDidSaveTextDocument((p) => {
      if (!this.documents.get(p.textDocument.uri)) return;
      this.schedule(p.textDocument.uri, 0, true);
      const file = this.fileOf(p.textDocument.uri);
      if (file) this.projectFileChanged(file, p.textDocument.uri, 0);
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
      this.dependencies.delete(uri);
      const file = this.fileOf(uri);
      if (file && this.openPaths.get(file) === uri) {
        this.openPaths.delete(file);
        // The disk's text serves again: what depends on this file may change.
        this.projectFileChanged(file, uri, 0);
      }
      if (!this.pullDiagnostics) void c.sendDiagnostics({ uri, diagnostics: [] });
      if (file) void this.publishClosedIfWorkspace(file, uri);
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
      const python = p.changes.filter((ch) => /\.pyi?$/.test(ch.uri) && ch.uri.startsWith('file:'));
      if (python.length) void this.onPythonFilesChanged(python);
    });
    c.onInitialized(() => {
      void this.startIndexing();
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
        await this.whenDiscovered();
        const current = () => (settings.run === 'onSave' ? this.analyses.get(doc.uri) ?? this.analysisOf(doc, settings, generation) : this.analysisOf(doc, settings, generation));
        let analysis = current();
        // Texts of other files it needed and the server had not read yet: read them, analyse again.
        if (await this.project?.loadMissing()) {
          this.analyses.delete(doc.uri);
          analysis = current();
        }
        const resultId = `${analysis?.version ?? doc.version}:${analysis?.generation ?? generation}:${analysis?.epoch ?? 0}`;
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
    // For tests and the benchmark: the state of the workspace index.
    c.onRequest('pdsLint/indexStatus', () => ({
      state: this.project?.state ?? 'none',
      files: this.project?.index.size ?? 0,
      timings: this.project?.timings ?? null,
      stats: this.project?.index.stats ?? null,
      workspaceDiagnostics: [...this.workspaceDiagnostics],
    }));
    c.onShutdown(() => {
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
      for (const t of this.dependantTimers.values()) clearTimeout(t);
      clearTimeout(this.refreshTimer);
      this.project?.cancel();
      this.workspaceRun++;
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
    void this.updateWorkspaceDiagnostics();
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
    await this.whenDiscovered();
    let analysis = this.analysisOf(doc, settings, generation);
    // Texts of other files it needed and the server had not read yet: read them, analyse again.
    if (await this.project?.loadMissing()) {
      this.analyses.delete(uri);
      analysis = this.analysisOf(doc, settings, generation);
    }
    if (!analysis || this.documents.get(uri)?.version !== doc.version) return;
    await this.connection.sendDiagnostics({ uri, version: analysis.version, diagnostics: analysis.diagnostics });
  }

  /** The analysis of the document's current version (computed once per version). */
  analysisOf(doc: TextDocument, given?: Settings, generation = this.generation): Analysis | undefined {
    const cached = this.analyses.get(doc.uri);
    const epoch = this.epochs.get(doc.uri) ?? 0;
    if (cached && cached.version === doc.version && cached.generation === this.generation && cached.epoch === epoch) return cached;
    const settings = given ?? this.settingsByUri.get(doc.uri) ?? this.settingsByUri.get('*') ?? parseSettings({}).settings;
    const text = doc.getText();
    const notAnalysed = (message: string, start = 0, end = start): Analysis => {
      const analysis: Analysis = {
        version: doc.version,
        generation,
        epoch,
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
      const file = this.fileOf(doc.uri);
      const session = this.sessionFor(file);
      const result = analyzeSyntax(text, { tree: syntax.tree, cache: syntax.cache, parseTime: syntax.parseTime }, {
        ...lint,
        path: file,
        project: session,
        deadline,
        onRuleError: (code, error) =>
          this.reportOnce(`rule:${code}`, () => this.connection.console.error(`pds-lint: rule ${code} failed (other rules still report): ${(error as Error).stack ?? error}`)),
      });
      this.analysed(doc.uri, file, session, result);
      const diagnostics = result.findings.map((f) => {
        const line = result.model.lines.lineOf(f.start);
        const edit = noqaEdit(result.root, result.model.lines, line, f.code, result.noqa);
        return toDiagnostic(doc, f, edit && { range: rangeOf(doc, edit.start, edit.end), newText: edit.newText }, (p) => this.uriOfPath(p));
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
      const analysis: Analysis = { version: doc.version, generation, epoch, result, findings: result.findings, diagnostics };
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

  // ------------------------------------------------------------------ the workspace's other files

  private fileOf(uri: string): string | undefined {
    const file = filePathOf(uri);
    return file ? path.resolve(file) : undefined;
  }

  /** The URI of a file: the open document's when it is open. */
  private uriOfPath(file: string): string {
    return this.openPaths.get(file) ?? pathToFileURL(file).href;
  }

  private sessionFor(file: string | undefined): ProjectSession | undefined {
    return this.project?.index.sessionFor(file);
  }

  /** Waits (a little) for the workspace's files to be listed, so that the first analyses see them. */
  private async whenDiscovered(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.discovered, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }

  /** After an analysis: the files it depends on, and the file's outline from its model (no second parse). */
  private analysed(uri: string, file: string | undefined, session: ProjectSession | undefined, result: AnalysisResult): void {
    const project = this.project;
    if (!project || !session) return;
    this.dependencies.set(uri, session.touched);
    if (!file || !project.index.has(file)) return;
    const before = project.index.baseTargetsOf(file);
    if (project.index.setSummary(file, summarizeModel(result.model))) {
      // Its classes' bases changed: the files those bases are in may have gained or lost a subclass.
      const after = project.index.baseTargetsOf(file);
      this.relintFiles([...new Set([...before, ...after])].filter((f) => f !== file), 0);
    }
  }

  /**
   * A file of the project changed (an open document's edit, open, close or save): it is reindexed,
   * and the analyses that read it run again (after `delay`; undefined: not now).
   */
  private projectFileChanged(file: string, uri: string, delay: number | undefined): void {
    const project = this.project;
    if (!project?.index.has(file)) return;
    project.index.changed(file);
    if (delay !== undefined) this.relintUris(this.dependantsOf([file]).filter((u) => u !== uri), delay);
  }

  /** Documents (open, or closed with workspace diagnostics) whose last analysis read one of the files. */
  private dependantsOf(files: string[]): string[] {
    const out: string[] = [];
    for (const [uri, deps] of this.dependencies) if (files.some((f) => deps.has(f))) out.push(uri);
    return out;
  }

  /** The documents of these files, open or with workspace diagnostics, analysed again. */
  private relintFiles(files: string[], delay: number): void {
    const uris: string[] = [];
    for (const f of files) {
      const uri = this.openPaths.get(f) ?? pathToFileURL(f).href;
      if (this.documents.get(uri) || this.workspaceDiagnostics.has(uri)) uris.push(uri);
    }
    this.relintUris(uris, delay);
  }

  private relintUris(uris: string[], delay: number): void {
    if (!uris.length) return;
    let open = false;
    for (const uri of uris) {
      this.epochs.set(uri, (this.epochs.get(uri) ?? 0) + 1);
      this.analyses.delete(uri);
      if (this.documents.get(uri)) {
        open = true;
        if (!this.pullDiagnostics) this.schedule(uri, delay);
      } else if (this.workspaceDiagnostics.has(uri)) {
        const file = this.fileOf(uri);
        clearTimeout(this.dependantTimers.get(uri));
        if (file) {
          this.dependantTimers.set(uri, setTimeout(() => {
            this.dependantTimers.delete(uri);
            void this.publishClosedIfWorkspace(file, uri);
          }, delay));
        }
      }
    }
    if (open && this.pullDiagnostics) {
      // One refresh for a burst of changes: the client pulls the open documents again.
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => void this.connection.languages.diagnostics.refresh(), delay);
    }
  }

  /** Python files changed on disk (`workspace/didChangeWatchedFiles` for `**\/*.py`). */
  private async onPythonFilesChanged(changes: { uri: string; type: number }[]): Promise<void> {
    const project = this.project;
    if (!project) return;
    const changed: string[] = [];
    const targets: string[] = [];
    let structural = false;
    for (const ch of changes) {
      const file = this.fileOf(ch.uri);
      if (!file || !project.contains(file)) continue;
      const type = ch.type === FileChangeType.Created ? 'created' : ch.type === FileChangeType.Deleted ? 'deleted' : 'changed';
      const known = project.index.has(file);
      if (known) targets.push(...project.index.baseTargetsOf(file));
      await project.fileEvent(file, type);
      if (project.index.has(file)) targets.push(...project.index.baseTargetsOf(file));
      if (type === 'changed' && known) changed.push(file);
      else if (type !== 'changed' || project.index.has(file) !== known) structural = true;
      if (type === 'deleted') {
        const uri = pathToFileURL(file).href;
        this.dependencies.delete(uri);
        if (this.workspaceDiagnostics.delete(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      } else if (!this.openPaths.has(file)) {
        void this.publishClosedIfWorkspace(file, pathToFileURL(file).href);
      }
    }
    if (structural) {
      // A module appeared or went away: any import may now resolve elsewhere.
      const uris = new Set([...this.documents.all().map((d) => d.uri), ...this.workspaceDiagnostics]);
      this.relintUris([...uris], 0);
      return;
    }
    this.relintUris(this.dependantsOf(changed), 0);
    this.relintFiles(targets, 0);
  }

  /** Lists and summarizes the workspace's Python files in the background (with progress when the client shows it). */
  private async startIndexing(): Promise<void> {
    const project = this.project;
    if (!project) return;
    let discovered!: () => void;
    this.discovered = new Promise<void>((resolve) => (discovered = resolve));
    try {
      const matchers = await Promise.all(
        project.folders.map(async (folder) => {
          let files: unknown;
          if (this.configurationRequests) {
            try {
              files = await this.connection.workspace.getConfiguration({ scopeUri: pathToFileURL(folder).href, section: 'files' });
            } catch {
              files = undefined;
            }
          }
          return { folder, match: excludeMatcher((files as { exclude?: unknown } | undefined)?.exclude) };
        }),
      );
      const excluded = (absolute: string) =>
        matchers.some((m) => absolute.startsWith(m.folder + path.sep) && m.match(path.relative(m.folder, absolute).split(path.sep).join('/')));
      const progress = this.workDoneProgress ? await this.connection.window.createWorkDoneProgress() : undefined;
      progress?.begin('pds-lint: indexing Python files', 0, undefined, false);
      const done = await project.indexAll({
        excluded,
        onDiscovered: discovered,
        progress: { report: (n, total) => progress?.report(Math.round((n * 100) / Math.max(1, total)), `${n}/${total} files`) },
      });
      progress?.done();
      if (!done) return;
      const t = project.timings;
      this.connection.console.info(`pds-lint: indexed ${t?.files ?? 0} Python files in ${Math.round(t?.totalMs ?? 0)} ms`);
      // Open documents see the whole workspace now (subclasses in other files, every module).
      this.relintOpenIfChanged();
      void this.updateWorkspaceDiagnostics();
    } catch (err) {
      this.reportOnce('index', () => this.connection.console.error(`pds-lint: indexing the workspace failed: ${(err as Error).stack ?? err}`));
    } finally {
      discovered();
    }
  }

  /**
   * Analyses the open documents again; those whose diagnostics changed are published again (push)
   * or get a new result id and a refresh (pull). The others keep their results: no flicker, and
   * an unchanged pull stays "unchanged".
   */
  private relintOpenIfChanged(): void {
    let changed = false;
    for (const doc of this.documents.all()) {
      const previous = this.analyses.get(doc.uri);
      if (!previous) continue;
      this.analyses.delete(doc.uri);
      const next = this.analysisOf(doc);
      if (next && JSON.stringify(next.diagnostics) === JSON.stringify(previous.diagnostics)) continue;
      const epoch = (this.epochs.get(doc.uri) ?? 0) + 1;
      this.epochs.set(doc.uri, epoch);
      if (next) next.epoch = epoch;
      changed = true;
      if (!this.pullDiagnostics && next) void this.connection.sendDiagnostics({ uri: doc.uri, version: next.version, diagnostics: next.diagnostics });
    }
    if (changed && this.pullDiagnostics) void this.connection.languages.diagnostics.refresh();
  }

  /** The settings that are not per file: `pdsLint.scope`. */
  private scopeSettings(): Promise<Settings> {
    return this.settingsFor(this.workspaceFolders.length ? pathToFileURL(this.workspaceFolders[0]).href : '*');
  }

  /**
   * `pdsLint.scope: workspace`: diagnostics for every data-source file that is not open, pushed
   * in the background; `openFiles`: those diagnostics cleared.
   */
  private async updateWorkspaceDiagnostics(): Promise<void> {
    const project = this.project;
    if (!project || project.state !== 'ready') return;
    const run = ++this.workspaceRun;
    const scope = (await this.scopeSettings()).scope;
    if (run !== this.workspaceRun) return;
    if (scope !== 'workspace') {
      for (const uri of this.workspaceDiagnostics) {
        this.dependencies.delete(uri);
        void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      }
      this.workspaceDiagnostics.clear();
      return;
    }
    for (const file of project.index.allFiles()) {
      if (run !== this.workspaceRun) return;
      if (this.openPaths.has(file)) continue;
      await this.publishClosed(file, pathToFileURL(file).href);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async publishClosedIfWorkspace(file: string, uri: string): Promise<void> {
    if (this.project?.state !== 'ready' || this.openPaths.has(file)) return;
    if ((await this.scopeSettings()).scope !== 'workspace') return;
    await this.publishClosed(file, uri);
  }

  /** Analyses a closed file of the workspace from its disk text and pushes its diagnostics (or clears them). */
  private async publishClosed(file: string, uri: string): Promise<void> {
    const project = this.project;
    if (!project) return;
    const clear = () => {
      this.dependencies.delete(uri);
      if (this.workspaceDiagnostics.delete(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    };
    try {
      if (!project.index.has(file) || !project.index.isDataSourceFile(file)) return clear();
      const settings = await this.settingsFor(uri);
      if (!settings.enable) return clear();
      let text = project.textOf(file);
      if (text === undefined && (await project.loadMissing())) text = project.textOf(file);
      if (text === undefined || text.length > settings.maxFileSize) return clear();
      const lint = effectiveLintSettings(this.fileConfigFor(uri), settings);
      const source = text;
      const analyse = () => {
        const tree = this.parser.parse(source);
        try {
          const session = project.index.sessionFor(file);
          return { session, result: analyzeSyntax(source, { tree }, { ...lint, path: file, project: session }) };
        } finally {
          tree.delete?.();
        }
      };
      let out = analyse();
      if (await project.loadMissing()) out = analyse();
      if (this.openPaths.has(file)) return; // opened meanwhile: the open document's diagnostics serve
      const document = TextDocument.create(uri, 'python', 0, source);
      const diagnostics = out.result.findings.map((f) => {
        const edit = noqaEdit(out.result.root, out.result.model.lines, out.result.model.lines.lineOf(f.start), f.code, out.result.noqa);
        return toDiagnostic(document, f, edit && { range: rangeOf(document, edit.start, edit.end), newText: edit.newText }, (p) => this.uriOfPath(p));
      });
      this.dependencies.set(uri, out.session.touched);
      this.workspaceDiagnostics.add(uri);
      await this.connection.sendDiagnostics({ uri, diagnostics });
    } catch (err) {
      this.reportOnce(`workspace:${(err as Error).message}`, () => this.connection.console.error(`pds-lint: could not analyse ${uri}: ${(err as Error).stack ?? err}`));
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
            const file = this.fileOf(doc.uri);
            return analyzeSyntax(t, { tree }, { ...lint, deadline, path: file, project: this.sessionFor(file) }).findings;
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

