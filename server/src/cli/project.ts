/**
 * The CLI's project: the files it lints, the other files of their packages (the outermost folder
 * with an `__init__.py` above each linted file, walked with the same .gitignore and exclude rules),
 * and the folders given on the command line as roots for absolute imports.
 *
 * Every thread builds its own {@link ProjectIndex} over the same files (how they share the files'
 * summaries: see workers.ts); models of other files are built lazily per thread. Fixes are written
 * only after every file was linted, so each thread reads the files as they were when the run
 * started: findings do not depend on the number of threads or on the order files are linted in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSource, DEFAULT_MAX_FILE_BYTES } from '../engine/decode';
import type { PythonParser } from '../engine/parser';
import { type FileSummary, ProjectIndex, summarizeSource } from '../engine/project';

export interface ProjectSpec {
  /** Every file of the project (absolute paths). */
  files: string[];
  /** Folders for absolute imports (absolute paths). */
  roots: string[];
  /** Summaries computed by other threads. */
  summaries?: [string, FileSummary | null][];
  /** Texts that are not on disk (source read from stdin), by absolute path. */
  overrides?: [string, string][];
  /** Answer no subclasses in other files, recording the questions (the first pass, see workers.ts). */
  deferSubclasses?: boolean;
  /** The summaries given are all the files that can hold a subclass (the second pass). */
  subclassesFromKnownSummaries?: boolean;
}

/** Cross-file analysis is on unless `PDS_LINT_CROSS_FILE=0` (for comparisons in the benchmark). */
export function crossFileEnabled(): boolean {
  return process.env.PDS_LINT_CROSS_FILE !== '0';
}

/**
 * Reads a file as the linter does (BOM, encodings, binary files), or undefined. Only regular
 * files within the size limit: a named pipe or a device would block the read forever.
 */
export function readSourceFile(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > DEFAULT_MAX_FILE_BYTES) return undefined;
    return decodeSource(fs.readFileSync(file)).text;
  } catch {
    return undefined;
  }
}

export function createProjectIndex(spec: ProjectSpec, parser: PythonParser): ProjectIndex {
  const overrides = new Map(spec.overrides ?? []);
  const index = new ProjectIndex({
    parser,
    roots: spec.roots,
    deferSubclasses: spec.deferSubclasses,
    subclassesFromKnownSummaries: spec.subclassesFromKnownSummaries,
    summariesFromModels: spec.deferSubclasses || spec.subclassesFromKnownSummaries,
    // A command line can afford more memory than an editor: about 120 MB of models per thread.
    maxModels: 1024,
    maxModelChars: 2_000_000,
    host: { readText: (file) => overrides.get(file) ?? readSourceFile(file) },
  });
  index.addFiles(spec.files);
  for (const [file, summary] of spec.summaries ?? []) index.setSummary(file, summary);
  return index;
}

/** The index of a first pass, for the second: the new summaries and way of answering subclasses. */
export function updateProjectIndex(index: ProjectIndex, spec: ProjectSpec): ProjectIndex {
  index.setSubclassMode({ deferSubclasses: spec.deferSubclasses, subclassesFromKnownSummaries: spec.subclassesFromKnownSummaries });
  for (const [file, summary] of spec.summaries ?? []) index.setSummary(file, summary);
  return index;
}

/** The summary of one file as every thread would compute it (null when it cannot be read). */
export function summarizeFile(file: string, parser: PythonParser, overrides?: Map<string, string>): FileSummary | null {
  return summarizeSource(overrides?.get(file) ?? readSourceFile(file), parser);
}

function hasInit(dir: string): boolean {
  return fs.existsSync(path.join(dir, '__init__.py')) || fs.existsSync(path.join(dir, '__init__.pyi'));
}

/** The outermost package folder above a file, found on disk through `__init__.py` files. */
export function packageFolderOf(file: string): string | undefined {
  let dir = path.dirname(path.resolve(file));
  let top: string | undefined;
  for (let i = 0; i < 64 && hasInit(dir); i++) {
    top = dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return top;
}

const IDENTIFIERS = /[\p{L}_][\p{L}\p{N}_]*/gu;

/** The files (not read yet) whose text names one of `names`: the only ones a subclass of those can be in. */
export function filesMentioning(files: string[], names: ReadonlySet<string>, overrides?: Map<string, string>): string[] {
  if (!names.size) return [];
  return files.filter((file) => {
    const text = overrides?.get(file) ?? readSourceFile(file);
    if (text === undefined) return false;
    for (const m of text.matchAll(IDENTIFIERS)) if (names.has(m[0])) return true;
    return false;
  });
}
