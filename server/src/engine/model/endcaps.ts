/**
 * Where a stream reader's `partitions(start, end)` changes the `end` Spark gave it. Spark keeps
 * its own `end` (the JSON it planned the batch with, reference §2): it commits it and starts the
 * next batch there. A `partitions()` that reads only up to a smaller value (`end = min(end, ...)`,
 * `end["ts"] = ...`, `end = {...}`), or stores a capped end for the next `latestOffset`, never
 * reads the rows in between.
 *
 * A value computed from `end` alone is a conversion, not a change: `end = datetime.fromisoformat(
 * end["ts"])`, `end = json.loads(end)`, `end = int(end["offset"]) - 1`. Locals derived from `end`
 * and used to split the range (`next_t = min(current + step, end_ts)` in a loop) are not changes.
 */
import { childByField, type Node, walk } from '../syntax';
import { type ClassInfo, findMethod } from './classes';
import type { Binding, FunctionInfo } from './functions';
import { qualifiedName } from './imports';
import { type InputContext, inputsOf } from './inputs';
import { reachingBindings } from './values';

export type EndChangeKind = 'reassign' | 'mutate' | 'store';

export interface EndChange {
  kind: EndChangeKind;
  /** The statement that changes `end` (the assignment, the `end.update(...)` call). */
  statement: Node;
  partitions: FunctionInfo;
  /** The `end` parameter. */
  endParam: Node;
  endName: string;
  /** store: the attribute set, the `min(...)` that caps it, and where `latestOffset` reads it. */
  attribute?: string;
  cap?: Node;
  readBy?: Node;
}

/** The changes of `end` in the reader's own `partitions(self, start, end)`. */
export function partitionEndChanges(reader: ClassInfo, ctx: InputContext): EndChange[] {
  const fn = reader.methods.get('partitions');
  if (!fn || !fn.selfName || fn.node.hasError) return [];
  const params = fn.params.filter((p) => p.kind === 'positional' || p.kind === 'positional_only');
  if (params.length !== 3) return [];
  const startName = params[1].name;
  const endName = params[2].name;
  const endParam = params[2].node;
  const out: EndChange[] = [];
  const base = { partitions: fn, endParam, endName };

  // A value that reads `end` and nothing else of partitions() (its start, `self`, the clock).
  const conversion = (value: Node | undefined): boolean => {
    if (!value) return false;
    const inputs = inputsOf(value, fn, ctx);
    const own = inputs.params.filter((p) => p.fn === fn);
    return (
      own.some((p) => p.name === endName) &&
      own.every((p) => p.name === endName) &&
      !inputs.selfAttributes.some((a) => a.fn === fn && inArithmetic(a.node)) &&
      !inputs.volatile.length &&
      // `self._cap(end)` returning `min(e, self.max)`: a cap, wherever the min() is.
      !inputs.calls.some((c) => c.qualified === 'min') &&
      // A helper's parameter bound to nothing known: cannot tell.
      inputs.params.every((p) => p.fn === fn)
    );
  };

  // Bindings of `end` that keep Spark's value (the parameter, conversions of it).
  const kept = new Set<Binding>();
  for (const b of fn.localBindings.get(endName) ?? []) {
    if (b.kind === 'param') {
      kept.add(b);
      continue;
    }
    if (b.statement.hasError) continue;
    const value = bindingValue(b);
    if (value === null) continue;
    // `end = max(end, start)` can only widen the range: not a cap.
    if (value?.type === 'call' && qualifiedName(childByField(value, 'function'), ctx.imports) === 'max') continue;
    if (conversion(value)) kept.add(b);
    else out.push({ kind: 'reassign', statement: b.statement, ...base });
  }
  /** `end` at `at` is still Spark's end (the parameter, or a conversion of it). */
  const isEnd = (at: Node): boolean => {
    const bindings = reachingBindings(fn, endName, at);
    return bindings.length > 0 && bindings.every((b) => kept.has(b));
  };

  walk(fn.body, (n) => {
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return false;
    if (n.hasError) return false;
    // end["ts"] = ..., end["a"]["b"] = ...
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = childByField(n, 'left');
      if (left?.type === 'subscript' && rootName(left) === endName && isEnd(left)) {
        const value = n.type === 'augmented_assignment' ? n : childByField(n, 'right');
        if (!conversion(value)) out.push({ kind: 'mutate', statement: n, ...base });
      }
    }
    // end.update({...}), end.setdefault(...), end.pop(...)
    if (n.type === 'call') {
      const callee = childByField(n, 'function');
      const object = callee?.type === 'attribute' ? childByField(callee, 'object') : undefined;
      const method = callee?.type === 'attribute' ? childByField(callee, 'attribute')?.text : undefined;
      if (object?.type === 'identifier' && object.text === endName && isEnd(object) && (method === 'update' || method === 'pop' || method === '__setitem__' || method === 'clear')) {
        const argsNode = childByField(n, 'arguments');
        if (method === 'pop' || method === 'clear' || !conversion(argsNode)) out.push({ kind: 'mutate', statement: n, ...base });
      }
    }
    return undefined;
  });

  // self.x = <a min() of end and something else, outside the splitting loops>, read by latestOffset.
  const latest = findMethod(reader, 'latestOffset');
  if (latest) {
    for (const [attr, writes] of fn.selfWrites) {
      const reads = latest.selfReads.get(attr);
      if (!reads?.length) continue;
      for (const w of writes) {
        if (!w.value || w.statement.hasError || insideLoop(w.statement, fn)) continue;
        const cap = capOf(w.value, fn, endName, startName, ctx, 0, new Set());
        if (cap) out.push({ kind: 'store', statement: w.statement, ...base, attribute: attr, cap, readBy: reads[0] });
      }
    }
  }
  return out.sort((a, b) => a.statement.start - b.statement.start);
}

/** The value a binding gives `end`; null for bindings that are not reassignments (the parameter, loops, imports). */
function bindingValue(b: Binding): Node | undefined | null {
  switch (b.kind) {
    case 'assign':
    case 'walrus':
      return b.value;
    case 'augmented':
      return b.value;
    case 'unpack': {
      const value = b.value;
      const items = value && /^(tuple|expression_list|list)$/.test(value.type) ? value.children.filter((c) => c.named && c.type !== 'comment') : undefined;
      // `start, end = self._window(start, end)`: what the helper returns per position is not known.
      if (!items || b.index === undefined || items.length <= b.index || items.some((c) => c.type === 'list_splat')) return null;
      return items[b.index];
    }
    default:
      return null;
  }
}

/**
 * `self.lag` in `end["ts"] - self.lag` or `min(..., self.cap)` changes the value; `self.tz` in
 * `.astimezone(self.tz)` or `self._offsets.from_json(end)` only converts it.
 */
function inArithmetic(node: Node): boolean {
  for (let cur = node, p = node.parent; p; cur = p, p = p.parent) {
    if (p.type === 'binary_operator' || p.type === 'boolean_operator' || p.type === 'conditional_expression' || p.type === 'unary_operator') return true;
    if (p.type === 'argument_list' || p.type === 'keyword_argument' || (p.type === 'attribute' && cur.field === 'object')) return false;
    if (p.type === 'subscript' && cur.field !== 'value') return false;
    if (/statement$|^block$|^assignment$|^augmented_assignment$/.test(p.type)) return p.type === 'augmented_assignment';
  }
  return false;
}

function rootName(node: Node): string | undefined {
  let cur: Node | undefined = node;
  while (cur?.type === 'subscript') cur = childByField(cur, 'value');
  return cur?.type === 'identifier' ? cur.text ?? undefined : undefined;
}

function insideLoop(node: Node, fn: FunctionInfo): boolean {
  for (let p = node.parent; p && p !== fn.node; p = p.parent) if (p.type === 'for_statement' || p.type === 'while_statement') return true;
  return false;
}

/**
 * A `min(...)` reached from `value` through the locals of `fn`, outside loops, whose arguments
 * include one computed from `end` and one computed from something else (the start, `self`, a
 * constant): a cap of the end.
 */
function capOf(value: Node, fn: FunctionInfo, endName: string, startName: string, ctx: InputContext, depth: number, seen: Set<Node>): Node | undefined {
  if (depth > 4 || seen.has(value)) return undefined;
  seen.add(value);
  let found: Node | undefined;
  walk(value, (n) => {
    if (found) return false;
    if (n.type === 'call' && qualifiedName(childByField(n, 'function'), ctx.imports) === 'min' && !insideLoop(n, fn)) {
      const args = (childByField(n, 'arguments')?.children ?? []).filter((c) => c.named && c.type !== 'comment' && c.type !== 'keyword_argument');
      const fromEnd = args.filter((a) => inputsOf(a, fn, ctx).params.some((p) => p.fn === fn && p.name === endName));
      if (fromEnd.length && fromEnd.length < args.length) {
        found = n;
        return false;
      }
    }
    if (n.type === 'identifier' && n.text && n.text !== endName && n.text !== startName) {
      for (const b of reachingBindings(fn, n.text, n)) {
        if ((b.kind === 'assign' || b.kind === 'walrus') && b.value && !insideLoop(b.statement, fn)) found ??= capOf(b.value, fn, endName, startName, ctx, depth + 1, seen);
      }
    }
    return undefined;
  });
  return found;
}
