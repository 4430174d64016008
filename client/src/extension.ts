/**
 * The VS Code side: starts the bundled language server, shows its output, restarts it on request,
 * and runs the dry run (client/src/dryrun.ts: it runs the user's code, in a trusted workspace
 * only). Everything else (diagnostics, quick fixes, hovers, the "Dry run" lenses) comes from the
 * server, which never runs code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commands, type ExtensionContext, type LogOutputChannel, window, workspace } from 'vscode';
import { LanguageClient, type LanguageClientOptions, RevealOutputChannelOn, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { DryRunFeature } from './dryrun';

let client: LanguageClient | undefined;
let output: LogOutputChannel;
let restarting: Promise<void> | undefined;

/** The bundled server (dist/server.js) when packaged, else the compiled one (out/). */
function serverModule(context: ExtensionContext): string {
  const bundled = context.asAbsolutePath(path.join('dist', 'server.js'));
  return fs.existsSync(bundled) ? bundled : context.asAbsolutePath(path.join('out', 'server', 'src', 'lsp', 'main.js'));
}

function createClient(context: ExtensionContext): LanguageClient {
  const module = serverModule(context);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      { scheme: 'vscode-notebook-cell', language: 'python' },
    ],
    // Settings changes and pyproject.toml edits re-lint open files without a restart.
    synchronize: { configurationSection: 'pdsLint', fileEvents: workspace.createFileSystemWatcher('**/pyproject.toml') },
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    middleware: {
      // The "Dry run" lenses run code: none in an untrusted workspace.
      provideCodeLenses: (document, token, next) => (workspace.isTrusted ? next(document, token) : []),
    },
  };
  return new LanguageClient('pdsLint', 'PySpark Streaming Data Source Lint', serverOptions, clientOptions);
}

async function start(context: ExtensionContext): Promise<void> {
  client = createClient(context);
  try {
    await client.start();
  } catch (err) {
    output.error(`The pds-lint server failed to start: ${(err as Error).message}`);
    const choice = await window.showErrorMessage('pds-lint: the language server failed to start. See the logs for details.', 'Show Logs');
    if (choice === 'Show Logs') output.show();
  }
}

/** One restart at a time: a burst of requests restarts once. */
function restart(context: ExtensionContext): Promise<void> {
  restarting ??= (async () => {
    try {
      await client?.stop();
    } catch (err) {
      output.warn(`Stopping the server: ${(err as Error).message}`);
    }
    await start(context);
  })().finally(() => {
    restarting = undefined;
  });
  return restarting;
}

/** What the extension exports to other extensions and tests. */
export interface PdsLintApi {
  serverInfo(): Promise<{ version: string; parserBackend: 'native' | 'wasm'; fallbackReason: string | null; openDocuments: number }>;
}

export async function activate(context: ExtensionContext): Promise<PdsLintApi> {
  output = window.createOutputChannel('pds-lint', { log: true });
  context.subscriptions.push(
    output,
    commands.registerCommand('pdsLint.restartServer', () => restart(context)),
    commands.registerCommand('pdsLint.showOutput', () => output.show()),
    // Granting trust brings the lenses back: the simplest way to have them asked for again.
    workspace.onDidGrantWorkspaceTrust(() => void restart(context)),
  );
  new DryRunFeature(context);
  await start(context);
  return {
    serverInfo: async () => {
      if (!client) throw new Error('the pds-lint server is not running');
      return client.sendRequest('pdsLint/serverInfo');
    },
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
