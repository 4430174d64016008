/**
 * Section 6: analysis across files. A generated package (the seeded generator's files, plus base
 * modules whose abstract readers and offset helpers the other files import, relatively and
 * absolutely): the language server's cold index (from `initialized` to the index done), what an
 * open reader then costs, `scope: workspace` over the whole tree, and the CLI with cross-file
 * resolution against the CLI before it (`PDS_LINT_CROSS_FILE=0`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateSource } from './generate';
import { editPoints, LspProcess, positionOf } from './lsp';
import { serverCommand } from './server';
import { type Summary, summarize } from './stats';

export interface ProjectTree {
  files: number;
  bases: number;
  bytes: number;
  readers: string[];
}

/** `files` Python files under `dir/app`: a tenth are base modules, the others import them. */
export function generateProject(dir: string, files: number): ProjectTree {
  const app = path.join(dir, 'app');
  const common = path.join(app, 'common');
  fs.mkdirSync(common, { recursive: true });
  fs.writeFileSync(path.join(app, '__init__.py'), '');
  fs.writeFileSync(path.join(common, '__init__.py'), '"""Shared bases."""\n');
  let bytes = 0;
  let written = 2;
  const bases = Math.max(1, Math.ceil(files / 10));
  for (let k = 0; k < bases && written < files; k++, written++) {
    const text = `"""Base module ${k}: an abstract API reader and offset helpers."""
from datetime import datetime, timezone

import requests
from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class Page${k}(InputPartition):
    def __init__(self, start, end):
        self.start = start
        self.end = end


class ApiBase${k}(DataSourceStreamReader):
    """Subclasses define read()."""

    def __init__(self, options):
        self.url = options.get("url", "https://example.invalid/${k}")

    def initialOffset(self):
        return {"page": 0}

    def latestOffset(self):
        return {"page": self._last_page()}

    def partitions(self, start, end):
        return [Page${k}(start["page"], end["page"])]

    def _last_page(self):
        return requests.get(self.url, timeout=10).json()["last"]

    def _fetch(self, page):
        return requests.get(f"{self.url}?page={page}", timeout=10).json()["items"]


def make_offset_${k}():
    return {"ts": datetime.now(timezone.utc).replace(microsecond=0).isoformat()}


def make_raw_offset_${k}():
    return {"ts": datetime.now(timezone.utc).isoformat()}


${generateSource(40 + ((k * 13) % 120), 5000 + k)}`;
    fs.writeFileSync(path.join(common, `base_${k}.py`), text);
    bytes += Buffer.byteLength(text);
  }
  const readers: string[] = [];
  for (let i = 0; written < files; i++, written++) {
    const sub = path.join(app, `pkg${i % 10}`);
    if (!fs.existsSync(sub)) {
      fs.mkdirSync(sub, { recursive: true });
      fs.writeFileSync(path.join(sub, '__init__.py'), '');
      written++;
      if (written >= files) break;
    }
    const k = i % bases;
    const imports = i % 2 ? `from ..common.base_${k} import ApiBase${k}, make_offset_${k}, make_raw_offset_${k}\n` : `from app.common.base_${k} import ApiBase${k}, make_offset_${k}, make_raw_offset_${k}\n`;
    const text = `${imports}${generateSource(50 + ((i * 37) % 350), i + 1)}
class Orders${i}(ApiBase${k}):
    def read(self, partition):
        for item in self._fetch(partition.start):
            yield (item["id"], item["ts"])


class Clock${i}(ApiBase${k}):
    def latestOffset(self):
        return ${i % 3 ? `make_offset_${k}` : `make_raw_offset_${k}`}()

    def read(self, partition):
        yield (partition.start, partition.end)
`;
    const file = path.join(sub, `reader_${i}.py`);
    fs.writeFileSync(file, text);
    readers.push(file);
    bytes += Buffer.byteLength(text);
  }
  return { files: written, bases, bytes, readers };
}

export interface ProjectRow {
  files: number;
  megabytes: number;
  server: {
    /** `initialized` → the server's "indexed" log line, as the client sees it (ms). */
    coldIndex: Summary;
    /** The server's own figures: the folder walk, and everything. */
    discoverMs: number;
    indexMs: number;
    rssMiB: number;
    /** A reader opened after indexing: didOpen → its diagnostics (ms). */
    firstReader: number;
    /** Keystrokes in the open reader, and in an open base module (subclasses in other files): didChange → diagnostics (ms). */
    readerEdit: Summary;
    baseEdit: Summary;
    /** `scope: workspace`: initialized → every data-source file's diagnostics pushed (ms). */
    workspaceScope: number;
    workspaceFiles: number;
  };
  cli: {
    crossFile: Summary;
    before: Summary;
    crossFileOneThread: Summary;
    beforeOneThread: Summary;
    lazySummaries: Summary;
    sharedSummaries: Summary;
    findingsCrossFile: number;
    findingsBefore: number;
  };
}

function runCli(bin: string, dir: string, env: NodeJS.ProcessEnv, format?: 'json'): { ms: number; findings: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, '--isolated', '--exit-zero', ...(format ? ['--format', 'json'] : ['-q']), dir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', format ? 'pipe' : 'ignore', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`pds-lint exited ${r.status}: ${r.stderr}`);
  return { ms, findings: format ? (JSON.parse(String(r.stdout)) as unknown[]).length : 0 };
}

/** Opens a file and types a space at `edits` places: didChange → diagnostics of that version, each (ms). */
async function typeInto(server: LspProcess, file: string, edits: number): Promise<number[]> {
  const uri = pathToFileURL(file).href;
  const text = fs.readFileSync(file, 'utf8');
  const opened = server.waitForDiagnostics(uri, 1);
  server.open(uri, text, 1);
  await opened;
  let current = text;
  let version = 1;
  const samples: number[] = [];
  for (const offset of editPoints(text, edits)) {
    const at = Math.min(current.length, offset + samples.length);
    const pos = positionOf(current, at);
    current = `${current.slice(0, at)} ${current.slice(at)}`;
    version++;
    const done = server.waitForDiagnostics(uri, version);
    const t0 = performance.now();
    server.change(uri, version, [{ range: { start: pos, end: pos }, text: ' ' }]);
    await done;
    samples.push(performance.now() - t0);
  }
  server.close(uri);
  return samples;
}

async function coldIndex(root: string, dir: string, settings: unknown = {}): Promise<{ ms: number; server: LspProcess }> {
  const { command, args } = serverCommand(root);
  const server = LspProcess.start(command, args, dir);
  server.settings = settings;
  await server.connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'bench' }],
    capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } }, workspace: { configuration: true }, window: { workDoneProgress: true } },
  });
  const indexed = server.waitForLog(/pds-lint: indexed \d+ Python files/, 600_000);
  const t0 = performance.now();
  await server.connection.sendNotification('initialized', {});
  await indexed;
  return { ms: performance.now() - t0, server };
}

export async function projectBench(root: string, files: number, reps: number, quick = false): Promise<ProjectRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-bench-project-'));
  try {
    const tree = generateProject(dir, files);
    const bin = path.join(root, 'bin', 'pds-lint.js');
    // Warm the page cache and the CLI's first run.
    if (!quick) runCli(bin, dir, {});

    const cold: number[] = [];
    let status: { timings: { discoverMs: number; totalMs: number } } | undefined;
    let rssMiB = NaN;
    let firstReader = NaN;
    const readerEdits: number[] = [];
    const baseEdits: number[] = [];
    for (let i = 0; i < reps; i++) {
      const { ms, server } = await coldIndex(root, dir);
      cold.push(ms);
      try {
        status = (await server.connection.sendRequest('pdsLint/indexStatus')) as typeof status;
        rssMiB = server.rssMiB();
        const reader = tree.readers[Math.floor(tree.readers.length / 2)];
        const uri = pathToFileURL(reader).href;
        const t0 = performance.now();
        const done = server.waitForDiagnostics(uri, 1);
        server.open(uri, fs.readFileSync(reader, 'utf8'), 1);
        await done;
        firstReader = performance.now() - t0;
        readerEdits.push(...(await typeInto(server, reader, quick ? 5 : 30)));
        baseEdits.push(...(await typeInto(server, path.join(dir, 'app', 'common', 'base_0.py'), quick ? 5 : 30)));
      } finally {
        await server.stop();
      }
    }

    // scope: workspace, once: initialized → every data-source file published.
    const dataSourceFiles = tree.readers.length + tree.bases;
    const ws = await coldIndex(root, dir, { scope: 'workspace' });
    let workspaceScope = NaN;
    try {
      const t0 = performance.now() - ws.ms;
      await ws.server.waitForPublishedCount(dataSourceFiles, 600_000);
      workspaceScope = performance.now() - t0;
    } finally {
      await ws.server.stop();
    }

    const crossFile: number[] = [];
    const before: number[] = [];
    const crossOne: number[] = [];
    const beforeOne: number[] = [];
    const lazy: number[] = [];
    const shared: number[] = [];
    let findingsCrossFile = 0;
    let findingsBefore = 0;
    for (let i = 0; i < reps; i++) {
      const a = runCli(bin, dir, {}, 'json');
      crossFile.push(a.ms);
      findingsCrossFile = a.findings;
      const b = runCli(bin, dir, { PDS_LINT_CROSS_FILE: '0' }, 'json');
      before.push(b.ms);
      findingsBefore = b.findings;
      if (quick) continue;
      crossOne.push(runCli(bin, dir, { PDS_LINT_THREADS: '1' }).ms);
      beforeOne.push(runCli(bin, dir, { PDS_LINT_THREADS: '1', PDS_LINT_CROSS_FILE: '0' }).ms);
      lazy.push(runCli(bin, dir, { PDS_LINT_SUMMARIES: 'lazy' }).ms);
      shared.push(runCli(bin, dir, { PDS_LINT_SUMMARIES: 'shared' }).ms);
    }
    return {
      files: tree.files,
      megabytes: tree.bytes / 1e6,
      server: {
        coldIndex: summarize(cold),
        discoverMs: status?.timings.discoverMs ?? NaN,
        indexMs: status?.timings.totalMs ?? NaN,
        rssMiB,
        firstReader,
        readerEdit: summarize(readerEdits),
        baseEdit: summarize(baseEdits),
        workspaceScope,
        workspaceFiles: dataSourceFiles,
      },
      cli: {
        crossFile: summarize(crossFile),
        before: summarize(before),
        crossFileOneThread: summarize(crossOne),
        beforeOneThread: summarize(beforeOne),
        lazySummaries: summarize(lazy),
        sharedSummaries: summarize(shared),
        findingsCrossFile,
        findingsBefore,
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
