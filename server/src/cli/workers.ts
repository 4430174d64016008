/**
 * Linting many files on all cores: a pool of worker threads, each with its own parser, fed one
 * file at a time (so a large file does not hold up a whole share). Results come back in input
 * order. Few files, one core, or `PDS_LINT_THREADS=1` lint on the main thread instead.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PythonParser } from '../engine/parser';
import { type FileJob, type FileJobResult, runFileJob } from './jobs';

/** Below this many files, starting workers costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 24;

export function threadCount(files: number): number {
  const env = Number(process.env.PDS_LINT_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  if (files < MIN_FILES_FOR_WORKERS) return 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, 8, Math.ceil(files / 8)));
}

export async function lintFiles(jobs: FileJob[], parser: PythonParser, threads = threadCount(jobs.length)): Promise<FileJobResult[]> {
  if (threads <= 1 || jobs.length < 2) {
    const results: FileJobResult[] = [];
    for (const job of jobs) {
      results.push(runFileJob(job, parser));
      // Native trees are freed by finalizers that run between event-loop turns: yield to them.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return results;
  }
  const results: FileJobResult[] = new Array(jobs.length);
  let next = 0;
  const script = path.join(__dirname, 'worker.js');
  const workers = Array.from({ length: Math.min(threads, jobs.length) }, () => new Worker(script, { env: process.env }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let current = -1;
            const feed = () => {
              if (next >= jobs.length) {
                resolve();
                return;
              }
              current = next++;
              worker.postMessage(jobs[current]);
            };
            worker.on('message', (result: FileJobResult) => {
              results[current] = result;
              feed();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (next < jobs.length || current >= 0 && !results[current]) reject(new Error(`a lint worker exited with code ${code}`));
            });
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
