/** A lint worker thread: summarizes project files, then lints {@link FileJob}s (see workers.ts). */
import { parentPort } from 'node:worker_threads';
import { loadPythonParser, type PythonParser } from '../engine/parser';
import type { ProjectIndex } from '../engine/project';
import { runFileJob } from './jobs';
import { createProjectIndex, summarizeFile, updateProjectIndex } from './project';
import type { WorkerRequest, WorkerResponse } from './workers';

let parser: Promise<PythonParser> | undefined;
let index: ProjectIndex | undefined;

const reply = (message: WorkerResponse) => parentPort?.postMessage(message);

parentPort?.on('message', (request: WorkerRequest) => {
  parser ??= loadPythonParser();
  parser.then(
    (p) => {
      switch (request.type) {
        case 'summarize': {
          const overrides = new Map(request.overrides ?? []);
          reply({ type: 'summaries', summaries: request.files.map((f) => [f, summarizeFile(f, p, overrides)]) });
          break;
        }
        case 'project':
          index = request.reuse && index ? updateProjectIndex(index, request.spec) : createProjectIndex(request.spec, p);
          break;
        case 'lint':
          reply({ type: 'result', result: runFileJob(request.job, p, index) });
          break;
      }
    },
    (err: Error) => {
      if (request.type === 'summarize') reply({ type: 'summaries', summaries: request.files.map((f) => [f, null]) });
      else if (request.type === 'lint') reply({ type: 'result', result: { display: request.job.display, findings: [], fixesApplied: 0, problem: err.message, ruleFailures: [] } });
    },
  );
});
