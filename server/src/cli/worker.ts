/** A lint worker thread: receives {@link FileJob}s, answers {@link FileJobResult}s. */
import { parentPort } from 'node:worker_threads';
import { loadPythonParser, type PythonParser } from '../engine/parser';
import { type FileJob, runFileJob } from './jobs';

let parser: Promise<PythonParser> | undefined;

parentPort?.on('message', (job: FileJob) => {
  parser ??= loadPythonParser();
  parser.then(
    (p) => parentPort?.postMessage(runFileJob(job, p)),
    (err: Error) => parentPort?.postMessage({ display: job.display, findings: [], fixesApplied: 0, problem: err.message, ruleFailures: [] }),
  );
});
