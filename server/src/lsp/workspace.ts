/**
 * The workspace's Python files for the language server: a {@link ProjectIndex} fed in the
 * background, never from the disk on the keystroke path.
 *
 * After `initialized`, the workspace folders are walked asynchronously (skipping .git,
 * node_modules, virtual environments, .gitignore'd paths and `files.exclude`), each file is read
 * asynchronously and summarized (a parse that skips function bodies), a chunk at a time with
 * yields to the event loop in between. Texts are kept in memory up to a budget (least recently
 * used go first); an open document's buffer always wins over the disk. When an analysis asks for
 * a file whose text is not in memory, the index answers without it, the text is read in the
 * background, and the caller analyses again (see {@link WorkspaceProject.loadMissing}).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSource, DEFAULT_MAX_FILE_BYTES } from '../engine/decode';
import type { PythonParser } from '../engine/parser';
import { ProjectIndex } from '../engine/project';
import { discoverFilesAsync, isSkippedAsync } from '../cli/discover';

export interface WorkspaceProjectOptions {
  parser: PythonParser;
  /** Workspace folders (absolute paths). */
  folders: string[];
  /** An open document's text, by absolute path. */
  openText: (file: string) => string | undefined;
  log: (message: string) => void;
  /** Characters of file texts kept in memory (default 32 M). */
  textBudget?: number;
  /** Python files indexed at most (default 20,000): a home folder opened by mistake stays cheap. */
  maxFiles?: number;
  maxFileSize?: number;
}

export interface IndexProgress {
  report(done: number, total: number): void;
}

export interface IndexTimings {
  /** ms from the start of indexing to the end of the folder walk. */
  discoverMs: number;
  /** ms from the start of indexing to every file summarized. */
  totalMs: number;
  files: number;
}

/** Work between yields to the event loop while indexing (ms). */
const SLICE_MS = 8;

export class WorkspaceProject {
  readonly index: ProjectIndex;
  private readonly texts = new Map<string, string>();
  private textChars = 0;
  private readonly missing = new Set<string>();
  private readonly textBudget: number;
  private excluded: (absolute: string, isDir: boolean) => boolean = () => false;
  private generation = 0;
  state: 'idle' | 'indexing' | 'ready' = 'idle';
  timings?: IndexTimings;

  constructor(private readonly options: WorkspaceProjectOptions) {
    this.textBudget = options.textBudget ?? 32_000_000;
    this.index = new ProjectIndex({
      parser: options.parser,
      roots: options.folders,
      host: { readText: (file) => this.textOf(file) },
      maxFileSize: options.maxFileSize,
      onError: (file, error) => options.log(`pds-lint: could not index ${file}: ${(error as Error).message ?? error}`),
    });
  }

  get folders(): string[] {
    return this.options.folders;
  }

  /** True when the file belongs to a workspace folder. */
  contains(file: string): boolean {
    return this.options.folders.some((f) => file === f || file.startsWith(f + path.sep));
  }

  /** The text the index sees: the open buffer, else the copy read in the background, else nothing yet. */
  textOf(file: string): string | undefined {
    const open = this.options.openText(file);
    if (open !== undefined) return open;
    const text = this.texts.get(file);
    if (text !== undefined) {
      this.texts.delete(file);
      this.texts.set(file, text);
      return text;
    }
    if (this.index.has(file)) this.missing.add(file);
    return undefined;
  }

  private keep(file: string, text: string): void {
    const old = this.texts.get(file);
    if (old !== undefined) this.textChars -= old.length;
    this.texts.delete(file);
    if (text.length > this.textBudget) return;
    this.texts.set(file, text);
    this.textChars += text.length;
    for (const [f, t] of this.texts) {
      if (this.textChars <= this.textBudget) break;
      this.texts.delete(f);
      this.textChars -= t.length;
    }
  }

  private async read(file: string): Promise<string | undefined> {
    try {
      // Only regular files: a named pipe would never end the read.
      const st = await fs.promises.stat(file);
      if (!st.isFile() || st.size > DEFAULT_MAX_FILE_BYTES) return undefined;
      const bytes = await fs.promises.readFile(file);
      return decodeSource(bytes).text;
    } catch {
      return undefined;
    }
  }

  /**
   * Walks the folders and summarizes every file, in the background. Resolves when done (or when
   * a newer indexing started). `excluded` is the editor's `files.exclude`, by folder.
   */
  async indexAll(options: { excluded?: (absolute: string, isDir: boolean) => boolean; progress?: IndexProgress; onDiscovered?: () => void } = {}): Promise<boolean> {
    const generation = ++this.generation;
    const cancelled = () => generation !== this.generation;
    this.state = 'indexing';
    if (options.excluded) this.excluded = options.excluded;
    const t0 = performance.now();
    let files = await discoverFilesAsync(this.options.folders, { isExcluded: this.excluded, cancelled });
    if (cancelled()) return false;
    const maxFiles = this.options.maxFiles ?? 20_000;
    if (files.length > maxFiles) {
      this.options.log(`pds-lint: the workspace has ${files.length} Python files; only the first ${maxFiles} are indexed for analysis across files`);
      files = files.slice(0, maxFiles);
    }
    const discoverMs = performance.now() - t0;
    this.index.addFiles(files);
    options.onDiscovered?.();
    let sliceStart = performance.now();
    for (let i = 0; i < files.length; i++) {
      if (cancelled()) return false;
      const file = files[i];
      if (this.options.openText(file) === undefined && !this.texts.has(file)) {
        const text = await this.read(file);
        if (text !== undefined) this.keep(file, text);
      }
      this.index.summaryOf(file);
      if (performance.now() - sliceStart > SLICE_MS) {
        options.progress?.report(i + 1, files.length);
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    if (cancelled()) return false;
    this.state = 'ready';
    this.timings = { discoverMs, totalMs: performance.now() - t0, files: files.length };
    return true;
  }

  /** Texts analyses asked for and did not find in memory: read them now. True when any was read. */
  async loadMissing(): Promise<boolean> {
    if (!this.missing.size) return false;
    const files = [...this.missing];
    this.missing.clear();
    let loaded = false;
    for (const file of files) {
      if (this.texts.has(file) || this.options.openText(file) !== undefined) continue;
      const text = await this.read(file);
      if (text === undefined) continue;
      this.keep(file, text);
      this.index.changed(file);
      loaded = true;
    }
    return loaded;
  }

  get hasMissing(): boolean {
    return this.missing.size > 0;
  }

  /** Whether a file is one the index takes (in a folder, not skipped by .gitignore or `files.exclude`). */
  async accepts(file: string): Promise<boolean> {
    if (!/\.pyi?$/.test(file)) return false;
    const folder = this.options.folders.find((f) => file.startsWith(f + path.sep));
    if (!folder) return false;
    if (this.excluded(file, false)) return false;
    for (let dir = path.dirname(file); dir.startsWith(folder + path.sep); dir = path.dirname(dir)) if (this.excluded(dir, true)) return false;
    return !(await isSkippedAsync(file, folder));
  }

  /** A file was created, changed or deleted on disk (`workspace/didChangeWatchedFiles`). */
  async fileEvent(file: string, type: 'created' | 'changed' | 'deleted'): Promise<void> {
    if (type === 'deleted') {
      this.texts.delete(file);
      this.index.removeFile(file);
      return;
    }
    if (type === 'created' && !this.index.has(file)) {
      if (!(await this.accepts(file))) return;
      this.index.addFiles([file]);
    }
    if (!this.index.has(file)) return;
    const text = await this.read(file);
    if (text !== undefined) this.keep(file, text);
    else this.texts.delete(file);
    // An open document's buffer still wins; the disk copy serves when it is closed.
    this.index.changed(file);
    this.index.summaryOf(file);
  }

  /** Stops a running indexing. */
  cancel(): void {
    this.generation++;
  }
}
