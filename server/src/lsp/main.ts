/**
 * The language server's entry point: stdio (or --node-ipc) wiring, `--version`, `--help`.
 * Nothing else in the server reads stdin.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { loadPythonParser } from '../engine/parser';
import { garbageCollector } from '../memory';
import { PdsServer, serverVersion } from './server';

const HELP = `pds-lint language server ${serverVersion()}

Usage: pds-lint-server --stdio | --node-ipc
  --version             print the version
  --no-incremental      parse every change from scratch (benchmarks)
  --delay MS            lint delay after a change, overriding pdsLint.delay (benchmarks)
`;

function main(): void {
  const args = process.argv.slice(2);
  if (args.includes('--version') || args.includes('-V')) {
    process.stdout.write(`${serverVersion()}\n`);
    return;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const delayIndex = args.indexOf('--delay');
  const delay = delayIndex >= 0 ? Number(args[delayIndex + 1]) : undefined;
  const connection = createConnection(ProposedFeatures.all);
  let server: PdsServer | undefined;
  connection.onInitialize(async (params) => {
    let parser;
    try {
      parser = await loadPythonParser();
    } catch (err) {
      // Without a grammar nothing can be analysed: say so once, and serve nothing.
      void connection.window.showErrorMessage(`pds-lint: ${(err as Error).message}`);
      return { capabilities: {} };
    }
    server = new PdsServer(connection, parser, {
      incremental: !args.includes('--no-incremental'),
      delay: Number.isFinite(delay) ? delay : undefined,
      collectGarbage: garbageCollector(),
    });
    const result = server.initialize(params);
    server.register();
    return result;
  });
  process.on('uncaughtException', (err) => {
    connection.console.error(`pds-lint: uncaught exception: ${err.stack ?? err}`);
  });
  connection.listen();
}

main();
