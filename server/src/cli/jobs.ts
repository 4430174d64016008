/**
 * One file's work for the CLI: read, decode, lint, fix (write or diff). Runs on the main thread
 * for a few files and in worker threads for many (see workers.ts); results are plain data.
 */
import * as fs from 'node:fs';
import type { LintSettings } from '../engine/config';
import { decodeSource, DEFAULT_MAX_FILE_BYTES, encodeSource, formatBytes, SourceError } from '../engine/decode';
import type { PythonParser } from '../engine/parser';
import type { FileSummary, ProjectIndex } from '../engine/project';
import type { Finding } from '../engine/types';
import { unifiedDiff } from './diff';
import { describe } from './discover';
import { type FixMode, lintSource } from './lint';

export interface FileJob {
  /** The path as shown to the user. */
  display: string;
  /** Where to read (and write fixes). */
  absolute: string;
  settings: LintSettings;
  fix: FixMode;
  /** What to do with fixed text: write it back (after every file was linted), or return a unified diff. */
  output: 'write' | 'diff';
}

export interface FileJobResult {
  display: string;
  /** The final text (after fixes), for positions in the report; absent when the file failed. */
  text?: string;
  findings: Finding[];
  fixesApplied: number;
  diff?: string;
  /** Why the file could not be linted (read error, not UTF-8, binary, too large). */
  problem?: string;
  ruleFailures: { code: string; message: string }[];
  /**
   * The fixed file to write (output `write`). The caller writes it once every file was linted, so
   * that no file's analysis reads another file half-way through being fixed.
   */
  write?: { absolute: string; bytes: Uint8Array };
  /** With a project: the file's outline (null when it could not be read), and the classes whose subclasses it asked for. */
  summary?: FileSummary | null;
  askedSubclasses?: string[];
}

export function runFileJob(job: FileJob, parser: PythonParser, project?: ProjectIndex): FileJobResult {
  const failed = (problem: string): FileJobResult => ({ display: job.display, findings: [], fixesApplied: 0, problem, ruleFailures: [] });
  let bytes: Buffer;
  try {
    // A named pipe or a device given by name would block the read or never end: only regular
    // files are read, and none larger than the limit is read whole.
    const st = fs.statSync(job.absolute);
    if (!st.isFile()) return failed(`is not a regular file (${fileKind(st)}); not linted`);
    if (st.size > DEFAULT_MAX_FILE_BYTES) return failed(`file is ${formatBytes(st.size)}, larger than the ${formatBytes(DEFAULT_MAX_FILE_BYTES)} limit; not analysed`);
    bytes = fs.readFileSync(job.absolute);
  } catch (err) {
    return failed(`cannot read: ${describe(err)}`);
  }
  let decoded;
  try {
    decoded = decodeSource(bytes);
  } catch (err) {
    if (err instanceof SourceError) return failed(err.message);
    throw err;
  }
  let linted;
  try {
    linted = lintSource(decoded.text, parser, { ...job.settings, path: job.absolute }, job.fix, project);
  } catch (err) {
    return failed(`internal error: ${(err as Error).message.split('\n')[0]}`);
  }
  const result: FileJobResult = {
    display: job.display,
    text: linted.text,
    findings: linted.findings,
    fixesApplied: 0,
    ruleFailures: linted.ruleFailures,
    ...(project ? { summary: linted.summary ?? null, askedSubclasses: linted.askedSubclasses ?? [] } : {}),
  };
  if (linted.text !== decoded.text) {
    result.fixesApplied = linted.fixesApplied;
    if (job.output === 'diff') {
      result.diff = unifiedDiff(decoded.text, linted.text, job.display);
    } else {
      result.write = { absolute: job.absolute, bytes: encodeSource({ text: linted.text, hasBom: decoded.hasBom }) };
    }
  }
  return result;
}

/** Writes a job's fixed file; the result afterwards (a problem when the file cannot be written). */
export function writeFixes(result: FileJobResult): FileJobResult {
  if (!result.write) return result;
  try {
    fs.writeFileSync(result.write.absolute, result.write.bytes);
    return { ...result, write: undefined };
  } catch (err) {
    return { display: result.display, text: result.text, findings: [], fixesApplied: 0, problem: `cannot write the fixes: ${describe(err)}`, ruleFailures: [] };
  }
}

function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a file';
}
