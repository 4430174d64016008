/**
 * Where each method of a reader or writer runs, and so which instance's state it sees.
 *
 * Spark builds several instances of one reader/writer class (reference §3): the driver's
 * long-lived one (`latestOffset`, `partitions`, `commit`, ...), and pickled copies on executors
 * (`read`, `write`) made right after construction. State flows to the executors only from
 * construction (`__init__` and what it calls, class attributes). This module classifies methods
 * by the Spark entry points that reach them through `self.helper()` calls.
 */
import { childByField, type Node, walk } from '../syntax';
import { allMethods, type ClassInfo, classLineage, findMethod } from './classes';
import type { FunctionInfo } from './functions';
import type { SparkRole } from './roles';

/** `init`: construction; `driver`: the driver-side instance; `executor`: a pickled copy on an executor. */
export type MethodSide = 'init' | 'driver' | 'executor';

const EXECUTOR_ENTRIES: Partial<Record<SparkRole, string[]>> = {
  DataSourceStreamReader: ['read'],
  SimpleDataSourceStreamReader: ['readBetweenOffsets'],
  DataSourceStreamWriter: ['write'],
  DataSourceArrowStreamWriter: ['write'],
  DataSourceWriter: ['write'],
  DataSourceArrowWriter: ['write'],
};

const DRIVER_ENTRIES: Partial<Record<SparkRole, string[]>> = {
  DataSourceStreamReader: [
    'initialOffset',
    'latestOffset',
    'partitions',
    'commit',
    'stop',
    'getDefaultReadLimit',
    'reportLatestOffset',
    'prepareForTriggerAvailableNow',
  ],
  // The simple reader's `read(start)` prefetches on the driver, inside the wrapper's latestOffset.
  SimpleDataSourceStreamReader: ['initialOffset', 'read', 'commit', 'prepareForTriggerAvailableNow'],
  DataSourceStreamWriter: ['commit', 'abort'],
  DataSourceArrowStreamWriter: ['commit', 'abort'],
  DataSourceWriter: ['commit', 'abort'],
  DataSourceArrowWriter: ['commit', 'abort'],
};

/** Methods Spark calls on an executor's pickled copy, for a role (`read`, `write`, `readBetweenOffsets`). */
export function executorEntryNames(role: SparkRole | undefined): string[] {
  return (role && EXECUTOR_ENTRIES[role]) || [];
}

/** Methods Spark calls on the driver-side instance, for a role. */
export function driverEntryNames(role: SparkRole | undefined): string[] {
  return (role && DRIVER_ENTRIES[role]) || [];
}

/** The method and every method of the class it reaches through `self.m(...)` calls. */
export function methodCallClosure(cls: ClassInfo, entry: FunctionInfo): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  const visit = (fn: FunctionInfo) => {
    if (out.includes(fn)) return;
    out.push(fn);
    for (const name of fn.selfCalls.keys()) {
      const callee = findMethod(cls, name);
      if (callee) visit(callee);
    }
  };
  visit(entry);
  return out;
}

/**
 * For every method of the class's lineage reached from a Spark entry point or `__init__`, the
 * sides it runs on. A method no entry reaches (called from outside, e.g. by the DataSource) has
 * no entry in the map: where it runs is unknown.
 */
export function methodSides(cls: ClassInfo): Map<FunctionInfo, Set<MethodSide>> {
  const out = new Map<FunctionInfo, Set<MethodSide>>();
  const mark = (entry: FunctionInfo, side: MethodSide) => {
    for (const fn of methodCallClosure(cls, entry)) {
      const sides = out.get(fn) ?? new Set<MethodSide>();
      sides.add(side);
      out.set(fn, sides);
    }
  };
  const methods = allMethods(cls);
  // Every `__init__` of the lineage runs at construction (through super().__init__()).
  for (const k of classLineage(cls)) {
    const init = k.methods.get('__init__');
    if (init) mark(init, 'init');
  }
  for (const name of driverEntryNames(cls.role)) {
    const fn = methods.get(name);
    if (fn) mark(fn, 'driver');
  }
  for (const name of executorEntryNames(cls.role)) {
    const fn = methods.get(name);
    if (fn) mark(fn, 'executor');
  }
  return out;
}

/** Every `self.<attr> = ...` of the class's lineage, with the method that makes it. */
export function attributeWriters(cls: ClassInfo, attr: string): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  for (const k of classLineage(cls)) for (const fn of k.methods.values()) if (fn.selfWrites.has(attr)) out.push(fn);
  return out;
}

/** A class-level assignment of the attribute somewhere in the lineage. */
export function hasClassAttribute(cls: ClassInfo, attr: string): boolean {
  return classLineage(cls).some((k) => k.classAttributes.has(attr));
}

/**
 * True when a method of the lineage sets attributes whose names cannot be seen: `setattr(self,
 * name, ...)` with a computed name, `self.__dict__.update(...)`, `vars(self)`.
 */
export function hasDynamicAttributes(cls: ClassInfo): boolean {
  for (const k of classLineage(cls)) {
    for (const fn of k.methods.values()) {
      const self = fn.selfName;
      if (!self) continue;
      for (const call of fn.calls) {
        const callee = childByField(call, 'function');
        const args = childByField(call, 'arguments')?.children.filter((c) => c.named && c.type !== 'comment') ?? [];
        const isSelf = (n: Node | undefined) => n?.type === 'identifier' && n.text === self;
        if (callee?.type === 'identifier' && callee.text === 'setattr' && isSelf(args[0]) && args[1]?.type !== 'string') return true;
        if (callee?.type === 'identifier' && callee.text === 'vars' && isSelf(args[0])) return true;
      }
      let found = false;
      walk(fn.body, (n) => {
        if (found) return false;
        if (n.type === 'attribute' && childByField(n, 'attribute')?.text === '__dict__' && childByField(n, 'object')?.text === self) found = true;
        return undefined;
      });
      if (found) return true;
    }
  }
  return false;
}

/**
 * For each method reached from `entry` through `self.m(...)` calls, the call written in `entry`
 * that leads to it (so a finding in a helper can be shown where the entry point uses it).
 */
export function entryCallSites(cls: ClassInfo, entry: FunctionInfo): Map<FunctionInfo, Node> {
  const out = new Map<FunctionInfo, Node>();
  const visit = (fn: FunctionInfo, site: Node) => {
    if (fn === entry || out.has(fn)) return;
    out.set(fn, site);
    for (const name of fn.selfCalls.keys()) {
      const callee = findMethod(cls, name);
      if (callee) visit(callee, site);
    }
  };
  for (const [name, calls] of entry.selfCalls) {
    const callee = findMethod(cls, name);
    if (callee) visit(callee, calls[0]);
  }
  return out;
}

/** Classes whose methods are checked as they run: those with no subclasses, and those a DataSource factory returns. */
export function isConcreteClass(cls: ClassInfo, products: ReadonlyMap<ClassInfo, unknown>): boolean {
  return !cls.subclasses.length || products.has(cls);
}
