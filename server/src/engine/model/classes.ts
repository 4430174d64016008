/**
 * Classes of a file, the Spark role each plays (through imports, aliases and the user's own base
 * classes), and their methods.
 */
import { childByField, type Node } from '../syntax';
import { buildFunctionInfo, docstringOf, type FunctionInfo } from './functions';
import { type ImportTable, qualifiedName } from './imports';
import { roleOfQualifiedName, type SparkRole } from './roles';

export interface BaseRef {
  node: Node;
  /** Qualified name through the imports (`pyspark.sql.datasource.DataSourceStreamReader`). */
  qualified?: string;
  /** A Spark role named directly. */
  role?: SparkRole;
  /** A class of the user's, in this file or (with a project index) another. */
  userClass?: ClassInfo;
}

export interface ClassInfo {
  name: string;
  node: Node;
  nameNode: Node;
  body: Node;
  /** The file the class is defined in (for classes from other files of the project). */
  file?: string;
  bases: BaseRef[];
  /** The Spark role, direct or inherited through the user's own base classes. */
  role?: SparkRole;
  /** The user base class the role was inherited through (absent when the class names Spark's base itself); see {@link roleChain}. */
  roleVia?: ClassInfo;
  /** Methods defined in this class body. */
  methods: Map<string, FunctionInfo>;
  /** Class-level assignments `name = value`. */
  classAttributes: Map<string, Node>;
  /**
   * Classes that derive from this one: of this file (full classes), and, with a project index, of
   * the project's other files. Those are outlines (`outline: true`): a name and a file, no
   * methods or bases; enough to know that this class is an intermediate base.
   */
  subclasses: ClassInfo[];
  /** An outline of a class of another file (see {@link ClassInfo.subclasses}). */
  outline?: boolean;
  docstring?: string;
  /** Nested inside a function or another class. */
  nested: boolean;
  /** The class text has a syntax error: rules about what is absent stay quiet on it. */
  hasSyntaxError: boolean;
}

/** Finds the class a qualified name refers to in another file of the project. */
export type ExternalClassResolver = (qualifiedName: string) => ClassInfo | undefined;

export function collectClasses(root: Node, imports: ImportTable, resolveExternal?: ExternalClassResolver): ClassInfo[] {
  const classes: ClassInfo[] = [];
  const visit = (node: Node, nested: boolean) => {
    for (const child of node.children) {
      let def = child;
      if (def.type === 'decorated_definition') def = childByField(def, 'definition') ?? def;
      if (def.type === 'class_definition') {
        const info = buildClass(def, nested);
        if (info) classes.push(info);
        const body = childByField(def, 'body');
        if (body) visit(body, true);
      } else if (def.type === 'function_definition') {
        const body = childByField(def, 'body');
        if (body) visit(body, true);
      } else if (def.named && def.children.length && !def.type.endsWith('expression') && def.type !== 'call') {
        // Statements with blocks (if/try/with at module level) can hold class definitions.
        if (/(statement|clause|block)$/.test(def.type) || def.type === 'ERROR' || def.type === 'module') visit(def, nested);
      }
    }
  };
  visit(root, false);

  // Resolve bases: a class of this file by name (the last definition before the use wins, as in
  // Python), a Spark role through the imports, or a class of another file.
  const byName = new Map<string, ClassInfo[]>();
  for (const c of classes) {
    const list = byName.get(c.name) ?? [];
    list.push(c);
    byName.set(c.name, list);
  }
  for (const c of classes) {
    for (const base of c.bases) {
      if (base.node.type === 'identifier' && base.node.text) {
        const local = byName.get(base.node.text)?.filter((d) => d !== c && d.node.start < c.node.start);
        if (local?.length && !imports.get(base.node.text)) {
          base.userClass = local[local.length - 1];
          continue;
        }
      }
      base.qualified = qualifiedName(base.node, imports);
      base.role = roleOfQualifiedName(base.qualified);
      if (!base.role && base.qualified && resolveExternal) base.userClass = resolveExternal(base.qualified);
    }
  }
  for (const c of classes) resolveRole(c, new Set());
  for (const c of classes) for (const base of c.bases) if (base.userClass && classes.includes(base.userClass)) base.userClass.subclasses.push(c);
  return classes;
}

/**
 * Finds the roles again after bases in other files were linked (`BaseRef.userClass` set by the
 * project index). Each class's role comes from a fresh walk of its bases, so the result depends
 * only on the linked classes, never on the order files were read in.
 */
export function recomputeRoles(classes: Iterable<ClassInfo>): void {
  const list = [...classes];
  const found = list.map((c) => roleOf(c, new Set()));
  list.forEach((c, i) => {
    c.role = found[i]?.role;
    c.roleVia = found[i]?.via;
  });
}

function roleOf(c: ClassInfo, path: Set<ClassInfo>): { role: SparkRole; via?: ClassInfo } | undefined {
  if (path.has(c) || path.size > 64) return undefined;
  for (const base of c.bases) if (base.role) return { role: base.role };
  path.add(c);
  try {
    for (const base of c.bases) {
      if (!base.userClass) continue;
      const up = roleOf(base.userClass, path);
      if (up) return { role: up.role, via: base.userClass };
    }
  } finally {
    path.delete(c);
  }
  return undefined;
}

/**
 * Forgets what was computed along the class graph of these classes (methods found, lineage):
 * the project index links and unlinks bases in other files, and a class whose lineage passes
 * through a relinked class must look again.
 */
export function classGraphChanged(classes: Iterable<ClassInfo>): void {
  for (const c of classes) {
    methodCache.delete(c);
    allMethodsCache.delete(c);
    lineageCache.delete(c);
  }
}

function resolveRole(c: ClassInfo, visiting: Set<ClassInfo>): void {
  if (c.role || visiting.has(c)) return;
  visiting.add(c);
  for (const base of c.bases) {
    if (base.role) {
      c.role = base.role;
      return;
    }
  }
  for (const base of c.bases) {
    if (!base.userClass) continue;
    resolveRole(base.userClass, visiting);
    if (base.userClass.role) {
      c.role = base.userClass.role;
      c.roleVia = base.userClass;
      return;
    }
  }
}

function buildClass(node: Node, nested: boolean): ClassInfo | undefined {
  const nameNode = childByField(node, 'name');
  const body = childByField(node, 'body');
  if (!nameNode?.text || !body) return undefined;
  const superclasses = childByField(node, 'superclasses');
  const bases: BaseRef[] = [];
  for (const arg of superclasses?.children ?? []) {
    if (!arg.named || arg.type === 'keyword_argument' || arg.type === 'comment') continue;
    bases.push({ node: arg });
  }
  const info: ClassInfo = {
    name: nameNode.text,
    node,
    nameNode,
    body,
    bases,
    methods: new Map(),
    classAttributes: new Map(),
    subclasses: [],
    docstring: docstringOf(body),
    nested,
    hasSyntaxError: node.hasError,
  };
  for (const stmt of body.children) {
    let def = stmt;
    if (def.type === 'decorated_definition') def = childByField(def, 'definition') ?? def;
    if (def.type === 'function_definition') {
      const fn = buildFunctionInfo(def, info);
      // A later definition of the same name replaces an earlier one, as in Python.
      if (fn) info.methods.set(fn.name, fn);
    } else if (def.type === 'expression_statement') {
      const assign = def.children[0];
      if (assign?.type === 'assignment') {
        const left = childByField(assign, 'left');
        const right = childByField(assign, 'right');
        if (left?.type === 'identifier' && left.text && right) info.classAttributes.set(left.text, right);
      }
    }
  }
  return info;
}

/** How the role was found: the class, then each user base class up to the one naming Spark's. */
export function roleChain(c: ClassInfo): ClassInfo[] {
  const out = [c];
  for (let k = c.roleVia; k && !out.includes(k); k = k.roleVia) out.push(k);
  return out;
}

// The class graph does not change once a model is built, so lookups along it are computed once
// per class: rules ask for the same methods of every class, and a long chain of user base classes
// would otherwise cost its length squared.
const methodCache = new WeakMap<ClassInfo, Map<string, FunctionInfo | null>>();
const allMethodsCache = new WeakMap<ClassInfo, ReadonlyMap<string, FunctionInfo>>();
const lineageCache = new WeakMap<ClassInfo, readonly ClassInfo[]>();

/** The method `name` of the class or of the first user base class (in MRO order) that has it. */
export function findMethod(c: ClassInfo, name: string): FunctionInfo | undefined {
  return lookupMethod(c, name, new Set()).fn;
}

/**
 * A depth-first search through the user base classes. A result is cached only when the search
 * below the class was complete: one that met a class already being searched (inheritance cycles,
 * possible through rebinding) depends on where it started.
 */
function lookupMethod(c: ClassInfo, name: string, seen: Set<ClassInfo>): { fn?: FunctionInfo; complete: boolean } {
  const cached = methodCache.get(c)?.get(name);
  if (cached !== undefined) return { fn: cached ?? undefined, complete: true };
  if (seen.has(c)) return { complete: false };
  seen.add(c);
  let fn = c.methods.get(name);
  let complete = true;
  if (!fn) {
    for (const base of c.bases) {
      if (!base.userClass) continue;
      const found = lookupMethod(base.userClass, name, seen);
      complete &&= found.complete;
      if (found.fn) {
        fn = found.fn;
        break;
      }
    }
  }
  if (complete) {
    let byName = methodCache.get(c);
    if (!byName) methodCache.set(c, (byName = new Map()));
    byName.set(name, fn ?? null);
  }
  return { fn, complete };
}

/** All methods visible on the class: its own, then inherited from user base classes. */
export function allMethods(c: ClassInfo): ReadonlyMap<string, FunctionInfo> {
  let out = allMethodsCache.get(c) as Map<string, FunctionInfo> | undefined;
  if (out) return out;
  out = new Map<string, FunctionInfo>();
  for (const k of classLineage(c)) for (const [name, fn] of k.methods) if (!out.has(name)) out.set(name, fn);
  allMethodsCache.set(c, out);
  return out;
}

/** The class itself and its user base classes (MRO-like order, without Spark's classes). */
export function classLineage(c: ClassInfo): readonly ClassInfo[] {
  const cached = lineageCache.get(c);
  if (cached) return cached;
  const out: ClassInfo[] = [];
  const seen = new Set<ClassInfo>();
  // Depth-first, bases in order, each class once (an explicit stack: chains can be long).
  const stack: ClassInfo[] = [c];
  while (stack.length) {
    const k = stack.pop()!;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(k);
    for (let i = k.bases.length - 1; i >= 0; i--) {
      const base = k.bases[i].userClass;
      if (base && !seen.has(base)) stack.push(base);
    }
  }
  Object.freeze(out);
  lineageCache.set(c, out);
  return out;
}

/** True when the class derives (in the user's code) from `ancestor`. */
export function derivesFrom(c: ClassInfo, ancestor: ClassInfo): boolean {
  return classLineage(c).includes(ancestor);
}
