/**
 * Linting many files on all cores: a pool of worker threads, each with its own parser and its
 * own project index, fed one file at a time (so a large file does not hold up a whole share).
 * Results come back in input order. Few files, one core, or `PDS_LINT_THREADS=1` lint on the main
 * thread instead.
 *
 * With a project, "which classes of other files derive from this one" needs every file's
 * summary. Three ways to get them (`PDS_LINT_SUMMARIES`, for measuring; the benchmark compares them):
 * - `recheck` (default): every file is linted with that question answered "none" (only recorded);
 *   each result carries the file's summary, made from its own analysis at no extra cost; the files
 *   of the project that were not linted are summarized only when their text names a class asked
 *   about; then the few files whose answer is not "none" are linted again. One parse per file,
 *   plus one more for the files with subclasses elsewhere (the base modules);
 * - `shared`: the workers first summarize every file between them (one more parse per file), and
 *   every worker gets all the summaries;
 * - `lazy`: each thread summarizes the files it needs itself (every file, in every worker).
 * All three give the same findings, with one thread or many.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PythonParser } from '../engine/parser';
import type { FileSummary, ProjectIndex } from '../engine/project';
import { type FileJob, type FileJobResult, runFileJob } from './jobs';
import { createProjectIndex, filesMentioning, type ProjectSpec, updateProjectIndex } from './project';

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

export type SummaryStrategy = 'recheck' | 'shared' | 'lazy';

export function summaryStrategy(): SummaryStrategy {
  const v = process.env.PDS_LINT_SUMMARIES;
  return v === 'shared' || v === 'lazy' ? v : 'recheck';
}

/** Messages to a worker. */
export type WorkerRequest =
  | { type: 'summarize'; files: string[]; overrides?: [string, string][] }
  | { type: 'project'; spec: ProjectSpec; reuse?: boolean }
  | { type: 'lint'; job: FileJob };

/** Messages from a worker. */
export type WorkerResponse = { type: 'summaries'; summaries: [string, FileSummary | null][] } | { type: 'result'; result: FileJobResult };

export interface LintFilesOptions {
  threads?: number;
  project?: ProjectSpec;
}

export async function lintFiles(jobs: FileJob[], parser: PythonParser, options: LintFilesOptions = {}): Promise<FileJobResult[]> {
  const threads = options.threads ?? threadCount(jobs.length);
  const pool = threads > 1 && jobs.length >= 2 ? new WorkerPool(Math.min(threads, jobs.length)) : undefined;
  // The second pass keeps each thread's index (its models of other files) and only adds summaries.
  const local: { index?: ProjectIndex } = {};
  const run = (list: FileJob[], spec?: ProjectSpec, reuse = false) => (pool ? pool.lint(list, spec, reuse) : lintInThread(list, parser, spec, reuse ? local : undefined, local));
  try {
    const spec = options.project;
    if (!spec) return await run(jobs);
    const strategy = summaryStrategy();
    if (strategy === 'lazy') return await run(jobs, spec);
    if (strategy === 'shared') return await run(jobs, pool ? { ...spec, summaries: await pool.summarize(spec.files, spec.overrides) } : spec);
    const first = await run(jobs, { ...spec, deferSubclasses: true });
    // Every linted file's summary came with its result; of the others, only files that name one
    // of the classes asked about can hold a subclass of it: those are summarized, no others.
    const summaries = new Map(spec.summaries ?? []);
    jobs.forEach((job, i) => {
      const s = first[i].summary;
      if (s !== undefined) summaries.set(job.absolute, s);
    });
    const exact = { ...spec, subclassesFromKnownSummaries: true };
    const index = createProjectIndex({ ...exact, summaries: [...summaries] }, parser);
    summarizeCandidates(index, spec, new Set(first.flatMap((r) => r.askedSubclasses ?? [])), [...summaries.keys()]);
    const again = jobs.flatMap((job, i) => (first[i].askedSubclasses?.some((name) => index.subclassRefs(job.absolute, name).length) ? [i] : []));
    if (!again.length) return first;
    const second = await run(again.map((i) => jobs[i]), { ...exact, summaries: index.knownSummaries() }, true);
    again.forEach((i, k) => (first[i] = second[k]));
    return first;
  } finally {
    await pool?.close();
  }
}

/**
 * Summarizes the files that can hold a subclass of a class named in `asked`: those whose text
 * names it, or names another name some known file imports it as (`from .base import Base as B`),
 * until no new name turns up.
 */
function summarizeCandidates(index: ProjectIndex, spec: ProjectSpec, asked: Set<string>, known: string[]): void {
  const names = new Set(asked);
  const pending = new Set(spec.files.filter((f) => !known.includes(f)));
  const overrides = new Map(spec.overrides ?? []);
  let look = known;
  while (pending.size && names.size) {
    // Aliases of the names in the files summarized so far.
    let grew = false;
    for (const file of look) {
      for (const [local, qualified] of index.summaryOf(file)?.imports ?? []) {
        if (names.has(local)) continue;
        const ref = index.lookup(qualified, file);
        if (ref?.kind === 'class' && names.has(ref.name)) {
          names.add(local);
          grew = true;
        }
      }
    }
    if (!grew && look !== known) break;
    const found = filesMentioning([...pending], names, overrides);
    if (!found.length) break;
    for (const f of found) {
      pending.delete(f);
      index.summaryOf(f);
    }
    look = found;
  }
}

async function lintInThread(jobs: FileJob[], parser: PythonParser, spec: ProjectSpec | undefined, reuse: { index?: ProjectIndex } | undefined, keep: { index?: ProjectIndex }): Promise<FileJobResult[]> {
  const index = spec ? (reuse?.index ? updateProjectIndex(reuse.index, spec) : createProjectIndex(spec, parser)) : undefined;
  keep.index = index;
  const results: FileJobResult[] = [];
  for (const job of jobs) {
    results.push(runFileJob(job, parser, index));
    // Native trees are freed by finalizers that run between event-loop turns: yield to them.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return results;
}

class WorkerPool {
  private readonly workers: Worker[];

  constructor(size: number) {
    const script = path.join(__dirname, 'worker.js');
    this.workers = Array.from({ length: size }, () => new Worker(script, { env: process.env }));
  }

  async summarize(files: string[], overrides?: [string, string][]): Promise<[string, FileSummary | null][]> {
    const batches: string[][] = [];
    for (let i = 0; i < files.length; i += SUMMARY_BATCH) batches.push(files.slice(i, i + SUMMARY_BATCH));
    const answers = await this.feed(batches, (batch) => ({ type: 'summarize', files: batch, overrides }), (r) => (r.type === 'summaries' ? r.summaries : []));
    return answers.flat();
  }

  lint(jobs: FileJob[], spec?: ProjectSpec, reuse = false): Promise<FileJobResult[]> {
    if (spec) for (const w of this.workers) w.postMessage({ type: 'project', spec, reuse } satisfies WorkerRequest);
    return this.feed(jobs, (job) => ({ type: 'lint', job }), (r) => (r.type === 'result' ? r.result : { display: '?', findings: [], fixesApplied: 0, problem: `unexpected worker answer ${r.type}`, ruleFailures: [] }));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Feeds `items` to the workers one at a time; answers in input order. */
  private async feed<T, R>(items: T[], request: (item: T) => WorkerRequest, answer: (r: WorkerResponse) => R): Promise<R[]> {
    const results: R[] = new Array(items.length);
    const done: boolean[] = new Array(items.length).fill(false);
    let next = 0;
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let current = -1;
            const onMessage = (message: WorkerResponse) => {
              results[current] = answer(message);
              done[current] = true;
              send();
            };
            const onExit = (code: number) => {
              if (next < items.length || (current >= 0 && !done[current])) reject(new Error(`a lint worker exited with code ${code}`));
            };
            const cleanup = () => {
              worker.off('message', onMessage);
              worker.off('error', reject);
              worker.off('exit', onExit);
            };
            const send = () => {
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
            send();
          }),
      ),
    );
    return results;
  }
}
