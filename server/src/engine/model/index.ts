/**
 * The model of one Python file: the single place that knows which classes play which Spark role,
 * what their methods look like, and how offsets flow. Rules read it; they do not walk the tree
 * looking for classes themselves.
 */
import { LineIndex } from '../source';
import { childByField, isAncestor, type Node } from '../syntax';
import { collectClasses, type ClassInfo, type ExternalClassResolver } from './classes';
import { type Binding, buildFunctionInfo, type FunctionInfo } from './functions';
import { collectImports, type ImportTable } from './imports';
import { buildStreamOffsets, type StreamOffsets } from './offsets';
import { buildPartitionRanges, type PartitionRanges } from './partitions';
import type { SparkRole } from './roles';
import { type WriterSend, writerSends } from './sends';
import { type SimpleReadReturn, simpleReadReturns } from './simple-read';
import { Evaluator } from './values';

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

export interface ProjectResolver {
  /** A class of another file of the project, by qualified name (`pkg.common.base.BaseReader`). */
  resolveClass(qualifiedName: string, fromPath?: string): ClassInfo | undefined;
  /** A module-level function of another file, by qualified name. */
  resolveFunction(qualifiedName: string, fromPath?: string): FunctionInfo | undefined;
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
    this.imports = collectImports(root);
    const project = options.project;
    const resolveExternal: ExternalClassResolver | undefined = project
      ? (q) => project.resolveClass(q, options.path)
      : undefined;
    this.classes = collectClasses(root, this.imports, resolveExternal);
    for (const c of this.classes) if (!c.nested) this.classesByName.set(c.name, c);
    this.collectModuleLevel(root);
    this.evaluator = new Evaluator({
      imports: this.imports,
      classes: this.classes,
      classesByName: this.classesByName,
      functions: this.functions,
      moduleBindings: this.moduleBindings,
      resolveExternalClass: resolveExternal,
      resolveExternalFunction: project ? (q) => project.resolveFunction(q, options.path) : undefined,
    });
  }

  get path(): string | undefined {
    return this.options.path;
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
    return this.text.slice(node.start, node.end);
  }
}
