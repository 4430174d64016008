/**
 * `npm run bench`: how close the engine is to the physical limit (tree-sitter parsing alone) and
 * how it compares with the Python tools a user already runs. Every figure is measured in this run
 * next to its baseline; medians with the p10–p90 spread. `--quick` is a smoke run for CI.
 * `--only 4,6` runs some sections only. Prints tables and writes bench/results.json (with
 * `--only`, bench/results-only.json, so a partial run does not replace the full results).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNativePythonParser } from '../server/src/engine/parser';
import { cliThroughput } from './cli';
import { engineVsParse } from './engine';
import { generateSource } from './generate';
import { pyrightCommand, timeLspServer, timeRuffWasm } from './peers';
import { projectBench } from './project';
import { keystrokeLatency, serverMemory } from './server';
import { fmt, spread, table } from './stats';

const ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const skipPeers = process.argv.includes('--no-peers');
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set((process.argv[onlyIndex + 1] ?? '').split(',').map(Number)) : undefined;
  const wanted = (section: number) => !only || only.has(section);
  const parser = loadNativePythonParser();
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` },
    quick,
  };
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`pds-lint benchmark — ${results.date as string} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}${quick ? ' (quick)' : ''}`);

  // 1. Engine vs parse-only
  const sizes = quick ? [100, 1000, 3000] : [100, 1000, 3000, 20000];
  const engine = wanted(1) || wanted(3) ? engineVsParse(parser, sizes, quick ? 5 : 20) : [];
  if (wanted(1)) {
    results.engine = engine;
    out('\n## 1. Engine vs tree-sitter parse alone (ms, median (p10–p90))');
    out(
      table(
        ['lines', 'KB', 'parse', 'analyze (all rules)', 'ratio', 'convert', 'model', 'rules', 'findings'],
        engine.map((r) => [String(r.lines), (r.bytes / 1024).toFixed(0), spread(r.parse), spread(r.analyze), `${r.ratio.toFixed(2)}×`, fmt(r.phases.convert), fmt(r.phases.model), fmt(r.phases.rules), String(r.findings)]),
      ),
    );
    const perLine = engine.map((r) => r.analyze.median / r.lines);
    out(`growth: ${perLine.map((x) => `${(x * 1000).toFixed(1)} µs/line`).join(', ')} (linear when these stay flat)`);
  }

  const text3000 = generateSource(3000, 3000);

  // 2. Keystroke latency in the server
  // The language-server issue's figure: the median of 50 edits (also in the quick run).
  const edits = quick ? 50 : 200;
  if (wanted(2)) {
    out(`\n## 2. Server: didChange → diagnostics of that version, 3,000-line file, ${edits} single-character edits (lint delay 0)`);
    const latency = await keystrokeLatency(ROOT, text3000, edits);
    results.serverLatency = { firstDiagnostics: latency.incremental.firstDiagnostics, edit: latency.incremental.edit, fullReparse: latency.fullReparse };
    out(
      table(
        ['parsing', 'first diagnostics (fresh process)', 'median', 'p95', 'max', 'p10–p90'],
        [
          ['incremental (tree.edit + reuse)', fmt(latency.incremental.firstDiagnostics), fmt(latency.incremental.edit.median), fmt(latency.incremental.edit.p95), fmt(latency.incremental.edit.max), `${fmt(latency.incremental.edit.p10)}–${fmt(latency.incremental.edit.p90)}`],
          ['full reparse every change', fmt(latency.fullReparse.firstDiagnostics), fmt(latency.fullReparse.edit.median), fmt(latency.fullReparse.edit.p95), fmt(latency.fullReparse.edit.max), `${fmt(latency.fullReparse.edit.p10)}–${fmt(latency.fullReparse.edit.p90)}`],
        ],
      ),
    );
    out(`goal: p95 under 20 ms → ${latency.incremental.edit.p95 < 20 ? 'met' : 'missed'}; a user also waits the lint delay (pdsLint.delay, default ${latency.defaultDelayMs} ms)`);
  }

  // 3. Peers
  if (!skipPeers && wanted(3)) {
    out('\n## 3. Peers on the same 3,000-line file, same run');
    const ruff = timeRuffWasm(text3000, quick ? 5 : 20);
    results.ruffWasm = ruff;
    const ours = engine.find((r) => r.lines >= 3000) ?? engine[engine.length - 1];
    const rows: string[][] = [['ruff-wasm lint (in-process)', spread(ruff.lint), spread(ours.analyze), `${(ours.analyze.median / ruff.lint.median).toFixed(2)}×`]];
    try {
      const { command, args } = pyrightCommand();
      const pyright = await timeLspServer(command, args, text3000, quick ? 5 : 20);
      results.pyright = pyright;
      const server = results.serverLatency as { firstDiagnostics?: number; edit?: { median: number } } | undefined;
      rows.push(['pyright first diagnostics (fresh process)', fmt(pyright.firstDiagnostics), server?.firstDiagnostics !== undefined ? fmt(server.firstDiagnostics) : '-', server?.firstDiagnostics !== undefined ? `${(server.firstDiagnostics / pyright.firstDiagnostics).toFixed(3)}×` : '-']);
      rows.push(['pyright edit → diagnostics', spread(pyright.edit), server?.edit ? fmt(server.edit.median) : '-', server?.edit ? `${(server.edit.median / pyright.edit.median).toFixed(3)}×` : '-']);
      rows.push(['pyright RSS, one 3,000-line file open (MiB)', pyright.rssMiB.toFixed(0), '', '']);
    } catch (err) {
      out(`pyright: not measured (${(err as Error).message})`);
    }
    out(table(['measure (ms)', 'peer', 'pds-lint', 'ours / theirs'], rows));
  }

  // 4. CLI throughput
  const files = quick ? 100 : 1000;
  if (wanted(4)) {
    out(`\n## 4. pds-lint over a generated tree of ${files} files`);
    const cli = cliThroughput(parser, path.join(ROOT, 'bin', 'pds-lint.js'), files, quick ? 1 : 3);
    results.cli = cli;
    out(
      table(
        ['files', 'MB', 'pds-lint (all cores)', 'pds-lint (1 thread)', 'parse only (1 thread)', 'files/s', 'MB/s', 'share of parse-only', 'start-up'],
        [[String(cli.files), cli.megabytes.toFixed(1), spread(cli.lint), spread(cli.lintOneThread), spread(cli.parseOnly), cli.filesPerSecond.toFixed(0), cli.megabytesPerSecond.toFixed(2), `${(cli.shareOfParseOnly * 100).toFixed(0)}%`, spread(cli.startup)]],
      ),
    );
  }

  // 5. Memory (50 open documents is the language-server issue's figure, in the quick run too)
  const counts = quick ? [50] : [50, 200];
  if (wanted(5)) {
    out(`\n## 5. Server memory: ${counts.join(' and ')} open documents of 1,000 lines`);
    const memory: Awaited<ReturnType<typeof serverMemory>>[] = [];
    for (const docs of counts) memory.push(await serverMemory(ROOT, docs, 1000));
    results.memory = memory;
    out(
      table(
        ['documents', 'RSS at start (MiB)', 'RSS open (MiB)', 'RSS after closing (MiB)', 'after closing vs start'],
        memory.map((m) => [String(m.documents), m.startMiB.toFixed(0), m.openMiB.toFixed(0), m.closedMiB.toFixed(0), `${((m.closedMiB / m.startMiB - 1) * 100).toFixed(0)}%`]),
      ),
    );
    for (const m of memory) {
      out(`goals (${m.documents} documents): under 150 MB open → ${m.openMiB < 150 ? 'met' : 'missed'}; back within 10% of the start → ${m.closedMiB <= m.startMiB * 1.1 ? 'met' : 'missed'}`);
    }
  }

  // 6. Across files
  if (wanted(6)) {
    const projectFiles = quick ? 40 : 1000;
    out(`\n## 6. Across files: a generated package of ${projectFiles} files (a tenth base modules, the rest readers importing them)`);
    const project = await projectBench(ROOT, projectFiles, quick ? 1 : 3, quick);
    results.project = project;
    const s = project.server;
    out(
      table(
        ['files', 'MB', 'server cold index (initialized → done)', 'walk', 'index (server)', 'RSS indexed (MiB)', 'open a reader → diagnostics', 'keystroke in it', 'keystroke in a base module', `scope workspace: ${s.workspaceFiles} files diagnosed`],
        [[String(project.files), project.megabytes.toFixed(1), spread(s.coldIndex), fmt(s.discoverMs), fmt(s.indexMs), s.rssMiB.toFixed(0), fmt(s.firstReader), spread(s.readerEdit), spread(s.baseEdit), fmt(s.workspaceScope)]],
      ),
    );
    const c = project.cli;
    out(
      table(
        ['CLI over the tree (ms)', 'all cores', '1 thread', 'findings'],
        [
          ['across files (default: lint, then re-check files with subclasses elsewhere)', spread(c.crossFile), quick ? '-' : spread(c.crossFileOneThread), String(c.findingsCrossFile)],
          ...(quick
            ? []
            : [
                ['across files (PDS_LINT_SUMMARIES=shared: summarize all first, share)', spread(c.sharedSummaries), '', ''],
                ['across files (PDS_LINT_SUMMARIES=lazy: each worker summarizes all)', spread(c.lazySummaries), '', ''],
              ]),
          ['one file at a time (before, PDS_LINT_CROSS_FILE=0)', spread(c.before), quick ? '-' : spread(c.beforeOneThread), String(c.findingsBefore)],
        ],
      ),
    );
    out(`cost of cross-file resolution: ${((c.crossFile.median / c.before.median - 1) * 100).toFixed(0)}% all cores${quick ? '' : `, ${((c.crossFileOneThread.median / c.beforeOneThread.median - 1) * 100).toFixed(0)}% one thread`}`);
  }

  const file = path.join(ROOT, 'bench', only ? 'results-only.json' : 'results.json');
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  out(`\nwrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
