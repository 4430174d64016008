/**
 * Spark 4.2's read limits: `latestOffset(self, start, limit)` receives one of the dataclasses of
 * `pyspark.sql.streaming.datasource` (reference §1.2): `ReadAllAvailable()`, `ReadMinRows(min_rows)`,
 * `ReadMaxRows(max_rows)`, `ReadMaxFiles(max_files)`, `ReadMaxBytes(max_bytes)`, all subclasses of
 * `ReadLimit`. `ReadLimitRegistry` builds them with `cls(**params)`, so the fields are exactly
 * these snake_case names; the camelCase of the Scala API (`maxRows`) and dict access do not exist.
 *
 * This module finds how a reader's `latestOffset` uses its `limit` parameter (directly, through a
 * local alias, or in a helper of the class it passes the limit to) and what `getDefaultReadLimit`
 * declares.
 */
import { childByField, type Node, walk } from '../syntax';
import { type ClassInfo, findMethod } from './classes';
import type { FunctionInfo } from './functions';
import { type ImportTable, qualifiedName } from './imports';
import { reachingBindings } from './values';

/** The read-limit classes Spark 4.2 defines. */
export const READ_LIMIT_CLASSES: readonly string[] = ['ReadLimit', 'ReadAllAvailable', 'ReadMinRows', 'ReadMaxRows', 'ReadMaxFiles', 'ReadMaxBytes'];

/** The field of each limit class that carries a number. */
export const READ_LIMIT_FIELDS: Readonly<Record<string, string>> = { ReadMinRows: 'min_rows', ReadMaxRows: 'max_rows', ReadMaxFiles: 'max_files', ReadMaxBytes: 'max_bytes' };

/** camelCase names people take from the Scala API or from docs, and the real field. */
export const CAMEL_CASE_FIELDS: Readonly<Record<string, string>> = { maxRows: 'max_rows', maxFiles: 'max_files', minRows: 'min_rows', maxBytes: 'max_bytes' };

/** Modules the limit classes may be imported from. */
const LIMIT_MODULES = ['pyspark.sql.streaming.datasource', 'pyspark.sql.datasource'];

export type LimitUseKind = 'camel-field' | 'subscript' | 'dict-method' | 'membership';

export interface LimitUse {
  kind: LimitUseKind;
  /** The expression: `limit.maxRows`, `limit["maxRows"]`, `limit.get("maxRows")`, `"maxRows" in limit`. */
  node: Node;
  /** camel-field: the attribute identifier and its snake_case name. */
  attribute?: Node;
  snake?: string;
  fn: FunctionInfo;
}

export interface MissingLimitClass {
  /** The class expression in `isinstance(limit, X)` (or `type(limit) is X`). */
  node: Node;
  /** The name as Spark would look it up (`ReadMaxRecords`). */
  name: string;
  module: string;
  /** Imported by name (`from ... import X`): the import fails; else `module.X` raises AttributeError. */
  imported: boolean;
  fn: FunctionInfo;
}

export interface ReadLimitUsage {
  latestOffset: FunctionInfo;
  /** The `limit` parameter. */
  param: Node;
  name: string;
  /** The limit is read somewhere (latestOffset, or a helper it is passed to). */
  used: boolean;
  uses: LimitUse[];
  missingClasses: MissingLimitClass[];
  /** `getDefaultReadLimit` returns a limit other than `ReadAllAvailable` here. */
  declared?: { fn: FunctionInfo; node: Node; className: string };
}

/** How the reader's own 4.2-style `latestOffset(self, start, limit)` uses its limit; undefined for other signatures. */
export function readLimitUsage(reader: ClassInfo, imports: ImportTable): ReadLimitUsage | undefined {
  const fn = reader.methods.get('latestOffset');
  if (!fn || !fn.selfName) return undefined;
  const params = fn.params.filter((p) => p.kind === 'positional' || p.kind === 'positional_only');
  if (params.length !== 3 || fn.params.length !== 3) return undefined;
  const param = params[2];
  const usage: ReadLimitUsage = { latestOffset: fn, param: param.node, name: param.name, used: false, uses: [], missingClasses: [] };

  const visited = new Set<FunctionInfo>();
  const scan = (scope: FunctionInfo, names: Set<string>, depth: number) => {
    if (visited.has(scope) || depth > 1) return;
    visited.add(scope);
    // Local aliases: `lim = limit`.
    for (const [local, bindings] of scope.localBindings) {
      if (bindings.some((b) => b.kind === 'assign' && b.value?.type === 'identifier' && names.has(b.value.text ?? ''))) names.add(local);
    }
    walk(scope.body, (n) => {
      if (n.type !== 'identifier' || !n.text || !names.has(n.text)) return undefined;
      if (n.parent?.type === 'attribute' && n.field === 'attribute') return undefined;
      if (n.parent?.type === 'keyword_argument' && n.field === 'name') return undefined;
      if (!refersToLimit(scope, n, names)) return undefined;
      usage.used = true;
      classify(n, scope, usage, imports);
      // Passed to a helper of the class: follow the parameter it lands in.
      const call = n.parent?.type === 'argument_list' ? n.parent.parent : n.parent?.type === 'keyword_argument' ? n.parent.parent?.parent : undefined;
      if (call?.type === 'call') {
        const helper = selfHelper(call, scope, reader);
        const target = helper && parameterFor(helper, call, n);
        if (helper && target) scan(helper, new Set([target]), depth + 1);
      }
      return undefined;
    });
  };
  scan(fn, new Set([param.name]), 0);

  const defaultLimit = findMethod(reader, 'getDefaultReadLimit');
  if (defaultLimit) {
    for (const r of defaultLimit.returns) {
      const value = r.children.find((c) => c.named && c.type !== 'comment');
      const name = value?.type === 'call' ? limitClassName(childByField(value, 'function'), imports) : undefined;
      if (name && READ_LIMIT_FIELDS[name]) {
        usage.declared = { fn: defaultLimit, node: value!, className: name };
        break;
      }
    }
  }
  return usage;
}

/** The identifier is the parameter (or an alias), not a rebinding of the name to something else. */
function refersToLimit(fn: FunctionInfo, id: Node, names: Set<string>): boolean {
  const bindings = reachingBindings(fn, id.text ?? '', id);
  if (!bindings.length) return true;
  return bindings.every((b) => b.kind === 'param' || (b.kind === 'assign' && b.value?.type === 'identifier' && names.has(b.value.text ?? '')));
}

function classify(id: Node, fn: FunctionInfo, usage: ReadLimitUsage, imports: ImportTable): void {
  const parent = id.parent;
  if (!parent) return;
  if (parent.type === 'attribute' && id.field === 'object') {
    const attr = childByField(parent, 'attribute');
    const name = attr?.text ?? '';
    const snake = CAMEL_CASE_FIELDS[name];
    if (snake) {
      usage.uses.push({ kind: 'camel-field', node: parent, attribute: attr, snake, fn });
      return;
    }
    if ((name === 'get' || name === 'keys' || name === 'items' || name === 'values' || name === '__getitem__') && parent.parent?.type === 'call' && parent.field === 'function') {
      usage.uses.push({ kind: 'dict-method', node: parent.parent, fn });
    }
    return;
  }
  if (parent.type === 'subscript' && id.field === 'value') {
    usage.uses.push({ kind: 'subscript', node: parent, fn });
    return;
  }
  // "maxRows" in limit
  if (parent.type === 'comparison_operator') {
    const operands = parent.children.filter((c) => c.named);
    const op = parent.children.find((c) => !c.named);
    if ((op?.type === 'in' || op?.type === 'not in') && operands[1] === id) usage.uses.push({ kind: 'membership', node: parent, fn });
    // type(limit) is X / == X is handled through isinstance-like checks below.
    return;
  }
  // isinstance(limit, X) / isinstance(limit, (X, Y)); type(limit) is X.
  const call = parent.type === 'argument_list' ? parent.parent : undefined;
  if (call?.type === 'call') {
    const callee = qualifiedName(childByField(call, 'function'), imports);
    const argsList = (parent.children ?? []).filter((c) => c.named && c.type !== 'comment');
    if (callee === 'isinstance' && argsList[0] === id && argsList[1]) {
      const classes = argsList[1].type === 'tuple' ? argsList[1].children.filter((c) => c.named) : [argsList[1]];
      for (const c of classes) checkClass(c, fn, usage, imports);
    } else if (callee === 'type' && argsList[0] === id && call.parent?.type === 'comparison_operator') {
      for (const c of call.parent.children) if (c.named && c !== call) checkClass(c, fn, usage, imports);
    }
  }
}

function checkClass(node: Node, fn: FunctionInfo, usage: ReadLimitUsage, imports: ImportTable): void {
  if (node.type !== 'identifier' && node.type !== 'attribute') return;
  const q = qualifiedName(node, imports);
  if (!q) return;
  const module = LIMIT_MODULES.find((m) => q.startsWith(`${m}.`));
  if (!module) return;
  const name = q.slice(module.length + 1);
  if (name.includes('.') || READ_LIMIT_CLASSES.includes(name)) return;
  usage.missingClasses.push({ node, name, module, imported: node.type === 'identifier', fn });
}

/** The name of a limit class a callee refers to (`ReadMaxRows`, `sds.ReadMaxRows`), if it is one of Spark's modules or unresolved. */
function limitClassName(callee: Node | undefined, imports: ImportTable): string | undefined {
  const q = qualifiedName(callee, imports);
  if (!q) return undefined;
  const last = q.slice(q.lastIndexOf('.') + 1);
  if (!READ_LIMIT_CLASSES.includes(last)) return undefined;
  return q === last || LIMIT_MODULES.some((m) => q === `${m}.${last}`) ? last : undefined;
}

function selfHelper(call: Node, fn: FunctionInfo, reader: ClassInfo): FunctionInfo | undefined {
  const callee = childByField(call, 'function');
  if (callee?.type !== 'attribute') return undefined;
  const object = childByField(callee, 'object');
  const name = childByField(callee, 'attribute')?.text;
  if (object?.type !== 'identifier' || object.text !== fn.selfName || !name) return undefined;
  return findMethod(reader, name);
}

/** The parameter of `helper` that the argument `arg` of `call` binds. */
function parameterFor(helper: FunctionInfo, call: Node, arg: Node): string | undefined {
  if (arg.parent?.type === 'keyword_argument') return childByField(arg.parent, 'name')?.text ?? undefined;
  const positional = (childByField(call, 'arguments')?.children ?? []).filter((c) => c.named && c.type !== 'comment' && c.type !== 'keyword_argument');
  const index = positional.indexOf(arg);
  const params = helper.params.slice(helper.selfName ? 1 : 0);
  const p = params[index];
  return p && (p.kind === 'positional' || p.kind === 'positional_only') ? p.name : undefined;
}
