/**
 * The project index: what one file's analysis may know about the project's other files.
 *
 * - It knows a set of files (the universe) and maps module names to them (`modules.ts`).
 * - For each file it keeps a small summary (`summary.ts`): top-level classes with their bases,
 *   module functions, imports. Summaries answer "which file defines `pkg.base.BaseReader`"
 *   (following re-exports), "which classes derive from this one" and "which files hold a class
 *   with a Spark role", without keeping trees.
 * - When an analysis needs a class or function of another file, that file is parsed once into a
 *   full {@link FileModel} whose nodes live in the file's own offset span (`FILE_SPAN`), so its
 *   offsets can never be mistaken for the analysed file's. Bases in other files are linked after
 *   the models are built (no recursion while building, so import cycles cannot loop), and roles
 *   are then computed from the linked classes: the same files give the same roles whatever order
 *   they were read in (one worker or many). Only a bounded number of models is kept (LRU); native
 *   trees are freed right after conversion.
 *
 * The index reads text through a {@link ProjectHost}: the CLI reads the disk, the language server
 * gives open documents' buffers and texts it read in the background (never the disk on the
 * keystroke path). It knows nothing of LSP.
 */
import * as path from 'node:path';
import {
  type ClassInfo,
  classGraphChanged,
  type EvaluationContext,
  FileModel,
  type FunctionInfo,
  type ProjectResolver,
  type ProjectSource,
  recomputeRoles,
  type SparkRole,
} from '../model';
import type { PythonParser } from '../parser';
import { FILE_SPAN, fileBase } from '../source';
import { convertTree, type Node, shiftTree } from '../syntax';
import { type ProjectFiles, splitQualified, topPackage } from './modules';
import { type FileSummary, MAX_INDEXED_LENGTH, summarizeModel, summarizeSource } from './summary';

export * from './modules';
export * from './summary';

export interface ProjectHost {
  /**
   * The file's current text (an open editor buffer wins over the disk), or undefined when it is
   * not available. Called while an analysis runs: it must not wait on slow I/O.
   */
  readText(file: string): string | undefined;
}

export interface ProjectIndexOptions {
  parser: PythonParser;
  host: ProjectHost;
  /** Folders whose subfolders are top-level packages (CLI arguments, workspace folders); `src/` below each too. */
  roots?: readonly string[];
  /** How many other files keep a full model between analyses (least recently used go first). */
  maxModels?: number;
  /**
   * And how much source (characters) those models may hold in all: a model takes about 60 times
   * its source in memory (a 6 KB file, 400 KB).
   */
  maxModelChars?: number;
  /** Files with more characters are not indexed. */
  maxFileSize?: number;
  /** A file the index could not read, parse or model (reported once per file; the others go on). */
  onError?: (file: string, error: unknown) => void;
  /**
   * Answer "which classes of other files derive from this one" with none, only recording the
   * question (`ProjectSession.askedSubclasses`): the CLI lints every file so, then analyses again
   * the few files whose answer, from every file's summary, is not empty.
   */
  deferSubclasses?: boolean;
  /**
   * Find subclasses among the files whose summary is already known only (never summarize a file
   * for that): the CLI gives the summaries of every file that can hold one (see workers.ts).
   */
  subclassesFromKnownSummaries?: boolean;
  /**
   * Make a missing summary from the file's full model rather than from an outline parse: for
   * the CLI, whose summaries are needed only for files its analyses look into (whose models they
   * mostly need next), so each such file is parsed once instead of twice.
   */
  summariesFromModels?: boolean;
}

/** A name defined at the top level of a file. */
export interface NameRef {
  file: string;
  name: string;
  kind: 'class' | 'function';
}

interface IndexedModel {
  id: number;
  file: string;
  text: string;
  model: FileModel;
  /** Bases in other files point to their classes (`BaseRef.userClass`). */
  linked: boolean;
  /** Linked, and every model it links to (transitively) too; roles recomputed. */
  resolved: boolean;
  /** The bases that were linked to other files' classes, to undo on relinking. */
  externalBases: { userClass?: ClassInfo }[];
  /** Files whose classes this model links to. */
  linksTo: Set<string>;
}

interface Entry {
  /** undefined: not computed yet; null: the file cannot be read or parsed. */
  summary?: FileSummary | null;
  /** A hash of the last summary ('' for null): whether a new summary changes the outline. */
  summaryKey?: string;
  /** The summary is of an older text: recomputed when next needed. */
  stale?: boolean;
  /** Asked for while its text was not available: when it arrives, names may resolve differently. */
  missed?: boolean;
  model?: IndexedModel;
  /** Files whose models link to this one's classes. */
  linkedFrom: Set<string>;
}

const MAX_REEXPORT_DEPTH = 8;
/** File ids stay below 2^21 so that offsets stay exact doubles (see FILE_SPAN). */
const MAX_FILE_ID = 2 ** 20;

export class ProjectIndex implements ProjectFiles {
  private readonly files = new Set<string>();
  private readonly entries = new Map<string, Entry>();
  /** Models by recency of use (Map order). */
  private readonly lru = new Map<string, IndexedModel>();
  private readonly byId = new Map<number, IndexedModel>();
  private nextId = 1;
  private reverse?: Map<string, { file: string; name: string }[]>;
  private roleMemo = new Map<string, SparkRole | null>();
  private readonly reported = new Set<string>();
  private session?: ProjectSession;
  readonly roots: readonly string[];
  private readonly maxModels: number;
  private readonly maxModelChars: number;
  private modelChars = 0;
  /** Counters, for tests and the benchmark. */
  readonly stats = { summaries: 0, models: 0, evictions: 0 };

  constructor(readonly options: ProjectIndexOptions) {
    this.roots = (options.roots ?? []).map((r) => path.resolve(r));
    this.maxModels = options.maxModels ?? 64;
    this.maxModelChars = options.maxModelChars ?? 600_000;
  }

  // ------------------------------------------------------------------ the universe

  has(file: string): boolean {
    return this.files.has(file);
  }

  get size(): number {
    return this.files.size;
  }

  allFiles(): string[] {
    return [...this.files];
  }

  /** Adds files (absolute paths). Module resolution changes: derived knowledge is recomputed. */
  addFiles(files: Iterable<string>): void {
    let added = false;
    for (const f of files) {
      const file = path.resolve(f);
      if (this.files.has(file)) continue;
      this.files.add(file);
      added = true;
    }
    if (added) this.universeChanged();
  }

  removeFile(f: string): void {
    const file = path.resolve(f);
    if (!this.files.delete(file)) return;
    this.changed(file);
    this.entries.delete(file);
    this.universeChanged();
  }

  /**
   * The file's text changed (or became available). Its model is dropped, and models linking to its
   * classes are relinked when next used; its summary is recomputed when next needed, and what
   * derives from summaries only when the outline really changed.
   */
  changed(f: string): void {
    const file = path.resolve(f);
    const entry = this.entries.get(file);
    if (!entry) return;
    if (entry.summary !== undefined) entry.stale = true;
    if (entry.model) this.dropModel(entry.model);
  }

  /** Changes how subclasses in other files are answered (the CLI's second pass keeps its models). */
  setSubclassMode(mode: { deferSubclasses?: boolean; subclassesFromKnownSummaries?: boolean }): void {
    this.options.deferSubclasses = mode.deferSubclasses;
    this.options.subclassesFromKnownSummaries = mode.subclassesFromKnownSummaries;
    this.reverse = undefined;
  }

  /**
   * Sets a file's summary computed elsewhere (another thread, or the front end's own analysis).
   * True when the file's outline changed (not for its first summary).
   */
  setSummary(f: string, summary: FileSummary | null): boolean {
    const file = path.resolve(f);
    const entry = this.entry(file);
    const key = summary ? hashText(JSON.stringify(summary)) : '';
    const first = entry.summaryKey === undefined;
    entry.summary = summary;
    entry.stale = false;
    if (key === entry.summaryKey) return false;
    if (!first || entry.missed) this.lookups.clear();
    entry.summaryKey = key;
    // Derived from every summary: rebuilt when next needed.
    this.reverse = undefined;
    // A first summary cannot change what was resolved before (that would have computed it), unless
    // the file was asked for while its text was missing. A changed outline can change anything.
    if (!first || entry.missed) {
      entry.missed = false;
      this.resolutionChanged();
    }
    return !first;
  }

  /** The summaries computed so far, to hand to other threads. */
  knownSummaries(): [string, FileSummary | null][] {
    const out: [string, FileSummary | null][] = [];
    for (const [file, e] of this.entries) if (e.summary !== undefined && !e.stale) out.push([file, e.summary]);
    return out;
  }

  private universeChanged(): void {
    this.lookups.clear();
    this.reverse = undefined;
    this.outlines.clear();
    this.resolutionChanged();
  }

  /**
   * Names may resolve to other files now: relink every model when next used, forget derived roles.
   * Never under a running analysis (classes it holds would change under it): then at the next session.
   */
  private resolutionChanged(): void {
    if (this.session) {
      this.pendingResolutionChange = true;
      return;
    }
    this.pendingResolutionChange = false;
    for (const m of this.lru.values()) this.unlink(m);
    this.roleMemo = new Map();
  }

  private pendingResolutionChange = false;

  private entry(file: string): Entry {
    let e = this.entries.get(file);
    if (!e) {
      e = { linkedFrom: new Set() };
      this.entries.set(file, e);
    }
    return e;
  }

  private fail(file: string, error: unknown): void {
    if (this.reported.has(file)) return;
    this.reported.add(file);
    this.options.onError?.(file, error);
  }

  /** The file's text: undefined when not available now, null when it is too large to index. */
  private readText(file: string): string | null | undefined {
    let text: string | undefined;
    try {
      text = this.options.host.readText(file);
    } catch (err) {
      this.fail(file, err);
      return null;
    }
    if (text === undefined) return undefined;
    return text.length > (this.options.maxFileSize ?? MAX_INDEXED_LENGTH) ? null : text;
  }

  // ------------------------------------------------------------------ summaries

  /** The file's summary, computed on first use; undefined when the file is not available. */
  summaryOf(f: string): FileSummary | undefined {
    const file = path.resolve(f);
    if (!this.files.has(file)) return undefined;
    this.session?.touched.add(file);
    this.recording?.add(file);
    const entry = this.entry(file);
    if (entry.summary !== undefined && !entry.stale) return entry.summary ?? undefined;
    let summary: FileSummary | null = null;
    if (!entry.model && this.options.summariesFromModels) {
      this.modelOf(file);
      if (entry.summary !== undefined && !entry.stale) return entry.summary ?? undefined;
    }
    if (entry.model) {
      summary = summarizeModel(entry.model.model);
    } else {
      const text = this.readText(file);
      if (text === undefined) {
        // Not read yet (the server reads in the background): ask again next time.
        entry.missed = true;
        this.missedDuringLookup = true;
        return entry.summary ?? undefined;
      }
      summary = summarizeSource(text ?? undefined, this.options.parser, this.options.maxFileSize);
      this.stats.summaries++;
    }
    this.setSummary(file, summary);
    return summary ?? undefined;
  }

  /** Recomputes the summaries of files that changed, so that what derives from all of them is current. */
  private refreshStale(except?: string): void {
    for (const [file, e] of this.entries) if (e.stale && file !== except) this.summaryOf(file);
  }

  /** The files the bases of the file's classes are defined in (from its summary). */
  baseTargetsOf(f: string): string[] {
    const file = path.resolve(f);
    const summary = this.entries.get(file)?.summary;
    const out = new Set<string>();
    const previous = this.session;
    this.session = undefined;
    try {
      for (const c of summary?.classes ?? []) {
        for (const b of c.bases) {
          if (!b.qualified) continue;
          const ref = this.lookup(b.qualified, file);
          if (ref && ref.file !== file) out.add(ref.file);
        }
      }
    } finally {
      this.session = previous;
    }
    return [...out];
  }

  /** The top-level class or function `qualified` names, seen from `fromFile` (re-exports followed). */
  lookup(qualified: string, fromFile: string, depth = 0): NameRef | undefined {
    if (depth > MAX_REEXPORT_DEPTH) return undefined;
    // Names resolve the same from every file of a folder.
    const key = `${path.dirname(fromFile)}\0${qualified}`;
    const cached = this.lookups.get(key);
    if (cached !== undefined) {
      this.noteTouched(cached.via);
      return cached.ref;
    }
    const touched = new Set<string>();
    const outer = this.recording;
    this.recording = touched;
    let ref: NameRef | undefined;
    try {
      const target = splitQualified(qualified, fromFile, this, this.roots);
      ref = target ? this.lookupIn(target.file, target.rest, depth) : undefined;
    } finally {
      this.recording = outer;
      for (const f of touched) outer?.add(f);
    }
    // Only answers that did not wait on a missing text are kept (those change when it arrives).
    if (!this.missedDuringLookup) this.lookups.set(key, { ref, via: [...touched] });
    this.missedDuringLookup = false;
    return ref;
  }

  /** Cached name lookups, with the files each one read (the analysis depends on them). */
  private lookups = new Map<string, { ref: NameRef | undefined; via: string[] }>();
  private recording?: Set<string>;
  private missedDuringLookup = false;

  private noteTouched(files: string[]): void {
    for (const f of files) {
      this.session?.touched.add(f);
      this.recording?.add(f);
    }
  }

  private lookupIn(file: string, rest: string[], depth: number): NameRef | undefined {
    if (!rest.length) return undefined;
    const summary = this.summaryOf(file);
    if (!summary) return undefined;
    const [head, ...tail] = rest;
    if (!tail.length) {
      if (summary.classes.some((c) => c.name === head)) return { file, name: head, kind: 'class' };
      if (summary.functions.includes(head)) return { file, name: head, kind: 'function' };
    }
    const imported = summary.imports.find(([local]) => local === head);
    if (imported) return this.lookup([imported[1], ...tail].join('.'), file, depth + 1);
    for (const star of summary.starImports) {
      const found = this.lookup(star.endsWith('.') ? star + rest.join('.') : `${star}.${rest.join('.')}`, file, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * The Spark role of a top-level class from summaries alone (bases followed across files): what
   * `scope: workspace` uses to pick the data-source files without building models.
   */
  roleOfClass(file: string, name: string): SparkRole | undefined {
    return this.summaryRole(file, name, new Set());
  }

  private summaryRole(file: string, name: string, path: Set<string>): SparkRole | undefined {
    const key = `${file}\0${name}`;
    const memo = this.roleMemo.get(key);
    if (memo !== undefined) return memo ?? undefined;
    if (path.has(key) || path.size > 64) return undefined;
    const summary = this.summaryOf(file);
    const classes = summary?.classes ?? [];
    let index = -1;
    for (let i = 0; i < classes.length; i++) if (classes[i].name === name) index = i;
    if (index < 0) return undefined;
    path.add(key);
    let role: SparkRole | undefined;
    let cut = false;
    const visit = (i: number, seen: Set<number>): SparkRole | undefined => {
      const c = classes[i];
      for (const b of c.bases) if (b.role) return b.role;
      for (const b of c.bases) {
        let r: SparkRole | undefined;
        if (b.local !== undefined) {
          if (seen.has(b.local)) {
            cut = true;
            continue;
          }
          r = visit(b.local, new Set([...seen, b.local]));
        } else if (b.qualified) {
          const ref = this.lookup(b.qualified, file);
          if (ref?.kind === 'class') {
            const refKey = `${ref.file}\0${ref.name}`;
            if (path.has(refKey)) cut = true;
            else r = this.summaryRole(ref.file, ref.name, path);
          }
        }
        if (r) return r;
      }
      return undefined;
    };
    try {
      role = visit(index, new Set([index]));
    } finally {
      path.delete(key);
    }
    // A walk cut short by a cycle depends on where it started: not remembered.
    if (!cut) this.roleMemo.set(key, role ?? null);
    return role;
  }

  /** True when the file has a top-level class with a Spark role (through bases in any file). */
  isDataSourceFile(f: string): boolean {
    const file = path.resolve(f);
    this.refreshStale();
    const summary = this.summaryOf(file);
    return !!summary?.classes.some((c) => this.roleOfClass(file, c.name));
  }

  /** Top-level classes of other files whose bases name the class `name` of `file`. */
  subclassRefs(f: string, name: string): { file: string; name: string }[] {
    const file = path.resolve(f);
    // Not the analysed file's own (its classes' bases do not name its own classes).
    this.refreshStale(this.session?.file);
    if (!this.reverse) {
      // Every summary first (computing one resets the map), then the map. Not recorded as read by
      // the running analysis: a new subclass elsewhere is found through `baseTargetsOf`.
      const previous = this.session;
      this.session = undefined;
      try {
        if (!this.options.subclassesFromKnownSummaries) for (const other of this.files) this.summaryOf(other);
      } finally {
        this.session = previous;
      }
      const reverse = new Map<string, { file: string; name: string }[]>();
      for (const other of this.files) {
        const summary = this.entries.get(other)?.summary;
        for (const c of summary?.classes ?? []) {
          for (const b of c.bases) {
            if (!b.qualified) continue;
            const ref = this.lookup(b.qualified, other);
            if (ref?.kind !== 'class' || ref.file === other) continue;
            const key = `${ref.file}\0${ref.name}`;
            const list = reverse.get(key) ?? [];
            if (!list.some((x) => x.file === other && x.name === c.name)) list.push({ file: other, name: c.name });
            reverse.set(key, list);
          }
        }
      }
      this.reverse = reverse;
    }
    return this.reverse.get(`${file}\0${name}`) ?? [];
  }

  // ------------------------------------------------------------------ models

  private modelOf(file: string): IndexedModel | undefined {
    if (!this.files.has(file)) return undefined;
    this.session?.touched.add(file);
    const entry = this.entry(file);
    if (entry.model) {
      this.lru.delete(file);
      this.lru.set(file, entry.model);
      return entry.model;
    }
    if (entry.summary === null && !entry.stale) return undefined;
    const text = this.readText(file);
    if (text === undefined || text === null) return undefined;
    const id = this.allocateId();
    if (id === undefined) return undefined;
    let model: FileModel;
    try {
      const tree = this.options.parser.parse(text);
      let root;
      try {
        root = convertTree(tree, text);
      } finally {
        tree.delete?.();
      }
      shiftTree(root, fileBase(id));
      model = new FileModel(text, root, { path: file });
    } catch (err) {
      this.fail(file, err);
      this.setSummary(file, null);
      return undefined;
    }
    this.stats.models++;
    const im: IndexedModel = { id, file, text, model, linked: false, resolved: false, externalBases: [], linksTo: new Set() };
    entry.model = im;
    this.byId.set(id, im);
    this.lru.set(file, im);
    this.modelChars += text.length;
    if (entry.summary === undefined || entry.stale) this.setSummary(file, summarizeModel(model));
    return im;
  }

  private allocateId(): number | undefined {
    for (let tries = 0; tries < MAX_FILE_ID; tries++) {
      const id = this.nextId;
      this.nextId = this.nextId >= MAX_FILE_ID - 1 ? 1 : this.nextId + 1;
      if (!this.byId.has(id)) return id;
    }
    return undefined;
  }

  /** The model of a file id, while it is kept. */
  modelById(id: number): IndexedModel | undefined {
    return this.byId.get(id);
  }

  /** Links the model's bases in other files to their classes (models of those files are built, not linked). */
  private link(im: IndexedModel): void {
    if (im.linked) return;
    im.linked = true;
    for (const c of im.model.classes) {
      for (const base of c.bases) {
        if (base.role || base.userClass || !base.qualified) continue;
        const ref = this.lookup(base.qualified, im.file);
        if (ref?.kind !== 'class') continue;
        const target = this.modelOf(ref.file);
        const cls = target?.model.classesByName.get(ref.name);
        if (!target || !cls) continue;
        base.userClass = cls;
        im.externalBases.push(base);
        im.linksTo.add(ref.file);
        this.entry(ref.file).linkedFrom.add(im.file);
      }
    }
  }

  private unlink(im: IndexedModel): void {
    if (!im.linked) return;
    for (const b of im.externalBases) b.userClass = undefined;
    im.externalBases = [];
    for (const f of im.linksTo) this.entries.get(f)?.linkedFrom.delete(im.file);
    im.linksTo.clear();
    im.linked = false;
    this.unresolve(im);
  }

  /** The model and every model linking to it (transitively) need their roles again. */
  private unresolve(im: IndexedModel): void {
    const seen = new Set<IndexedModel>();
    const stack = [im];
    while (stack.length) {
      const m = stack.pop()!;
      if (seen.has(m)) continue;
      seen.add(m);
      m.resolved = false;
      // Methods and lineages found through it may change.
      classGraphChanged(m.model.classes);
      for (const f of this.entries.get(m.file)?.linkedFrom ?? []) {
        const other = this.entries.get(f)?.model;
        if (other) stack.push(other);
      }
    }
  }

  /** Links the model and everything it links to, then computes roles over all of them. */
  private resolve(im: IndexedModel): void {
    if (im.resolved) return;
    const closure: IndexedModel[] = [];
    const seen = new Set<IndexedModel>([im]);
    const queue = [im];
    while (queue.length) {
      const m = queue.shift()!;
      this.link(m);
      closure.push(m);
      for (const f of m.linksTo) {
        const t = this.entries.get(f)?.model;
        if (t && !seen.has(t)) {
          seen.add(t);
          queue.push(t);
        }
      }
    }
    const classes = closure.flatMap((m) => m.model.classes);
    classGraphChanged(classes);
    recomputeRoles(classes);
    for (const m of closure) m.resolved = true;
  }

  private dropModel(im: IndexedModel): void {
    const entry = this.entries.get(im.file);
    // Models whose classes point into this one must point to the new one: relink them.
    for (const f of [...(entry?.linkedFrom ?? [])]) {
      const other = this.entries.get(f)?.model;
      if (other) this.unlink(other);
    }
    this.unlink(im);
    if (entry?.model === im) entry.model = undefined;
    if (this.lru.delete(im.file)) this.modelChars -= im.text.length;
    this.byId.delete(im.id);
  }

  /** Keeps at most `maxModels` models, of at most `maxModelChars` characters in all. */
  private trim(): void {
    while (this.lru.size > this.maxModels || (this.modelChars > this.maxModelChars && this.lru.size > 1)) {
      const oldest = this.lru.values().next().value as IndexedModel;
      this.dropModel(oldest);
      this.stats.evictions++;
    }
  }

  // ------------------------------------------------------------------ what analyses ask

  classOf(ref: NameRef): ClassInfo | undefined {
    const im = this.modelOf(ref.file);
    if (!im) return undefined;
    this.resolve(im);
    return im.model.classesByName.get(ref.name);
  }

  /**
   * The outline of a class of another file, from its summary: no model is built (a base class
   * with many subclasses would otherwise parse all their files on every analysis of it). Its
   * nodes are in a span no file has, so nothing can be reported or edited through them.
   */
  outlineClassOf(ref: NameRef): ClassInfo {
    const key = `${ref.file}\0${ref.name}`;
    let cls = this.outlines.get(key);
    if (!cls) {
      const node = outlineNode();
      cls = {
        name: ref.name,
        node,
        nameNode: node,
        body: node,
        file: ref.file,
        bases: [],
        methods: new Map(),
        classAttributes: new Map(),
        subclasses: [],
        nested: false,
        hasSyntaxError: false,
        outline: true,
      };
      this.outlines.set(key, cls);
    }
    return cls;
  }

  private outlines = new Map<string, ClassInfo>();

  functionOf(ref: NameRef): FunctionInfo | undefined {
    const im = this.modelOf(ref.file);
    if (!im) return undefined;
    this.resolve(im);
    return im.model.functions.get(ref.name);
  }

  /**
   * A resolver for one analysis of `file` (the analysed file's own path; undefined for unsaved
   * buffers, which then resolve absolute names from the roots only). Models are kept until the
   * next session starts, so nothing a running analysis holds is evicted under it.
   */
  sessionFor(file: string | undefined): ProjectSession {
    // The analysed file's own summary is left as it is: the front end can set it from the analysis.
    this.refreshStale(file ? path.resolve(file) : undefined);
    if (this.pendingResolutionChange) this.resolutionChanged();
    this.trim();
    return new ProjectSession(this, file ? path.resolve(file) : undefined);
  }

  /** @internal Runs `fn` with `session` recording what it touches. */
  within<T>(session: ProjectSession, fn: () => T, fallback: T): T {
    const previous = this.session;
    this.session = session;
    try {
      return fn();
    } catch (err) {
      this.fail(session.file ?? '(unsaved)', err);
      return fallback;
    } finally {
      this.session = previous;
    }
  }

  /** Files in the same top-level package as `file` (for the CLI's universe), from the known files. */
  packageOf(file: string): string | undefined {
    return topPackage(path.resolve(file), this);
  }
}

/**
 * What one analysis sees of the project (a {@link ProjectResolver}). It records the files it
 * touched: the analysis depends on them.
 */
export class ProjectSession implements ProjectResolver {
  /** Files this analysis read from the index (summaries or models). */
  readonly touched = new Set<string>();
  /** Classes of the analysed file whose subclasses in other files it asked for. */
  readonly askedSubclasses: string[] = [];
  private readonly contexts = new Map<number, EvaluationContext>();

  constructor(
    private readonly index: ProjectIndex,
    readonly file: string | undefined,
  ) {}

  private from(fromPath: string | undefined): string {
    // Unsaved buffers resolve relative names from the first root (or nowhere).
    return fromPath ? path.resolve(fromPath) : this.file ?? path.join(this.index.roots[0] ?? path.sep, '__unsaved__.py');
  }

  resolveClass(qualifiedName: string, fromPath?: string): ClassInfo | undefined {
    return this.index.within(this, () => {
      const ref = this.index.lookup(qualifiedName, this.from(fromPath));
      return ref?.kind === 'class' ? this.index.classOf(ref) : undefined;
    }, undefined);
  }

  resolveFunction(qualifiedName: string, fromPath?: string): FunctionInfo | undefined {
    return this.index.within(this, () => {
      const ref = this.index.lookup(qualifiedName, this.from(fromPath));
      return ref?.kind === 'function' ? this.index.functionOf(ref) : undefined;
    }, undefined);
  }

  subclassesOf(className: string, file: string): ClassInfo[] {
    if (!this.askedSubclasses.includes(className)) this.askedSubclasses.push(className);
    if (this.index.options.deferSubclasses) return [];
    return this.index.within(this, () => {
      const out: ClassInfo[] = [];
      for (const ref of this.index.subclassRefs(file, className)) {
        out.push(this.index.outlineClassOf({ ...ref, kind: 'class' }));
      }
      return out;
    }, []);
  }

  contextOf(fileId: number): EvaluationContext | undefined {
    const cached = this.contexts.get(fileId);
    if (cached) return cached;
    const im = this.index.modelById(fileId);
    if (!im) return undefined;
    const m = im.model;
    const ctx: EvaluationContext = {
      imports: m.imports,
      classes: m.classes,
      classesByName: m.classesByName,
      functions: m.functions,
      moduleBindings: m.moduleBindings,
      resolveExternalClass: (q) => this.resolveClass(q, im.file),
      resolveExternalFunction: (q) => this.resolveFunction(q, im.file),
    };
    // Names in that file's code resolve through that file's imports, wherever they are evaluated.
    m.imports.foreign = (id) => this.contextOf(id)?.imports;
    this.contexts.set(fileId, ctx);
    return ctx;
  }

  sourceOf(fileId: number): ProjectSource | undefined {
    const im = this.index.modelById(fileId);
    return im ? { path: im.file, text: im.text, lines: im.model.lines } : undefined;
  }
}

/** A 53-bit hash (two 32-bit FNV-1a halves): to tell whether a file's outline changed, without keeping it twice. */
function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x0100019d);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}.${text.length}`;
}

/** A node of no file (offsets in the last, never allocated, file span). */
function outlineNode(): Node {
  const start = fileBase(MAX_FILE_ID);
  return { type: 'class_definition', start, end: start, field: null, named: true, children: [], parent: null, text: null, hasError: false };
}

export { FILE_SPAN };
