/**
 * The model of one Python file: the single place that knows which classes play which Spark role,
 * what their methods look like, and how offsets flow. Rules read it; they do not walk the tree
 * looking for classes themselves.
 */
import { fileBase, fileIdOf, LineIndex } from '../source';
import { childByField, isAncestor, type Node } from '../syntax';
import { collectClasses, type ClassInfo, type ExternalClassResolver } from './classes';
import { type Binding, buildFunctionInfo, type FunctionInfo } from './functions';
import { collectImports, type ImportTable } from './imports';
import { buildStreamOffsets, type StreamOffsets } from './offsets';
import { buildPartitionRanges, type PartitionRanges } from './partitions';
import type { SparkRole } from './roles';
import { type WriterSend, writerSends } from './sends';
import { type SimpleReadReturn, simpleReadReturns } from './simple-read';
import { type EvaluationContext, Evaluator } from './values';

export * from './classes';
export * from './functions';
export * from './imports';
export * from './offsets';
export * from './partitions';
export * from './roles';
export * from './sends';
export * from './serialization';
export * from './values';
export * from './flow';
export * from './state';
export * from './resources';
export * from './schema';
export * from './rows';
export * from './simple-read';
export * from './clock';
export * from './datetimes';
export * from './inputs';
export * from './failures';
export * from './endcaps';
export * from './readlimit';

/** `DataSource` methods that build readers and writers. */
export const FACTORY_METHODS = ['streamReader', 'simpleStreamReader', 'streamWriter', 'reader', 'writer'] as const;

/** Another file of the project, as the analysis of this one sees it. */
export interface ProjectSource {
  /** Its path (absolute). */
  path: string;
  text: string;
  lines: LineIndex;
}

/**
 * The project's other files, as one analysis sees them (implemented by the project index in
 * `engine/project/`). Classes and functions it returns come from the other file's model: their
 * nodes have offsets in that file's span (see `FILE_SPAN`), never in this file's.
 */
export interface ProjectResolver {
  /** A class of another file of the project, by qualified name (`pkg.common.base.BaseReader`, `.base.BaseReader`). */
  resolveClass(qualifiedName: string, fromPath?: string): ClassInfo | undefined;
  /** A module-level function of another file, by qualified name. */
  resolveFunction(qualifiedName: string, fromPath?: string): FunctionInfo | undefined;
  /** Classes of other files that derive from the top-level class `className` of the file at `path`. */
  subclassesOf?(className: string, path: string): ClassInfo[];
  /** The evaluation context (imports, module functions, bindings) of another file, by file id. */
  contextOf?(fileId: number): EvaluationContext | undefined;
  /** Path and text of another file, by file id: to turn its offsets into positions. */
  sourceOf?(fileId: number): ProjectSource | undefined;
}

export interface ModelOptions {
  path?: string;
  project?: ProjectResolver;
}

export class FileModel {
  readonly imports: ImportTable;
  readonly classes: ClassInfo[];
  readonly classesByName = new Map<string, ClassInfo>();
  readonly functions = new Map<string, FunctionInfo>();
  readonly moduleBindings = new Map<string, Binding[]>();
  readonly evaluator: Evaluator;
  readonly lines: LineIndex;
  private readonly offsetsCache = new Map<ClassInfo, StreamOffsets>();
  private readonly sendsCache = new Map<ClassInfo, WriterSend[]>();
  private readonly simpleReadCache = new Map<ClassInfo, SimpleReadReturn[]>();
  private readonly partitionsCache = new Map<ClassInfo, PartitionRanges>();

  constructor(
    readonly text: string,
    readonly root: Node,
    readonly options: ModelOptions = {},
  ) {
    this.lines = new LineIndex(text);
    this.fileId = fileIdOf(root.start);
    this.imports = collectImports(root);
    const project = options.project;
    if (project?.contextOf) this.imports.foreign = (id) => project.contextOf?.(id)?.imports;
    const resolveExternal: ExternalClassResolver | undefined = project
      ? (q) => project.resolveClass(q, options.path)
      : undefined;
    this.classes = collectClasses(root, this.imports, resolveExternal);
    for (const c of this.classes) if (!c.nested) this.classesByName.set(c.name, c);
    if (project?.subclassesOf && options.path) {
      // Subclasses in the project's other files: a base of the user's with subclasses elsewhere is
      // an intermediate base (rules.md decision 13), whichever file it is in.
      for (const c of this.classesByName.values()) {
        if (!c.role) continue;
        for (const sub of project.subclassesOf(c.name, options.path)) if (!c.subclasses.includes(sub)) c.subclasses.push(sub);
      }
    }
    this.collectModuleLevel(root);
    this.evaluator = new Evaluator({
      imports: this.imports,
      classes: this.classes,
      classesByName: this.classesByName,
      functions: this.functions,
      moduleBindings: this.moduleBindings,
      resolveExternalClass: resolveExternal,
      resolveExternalFunction: project ? (q) => project.resolveFunction(q, options.path) : undefined,
      contextOf: project?.contextOf ? (id) => project.contextOf?.(id) : undefined,
    });
  }

  /** The file id of this file's offsets: 0 for an analysed file, the project index's id for another. */
  readonly fileId: number;

  get path(): string | undefined {
    return this.options.path;
  }

  /** True when the offset is a place in this file (not in another file of the project). */
  owns(offset: number): boolean {
    return fileIdOf(offset) === this.fileId;
  }

  /** Path and text of the file an offset belongs to: this one or another of the project. */
  sourceOf(offset: number): ProjectSource | undefined {
    const id = fileIdOf(offset);
    if (id === this.fileId) return { path: this.path ?? '', text: this.text, lines: this.lines };
    return this.options.project?.sourceOf?.(id);
  }

  /**
   * Where in this file a place in another file comes into play: the call of this file that
   * leads (maybe through other files) into the function holding it. Undefined when no call of
   * this file does (the other file's code is used through inheritance only).
   */
  anchorFor(offset: number, depth = 0): Node | undefined {
    if (this.owns(offset) || depth > 8) return undefined;
    let best: { fn: FunctionInfo; call: Node } | undefined;
    for (const [fn, call] of this.evaluator.crossings) {
      if (fn.node.start <= offset && offset < fn.node.end && (!best || fn.node.end - fn.node.start < best.fn.node.end - best.fn.node.start)) best = { fn, call };
    }
    if (!best) return undefined;
    return this.owns(best.call.start) ? best.call : this.anchorFor(best.call.start, depth + 1);
  }

  get hasSyntaxErrors(): boolean {
    return this.root.hasError;
  }

  private collectModuleLevel(root: Node): void {
    const visit = (container: Node) => {
      for (const stmt of container.children) {
        let def = stmt;
        if (def.type === 'decorated_definition') def = childByField(def, 'definition') ?? def;
        if (def.type === 'function_definition') {
          const fn = buildFunctionInfo(def);
          if (fn) this.functions.set(fn.name, fn);
        } else if (def.type === 'expression_statement') {
          const assign = def.children[0];
          if (assign?.type === 'assignment') {
            const left = childByField(assign, 'left');
            const right = childByField(assign, 'right');
            if (left?.type === 'identifier' && left.text) {
              const list = this.moduleBindings.get(left.text) ?? [];
              list.push({ kind: 'assign', target: left, value: right, statement: assign });
              this.moduleBindings.set(left.text, list);
            }
          }
        } else if (/^(if_statement|try_statement|else_clause|elif_clause|except_clause|finally_clause|block|with_statement)$/.test(def.type)) {
          visit(def);
        }
      }
    };
    visit(root);
  }

  /** Classes playing one of the roles (directly or through the user's base classes). */
  classesWithRole(...roles: SparkRole[]): ClassInfo[] {
    return this.classes.filter((c) => c.role && roles.includes(c.role));
  }

  /** Offsets produced and consumed by a stream reader (memoized). */
  offsets(reader: ClassInfo): StreamOffsets {
    let result = this.offsetsCache.get(reader);
    if (!result) {
      result = buildStreamOffsets(reader, this.evaluator);
      this.offsetsCache.set(reader, result);
    }
    return result;
  }

  /** The return paths of a simple reader's `read(start)`: rows and next offset of each (memoized). */
  simpleReadReturns(reader: ClassInfo): SimpleReadReturn[] {
    let result = this.simpleReadCache.get(reader);
    if (!result) {
      result = simpleReadReturns(reader);
      this.simpleReadCache.set(reader, result);
    }
    return result;
  }

  /**
   * The ranges a stream reader's `partitions()` builds, whether consecutive ranges (or batches)
   * share a boundary, and how `read()` treats the bounds (memoized).
   */
  partitionRanges(reader: ClassInfo): PartitionRanges {
    let result = this.partitionsCache.get(reader);
    if (!result) {
      result = buildPartitionRanges(reader, { evaluator: this.evaluator, textOf: (n) => this.textOf(n), offsets: this.offsets(reader) });
      this.partitionsCache.set(reader, result);
    }
    return result;
  }

  /** True when the node belongs to this file's tree (not to a class of another file). */
  contains(node: Node): boolean {
    return isAncestor(this.root, node);
  }

  /** What a stream writer's `write()` and the methods it calls send out, with idempotency evidence (memoized). */
  writerSends(writer: ClassInfo): WriterSend[] {
    let result = this.sendsCache.get(writer);
    if (!result) {
      result = writerSends(writer, { evaluator: this.evaluator, imports: this.imports, moduleBindings: this.moduleBindings });
      this.sendsCache.set(writer, result);
    }
    return result;
  }

  /** What each `return` of a function gives back, with the user class when it is an instance of one. */
  returnedInstances(fn: FunctionInfo): { statement: Node; expression: Node; cls?: ClassInfo }[] {
    const out: { statement: Node; expression: Node; cls?: ClassInfo }[] = [];
    for (const statement of fn.returns) {
      const expression = statement.children.find((c) => c.named && c.type !== 'comment');
      if (!expression) continue;
      const values = this.evaluator.evaluate(expression, fn);
      const objects = values.filter((v) => v.kind === 'object' && v.cls);
      if (objects.length) for (const v of objects) out.push({ statement, expression, cls: v.cls });
      else out.push({ statement, expression });
    }
    return out;
  }

  /** Reader and writer classes that a `DataSource` factory method of this file returns. */
  get factoryProducts(): Map<ClassInfo, { dataSource: ClassInfo; method: FunctionInfo }[]> {
    if (this.factoryProductsCache) return this.factoryProductsCache;
    const out = new Map<ClassInfo, { dataSource: ClassInfo; method: FunctionInfo }[]>();
    for (const ds of this.classesWithRole('DataSource')) {
      for (const name of FACTORY_METHODS) {
        const fn = ds.methods.get(name);
        if (!fn) continue;
        for (const r of this.returnedInstances(fn)) {
          if (!r.cls) continue;
          const list = out.get(r.cls) ?? [];
          list.push({ dataSource: ds, method: fn });
          out.set(r.cls, list);
        }
      }
    }
    this.factoryProductsCache = out;
    return out;
  }

  private factoryProductsCache?: Map<ClassInfo, { dataSource: ClassInfo; method: FunctionInfo }[]>;

  /** Source text of a node. */
  textOf(node: Node): string {
    if (this.owns(node.start)) {
      const base = fileBase(this.fileId);
      return this.text.slice(node.start - base, node.end - base);
    }
    const source = this.sourceOf(node.start);
    if (!source) return '';
    const base = fileBase(fileIdOf(node.start));
    return source.text.slice(node.start - base, node.end - base);
  }
}
