/**
 * Runs the dry-run harness in a child Python process and collects its events. The harness runs
 * the user's code, so this module is used by the CLI and by the VS Code client (in a trusted
 * workspace) — never by the language server.
 *
 * The child is the leader of its own process group (POSIX): cancelling, an unresponsive harness
 * and the end of the run all kill the whole group, so nothing the user's code started is left.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DryRunError, DryRunEvent, DryRunResult } from './protocol';

export const HARNESS_RELATIVE = path.join('server', 'dryrun', 'pds_dry_run.py');

/** The harness next to the running code: dist/../server/dryrun (bundle, VSIX) or out/server/src/dryrun/../../../../server/dryrun (build). */
export function findHarness(from = __dirname): string | undefined {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, HARNESS_RELATIVE);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

export interface DryRunRequest {
  /** The Python file (absolute, or relative to cwd). */
  file: string;
  className?: string;
  options?: Record<string, string>;
  schema?: string;
  batches: number;
  /** Seconds between micro-batches. */
  interval: number;
  /** Seconds per call of the user's code. */
  timeout: number;
  /** The interpreter: a path or a command on PATH. */
  python: string;
  /** Working directory of the run (the project root); relative paths in options resolve against it. */
  cwd: string;
  signal?: AbortSignal;
  onEvent?: (event: DryRunEvent) => void;
  /** The user's own output (their prints) and Python's warnings, as they come. */
  onStderr?: (text: string) => void;
  /** Overrides the harness location (tests). */
  harness?: string;
  /** Extra seconds of silence allowed beyond timeout + interval before the run is killed. */
  graceSeconds?: number;
}

export interface DryRunOutcome {
  result: DryRunResult;
  /** Everything the process wrote on stderr (capped). */
  stderr: string;
  exitCode: number | null;
  pid?: number;
}

const STDERR_CAP = 1_000_000;

/** A result for a run that produced none (no Python, cancelled, crashed harness). */
export function failedResult(file: string, error: DryRunError, python = ''): DryRunResult {
  return {
    protocol: 1,
    ok: false,
    file,
    python: { executable: python, version: '' },
    pyspark: null,
    source: {},
    schema: null,
    schemaNote: null,
    options: {},
    optionsAsked: { required: [], optional: [] },
    settings: { batches: 0, interval: 0, timeout: 0 },
    initialOffset: null,
    batches: [],
    restart: null,
    findings: [],
    stopped: null,
    rows: 0,
    seconds: 0,
    error,
  };
}

export function harnessArgs(harness: string, req: DryRunRequest, file: string): string[] {
  const args = ['-u', '-B', '-X', 'utf8', harness, file, '--protocol', 'events', '--root', req.cwd];
  args.push('--batches', String(req.batches), '--interval', String(req.interval), '--timeout', String(req.timeout));
  if (req.className) args.push('--class', req.className);
  if (req.schema) args.push('--schema', req.schema);
  if (req.options && Object.keys(req.options).length) args.push('--options-json', JSON.stringify(req.options));
  return args;
}

/** Kills the child's process group (POSIX) or process tree (Windows). */
export function killTree(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone
  }
  try {
    child.kill('SIGKILL');
  } catch {
    // already exited
  }
}

export function runDryRun(req: DryRunRequest): Promise<DryRunOutcome> {
  const file = path.resolve(req.cwd, req.file);
  const harness = req.harness ?? findHarness();
  if (!harness || !fs.existsSync(harness)) {
    return Promise.resolve({
      result: failedResult(file, { kind: 'harness-missing', message: `the dry-run harness (${HARNESS_RELATIVE}) is not next to pds-lint; reinstall it` }),
      stderr: '',
      exitCode: null,
    });
  }
  if (req.signal?.aborted) {
    return Promise.resolve({ result: failedResult(file, { kind: 'cancelled', message: 'the dry run was cancelled' }), stderr: '', exitCode: null });
  }
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(req.python, harnessArgs(harness, req, file), {
        cwd: req.cwd,
        detached: process.platform !== 'win32',
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
        env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1' },
      });
    } catch (err) {
      resolve({ result: failedResult(file, pythonMissing(req.python, err as NodeJS.ErrnoException), req.python), stderr: '', exitCode: null });
      return;
    }
    let result: DryRunResult | undefined;
    let failure: DryRunError | undefined;
    let stderr = '';
    let buffered = '';
    let settled = false;
    const silenceMs = (req.timeout + req.interval + (req.graceSeconds ?? 15)) * 1000;
    let silence: NodeJS.Timeout | undefined;
    const stopWith = (error: DryRunError) => {
      failure ??= error;
      killTree(child);
    };
    const armSilence = () => {
      clearTimeout(silence);
      silence = setTimeout(
        () => stopWith({ kind: 'unresponsive', message: `the dry run stopped responding (nothing for ${Math.round(silenceMs / 1000)} s, beyond the ${req.timeout} s per-call timeout); it was killed` }),
        silenceMs,
      );
    };
    const onAbort = () => stopWith({ kind: 'cancelled', message: 'the dry run was cancelled' });
    req.signal?.addEventListener('abort', onAbort, { once: true });
    armSilence();

    const handleLine = (line: string) => {
      if (!line.trim()) return;
      let event: DryRunEvent;
      try {
        event = JSON.parse(line) as DryRunEvent;
      } catch {
        return;
      }
      if (event.event === 'result') result = event.result;
      try {
        req.onEvent?.(event);
      } catch {
        // a listener's problem is not the run's
      }
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      armSilence();
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        handleLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (stderr.length < STDERR_CAP) stderr += chunk.slice(0, STDERR_CAP - stderr.length);
      req.onStderr?.(chunk);
    });
    const finish = (exitCode: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      req.signal?.removeEventListener('abort', onAbort);
      if (buffered) handleLine(buffered);
      killTree(child); // whatever the user's code left running in the group
      let final: DryRunResult;
      if (failure && (failure.kind === 'cancelled' || failure.kind === 'unresponsive' || !result)) {
        final = result && failure.kind === 'unresponsive' ? { ...result, ok: false, error: failure } : failedResult(file, failure, req.python);
      } else if (result) {
        final = result;
      } else {
        const tail = stderr.trim().split('\n').slice(-15).join('\n');
        final = failedResult(
          file,
          {
            kind: 'harness-failed',
            message: `the dry run ended without a result (${req.python}, exit code ${exitCode ?? 'none'}): the source's code may have ended the process${tail ? `:\n${tail}` : ''}`,
          },
          req.python,
        );
      }
      resolve({ result: final, stderr, exitCode, pid: child.pid });
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      failure ??= pythonMissing(req.python, err);
      finish(null);
    });
    child.on('close', (code) => finish(code));
  });
}

function pythonMissing(python: string, err: NodeJS.ErrnoException): DryRunError {
  if (err.code === 'ENOENT') {
    return { kind: 'no-python', message: `Python was not found: "${python}" (install Python 3, or set it with --python / the pdsLint.pythonPath setting)` };
  }
  return { kind: 'no-python', message: `could not start Python "${python}": ${err.message}` };
}
