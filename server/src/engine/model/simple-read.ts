/**
 * The return paths of a `SimpleDataSourceStreamReader.read(start)`: which rows expression goes
 * with which next offset on each `return`, what is known on that path (`if not rows:`), whether
 * the next offset is the incoming `start` itself (directly, through locals, `dict(start)`,
 * `{"k": start["k"]}`, `json.dumps(json.loads(start))`, or one branch of `x if rows else start`),
 * and whether the rows are known to be empty there. Helpers that return the pair
 * (`return self._poll(start)`) are followed, with `start` mapped to their parameter.
 *
 * Spark's wrapper (reference §4) caches `(start, end, iterator)`; in 4.2 a result whose end
 * equals its start (as JSON) must have an empty iterator, and `next()` is called on it.
 */
import { childByField, type Node, stringValue, walk } from '../syntax';
import { findMethod, type ClassInfo } from './classes';
import { conditionFacts, type PathFact, pathFacts } from './flow';
import type { FunctionInfo } from './functions';
import { operandOf } from './rows';
import { args, reachingBindings } from './values';

export interface SimpleReadReturn {
  /** The `return` statement (in `read` or in a helper it returns from). */
  statement: Node;
  /** The function holding the statement. */
  fn: FunctionInfo;
  /** The tuple that is returned (the literal, or the one a returned local is bound to). */
  pair: Node;
  rows: Node;
  offset: Node;
  /** Facts where the pair is made (and, for a helper, the caller's facts, as `other`). */
  facts: PathFact[];
  /** Names in `fn` that hold the incoming `start`. */
  startNames: Set<string>;
}

export interface StartOccurrence {
  /** The part of the next offset that is `start` again. */
  node: Node;
  /** What holds when this part is the value: the path's facts plus branch and binding facts. */
  facts: PathFact[];
}

export type RowsEmptiness = 'empty' | 'nonEmpty' | 'unknown';

const MAX_DEPTH = 6;

/** The return paths of the simple reader's `read` (own or inherited from the user's bases). */
export function simpleReadReturns(reader: ClassInfo): SimpleReadReturn[] {
  if (reader.role !== 'SimpleDataSourceStreamReader') return [];
  const read = findMethod(reader, 'read');
  if (!read || read.isGenerator || read.isAsync) return [];
  const start = read.params[read.selfName ? 1 : 0];
  if (!start || start.kind === 'varargs' || start.kind === 'kwargs') return [];
  const out: SimpleReadReturn[] = [];
  collect(reader, read, new Set([start.name]), [], out, new Set(), 0);
  return out;
}

function unwrap(node: Node | undefined): Node | undefined {
  while (node?.type === 'parenthesized_expression') node = operandOf(node);
  return node;
}

function pairItems(node: Node | undefined): [Node, Node] | undefined {
  const n = unwrap(node);
  if (n?.type !== 'tuple' && n?.type !== 'expression_list') return undefined;
  const items = n.children.filter((c) => c.named && c.type !== 'comment');
  return items.length === 2 && items.every((i) => i.type !== 'list_splat') ? [items[0], items[1]] : undefined;
}

function asOther(facts: PathFact[]): PathFact[] {
  return facts.map((f) => (f.kind === 'other' ? f : { kind: 'other', node: f.node, early: f.early }));
}

function collect(reader: ClassInfo, fn: FunctionInfo, startNames: Set<string>, outer: PathFact[], out: SimpleReadReturn[], seen: Set<FunctionInfo>, depth: number): void {
  if (seen.has(fn) || depth > 3) return;
  seen.add(fn);
  for (const statement of fn.returns) {
    const value = operandOf(statement);
    if (!value) continue;
    const here = [...outer, ...pathFacts(statement, fn)];
    const direct = pairItems(value);
    if (direct) {
      out.push({ statement, fn, pair: unwrap(value)!, rows: direct[0], offset: direct[1], facts: here, startNames });
      continue;
    }
    const v = unwrap(value);
    if (v?.type === 'identifier' && v.text) {
      // result = (iter(rows), nxt); return result
      for (const b of reachingBindings(fn, v.text, v)) {
        const items = b.kind === 'assign' ? pairItems(b.value) : undefined;
        if (items) out.push({ statement, fn, pair: unwrap(b.value)!, rows: items[0], offset: items[1], facts: [...here, ...pathFacts(b.statement, fn)], startNames });
      }
      continue;
    }
    if (v?.type === 'call') {
      // return self._poll(start)
      const callee = childByField(v, 'function');
      const object = callee?.type === 'attribute' ? childByField(callee, 'object') : undefined;
      const method = callee?.type === 'attribute' ? childByField(callee, 'attribute')?.text : undefined;
      if (!method || object?.type !== 'identifier' || object.text !== fn.selfName) continue;
      const helper = findMethod(reader, method);
      if (!helper || helper.isGenerator || helper.isAsync) continue;
      const params = helper.params.slice(helper.selfName ? 1 : 0);
      const mapped = new Set<string>();
      const { positional, keywords } = args(v);
      positional.forEach((a, i) => {
        if (params[i] && isStartName(a, fn, startNames)) mapped.add(params[i].name);
      });
      for (const [name, a] of keywords) if (isStartName(a, fn, startNames) && params.some((p) => p.name === name)) mapped.add(name);
      collect(reader, helper, mapped, asOther(here), out, seen, depth + 1);
    }
  }
}

/** An identifier that is the incoming `start` (the parameter, or a local bound to it). */
function isStartName(expr: Node | undefined, fn: FunctionInfo, startNames: Set<string>, depth = 0): boolean {
  const e = unwrap(expr);
  if (e?.type !== 'identifier' || !e.text || depth > MAX_DEPTH) return false;
  const bindings = reachingBindings(fn, e.text, e);
  return bindings.length > 0 && bindings.every((b) => (b.kind === 'param' ? startNames.has(e.text!) : (b.kind === 'assign' || b.kind === 'walrus') && isStartName(b.value, fn, startNames, depth + 1)));
}

type Form = 'same' | 'loaded';

interface OccContext {
  startNames: Set<string>;
  /** The keys of the reader's dict offsets, when known: a rebuild must have all of them. */
  offsetKeys?: readonly string[];
}

interface Occ {
  node: Node;
  facts: PathFact[];
  form: Form;
}

/** The parts of the next offset that are the incoming `start` again, each with what holds then. */
export function startOccurrences(r: SimpleReadReturn, offsetKeys?: readonly string[]): StartOccurrence[] {
  return occurrences(r.offset, r.fn, { startNames: r.startNames, offsetKeys }, r.facts, 0, new Set())
    .filter((o) => o.form === 'same')
    .map((o) => ({ node: o.node, facts: o.facts }));
}

function qualifiedCallee(call: Node): string | undefined {
  const callee = childByField(call, 'function');
  if (callee?.type === 'identifier') return callee.text ?? undefined;
  if (callee?.type === 'attribute') {
    const obj = childByField(callee, 'object');
    const attr = childByField(callee, 'attribute')?.text;
    if (obj?.type === 'identifier' && attr) return `${obj.text}.${attr}`;
  }
  return undefined;
}

function occurrences(expr: Node | undefined, fn: FunctionInfo, ctx: OccContext, facts: PathFact[], depth: number, seen: Set<Node>): Occ[] {
  if (!expr || depth > MAX_DEPTH) return [];
  switch (expr.type) {
    case 'parenthesized_expression':
      return occurrences(operandOf(expr), fn, ctx, facts, depth + 1, seen);
    case 'identifier': {
      // A dict changed in place (`nxt["seq"] = n`, `nxt.update(...)`) is not the offset it was.
      if (!expr.text || isMutated(fn, expr.text)) return [];
      const out: Occ[] = [];
      const bindings = reachingBindings(fn, expr.text, expr);
      for (const b of bindings) {
        // `offset = start` then `if rows: offset = {...}`: the value of the first only reaches when the `if` was not taken.
        const killed = bindings.flatMap((later) => (later !== b && later.statement.start > b.statement.start ? skippedFacts(later.statement, b.statement, expr) : []));
        if (b.kind === 'param') {
          if (ctx.startNames.has(expr.text)) out.push({ node: expr, facts: [...facts, ...killed], form: 'same' });
        } else if ((b.kind === 'assign' || b.kind === 'walrus') && b.value && !seen.has(b.statement)) {
          seen.add(b.statement);
          const inner = occurrences(b.value, fn, ctx, [...facts, ...pathFacts(b.statement, fn), ...killed], depth + 1, seen);
          seen.delete(b.statement);
          // Report on what the return says (`nxt`), not inside the binding, when that is another line.
          out.push(...inner);
        }
      }
      return out;
    }
    case 'conditional_expression': {
      const parts = expr.children.filter((c) => c.named);
      if (parts.length !== 3) return [];
      return [
        ...occurrences(parts[0], fn, ctx, [...facts, ...pathFactsOfBranch(expr, parts[0], fn)], depth + 1, seen),
        ...occurrences(parts[2], fn, ctx, [...facts, ...pathFactsOfBranch(expr, parts[2], fn)], depth + 1, seen),
      ];
    }
    case 'boolean_operator': {
      const left = childByField(expr, 'left');
      const right = childByField(expr, 'right');
      return [
        ...occurrences(left, fn, ctx, [...facts, { kind: 'other', node: expr, early: false }], depth + 1, seen),
        ...occurrences(right, fn, ctx, [...facts, ...pathFactsOfBranch(expr, right!, fn)], depth + 1, seen),
      ];
    }
    case 'dictionary':
      return rebuiltDict(expr, fn, ctx, facts, depth, seen);
    case 'call': {
      const name = qualifiedCallee(expr);
      const first = args(expr).positional[0];
      const callee = childByField(expr, 'function');
      if (name === 'dict' || name === 'copy.copy' || name === 'copy.deepcopy' || name === 'copy' || name === 'deepcopy') {
        if (args(expr).all.length !== 1) return [];
        return occurrences(first, fn, ctx, facts, depth + 1, seen).map((o) => ({ ...o, node: expr }));
      }
      if (callee?.type === 'attribute' && childByField(callee, 'attribute')?.text === 'copy' && !args(expr).all.length) {
        return occurrences(childByField(callee, 'object'), fn, ctx, facts, depth + 1, seen).map((o) => ({ ...o, node: expr }));
      }
      if (name === 'json.dumps' && args(expr).all.length === 1) {
        return occurrences(first, fn, ctx, facts, depth + 1, seen).filter((o) => o.form === 'loaded').map((o) => ({ ...o, node: expr, form: 'same' as Form }));
      }
      if (name === 'json.loads' && args(expr).all.length === 1) {
        return occurrences(first, fn, ctx, facts, depth + 1, seen).filter((o) => o.form === 'same').map((o) => ({ ...o, node: expr, form: 'loaded' as Form }));
      }
      return [];
    }
    default:
      return [];
  }
}

/** The facts of one branch of a conditional expression or boolean operator (relative to it). */
function pathFactsOfBranch(parent: Node, branch: Node, fn: FunctionInfo): PathFact[] {
  // pathFacts walks up from the branch; only the step into `parent` is wanted here.
  const all = pathFacts(branch, fn);
  const outer = pathFacts(parent, fn);
  return all.slice(0, all.length - outer.length);
}

/** `{"ts": start["ts"], "n": start.get("n")}` or `{**start}`: the same offset rebuilt. */
function rebuiltDict(expr: Node, fn: FunctionInfo, ctx: OccContext, facts: PathFact[], depth: number, seen: Set<Node>): Occ[] {
  const entries = expr.children.filter((c) => c.named && c.type !== 'comment');
  if (!entries.length) return [];
  let source: Occ[] | undefined;
  let sourceText: string | undefined;
  const keys: string[] = [];
  for (const e of entries) {
    let object: Node | undefined;
    if (e.type === 'dictionary_splat') {
      if (entries.length !== 1) return [];
      object = e.children.find((c) => c.named);
    } else if (e.type === 'pair') {
      const key = stringValue(childByField(e, 'key'));
      const value = unwrap(childByField(e, 'value'));
      if (key === undefined || !value) return [];
      keys.push(key);
      if (value.type === 'subscript' && stringValue(childByField(value, 'subscript')) === key) object = childByField(value, 'value');
      else if (value.type === 'call') {
        const callee = childByField(value, 'function');
        const a = args(value);
        if (callee?.type === 'attribute' && childByField(callee, 'attribute')?.text === 'get' && a.positional.length === 1 && stringValue(a.positional[0]) === key) object = childByField(callee, 'object');
      }
    }
    if (!object || object.type !== 'identifier') return [];
    if (sourceText !== undefined && object.text !== sourceText) return [];
    sourceText = object.text ?? undefined;
    source ??= occurrences(object, fn, ctx, facts, depth + 1, seen);
  }
  // Only a rebuild of every key the reader's offsets have is the same offset.
  if (keys.length && (!ctx.offsetKeys || [...new Set(keys)].sort().join('\0') !== [...new Set(ctx.offsetKeys)].sort().join('\0'))) return [];
  return (source ?? []).map((o) => ({ ...o, node: expr }));
}

const EMPTY_CALLS = new Set(['list', 'tuple', 'set', 'dict', 'iter']);

/** `[]`, `()`, `iter([])`, `list()`, `iter(list())`: a literal with no rows. */
export function isEmptyLiteral(node: Node | undefined): boolean {
  const n = unwrap(node);
  if (!n) return false;
  if ((n.type === 'list' || n.type === 'tuple' || n.type === 'dictionary' || n.type === 'set') && !n.children.some((c) => c.named && c.type !== 'comment')) return true;
  if (n.type === 'call') {
    const name = qualifiedCallee(n);
    if (!name || !EMPTY_CALLS.has(name)) return false;
    const a = args(n).all;
    if (!a.length) return name !== 'iter';
    return a.length === 1 && isEmptyLiteral(a[0]);
  }
  return false;
}

/** The local names the rows are made of: `rows` in `iter(rows)`, `(tuple(r) for r in rows)`, `list(rows)`. */
export function rowsNames(rows: Node, fn: FunctionInfo, depth = 0): string[] {
  const n = unwrap(rows);
  if (!n || depth > MAX_DEPTH) return [];
  switch (n.type) {
    case 'identifier': {
      if (!n.text) return [];
      const out = [n.text];
      const bindings = reachingBindings(fn, n.text, n);
      // rows = list(records) / [tuple(r) for r in records]: `records` being empty means `rows` is too.
      if (bindings.length === 1 && bindings[0].kind === 'assign' && bindings[0].value && bindings[0].value.type !== 'identifier') {
        out.push(...rowsNames(bindings[0].value, fn, depth + 1).filter((x) => x !== n.text));
      }
      return out;
    }
    case 'call': {
      const name = qualifiedCallee(n);
      const a = args(n).positional;
      if (name === 'iter' || name === 'list' || name === 'tuple' || name === 'sorted') return a.length === 1 ? rowsNames(a[0], fn, depth + 1) : [];
      if (name === 'map' || name === 'filter') return a.length === 2 ? rowsNames(a[1], fn, depth + 1) : [];
      return [];
    }
    case 'list_comprehension':
    case 'generator_expression': {
      const clauses = n.children.filter((c) => c.type === 'for_in_clause');
      if (clauses.length !== 1) return [];
      return rowsNames(childByField(clauses[0], 'right') ?? clauses[0], fn, depth + 1);
    }
    default:
      return [];
  }
}

/** Whether the rows of a path are known empty or non-empty under `facts`. */
export function rowsEmptiness(r: SimpleReadReturn, facts: PathFact[]): RowsEmptiness {
  if (isEmptyLiteral(r.rows)) return 'empty';
  const names = rowsNames(r.rows, r.fn);
  for (const f of facts) {
    if (f.kind === 'truthiness' && names.includes(f.name)) return f.truthy ? 'nonEmpty' : 'empty';
  }
  const n = unwrap(r.rows);
  if (n?.type === 'identifier' && n.text) {
    const bindings = reachingBindings(r.fn, n.text, r.pair);
    if (bindings.length && bindings.every((b) => b.kind === 'assign' && isEmptyLiteral(b.value))) return 'empty';
  }
  return 'unknown';
}

/** True when a fact of the path is a condition that is not about the rows (and not an early exit). */
export function hasForeignCondition(r: SimpleReadReturn, facts: PathFact[]): boolean {
  const names = rowsNames(r.rows, r.fn);
  return facts.some((f) => !f.early && (f.kind === 'other' || !names.includes(f.name)));
}

export interface InclusiveAdvance {
  /** The value of the next offset taken from the rows (`max(r["ts"] for r in rows)`, `rows[-1].ts`). */
  value: Node;
  /** The `>=` (or `<=`) that keeps rows equal to the start, or the query string saying so. */
  comparison: Node;
}

/**
 * A next offset taken from the newest returned row, while the rows are selected inclusively of
 * the start (`r["ts"] >= start["ts"]` in a comprehension or `filter`, or a query string with
 * `>=` sent with a value of `start`): when the only rows are those at the start, the offset does
 * not advance.
 */
export function inclusiveAdvance(r: SimpleReadReturn): InclusiveAdvance | undefined {
  const names = new Set(rowsNames(r.rows, r.fn));
  if (!names.size) return undefined;
  const value = rowDerivedValue(r.offset, r.fn, names, 0);
  if (!value) return undefined;
  for (const name of names) {
    for (const b of reachingBindings(r.fn, name, r.pair)) {
      if (b.kind !== 'assign' || !b.value) continue;
      const comparison = inclusiveSelection(b.value, r.fn, r.startNames);
      if (comparison) return { value, comparison };
    }
  }
  return undefined;
}

/** In the next offset: a `max(...)` over the rows or `rows[-1]...`. */
function rowDerivedValue(expr: Node | undefined, fn: FunctionInfo, names: Set<string>, depth: number): Node | undefined {
  if (!expr || depth > MAX_DEPTH) return undefined;
  let found: Node | undefined;
  walk(expr, (n) => {
    if (found) return false;
    if (n.type === 'call' && qualifiedCallee(n) === 'max') {
      const a = args(n).positional;
      if (a.length === 1 && rowsNames(a[0], fn).some((x) => names.has(x))) found = n;
    } else if (n.type === 'subscript') {
      const object = childByField(n, 'value');
      const index = childByField(n, 'subscript');
      if (object?.type === 'identifier' && names.has(object.text ?? '') && index?.type === 'unary_operator' && /^-\s*1$/.test(textOfUnary(index))) {
        // The whole `rows[-1]["ts"]` / `rows[-1].ts`.
        let top: Node = n;
        while (top.parent && ((top.parent.type === 'subscript' && top.field === 'value') || (top.parent.type === 'attribute' && top.field === 'object'))) top = top.parent;
        found = top;
      }
    } else if (n.type === 'identifier' && n.text && !names.has(n.text) && n.parent?.type !== 'attribute' && n.parent?.type !== 'keyword_argument') {
      // nxt = {"ts": newest}; newest = max(...)
      for (const b of reachingBindings(fn, n.text, n)) {
        if (b.kind === 'assign' && b.value) found ??= rowDerivedValue(b.value, fn, names, depth + 1);
      }
    }
    return undefined;
  });
  return found;
}

function textOfUnary(n: Node): string {
  return n.children.map((c) => c.text ?? c.type).join('');
}

/** A selection of rows inclusive of the start: a comprehension/filter with `>=`, or a `>=` query sent with `start`. */
function inclusiveSelection(value: Node, fn: FunctionInfo, startNames: Set<string>): Node | undefined {
  let found: Node | undefined;
  walk(value, (n) => {
    if (found) return false;
    if (n.type === 'comparison_operator') {
      const operands = n.children.filter((c) => c.named);
      const ops = n.children.filter((c) => !c.named).map((c) => c.type);
      if (operands.length === 2 && ops.length === 1) {
        const [a, b] = operands;
        if ((ops[0] === '>=' && fromStart(b, fn, startNames) && !fromStart(a, fn, startNames)) || (ops[0] === '<=' && fromStart(a, fn, startNames) && !fromStart(b, fn, startNames))) found = n;
      }
    } else if (n.type === 'call') {
      const strings: Node[] = [];
      let startArg = false;
      for (const a of args(n).all) {
        const v = a.type === 'keyword_argument' ? childByField(a, 'value') : a;
        if (!v) continue;
        if (v.type === 'string' && /\s>=\s*(%s|\?|:\w+|%\(\w+\)s|\$\d)/.test(stringValue(v) ?? '')) strings.push(v);
        else if (fromStart(v, fn, startNames)) startArg = true;
      }
      if (strings.length && startArg) found = strings[0];
    }
    return undefined;
  });
  return found;
}

/** The expression reads the incoming start (through subscripts, calls, locals). */
function fromStart(expr: Node, fn: FunctionInfo, startNames: Set<string>, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  let yes = false;
  walk(expr, (n) => {
    if (yes) return false;
    if (n.type === 'identifier' && n.text && !(n.parent?.type === 'attribute' && n.field === 'attribute') && !(n.parent?.type === 'keyword_argument' && n.field === 'name')) {
      for (const b of reachingBindings(fn, n.text!, n)) {
        if (b.kind === 'param' && startNames.has(n.text!)) yes = true;
        else if ((b.kind === 'assign' || b.kind === 'walrus') && b.value && !isAncestorOrSelf(b.value, n) && fromStart(b.value, fn, startNames, depth + 1)) yes = true;
      }
    }
    return undefined;
  });
  return yes;
}

function isAncestorOrSelf(a: Node, n: Node): boolean {
  for (let p: Node | null = n; p; p = p.parent) if (p === a) return true;
  return false;
}

const MUTATORS = new Set(['update', 'pop', 'popitem', 'setdefault', 'clear', '__setitem__', '__delitem__']);

/** The function changes the dict bound to `name` in place: item assignment, `del`, `update()`, ... */
export function isMutated(fn: FunctionInfo, name: string): boolean {
  let found = false;
  const isName = (n: Node | undefined) => n?.type === 'identifier' && n.text === name;
  walk(fn.body, (n) => {
    if (found) return false;
    if ((n.type === 'assignment' || n.type === 'augmented_assignment') && childByField(n, 'left')?.type === 'subscript' && isName(childByField(childByField(n, 'left')!, 'value'))) found = true;
    else if (n.type === 'delete_statement' && n.children.some((c) => c.type === 'subscript' && isName(childByField(c, 'value')))) found = true;
    else if (n.type === 'call') {
      const callee = childByField(n, 'function');
      if (callee?.type === 'attribute' && isName(childByField(callee, 'object')) && MUTATORS.has(childByField(callee, 'attribute')?.text ?? '')) found = true;
    }
    return undefined;
  });
  return found;
}

/**
 * What holds when the `if` that holds `later` (a rebinding after `earlier`) was not taken: its
 * condition is false (or true, for an `else` branch). Nothing when the `if` also holds `earlier`
 * or the use, or has `elif`s.
 */
function skippedFacts(later: Node, earlier: Node, use: Node): PathFact[] {
  for (let child: Node = later, p = later.parent; p; child = p, p = p.parent) {
    if (p.type === 'function_definition') return [];
    if (p.type !== 'if_statement') {
      // Only a rebinding directly in the `if`'s branch (not in a loop or a nested `if` there).
      if (p.type !== 'block' && p.type !== 'else_clause' && p.type !== 'expression_statement') return [];
      continue;
    }
    if (isAncestorOrSelf(p, earlier) || isAncestorOrSelf(p, use) || !p.parent || !isAncestorOrSelf(p.parent, earlier)) return [];
    if (p.children.some((c) => c.type === 'elif_clause')) return [];
    const cond = childByField(p, 'condition');
    if (child.field === 'consequence') return conditionFacts(cond, false);
    if (child.type === 'else_clause') return conditionFacts(cond, true);
    return [];
  }
  return [];
}
