/**
 * Offsets of a stream reader: what the producers (`initialOffset`, `latestOffset`, the simple
 * reader's `read`) return, and which keys the consumers (`partitions`, `commit`, `read`,
 * `readBetweenOffsets`, 4.2's `latestOffset(start, limit)`) read from the offsets Spark hands
 * them.
 */
import { childByField, type Node, stringValue, walkScope } from '../syntax';
import { type ClassInfo, findMethod } from './classes';
import type { FunctionInfo } from './functions';
import { args, type Evaluator, reachingBindings, type Value } from './values';

export type ProducerKind = 'initialOffset' | 'latestOffset' | 'simpleRead';

export interface OffsetReturn {
  /** The `return` statement. */
  statement: Node;
  /** The expression that is the offset (for the simple `read`, the second tuple element). */
  expression: Node;
  values: Value[];
}

export interface OffsetProducer {
  kind: ProducerKind;
  method: FunctionInfo;
  returns: OffsetReturn[];
}

export type OffsetForm = 'dict' | 'json' | 'other' | 'unknown';

export interface OffsetShape {
  form: OffsetForm;
  /** Keys in insertion order, when the form is dict or JSON of a dict with literal keys. */
  keys: string[];
  /** Some keys are not known. */
  open: boolean;
  /** `json.dumps(..., sort_keys=True)`: the text has the keys sorted, whatever the dict's order. */
  sortedKeys?: boolean;
  value: Value;
}

export interface OffsetKeyRead {
  key: string;
  /** The subscript or `.get(...)` call. */
  node: Node;
  /** The node of the key literal. */
  keyNode: Node;
  method: FunctionInfo;
  param: string;
  /** True when the offset went through `json.loads` before being indexed. */
  viaJson: boolean;
}

export interface OffsetParamUse {
  /** `json.loads(start)` treats the offset as a string; `start[...]` / `start.get` as a dict. */
  kind: 'json.loads' | 'index';
  node: Node;
  method: FunctionInfo;
  param: string;
}

/** `"k" in start` (a key the code checks for before reading it), `isinstance(start, str)` (a type it checks). */
export interface OffsetTest {
  kind: 'key' | 'type';
  /** The key tested, for `kind: 'key'`. */
  key?: string;
  node: Node;
  method: FunctionInfo;
  param: string;
}

export interface ConsumerMethod {
  method: FunctionInfo;
  /** Parameters that receive offsets. */
  params: string[];
}

export interface StreamOffsets {
  reader: ClassInfo;
  producers: OffsetProducer[];
  consumers: ConsumerMethod[];
  keyReads: OffsetKeyRead[];
  paramUses: OffsetParamUse[];
  /** Membership and type tests of the offsets the consumers receive. */
  tests: OffsetTest[];
}

/**
 * The key an entry has once the offset went through JSON: its string, or for a literal `0`,
 * `True`, `None` the text `json.dumps` makes of it (`"0"`, `"true"`, `"null"`).
 */
export function jsonKeyOf(entry: { key: string | undefined; keyNode: Node }): string | undefined {
  if (entry.key !== undefined) return entry.key;
  const n = entry.keyNode;
  if (n.type === 'integer' && /^[0-9][0-9_]*$/.test(n.text ?? '')) return String(Number(n.text!.replace(/_/g, '')));
  if (n.type === 'true') return 'true';
  if (n.type === 'false') return 'false';
  if (n.type === 'none') return 'null';
  return undefined;
}

/** The shape of one produced value. */
export function shapeOf(value: Value): OffsetShape {
  if (value.kind === 'dict') {
    // A dict made by an operator (`a | b`) has no entries recorded: its keys are not known.
    const keys = (value.entries ?? []).map(jsonKeyOf);
    const open = !!value.open || !value.entries || keys.some((k) => k === undefined);
    return { form: 'dict', keys: keys.filter((k): k is string => k !== undefined), open, value };
  }
  if (value.kind === 'json') {
    const dict = value.inner?.find((v) => v.kind === 'dict');
    if (dict) {
      const inner = shapeOf(dict);
      return { ...inner, form: 'json', value };
    }
    return { form: 'json', keys: [], open: true, value };
  }
  if (value.kind === 'unknown' || value.kind === 'param') return { form: 'unknown', keys: [], open: true, value };
  return { form: 'other', keys: [], open: true, value };
}

/**
 * Every shape a returned offset can have: one per alternative, and for `json.dumps(x)` one per
 * alternative of `x` (still of form `json`). Duplicated keys of one dict literal count once.
 */
export function offsetShapes(values: Value[]): OffsetShape[] {
  const out: OffsetShape[] = [];
  for (const v of values) {
    if (v.kind === 'json' && v.inner?.length) {
      const sortKeys = v.node.type === 'call' ? args(v.node).keywords.get('sort_keys') : undefined;
      const sortedKeys = !!sortKeys && sortKeys.type !== 'false' && sortKeys.type !== 'none';
      for (const inner of v.inner) {
        if (inner.kind === 'dict') {
          const shape = shapeOf(inner);
          out.push({ ...shape, keys: [...new Set(shape.keys)], form: 'json', value: v, sortedKeys });
        }
        else if (inner.kind === 'unknown' || inner.kind === 'param') out.push({ form: 'json', keys: [], open: true, value: v });
        else out.push({ form: 'json', keys: [], open: false, value: v });
      }
      continue;
    }
    const shape = shapeOf(v);
    out.push({ ...shape, keys: [...new Set(shape.keys)] });
  }
  return out;
}

function consumerParams(reader: ClassInfo, fn: FunctionInfo): string[] {
  const params = fn.params.slice(fn.selfName ? 1 : 0).map((p) => p.name);
  const simple = reader.role === 'SimpleDataSourceStreamReader';
  switch (fn.name) {
    case 'partitions':
    case 'readBetweenOffsets':
      return params.slice(0, 2);
    case 'commit':
      return params.slice(0, 1);
    case 'latestOffset':
      return params.slice(0, 1);
    case 'read':
      return simple ? params.slice(0, 1) : [];
    default:
      return [];
  }
}

const CONSUMER_NAMES = ['partitions', 'commit', 'latestOffset', 'read', 'readBetweenOffsets'];

export function buildStreamOffsets(reader: ClassInfo, evaluator: Evaluator): StreamOffsets {
  const producers: OffsetProducer[] = [];
  const simple = reader.role === 'SimpleDataSourceStreamReader';
  const producerNames: ProducerKind[] = simple ? ['initialOffset', 'simpleRead'] : ['initialOffset', 'latestOffset'];
  for (const kind of producerNames) {
    const method = findMethod(reader, kind === 'simpleRead' ? 'read' : kind);
    if (!method) continue;
    const returns: OffsetReturn[] = [];
    for (const statement of method.returns) {
      let expression = statement.children.find((c) => c.named && c.type !== 'comment');
      if (!expression) continue;
      if (kind === 'simpleRead') {
        // return (rows, next_offset) / return rows, next_offset
        const tuple = expression.type === 'parenthesized_expression' ? expression.children.find((c) => c.named) : expression;
        if (tuple && (tuple.type === 'tuple' || tuple.type === 'expression_list')) {
          const items = tuple.children.filter((c) => c.named && c.type !== 'comment');
          if (items.length !== 2) continue;
          expression = items[1];
        } else {
          // return some_local: follow it to a tuple
          const values = evaluator.evaluate(expression, method);
          const tupleValue = values.find((v) => (v.kind === 'tuple') && v.items?.length === 2);
          if (!tupleValue?.items) continue;
          returns.push({ statement, expression: tupleValue.items[1][0]?.node ?? expression, values: tupleValue.items[1] });
          continue;
        }
      }
      returns.push({ statement, expression, values: evaluator.evaluate(expression, method) });
    }
    producers.push({ kind, method, returns });
  }

  const consumers: ConsumerMethod[] = [];
  const uses: OffsetUses = { keyReads: [], paramUses: [], tests: [] };
  for (const name of CONSUMER_NAMES) {
    const method = findMethod(reader, name);
    if (!method) continue;
    const params = consumerParams(reader, method);
    if (!params.length) continue;
    consumers.push({ method, params });
    collectOffsetUses(method, params, evaluator, uses, new Set());
  }
  return { reader, producers, consumers, ...uses };
}

interface Trace {
  param: string;
  viaJson: boolean;
}

/**
 * Follows an expression back to one of `params` through locals, `json.loads(...)` and
 * parenthesis. Returns undefined when it does not come from an offset parameter.
 */
function traceToParam(expr: Node | undefined, fn: FunctionInfo, params: Map<string, Trace>, depth = 0): Trace | undefined {
  if (!expr || depth > 6) return undefined;
  if (expr.type === 'parenthesized_expression') return traceToParam(expr.children.find((c) => c.named), fn, params, depth + 1);
  if (expr.type === 'identifier' && expr.text) {
    const bindings = reachingBindings(fn, expr.text, expr);
    if (!bindings.length) return undefined;
    for (const b of bindings) {
      if (b.kind === 'param') {
        const t = params.get(expr.text);
        if (t) return t;
        continue;
      }
      if ((b.kind === 'assign' || b.kind === 'walrus') && b.value) {
        const t = traceToParam(b.value, fn, params, depth + 1);
        if (t) return t;
      }
    }
    return undefined;
  }
  if (expr.type === 'call') {
    const callee = childByField(expr, 'function');
    const name = calleeName(callee);
    if (name === 'json.loads' || name === 'loads') {
      const t = traceToParam(args(expr).positional[0], fn, params, depth + 1);
      return t ? { ...t, viaJson: true } : undefined;
    }
    if (name === 'dict' || name === 'copy.copy' || name === 'copy.deepcopy') return traceToParam(args(expr).positional[0], fn, params, depth + 1);
    if (callee?.type === 'attribute' && childByField(callee, 'attribute')?.text === 'copy') {
      return traceToParam(childByField(callee, 'object'), fn, params, depth + 1);
    }
  }
  return undefined;
}

function calleeName(callee: Node | undefined): string | undefined {
  if (!callee) return undefined;
  if (callee.type === 'identifier') return callee.text ?? undefined;
  if (callee.type === 'attribute') {
    const obj = childByField(callee, 'object');
    const attr = childByField(callee, 'attribute');
    if (obj?.type === 'identifier' && attr?.text) return `${obj.text}.${attr.text}`;
  }
  return undefined;
}

/**
 * Records the key reads and the treatment (string or dict) of offset parameters in `fn`, and in
 * helpers it passes them to (`self._parse(start)`, `Offset.from_json(start)`), one level deep each.
 */
interface OffsetUses {
  keyReads: OffsetKeyRead[];
  paramUses: OffsetParamUse[];
  tests: OffsetTest[];
}

function collectOffsetUses(fn: FunctionInfo, paramNames: string[], evaluator: Evaluator, uses: OffsetUses, seen: Set<FunctionInfo>, initial?: Map<string, Trace>): void {
  if (seen.has(fn) || seen.size > 6) return;
  seen.add(fn);
  const { keyReads, paramUses, tests } = uses;
  const params = initial ?? new Map(paramNames.map((p) => [p, { param: p, viaJson: false }]));
  walkScope(fn.body, (n) => {
    if (n.type === 'comparison_operator' && n.children.some((c) => c.type === 'in' || c.type === 'not in')) {
      const operands = n.children.filter((c) => c.named);
      const key = stringValue(operands[0]);
      const trace = traceToParam(operands[1], fn, params);
      if (key !== undefined && trace) tests.push({ kind: 'key', key, node: n, method: fn, param: trace.param });
    } else if (n.type === 'subscript') {
      const object = childByField(n, 'value');
      const index = childByField(n, 'subscript');
      const trace = traceToParam(object, fn, params);
      if (trace) {
        const key = stringValue(index);
        if (key !== undefined && index) keyReads.push({ key, node: n, keyNode: index, method: fn, param: trace.param, viaJson: trace.viaJson });
        if (!trace.viaJson && isDirectParam(object, fn, params)) paramUses.push({ kind: 'index', node: n, method: fn, param: trace.param });
      }
    } else if (n.type === 'call') {
      const callee = childByField(n, 'function');
      const name = calleeName(callee);
      const callArgs = args(n);
      if (name === 'isinstance' || name === 'type') {
        const trace = traceToParam(callArgs.positional[0], fn, params);
        if (trace) tests.push({ kind: 'type', node: n, method: fn, param: trace.param });
      }
      if (callee?.type === 'attribute' && childByField(callee, 'attribute')?.text === 'get') {
        const object = childByField(callee, 'object');
        const trace = traceToParam(object, fn, params);
        const keyNode = callArgs.positional[0];
        const key = stringValue(keyNode);
        if (trace && key !== undefined && keyNode) {
          keyReads.push({ key, node: n, keyNode, method: fn, param: trace.param, viaJson: trace.viaJson });
          if (!trace.viaJson && isDirectParam(object, fn, params)) paramUses.push({ kind: 'index', node: n, method: fn, param: trace.param });
        }
      }
      if (name === 'json.loads' || name === 'loads') {
        const arg = callArgs.positional[0];
        if (arg && isDirectParam(arg, fn, params)) {
          const trace = traceToParam(arg, fn, params);
          if (trace) paramUses.push({ kind: 'json.loads', node: n, method: fn, param: trace.param });
        }
      }
      // Helpers that receive an offset parameter.
      callArgs.positional.forEach((arg, i) => {
        const trace = traceToParam(arg, fn, params);
        if (!trace) return;
        const target = resolveCallee(n, fn, evaluator);
        if (!target) return;
        const targetParams = target.params.slice(target.selfName || target.isClassMethod ? 1 : 0);
        const p = targetParams[i];
        if (!p) return;
        collectOffsetUses(target, [p.name], evaluator, uses, seen, new Map([[p.name, trace]]));
      });
    }
    return undefined;
  });
}

function isDirectParam(expr: Node | undefined, fn: FunctionInfo, params: Map<string, Trace>): boolean {
  if (!expr) return false;
  if (expr.type === 'identifier' && expr.text && params.has(expr.text)) {
    const bindings = reachingBindings(fn, expr.text, expr);
    return bindings.some((b) => b.kind === 'param') || bindings.length === 0;
  }
  return false;
}

function resolveCallee(call: Node, fn: FunctionInfo, evaluator: Evaluator): FunctionInfo | undefined {
  const callee = childByField(call, 'function');
  if (!callee) return undefined;
  if (callee.type === 'attribute') {
    const object = childByField(callee, 'object');
    const method = childByField(callee, 'attribute')?.text;
    if (!method) return undefined;
    if (object?.type === 'identifier' && fn.selfName && object.text === fn.selfName && fn.owner) return findMethod(fn.owner, method);
    const receivers = evaluator.evaluate(object, fn);
    for (const r of receivers) if (r.kind === 'class' && r.cls) return findMethod(r.cls, method);
    return undefined;
  }
  const values = evaluator.evaluate(callee, fn);
  return values.find((v) => v.kind === 'function' && v.fn)?.fn;
}
