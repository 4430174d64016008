/**
 * "PDS: Dry-run Stream Source" (`pdsLint.dryRun`): runs a stream source's reader the way Spark's
 * driver and executors would, on this machine, in a child Python (the harness shipped in
 * server/dryrun). It runs the user's code, so it lives in the client and needs a trusted workspace;
 * the language server never executes anything.
 *
 * Confirmed problems become diagnostics (collection "pds-dry-run", source "pds (dry run)") until
 * the file changes; the per-batch table opens in a webview, the text summary and the source's own
 * output go to the "pds-lint dry run" output channel.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  commands,
  Diagnostic,
  type DiagnosticCollection,
  DiagnosticSeverity,
  type ExtensionContext,
  extensions,
  languages,
  type OutputChannel,
  ProgressLocation,
  Range,
  Uri,
  ViewColumn,
  type WebviewPanel,
  window,
  workspace,
} from 'vscode';
import type { DryRunFinding, DryRunResult } from '../../server/src/dryrun/protocol';
import { CONFIRMED, exitCodeOf, formatDryRunHtml, formatDryRunText, refineLocations, type StaticLocation } from '../../server/src/dryrun/report';
import { runDryRun } from '../../server/src/dryrun/run';
import { defaultPython, DryRunConfigError, mergeDryRunSettings, type PartialDryRunSettings, projectDryRunSettings } from '../../server/src/dryrun/settings';

export const DRY_RUN_COMMAND = 'pdsLint.dryRun';
export const DRY_RUN_SOURCE = 'pds (dry run)';
const DOCS_BASE_URL = 'https://github.com/pds-lint/pds-lint/blob/main/docs/rules';

/** What the command accepts as its third argument (tests, other extensions). */
export interface DryRunCommandOptions {
  options?: Record<string, string>;
  batches?: number;
  interval?: number;
  timeout?: number;
  schema?: string;
  python?: string;
  /** Ask for missing options and an ambiguous class (default true). */
  interactive?: boolean;
  /** Open the report webview (default true). */
  showReport?: boolean;
}

/** What the command returns. */
export interface DryRunSummary {
  exitCode: 0 | 1 | 2;
  file: string;
  className?: string;
  error?: string;
  batches: number;
  rows: number;
  findings: { code: string | null; line: number | null; message: string }[];
}

export class DryRunFeature {
  private readonly diagnostics: DiagnosticCollection;
  private readonly output: OutputChannel;
  private panel: WebviewPanel | undefined;
  private running = new Set<string>();

  constructor(private readonly context: ExtensionContext) {
    this.diagnostics = languages.createDiagnosticCollection('pds-dry-run');
    this.output = window.createOutputChannel('pds-lint dry run');
    context.subscriptions.push(
      this.diagnostics,
      this.output,
      commands.registerCommand(DRY_RUN_COMMAND, (target?: Uri | string, className?: string, options?: DryRunCommandOptions) => this.run(target, className, options)),
      // A confirmed problem stays until the file changes: then it is no longer what ran.
      workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && this.diagnostics.has(e.document.uri)) this.diagnostics.delete(e.document.uri);
      }),
    );
  }

  async run(target?: Uri | string, classArg?: string, overrides: DryRunCommandOptions = {}): Promise<DryRunSummary | undefined> {
    if (!workspace.isTrusted) {
      const choice = await window.showWarningMessage('pds-lint: a dry run runs your source\u2019s code, so it needs a trusted workspace.', 'Manage Workspace Trust');
      if (choice) await commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    const uri = typeof target === 'string' ? Uri.parse(target) : target instanceof Uri ? target : window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file' || !uri.fsPath.endsWith('.py')) {
      void window.showErrorMessage('pds-lint: open a Python file with a stream source to dry-run it.');
      return undefined;
    }
    const file = uri.fsPath;
    if (this.running.has(file)) {
      void window.showInformationMessage(`pds-lint: a dry run of ${path.basename(file)} is already running.`);
      return undefined;
    }
    const open = workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open?.isDirty) await open.save();

    let project: ReturnType<typeof projectDryRunSettings>;
    try {
      project = projectDryRunSettings(file);
    } catch (err) {
      if (err instanceof DryRunConfigError) {
        void window.showErrorMessage(`pds-lint: ${err.message}`);
        return undefined;
      }
      throw err;
    }
    const interactive = overrides.interactive !== false;
    let className = classArg ?? project.settings.className;
    this.running.add(file);
    try {
      for (let attempt = 0; attempt < 8; attempt++) {
        const key = `pdsLint.dryRun.options:${file}#${className ?? ''}`;
        const remembered = this.context.workspaceState.get<Record<string, string>>(key) ?? {};
        const settings = mergeDryRunSettings(project.settings, this.editorSettings(uri), { options: remembered }, {
          className,
          options: overrides.options,
          batches: overrides.batches,
          interval: overrides.interval,
          timeout: overrides.timeout,
          schema: overrides.schema,
        });
        const python = overrides.python ?? (await this.python(uri, project.settings));
        const root = project.root ?? workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(file);
        const result = await this.runWithProgress(file, settings, python, root);
        const error = result.error;
        if (error?.kind === 'missing-option' && error.options?.length && interactive) {
          const answers = await this.askOptions(error.options, result.source.class ?? className ?? path.basename(file));
          if (!answers) return this.summary(result, className);
          await this.context.workspaceState.update(key, { ...remembered, ...answers });
          continue;
        }
        if (error?.kind === 'ambiguous-class' && error.candidates?.length && interactive) {
          const picked = await window.showQuickPick(error.candidates, { placeHolder: `${path.basename(file)} has several stream sources: which one to dry-run?` });
          if (!picked) return this.summary(result, className);
          className = picked;
          continue;
        }
        this.show(result, root, overrides.showReport !== false);
        return this.summary(result, className);
      }
      return undefined;
    } finally {
      this.running.delete(file);
    }
  }

  /** `pdsLint.dryRun.*` values the user set (defaults stay below pyproject.toml). */
  private editorSettings(uri: Uri): PartialDryRunSettings {
    const config = workspace.getConfiguration('pdsLint', uri);
    const explicit = <T>(key: string): T | undefined => {
      const i = config.inspect<T>(key);
      return i?.workspaceFolderLanguageValue ?? i?.workspaceFolderValue ?? i?.workspaceLanguageValue ?? i?.workspaceValue ?? i?.globalLanguageValue ?? i?.globalValue;
    };
    const options = explicit<Record<string, unknown>>('dryRun.options');
    return {
      batches: explicit<number>('dryRun.batches'),
      interval: explicit<number>('dryRun.interval'),
      timeout: explicit<number>('dryRun.timeout'),
      options: options ? Object.fromEntries(Object.entries(options).map(([k, v]) => [k, String(v)])) : undefined,
    };
  }

  /** pdsLint.pythonPath, else pyproject's python, else the Python extension's interpreter, else python3. */
  private async python(uri: Uri, project: PartialDryRunSettings): Promise<string> {
    const configured = workspace.getConfiguration('pdsLint', uri).get<string>('pythonPath')?.trim();
    if (configured) return configured;
    if (project.python) return project.python;
    return (await pythonFromExtension(uri)) ?? defaultPython();
  }

  private async askOptions(keys: string[], source: string): Promise<Record<string, string> | undefined> {
    const answers: Record<string, string> = {};
    for (const key of keys) {
      const value = await window.showInputBox({
        title: `Dry run of ${source}`,
        prompt: `The source needs the option "${key}" (remembered for this workspace)`,
        placeHolder: key,
        ignoreFocusOut: true,
      });
      if (value === undefined) return undefined;
      answers[key] = value;
    }
    return answers;
  }

  private runWithProgress(file: string, settings: ReturnType<typeof mergeDryRunSettings>, python: string, root: string): Promise<DryRunResult> {
    this.output.appendLine(`\n\u2500\u2500 ${new Date().toLocaleTimeString()} dry run of ${file} (${python})`);
    return Promise.resolve(
      window.withProgress({ location: ProgressLocation.Notification, title: `Dry run of ${path.basename(file)}`, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          const outcome = await runDryRun({
            file,
            className: settings.className,
            options: settings.options,
            schema: settings.schema,
            batches: settings.batches,
            interval: settings.interval,
            timeout: settings.timeout,
            python,
            cwd: root,
            signal: controller.signal,
            onStderr: (text) => this.output.append(text),
            onEvent: (event) => {
              if (event.event === 'batch-start') progress.report({ message: `batch ${event.batch}/${event.batches}`, increment: 100 / event.batches });
            },
          });
          return outcome.result;
        } finally {
          subscription.dispose();
        }
      }),
    );
  }

  private show(result: DryRunResult, root: string, showReport: boolean): void {
    const refined = refineLocations(result, staticPds001(Uri.file(result.file)));
    this.output.append(formatDryRunText(refined, root));
    this.publish(refined);
    const error = refined.error;
    if (error?.kind === 'cancelled') {
      void window.showInformationMessage('pds-lint: dry run cancelled.');
      return;
    }
    if (error && !refined.source.class) {
      void window.showErrorMessage(`pds-lint: the dry run could not run: ${error.message.split('\n')[0]}`, 'Show Output').then((c) => c && this.output.show(true));
      return;
    }
    if (showReport) this.report(refined, root);
    const n = refined.findings.length;
    if (n) void window.showWarningMessage(`pds-lint: the dry run found ${n} problem${n === 1 ? '' : 's'} in ${path.basename(refined.file)}.`);
  }

  private publish(result: DryRunResult): void {
    // A new run replaces what the previous run of this file said.
    const byFile = new Map<string, Diagnostic[]>([[result.file, []]]);
    for (const f of result.findings) {
      const file = f.file ?? result.file;
      if (!byFile.has(file)) byFile.set(file, []);
      byFile.get(file)!.push(toDiagnostic(f));
    }
    for (const [file, list] of byFile) this.diagnostics.set(Uri.file(file), list);
  }

  private report(result: DryRunResult, root: string): void {
    const title = `Dry run: ${path.basename(result.file)}`;
    if (!this.panel) {
      this.panel = window.createWebviewPanel('pdsLint.dryRunReport', title, { viewColumn: ViewColumn.Beside, preserveFocus: true }, { enableScripts: false });
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.panel.title = title;
    this.panel.webview.html = formatDryRunHtml(result, root, this.panel.webview.cspSource);
    this.panel.reveal(ViewColumn.Beside, true);
  }

  private summary(result: DryRunResult, className?: string): DryRunSummary {
    return {
      exitCode: exitCodeOf(result),
      file: result.file,
      className: result.source.class ?? className,
      error: result.error?.message,
      batches: result.batches.length,
      rows: result.rows,
      findings: result.findings.map((f) => ({ code: f.code, line: f.line, message: f.message })),
    };
  }
}

function toDiagnostic(f: DryRunFinding): Diagnostic {
  const line = Math.max(0, (f.line ?? 1) - 1);
  const column = Math.max(0, (f.column ?? 1) - 1);
  const d = new Diagnostic(new Range(line, column, line, lineLength(f.file, line) ?? column + 1), `${f.message} (${CONFIRMED})`, severityOf(f.severity));
  d.source = DRY_RUN_SOURCE;
  if (f.code) d.code = { value: f.code, target: docsUri(f.code) };
  return d;
}

function lineLength(file: string | null, line: number): number | undefined {
  if (!file) return undefined;
  const open = workspace.textDocuments.find((d) => d.uri.fsPath === file);
  if (open) return line < open.lineCount ? open.lineAt(line).text.length : undefined;
  try {
    return fs.readFileSync(file, 'utf8').split(/\r?\n/)[line]?.length;
  } catch {
    return undefined;
  }
}

function severityOf(s: DryRunFinding['severity']): DiagnosticSeverity {
  switch (s) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'information':
      return DiagnosticSeverity.Information;
    default:
      return DiagnosticSeverity.Hint;
  }
}

function docsUri(code: string): Uri {
  const local = path.join(__dirname, '..', 'docs', 'rules', `${code}.md`);
  return fs.existsSync(local) ? Uri.file(local) : Uri.parse(`${DOCS_BASE_URL}/${code}.md`);
}

/** The static PDS001 findings the language server shows for the file (1-based). */
function staticPds001(uri: Uri): StaticLocation[] {
  return languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'pds' && (typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code)) === 'PDS001')
    .map((d) => ({ code: 'PDS001', file: uri.fsPath, line: d.range.start.line + 1, column: d.range.start.character + 1 }));
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: Uri): { path: string } | undefined;
    resolveEnvironment?(env: { path: string }): Promise<{ executable?: { uri?: Uri } } | undefined>;
  };
  settings?: { getExecutionDetails?(resource?: Uri): { execCommand?: string[] } | undefined };
}

/** The interpreter selected in the Python extension (ms-python.python), when it is installed. */
async function pythonFromExtension(uri: Uri): Promise<string | undefined> {
  const ext = extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!ext) return undefined;
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const active = api?.environments?.getActiveEnvironmentPath?.(uri);
    if (active?.path) {
      const resolved = await api.environments?.resolveEnvironment?.(active);
      return resolved?.executable?.uri?.fsPath ?? active.path;
    }
    return api?.settings?.getExecutionDetails?.(uri)?.execCommand?.[0];
  } catch {
    return undefined;
  }
}
