/** Section 4: `pds-lint` over a generated tree of files, against tree-sitter parsing alone. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PythonParser } from '../server/src/engine/parser';
import { generateSource } from './generate';
import { type Summary, summarize } from './stats';

export interface CliRow {
  files: number;
  megabytes: number;
  /** pds-lint wall time over the tree, ms. */
  lint: Summary;
  /** Same, one thread. */
  lintOneThread: Summary;
  /** Parse-only of the same files (read + decode + parse, one thread, in-process), ms. */
  parseOnly: Summary;
  /** pds-lint on one tiny file: process start-up, ms. */
  startup: Summary;
  filesPerSecond: number;
  megabytesPerSecond: number;
  /** pds-lint throughput as a share of parse-only throughput. */
  shareOfParseOnly: number;
}

/** A tree of `files` generated sources (sizes 50–400 lines), in nested packages. */
export function generateTree(dir: string, files: number): number {
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const sub = path.join(dir, `pkg${i % 10}`, `sub${i % 7}`);
    fs.mkdirSync(sub, { recursive: true });
    const text = generateSource(50 + ((i * 37) % 350), i + 1);
    fs.writeFileSync(path.join(sub, `source_${i}.py`), text);
    bytes += Buffer.byteLength(text);
  }
  return bytes;
}

function runCli(bin: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`pds-lint exited ${r.status}: ${r.stderr}`);
  return ms;
}

export function cliThroughput(parser: PythonParser, bin: string, files: number, reps: number): CliRow {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-bench-tree-'));
  try {
    const bytes = generateTree(dir, files);
    const all: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else all.push(p);
      }
    };
    walk(dir);
    const parseOnly: number[] = [];
    const lint: number[] = [];
    const lintOne: number[] = [];
    const tiny = path.join(dir, 'tiny.py');
    fs.writeFileSync(tiny, 'x = 1\n');
    const startup: number[] = [];
    runCli(bin, ['--isolated', '--exit-zero', '-q', dir], {});
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      for (const f of all) {
        const text = fs.readFileSync(f, 'utf8');
        parser.parse(text).delete?.();
      }
      parseOnly.push(performance.now() - t0);
      lint.push(runCli(bin, ['--isolated', '--exit-zero', '-q', dir], {}));
      lintOne.push(runCli(bin, ['--isolated', '--exit-zero', '-q', dir], { PDS_LINT_THREADS: '1' }));
      startup.push(runCli(bin, ['--isolated', '--exit-zero', '-q', tiny], {}));
    }
    const l = summarize(lint);
    const p = summarize(parseOnly);
    return {
      files,
      megabytes: bytes / 1e6,
      lint: l,
      lintOneThread: summarize(lintOne),
      parseOnly: p,
      startup: summarize(startup),
      filesPerSecond: files / (l.median / 1000),
      megabytesPerSecond: bytes / 1e6 / (l.median / 1000),
      shareOfParseOnly: p.median / l.median,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
