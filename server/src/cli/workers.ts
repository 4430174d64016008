/**
 * Linting many files on all cores: a pool of worker threads, each with its own parser and its
 * own project index, fed one file at a time (so a large file does not hold up a whole share).
 * Results come back in input order. Few files, one core, or `PDS_LINT_THREADS=1` lint on the main
 * thread instead.
 *
 * With a project, the workers first summarize the project's files between them (each file once)
 * and every worker gets all the summaries; then they lint. `PDS_LINT_SHARE_SUMMARIES=0` lets each
 * worker summarize what it needs itself instead (to measure the difference).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PythonParser } from '../engine/parser';
import type { FileSummary } from '../engine/project';
import { type FileJob, type FileJobResult, runFileJob } from './jobs';
import { createProjectIndex, type ProjectSpec } from './project';

/** Below this many files, starting workers costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 24;
/** Files per summary message: big enough to amortize a message, small enough to balance. */
const SUMMARY_BATCH = 32;

export function threadCount(files: number): number {
  const env = Number(process.env.PDS_LINT_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  if (files < MIN_FILES_FOR_WORKERS) return 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, 8, Math.ceil(files / 8)));
}

/** Messages to a worker. */
export type WorkerRequest =
  | { type: 'summarize'; files: string[]; overrides?: [string, string][] }
  | { type: 'project'; spec: ProjectSpec }
  | { type: 'lint'; job: FileJob };

/** Messages from a worker. */
export type WorkerResponse = { type: 'summaries'; summaries: [string, FileSummary | null][] } | { type: 'result'; result: FileJobResult };

export interface LintFilesOptions {
  threads?: number;
  project?: ProjectSpec;
}

export async function lintFiles(jobs: FileJob[], parser: PythonParser, options: LintFilesOptions = {}): Promise<FileJobResult[]> {
  const threads = options.threads ?? threadCount(jobs.length);
  if (threads <= 1 || jobs.length < 2) {
    const index = options.project ? createProjectIndex(options.project, parser) : undefined;
    const results: FileJobResult[] = [];
    for (const job of jobs) {
      results.push(runFileJob(job, parser, index));
      // Native trees are freed by finalizers that run between event-loop turns: yield to them.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return results;
  }
  const script = path.join(__dirname, 'worker.js');
  const workers = Array.from({ length: Math.min(threads, jobs.length) }, () => new Worker(script, { env: process.env }));
  try {
    let spec = options.project;
    if (spec && process.env.PDS_LINT_SHARE_SUMMARIES !== '0') {
      const batches: string[][] = [];
      for (let i = 0; i < spec.files.length; i += SUMMARY_BATCH) batches.push(spec.files.slice(i, i + SUMMARY_BATCH));
      const summaries = (await pool(workers, batches, (files) => ({ type: 'summarize', files, overrides: spec!.overrides }), (r) => (r.type === 'summaries' ? r.summaries : []))).flat();
      spec = { ...spec, summaries };
    }
    if (spec) for (const w of workers) w.postMessage({ type: 'project', spec } satisfies WorkerRequest);
    return await pool(workers, jobs, (job) => ({ type: 'lint', job }), (r) => (r.type === 'result' ? r.result : failedResult(r)));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function failedResult(r: WorkerResponse): FileJobResult {
  return { display: '?', findings: [], fixesApplied: 0, problem: `unexpected worker answer ${r.type}`, ruleFailures: [] };
}

/** Feeds `items` to the workers one at a time; answers in input order. */
async function pool<T, R>(workers: Worker[], items: T[], request: (item: T) => WorkerRequest, answer: (r: WorkerResponse) => R): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const done: boolean[] = new Array(items.length).fill(false);
  let next = 0;
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          let current = -1;
          const onMessage = (message: WorkerResponse) => {
            results[current] = answer(message);
            done[current] = true;
            feed();
          };
          const onExit = (code: number) => {
            if (next < items.length || (current >= 0 && !done[current])) reject(new Error(`a lint worker exited with code ${code}`));
          };
          const cleanup = () => {
            worker.off('message', onMessage);
            worker.off('error', reject);
            worker.off('exit', onExit);
          };
          const feed = () => {
            if (next >= items.length) {
              cleanup();
              resolve();
              return;
            }
            current = next++;
            worker.postMessage(request(items[current]));
          };
          worker.on('message', onMessage);
          worker.on('error', reject);
          worker.on('exit', onExit);
          feed();
        }),
    ),
  );
  return results;
}
