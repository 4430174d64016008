/**
 * A small abstract interpreter for the expressions that make offsets, rows and keys.
 *
 * `evaluate(expr, scope)` answers "what can this expression be?" as a list of alternatives
 * ({@link Value}): a dict with these keys, a JSON string of a dict, a datetime read from the wall
 * clock and not rounded, an instance of this class, ... It follows locals to their reaching
 * assignments, `self.x` to every assignment of `x` in the class, `self._helper(...)` and module
 * functions to their returns (binding arguments to parameters), and `json.dumps`/`json.loads`.
 * It never executes anything; anything it cannot follow is `unknown`.
 */
import { childByField, type Node, stringValue } from '../syntax';
import { type ClassInfo, findMethod, classLineage } from './classes';
import type { Binding, FunctionInfo } from './functions';
import { type ImportTable, qualifiedName } from './imports';

export type ValueKind =
  | 'dict'
  | 'list'
  | 'tuple'
  | 'set'
  | 'str'
  | 'json'
  | 'int'
  | 'float'
  | 'bool'
  | 'none'
  | 'datetime'
  | 'date'
  | 'time'
  | 'timedelta'
  | 'decimal'
  | 'bytes'
  | 'object'
  | 'class'
  | 'function'
  | 'module'
  | 'generator'
  | 'iterator'
  | 'param'
  | 'unknown';

export interface DictEntry {
  /** The key when it is a string literal (or a constant that evaluates to one). */
  key: string | undefined;
  keyNode: Node;
  keyValues: Value[];
  valueNode: Node;
  values: Value[];
}

export interface ClockRead {
  call: Node;
  /** `datetime.now`, `time.time`, `pandas.Timestamp.now`, ... */
  api: string;
}

export interface Value {
  kind: ValueKind;
  /** The expression that made the value. */
  node: Node;
  /** dict: its entries. */
  entries?: DictEntry[];
  /** dict: some keys are unknown (`**spread`, comprehension, `dict(x)`). */
  open?: boolean;
  /** list/tuple/set literal elements. */
  items?: Value[][];
  /** json: the value given to `json.dumps`; iterator/generator: the elements. */
  inner?: Value[];
  /** json: the `default=` keyword of `json.dumps`. */
  jsonDefault?: Node;
  /** object/class: a class of the user's. */
  cls?: ClassInfo;
  /** object: the constructor call, to map attributes to arguments. */
  ctorCall?: Node;
  /** object of a library class: its qualified name (`decimal.Decimal`). */
  typeName?: string;
  /** param: the parameter of this function. */
  param?: { fn: FunctionInfo; name: string };
  /** The value came from `json.loads` (plain JSON types), or indexes such a value. */
  fromJson?: boolean;
  /** Derived from a wall-clock read. */
  clock?: ClockRead;
  /** Where a clock-derived value was truncated (`.replace(microsecond=0)`, `int(...)`, `//`). */
  rounded?: Node;
  /** Where a lag was subtracted from a clock value, or a `min()` with data capped it. */
  lag?: Node;
  /** A datetime built without a time zone, and where. */
  naive?: Node;
  /** A datetime known to carry a time zone. */
  aware?: boolean;
  /** `fromisoformat` of a text that may or may not carry an offset (naive is then a guess). */
  naiveUnlessTextHasOffset?: boolean;
  /** function: the function referred to. */
  fn?: FunctionInfo;
  /** module: its qualified name. */
  moduleName?: string;
  /** Derived from a parameter's value (through subscripts, calls on it). */
  fromParam?: { fn: FunctionInfo; name: string };
}

/** What the evaluator needs to know about the file. */
export interface EvaluationContext {
  imports: ImportTable;
  classes: ClassInfo[];
  classesByName: Map<string, ClassInfo>;
  functions: Map<string, FunctionInfo>;
  moduleBindings: Map<string, Binding[]>;
  /** Looks a qualified name up in other files of the project. */
  resolveExternalFunction?: (qualified: string) => FunctionInfo | undefined;
  resolveExternalClass?: (qualified: string) => ClassInfo | undefined;
}

type Env = Map<string, Value[]>;

const MAX_DEPTH = 12;
const MAX_ALTERNATIVES = 24;

/** Functions that read the wall clock, and the kind of value they return. */
export const CLOCK_APIS: ReadonlyMap<string, ValueKind> = new Map<string, ValueKind>([
  ['datetime.datetime.now', 'datetime'],
  ['datetime.datetime.utcnow', 'datetime'],
  ['datetime.datetime.today', 'datetime'],
  ['time.time', 'float'],
  ['time.time_ns', 'int'],
  ['time.monotonic', 'float'],
  ['time.monotonic_ns', 'int'],
  ['time.perf_counter', 'float'],
  ['pandas.Timestamp.now', 'datetime'],
  ['pandas.Timestamp.utcnow', 'datetime'],
  ['pandas.Timestamp.today', 'datetime'],
  ['pandas.to_datetime', 'datetime'],
  ['arrow.now', 'datetime'],
  ['arrow.utcnow', 'datetime'],
  ['pendulum.now', 'datetime'],
]);

/** Attributes of a datetime that are whole calendar fields (a truncation of a clock value). */
const CALENDAR_FIELDS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second']);

/** Method calls that truncate a clock value. */
const ROUNDING_METHODS = new Set(['floor', 'ceil', 'round', 'normalize', 'date']);

function unknown(node: Node): Value {
  return { kind: 'unknown', node };
}

function limit(values: Value[]): Value[] {
  return values.length > MAX_ALTERNATIVES ? values.slice(0, MAX_ALTERNATIVES) : values;
}

/** A value of `kind` made at `node`, carrying the clock/zone provenance of `from`. */
export function derive(kind: ValueKind, node: Node, from: Value | undefined, extra: Partial<Value> = {}): Value {
  const v: Value = { kind, node };
  if (from) {
    if (from.clock) v.clock = from.clock;
    if (from.rounded) v.rounded = from.rounded;
    if (from.lag) v.lag = from.lag;
    if (from.naive) v.naive = from.naive;
    if (from.naiveUnlessTextHasOffset) v.naiveUnlessTextHasOffset = true;
    if (from.aware) v.aware = from.aware;
    if (from.fromJson) v.fromJson = from.fromJson;
    if (from.fromParam) v.fromParam = from.fromParam;
    if (from.param) v.fromParam = from.param;
  }
  return Object.assign(v, extra);
}

export function args(call: Node): { positional: Node[]; keywords: Map<string, Node>; all: Node[] } {
  const list = childByField(call, 'arguments');
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const all: Node[] = [];
  for (const a of list?.children ?? []) {
    if (!a.named || a.type === 'comment') continue;
    all.push(a);
    if (a.type === 'keyword_argument') {
      const name = childByField(a, 'name');
      const value = childByField(a, 'value');
      if (name?.text && value) keywords.set(name.text, value);
    } else if (list?.type === 'generator_expression') {
      positional.push(list);
    } else {
      positional.push(a);
    }
  }
  if (list?.type === 'generator_expression') return { positional: [list], keywords, all: [list] };
  return { positional, keywords, all };
}

/** The first block-like ancestor chain of a node, for dominance checks. */
function enclosingBlocks(node: Node, stop: Node): Node[] {
  const out: Node[] = [];
  for (let p = node.parent; p && p !== stop; p = p.parent) if (p.type === 'block') out.push(p);
  return out;
}

/**
 * The bindings of `name` that can reach `at` inside `fn`: the last one before `at` that dominates
 * it, plus any later-in-text ones in blocks that do not enclose `at` (branches), plus, when `at`
 * is inside a loop, the bindings after it in the same loop (they reach the next iteration).
 */
export function reachingBindings(fn: FunctionInfo, name: string, at: Node): Binding[] {
  const all = fn.localBindings.get(name);
  if (!all?.length) return [];
  const before = all.filter((b) => b.statement.start < at.start || b.kind === 'param');
  const out: Binding[] = [];
  const atBlocks = new Set(enclosingBlocks(at, fn.node));
  for (let i = before.length - 1; i >= 0; i--) {
    const b = before[i];
    // The binding statement encloses the use (x = f(x)): not reaching from itself.
    if (b.statement.start <= at.start && at.end <= b.statement.end && b.kind !== 'for' && b.kind !== 'param') {
      if (b.kind !== 'with') continue;
    }
    out.push(b);
    if (b.kind === 'param') break;
    const blocks = enclosingBlocks(b.statement, fn.node);
    const dominates = blocks.every((blk) => atBlocks.has(blk)) && b.kind !== 'for' && b.kind !== 'except';
    if (dominates) break;
  }
  // Loop-carried: bindings after `at` inside a loop that also contains `at`.
  for (let p = at.parent; p && p !== fn.node; p = p.parent) {
    if (p.type === 'while_statement' || p.type === 'for_statement') {
      const body = childByField(p, 'body');
      if (!body) continue;
      for (const b of all) {
        if (b.statement.start > at.end && b.statement.start >= body.start && b.statement.end <= body.end && !out.includes(b)) {
          out.push(b);
        }
      }
    }
  }
  return out.reverse();
}

export class Evaluator {
  private readonly cache = new Map<Node, Value[]>();
  private readonly returnCache = new Map<FunctionInfo, Value[]>();
  private readonly attributeCache = new Map<string, Value[]>();
  private readonly inProgress = new Set<unknown>();
  /** How many evaluations the depth limit cut short (results that depend on one are not cached). */
  private truncations = 0;

  constructor(readonly ctx: EvaluationContext) {}

  qualified(node: Node | undefined): string | undefined {
    return qualifiedName(node, this.ctx.imports);
  }

  /** What `expr` can be, evaluated inside `scope` (a function or method; undefined for module level). */
  evaluate(expr: Node | undefined, scope?: FunctionInfo, env?: Env, depth = 0): Value[] {
    if (!expr) return [];
    if (!env && this.cache.has(expr)) return this.cache.get(expr)!;
    if (depth > MAX_DEPTH) {
      this.truncations++;
      return [unknown(expr)];
    }
    if (this.inProgress.has(expr)) return [unknown(expr)];
    this.inProgress.add(expr);
    const before = this.truncations;
    let result: Value[];
    try {
      result = limit(this.evaluateUncached(expr, scope, env, depth + 1));
    } finally {
      this.inProgress.delete(expr);
    }
    // A result cut short by the depth limit is only what this depth could see: do not keep it.
    if (!env && this.truncations === before) this.cache.set(expr, result);
    return result;
  }

  private evaluateUncached(expr: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value[] {
    switch (expr.type) {
      case 'string':
        return [this.stringLiteral(expr, scope, env, depth)];
      case 'concatenated_string': {
        const parts = expr.children.map((c) => this.stringLiteral(c, scope, env, depth));
        return [mergeProvenance('str', expr, parts)];
      }
      case 'integer':
        return [{ kind: 'int', node: expr }];
      case 'float':
        return [{ kind: 'float', node: expr }];
      case 'true':
      case 'false':
        return [{ kind: 'bool', node: expr }];
      case 'none':
        return [{ kind: 'none', node: expr }];
      case 'dictionary':
        return [this.dictionary(expr, scope, env, depth)];
      case 'dictionary_comprehension':
        return [{ kind: 'dict', node: expr, entries: [], open: true }];
      case 'list':
      case 'tuple':
      case 'set':
        return [
          {
            kind: expr.type as ValueKind,
            node: expr,
            items: expr.children.filter((c) => c.named && c.type !== 'comment').map((c) => this.evaluate(c, scope, env, depth)),
          },
        ];
      case 'list_comprehension':
        return [{ kind: 'list', node: expr, inner: this.comprehensionElement(expr, scope, env, depth) }];
      case 'set_comprehension':
        return [{ kind: 'set', node: expr }];
      case 'generator_expression':
        return [{ kind: 'generator', node: expr, inner: this.comprehensionElement(expr, scope, env, depth) }];
      case 'parenthesized_expression': {
        const inner = expr.children.find((c) => c.named && c.type !== 'comment');
        return inner ? this.evaluate(inner, scope, env, depth) : [unknown(expr)];
      }
      case 'expression_list': {
        return [
          {
            kind: 'tuple',
            node: expr,
            items: expr.children.filter((c) => c.named).map((c) => this.evaluate(c, scope, env, depth)),
          },
        ];
      }
      case 'conditional_expression': {
        const parts = expr.children.filter((c) => c.named);
        // a if cond else b
        const whenTrue = this.evaluate(parts[0], scope, env, depth);
        const whenFalse = this.evaluate(parts[2], scope, env, depth);
        // `dt if dt.tzinfo else dt.replace(tzinfo=utc)`: the bare `dt` is only taken when it is aware.
        const test = zoneTest(parts[1]);
        if (test) {
          const present = test.naiveWhen ? parts[2] : parts[0];
          if (present?.type === 'identifier' && present.text === test.name) {
            return test.naiveWhen ? [...whenTrue, ...whenFalse.map(madeAware)] : [...whenTrue.map(madeAware), ...whenFalse];
          }
        }
        return [...whenTrue, ...whenFalse];
      }
      case 'boolean_operator': {
        const left = childByField(expr, 'left');
        const right = childByField(expr, 'right');
        return [...this.evaluate(left, scope, env, depth), ...this.evaluate(right, scope, env, depth)];
      }
      case 'not_operator':
      case 'comparison_operator':
        return [{ kind: 'bool', node: expr }];
      case 'unary_operator': {
        const operand = childByField(expr, 'argument');
        return this.evaluate(operand, scope, env, depth).map((v) => derive(v.kind === 'float' ? 'float' : 'int', expr, v));
      }
      case 'binary_operator':
        return this.binary(expr, scope, env, depth);
      case 'await':
        return this.evaluate(expr.children.find((c) => c.named), scope, env, depth);
      case 'lambda':
        return [{ kind: 'function', node: expr }];
      case 'identifier':
        return this.identifier(expr, scope, env, depth);
      case 'attribute':
        return this.attribute(expr, scope, env, depth);
      case 'subscript':
        return this.subscript(expr, scope, env, depth);
      case 'call':
        return this.call(expr, scope, env, depth);
      case 'named_expression':
        return this.evaluate(childByField(expr, 'value'), scope, env, depth);
      default:
        return [unknown(expr)];
    }
  }

  private stringLiteral(expr: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value {
    const kind: ValueKind = /^[rRuU]?[bB]|^[bB]/.test(expr.text ?? '') ? 'bytes' : 'str';
    const interpolations = expr.children.filter((c) => c.type === 'interpolation');
    if (!interpolations.length) return { kind, node: expr };
    const parts = interpolations.flatMap((i) => this.evaluate(childByField(i, 'expression') ?? i.children.find((c) => c.named), scope, env, depth));
    return mergeProvenance(kind, expr, parts);
  }

  private comprehensionElement(expr: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value[] {
    const body = childByField(expr, 'body');
    return body ? this.evaluate(body, scope, env, depth) : [];
  }

  private dictionary(expr: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value {
    const entries: DictEntry[] = [];
    let open = false;
    for (const c of expr.children) {
      if (c.type === 'pair') {
        const keyNode = childByField(c, 'key');
        const valueNode = childByField(c, 'value');
        if (!keyNode || !valueNode) continue;
        const keyValues = this.evaluate(keyNode, scope, env, depth);
        entries.push({
          key: stringValue(keyNode) ?? constantString(keyValues),
          keyNode,
          keyValues,
          valueNode,
          values: this.evaluate(valueNode, scope, env, depth),
        });
      } else if (c.type === 'dictionary_splat') {
        const inner = this.evaluate(c.children.find((k) => k.named), scope, env, depth);
        const dict = inner.find((v) => v.kind === 'dict');
        if (dict?.entries) entries.push(...dict.entries);
        if (!dict || dict.open) open = true;
      }
    }
    return { kind: 'dict', node: expr, entries, open };
  }

  private binary(expr: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value[] {
    const op = childByField(expr, 'operator')?.type ?? expr.children.find((c) => !c.named)?.type;
    const left = this.evaluate(childByField(expr, 'left'), scope, env, depth);
    const right = this.evaluate(childByField(expr, 'right'), scope, env, depth);
    const out: Value[] = [];
    for (const l of left) {
      const r = right[0];
      let kind: ValueKind = l.kind;
      if (l.kind === 'datetime' && r?.kind === 'datetime' && op === '-') kind = 'timedelta';
      else if (l.kind === 'unknown' && r) kind = r.kind === 'timedelta' ? 'unknown' : r.kind;
      if (op === '/' && (kind === 'int' || kind === 'float')) kind = 'float';
      const extra: Partial<Value> = {};
      if (op === '//' || op === '%') {
        if (l.clock || r?.clock) extra.rounded = expr;
        if (kind === 'float' && op === '//') kind = 'int';
      }
      if (op === '-' && (l.clock || l.kind === 'datetime') && r && !r.clock && (r.kind === 'timedelta' || r.kind === 'int' || r.kind === 'float' || r.kind === 'unknown')) {
        extra.lag = expr;
      }
      const from = l.clock ? l : r?.clock ? r : l;
      let v = derive(kind, expr, from, extra);
      if (l.kind === 'str' || l.kind === 'json') Object.assign(v, { kind: 'str' });
      // `dt.isoformat() + "Z"`: the text now has a zone.
      const rightNode = childByField(expr, 'right');
      if (op === '+' && l.kind === 'str' && rightNode?.type === 'string' && /^(Z|[+-]\d\d:?\d\d)$/.test(stringValue(rightNode) ?? '')) v = withZone(v);
      out.push(v);
    }
    return out.length ? out : [unknown(expr)];
  }

  private identifier(expr: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value[] {
    const name = expr.text ?? '';
    if (env?.has(name)) return env.get(name)!;
    if (scope) {
      const bindings = reachingBindings(scope, name, expr);
      if (bindings.length) {
        // `if dt.tzinfo is None: dt = dt.replace(tzinfo=...)` (or raise): what reaches from before it is aware.
        const guard = zoneGuardBefore(scope, name, expr);
        return bindings.flatMap((b) => {
          const values = this.binding(b, scope, env, depth);
          return guard && b.statement.start < guard.start ? values.map(madeAware) : values;
        });
      }
    }
    const moduleBindings = this.ctx.moduleBindings.get(name);
    if (moduleBindings?.length) return moduleBindings.flatMap((b) => this.binding(b, undefined, undefined, depth));
    const fn = this.ctx.functions.get(name);
    if (fn) return [{ kind: 'function', node: expr, fn }];
    const cls = this.ctx.classesByName.get(name);
    if (cls) return [{ kind: 'class', node: expr, cls }];
    const imported = this.ctx.imports.get(name);
    if (imported) {
      const extCls = this.ctx.resolveExternalClass?.(imported.qualified);
      if (extCls) return [{ kind: 'class', node: expr, cls: extCls }];
      const extFn = this.ctx.resolveExternalFunction?.(imported.qualified);
      if (extFn) return [{ kind: 'function', node: expr, fn: extFn }];
      return [{ kind: 'module', node: expr, moduleName: imported.qualified }];
    }
    return [unknown(expr)];
  }

  private binding(b: Binding, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value[] {
    switch (b.kind) {
      case 'param': {
        if (!scope) return [unknown(b.target)];
        const p = scope.params.find((q) => q.node === b.target);
        if (!p) return [unknown(b.target)];
        const value: Value = { kind: 'param', node: b.target, param: { fn: scope, name: p.name } };
        if (p.defaultValue && scope.name === '__init__') return [value];
        return [value];
      }
      case 'assign':
      case 'walrus': {
        if (!b.value) return [unknown(b.target)];
        const values = this.evaluate(b.value, scope, env, depth);
        // A dict changed in place after it is bound has keys the literal does not show.
        const mutated = b.target.type === 'identifier' && b.target.text && scope?.mutatedLocals.has(b.target.text);
        return mutated ? values.map((v) => (v.kind === 'dict' && !v.open ? { ...v, open: true } : v)) : values;
      }
      case 'augmented':
        return b.value ? this.binary(b.value, scope, env, depth) : [unknown(b.target)];
      case 'unpack': {
        if (!b.value) return [unknown(b.target)];
        const whole = this.evaluate(b.value, scope, env, depth);
        const out: Value[] = [];
        for (const v of whole) {
          if ((v.kind === 'tuple' || v.kind === 'list') && v.items && b.index !== undefined && v.items[b.index]) out.push(...v.items[b.index]);
          else out.push(derive('unknown', b.target, v));
        }
        return out;
      }
      case 'for': {
        if (!b.value) return [unknown(b.target)];
        const iterable = this.evaluate(b.value, scope, env, depth);
        return iterable.map((v) => {
          if ((v.kind === 'list' || v.kind === 'generator' || v.kind === 'iterator') && v.inner?.length) return v.inner[0];
          if ((v.kind === 'list' || v.kind === 'tuple') && v.items?.length && b.index === undefined) return v.items[0][0] ?? unknown(b.target);
          return derive('unknown', b.target, v);
        });
      }
      default:
        return [unknown(b.target)];
    }
  }

  /** Every value assigned to `self.<attr>` in the class and its user base classes. */
  selfAttribute(cls: ClassInfo, attr: string, depth = 0): Value[] {
    const key = `${cls.name}@${cls.node.start}.${attr}`;
    const cached = this.attributeCache.get(key);
    if (cached) return cached;
    if (this.inProgress.has(key)) return [];
    this.inProgress.add(key);
    const before = this.truncations;
    const out: Value[] = [];
    try {
      let mutated = false;
      for (const k of classLineage(cls)) {
        for (const fn of k.methods.values()) {
          for (const b of fn.selfWrites.get(attr) ?? []) out.push(...this.binding(b, fn, undefined, depth + 1));
          if (fn.mutatedSelfAttributes.has(attr)) mutated = true;
        }
        const classLevel = k.classAttributes.get(attr);
        if (classLevel) out.push(...this.evaluate(classLevel, undefined, undefined, depth + 1));
      }
      // `self.state["k"] = v` somewhere: the dict has keys its literal does not show.
      if (mutated) for (let i = 0; i < out.length; i++) if (out[i].kind === 'dict' && !out[i].open) out[i] = { ...out[i], open: true };
    } finally {
      this.inProgress.delete(key);
    }
    const result = limit(out);
    if (this.truncations === before) this.attributeCache.set(key, result);
    return result;
  }

  private attribute(expr: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value[] {
    const object = childByField(expr, 'object');
    const attr = childByField(expr, 'attribute')?.text ?? '';
    const qualified = this.qualified(expr);
    if (qualified === 'datetime.timezone.utc' || qualified === 'datetime.UTC' || qualified === 'pytz.utc' || qualified === 'pytz.UTC') {
      return [{ kind: 'object', node: expr, typeName: 'datetime.timezone' }];
    }
    if (object?.type === 'identifier' && scope?.selfName && object.text === scope.selfName && scope.owner && !env?.has(scope.selfName)) {
      const values = this.selfAttribute(scope.owner, attr, depth);
      return values.length ? values : [unknown(expr)];
    }
    const bases = this.evaluate(object, scope, env, depth);
    const out: Value[] = [];
    for (const base of bases) {
      if (base.kind === 'object' && base.cls) {
        out.push(...this.instanceAttribute(base, attr, depth));
      } else if (base.kind === 'module') {
        out.push({ kind: 'module', node: expr, moduleName: `${base.moduleName}.${attr}` });
      } else if (base.clock && (base.kind === 'datetime' || base.kind === 'date') && CALENDAR_FIELDS.has(attr)) {
        // `now.hour`, `now.second`: whole calendar fields are truncations of the clock value.
        out.push(derive('int', expr, base, { rounded: expr }));
      } else {
        out.push(derive('unknown', expr, base));
      }
    }
    return out.length ? out : [unknown(expr)];
  }

  /** `obj.attr` for an instance of a user class: through `__init__`'s parameters when it can. */
  private instanceAttribute(obj: Value, attr: string, depth: number): Value[] {
    const cls = obj.cls!;
    const init = findMethod(cls, '__init__');
    if (init && obj.ctorCall) {
      const writes = init.selfWrites.get(attr);
      if (writes?.length) {
        const env = this.bindArguments(init, obj.ctorCall, undefined, undefined, depth, true);
        return writes.flatMap((b) => (b.value ? this.evaluate(b.value, init, env, depth) : []));
      }
    }
    const values = this.selfAttribute(cls, attr, depth);
    return values.length ? values : [{ kind: 'unknown', node: obj.node }];
  }

  private subscript(expr: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value[] {
    const value = childByField(expr, 'value');
    const index = childByField(expr, 'subscript');
    const key = stringValue(index);
    const bases = this.evaluate(value, scope, env, depth);
    const out: Value[] = [];
    for (const base of bases) {
      if (base.kind === 'dict' && base.entries && key !== undefined) {
        const entry = [...base.entries].reverse().find((e) => e.key === key);
        if (entry) {
          out.push(...entry.values);
          continue;
        }
      }
      if ((base.kind === 'tuple' || base.kind === 'list') && base.items && index?.type === 'integer') {
        const i = Number(index.text);
        if (base.items[i]) {
          out.push(...base.items[i]);
          continue;
        }
      }
      out.push(derive('unknown', expr, base));
    }
    return out.length ? out : [unknown(expr)];
  }

  /** Binds call arguments to the parameters of `fn`, as an environment. */
  bindArguments(fn: FunctionInfo, call: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number, isConstructor = false): Env {
    const bound: Env = new Map();
    const { positional, keywords } = args(call);
    let params = fn.params;
    if ((fn.owner && !fn.isStatic) || isConstructor) params = params.slice(1);
    positional.forEach((a, i) => {
      const p = params[i];
      if (p && (p.kind === 'positional' || p.kind === 'positional_only')) bound.set(p.name, this.evaluate(a, scope, env, depth));
    });
    for (const [name, value] of keywords) if (params.some((p) => p.name === name)) bound.set(name, this.evaluate(value, scope, env, depth));
    for (const p of params) if (!bound.has(p.name) && p.defaultValue) bound.set(p.name, this.evaluate(p.defaultValue, fn, undefined, depth));
    return bound;
  }

  /** What the function returns (union of its `return`s); a generator function returns a generator. */
  returnsOf(fn: FunctionInfo, env?: Env, depth = 0): Value[] {
    if (!env) {
      const cached = this.returnCache.get(fn);
      if (cached) return cached;
    }
    if (depth > MAX_DEPTH) this.truncations++;
    if (this.inProgress.has(fn) || depth > MAX_DEPTH) return [unknown(fn.node)];
    this.inProgress.add(fn);
    const before = this.truncations;
    let out: Value[] = [];
    try {
      if (fn.isGenerator) {
        const inner = fn.yields.flatMap((y) => {
          const v = y.children.find((c) => c.named);
          return v ? this.evaluate(v, fn, env, depth + 1) : [];
        });
        out = [{ kind: 'generator', node: fn.node, inner }];
      } else {
        for (const r of fn.returns) {
          const v = r.children.find((c) => c.named && c.type !== 'comment');
          out.push(...(v ? this.evaluate(v, fn, env, depth + 1) : [{ kind: 'none' as const, node: r }]));
        }
      }
    } finally {
      this.inProgress.delete(fn);
    }
    out = limit(out);
    if (!env && this.truncations === before) this.returnCache.set(fn, out);
    return out;
  }

  private call(expr: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value[] {
    const callee = childByField(expr, 'function');
    const { positional, keywords } = args(expr);
    const qualified = this.qualified(callee);

    // Wall-clock reads.
    if (qualified) {
      const clockKind = CLOCK_APIS.get(qualified);
      if (clockKind) {
        const api = qualified;
        const v: Value = { kind: clockKind, node: expr, clock: { call: expr, api } };
        if (clockKind === 'datetime') {
          if (api === 'pandas.to_datetime') return [{ kind: 'datetime', node: expr }];
          const zone = clockZone(api, keywords.get('tz') ?? keywords.get('tzinfo') ?? positional[0]);
          if (zone === 'naive') v.naive = expr;
          else if (zone === 'aware') v.aware = true;
        }
        return [v];
      }
    }

    switch (qualified) {
      case 'json.dumps': {
        const inner = this.evaluate(positional[0], scope, env, depth);
        return [{ ...derive('json', expr, firstClock(inner)), inner, jsonDefault: keywords.get('default') ? childOf(expr, 'default') : undefined }];
      }
      case 'json.loads': {
        const inner = this.evaluate(positional[0], scope, env, depth);
        const out: Value[] = [];
        for (const v of inner) {
          if (v.kind === 'json' && v.inner) out.push(...v.inner.map((i) => roundTrip(i)));
          else out.push(derive('unknown', expr, v, { fromJson: true }));
        }
        return out.length ? out : [{ kind: 'unknown', node: expr, fromJson: true }];
      }
      case 'int':
      case 'round':
      case 'math.floor':
      case 'math.ceil':
      case 'math.trunc': {
        const inner = this.evaluate(positional[0], scope, env, depth);
        const from = firstClock(inner) ?? inner[0];
        const rounded = qualified === 'round' && positional.length > 1 ? undefined : expr;
        return [derive('int', expr, from, rounded && from?.clock ? { rounded } : {})];
      }
      case 'float':
        return [derive('float', expr, firstClock(this.evaluate(positional[0], scope, env, depth)))];
      case 'str':
      case 'repr':
        return [derive('str', expr, firstClock(this.evaluate(positional[0], scope, env, depth)))];
      case 'bool':
        return [{ kind: 'bool', node: expr }];
      case 'bytes':
      case 'bytearray':
        return [{ kind: 'bytes', node: expr }];
      case 'dict': {
        if (!positional.length) {
          const entries: DictEntry[] = [];
          for (const a of childByField(expr, 'arguments')?.children ?? []) {
            if (a.type !== 'keyword_argument') continue;
            const name = childByField(a, 'name');
            const value = childByField(a, 'value');
            if (name?.text && value) entries.push({ key: name.text, keyNode: name, keyValues: [{ kind: 'str', node: name }], valueNode: value, values: this.evaluate(value, scope, env, depth) });
          }
          return [{ kind: 'dict', node: expr, entries, open: false }];
        }
        return [{ kind: 'dict', node: expr, entries: [], open: true }];
      }
      case 'list':
      case 'sorted':
        return [{ kind: 'list', node: expr, inner: this.elementsOf(positional[0], scope, env, depth) }];
      case 'tuple':
        return [{ kind: 'tuple', node: expr, inner: this.elementsOf(positional[0], scope, env, depth) }];
      case 'set':
      case 'frozenset':
        return [{ kind: 'set', node: expr }];
      case 'iter': {
        // `iter(generator)` is the generator itself.
        const inner = this.evaluate(positional[0], scope, env, depth);
        const generators = inner.filter((v) => v.kind === 'generator').map((v) => ({ ...v, node: expr }));
        if (generators.length === inner.length && inner.length) return generators;
        const elements: Value[] = [];
        for (const v of inner) {
          if (v.kind === 'generator') continue;
          if (v.inner) elements.push(...v.inner);
          else if (v.items) for (const item of v.items) elements.push(...item);
        }
        return [...generators, { kind: 'iterator', node: expr, inner: elements }];
      }
      case 'map':
      case 'filter':
      case 'zip':
      case 'enumerate':
      case 'reversed':
      case 'itertools.chain':
      case 'itertools.islice':
        return [{ kind: 'iterator', node: expr, inner: [] }];
      case 'min':
      case 'max': {
        const parts = positional.flatMap((p) => this.evaluate(p, scope, env, depth));
        const clocked = parts.filter((p) => p.clock);
        if (qualified === 'min' && clocked.length && clocked.length < parts.length) {
          return clocked.map((c) => ({ ...c, node: expr, lag: c.lag ?? expr }));
        }
        return parts.length ? parts.map((p) => ({ ...p, node: expr })) : [unknown(expr)];
      }
      case 'decimal.Decimal':
        return [{ kind: 'decimal', node: expr, typeName: 'decimal.Decimal' }];
      case 'uuid.uuid4':
      case 'uuid.uuid1':
        return [{ kind: 'object', node: expr, typeName: qualified }];
      case 'datetime.timedelta':
        return [{ kind: 'timedelta', node: expr }];
      case 'datetime.date':
        return [{ kind: 'date', node: expr }];
      case 'datetime.date.today':
        return [{ kind: 'date', node: expr }];
      case 'datetime.datetime': {
        const v: Value = { kind: 'datetime', node: expr };
        const tz = keywords.get('tzinfo') ?? positional[7];
        if (tz && tz.type !== 'none') v.aware = true;
        else v.naive = expr;
        return [v];
      }
      case 'datetime.datetime.fromisoformat':
      case 'datetime.datetime.strptime':
      case 'datetime.datetime.fromtimestamp':
      case 'datetime.datetime.utcfromtimestamp':
      case 'datetime.datetime.combine':
        return [this.parsedDatetime(qualified, expr, positional, keywords, scope, env, depth)];
      case 'datetime.date.fromisoformat':
        return [{ kind: 'date', node: expr }];
      default:
        break;
    }

    // Method calls on values.
    if (callee?.type === 'attribute') {
      const object = childByField(callee, 'object');
      const method = childByField(callee, 'attribute')?.text ?? '';
      // self.helper(...)
      if (object?.type === 'identifier' && scope?.selfName && object.text === scope.selfName && scope.owner && !env?.has(scope.selfName)) {
        const fn = findMethod(scope.owner, method);
        if (fn) return this.returnsOfCall(fn, expr, scope, env, depth);
      }
      const receivers = this.evaluate(object, scope, env, depth);
      const out: Value[] = [];
      for (const r of receivers) out.push(...this.methodCall(r, method, expr, positional, keywords, scope, env, depth));
      return out.length ? out : [unknown(expr)];
    }

    // Plain calls: a function or class of this file.
    const targets = callee ? this.evaluate(callee, scope, env, depth) : [];
    const out: Value[] = [];
    for (const t of targets) {
      if (t.kind === 'function' && t.fn) out.push(...this.returnsOfCall(t.fn, expr, scope, env, depth));
      else if (t.kind === 'class' && t.cls) out.push({ kind: 'object', node: expr, cls: t.cls, ctorCall: expr });
      else if (t.kind === 'module' && t.moduleName) out.push({ kind: 'object', node: expr, typeName: t.moduleName });
    }
    return out.length ? out : [unknown(expr)];
  }

  private returnsOfCall(fn: FunctionInfo, call: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value[] {
    if (this.inProgress.has(fn)) return [unknown(call)];
    const hasArgs = args(call).all.length > 0;
    if (!hasArgs) return this.returnsOf(fn, undefined, depth).map((v) => v);
    const bound = this.bindArguments(fn, call, scope, env, depth);
    return this.returnsOf(fn, bound, depth);
  }

  private elementsOf(node: Node | undefined, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Value[] {
    if (!node) return [];
    const values = this.evaluate(node, scope, env, depth);
    const out: Value[] = [];
    for (const v of values) {
      if (v.inner) out.push(...v.inner);
      else if (v.items) for (const item of v.items) out.push(...item);
    }
    return out;
  }

  private parsedDatetime(
    qualified: string,
    expr: Node,
    positional: Node[],
    keywords: Map<string, Node>,
    scope: FunctionInfo | undefined,
    env: Env | undefined,
    depth: number,
  ): Value {
    const v: Value = { kind: 'datetime', node: expr };
    const arg = this.evaluate(positional[0], scope, env, depth);
    const from = arg[0];
    if (from?.fromJson) v.fromJson = true;
    if (from?.fromParam) v.fromParam = from.fromParam;
    if (from?.param) v.fromParam = from.param;
    if (qualified.endsWith('fromtimestamp') && !qualified.includes('utc')) {
      if (keywords.has('tz') || positional.length > 1) v.aware = true;
      else v.naive = expr;
    } else if (qualified.endsWith('utcfromtimestamp')) {
      v.naive = expr;
    } else if (qualified.endsWith('strptime')) {
      // The format: a literal, or a constant it evaluates to (`self.FORMAT`); unknown formats say nothing.
      let fmt = stringValue(positional[1]);
      if (fmt === undefined && positional[1]) {
        const formats = this.evaluate(positional[1], scope, env, depth).map((f) => (f.kind === 'str' && f.node.type === 'string' ? stringValue(f.node) : undefined));
        if (formats.length && formats.every((f) => f !== undefined) && new Set(formats).size === 1) fmt = formats[0];
      }
      // Only `%z` gives a zone: `%Z` accepts a name like UTC but the result is still naive.
      if (fmt?.includes('%z')) v.aware = true;
      else if (fmt !== undefined) v.naive = expr;
    } else if (qualified.endsWith('fromisoformat')) {
      const literal = stringValue(positional[0]);
      if (literal !== undefined) {
        if (/([+-]\d\d:?\d\d|Z)$/.test(literal)) v.aware = true;
        else v.naive = expr;
      } else if (arg.some((a) => a.aware)) {
        v.aware = true;
      } else {
        // Unknown text: naive unless the text comes from an aware datetime's isoformat().
        v.naive = expr;
        v.naiveUnlessTextHasOffset = true;
      }
    }
    return v;
  }

  private methodCall(
    receiver: Value,
    method: string,
    expr: Node,
    positional: Node[],
    keywords: Map<string, Node>,
    scope: FunctionInfo | undefined,
    env: Env | undefined,
    depth: number,
  ): Value[] {
    switch (receiver.kind) {
      case 'datetime':
      case 'date': {
        if (method === 'isoformat') {
          const timespec = stringValue(keywords.get('timespec') ?? positional[1]);
          const extra: Partial<Value> = {};
          if (receiver.clock && timespec && timespec !== 'microseconds' && timespec !== 'auto' && timespec !== 'milliseconds') extra.rounded = expr;
          return [derive('str', expr, receiver, extra)];
        }
        if (method === 'strftime') {
          const fmt = stringValue(positional[0]);
          const extra: Partial<Value> = {};
          if (receiver.clock && fmt !== undefined && !fmt.includes('%f')) extra.rounded = expr;
          const out = derive('str', expr, receiver, extra);
          if (fmt === undefined) return [out];
          // The text carries a zone with %z/%Z of an aware value or a literal "Z"/"+00:00"; else it has none.
          if (ZONE_SUFFIX.test(fmt) || ((fmt.includes('%z') || fmt.includes('%Z')) && receiver.aware)) return [withZone(out)];
          if (receiver.aware) {
            delete out.aware;
            out.naive = expr;
          }
          return [out];
        }
        if (method === 'timestamp') return [derive('float', expr, receiver)];
        if (method === 'replace') {
          const extra: Partial<Value> = {};
          if (keywords.has('microsecond') && receiver.clock) extra.rounded = expr;
          const out = derive(receiver.kind, expr, receiver, extra);
          if (keywords.has('tzinfo')) {
            const tz = keywords.get('tzinfo');
            if (tz?.type === 'none') out.naive = expr;
            else {
              out.aware = true;
              delete out.naive;
            }
          }
          return [out];
        }
        if (method === 'astimezone') {
          const out = derive(receiver.kind, expr, receiver);
          out.aware = true;
          delete out.naive;
          return [out];
        }
        if (method === 'date') return [derive('date', expr, receiver, receiver.clock ? { rounded: expr } : {})];
        if (method === 'time') return [derive('time', expr, receiver)];
        if (ROUNDING_METHODS.has(method)) return [derive(receiver.kind, expr, receiver, receiver.clock ? { rounded: expr } : {})];
        if (method === 'tz_localize' || method === 'tz_convert') {
          const out = derive(receiver.kind, expr, receiver);
          out.aware = true;
          delete out.naive;
          return [out];
        }
        return [derive('unknown', expr, receiver)];
      }
      case 'str':
        if (method === 'encode') return [derive('bytes', expr, receiver)];
        if (method === 'format' || method === 'replace' || method === 'strip' || method === 'lower' || method === 'upper') return [derive('str', expr, receiver)];
        return [derive('unknown', expr, receiver)];
      case 'dict':
        if (method === 'get' || method === 'pop' || method === 'setdefault') {
          const key = stringValue(positional[0]);
          const entry = key !== undefined ? receiver.entries?.find((e) => e.key === key) : undefined;
          if (entry) return entry.values;
          return [derive('unknown', expr, receiver)];
        }
        if (method === 'copy') return [{ ...receiver, node: expr }];
        if (method === 'items' || method === 'keys' || method === 'values') return [{ kind: 'iterator', node: expr }];
        return [derive('unknown', expr, receiver)];
      case 'json':
        return [derive('unknown', expr, receiver)];
      case 'object':
        if (receiver.cls) {
          const fn = findMethod(receiver.cls, method);
          if (fn) {
            // Evaluate the method with `self` attributes mapped to the constructor's arguments.
            const env2 = receiver.ctorCall ? this.instanceEnv(receiver, fn, expr, scope, env, depth) : undefined;
            return env2 ? this.returnsOf(fn, env2, depth) : this.returnsOf(fn, undefined, depth);
          }
        }
        return [derive('unknown', expr, receiver)];
      case 'class':
        if (receiver.cls) {
          const fn = findMethod(receiver.cls, method);
          if (fn) return this.returnsOfCall(fn, expr, scope, env, depth);
        }
        return [unknown(expr)];
      case 'module': {
        const name = `${receiver.moduleName}.${method}`;
        const ext = this.ctx.resolveExternalFunction?.(name);
        if (ext) return this.returnsOfCall(ext, expr, scope, env, depth);
        return [{ kind: 'unknown', node: expr }];
      }
      default:
        if (method === 'isoformat' || method === 'strftime') {
          return [derive('str', expr, receiver)];
        }
        if (method === 'replace' && keywords.has('microsecond') && receiver.clock) return [derive(receiver.kind, expr, receiver, { rounded: expr })];
        if (ROUNDING_METHODS.has(method) && receiver.clock) return [derive(receiver.kind, expr, receiver, { rounded: expr })];
        if (method === 'timestamp') return [derive('float', expr, receiver)];
        return [derive('unknown', expr, receiver)];
    }
  }

  /** For `obj.method()` on `obj = Cls(a, b)`: binds the method's `self.x` reads to `__init__`'s arguments. */
  private instanceEnv(receiver: Value, fn: FunctionInfo, call: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number): Env | undefined {
    const hasArgs = args(call).all.length > 0;
    const bound = hasArgs ? this.bindArguments(fn, call, scope, env, depth) : new Map<string, Value[]>();
    if (fn.selfName) bound.set(fn.selfName, [receiver]);
    return bound;
  }
}

/** `json.loads(json.dumps(v))`: tuples become lists, non-string keys become strings. */
export function roundTrip(v: Value): Value {
  const out: Value = { ...v, fromJson: true };
  if (v.kind === 'tuple') out.kind = 'list';
  if (v.kind === 'dict' && v.entries) {
    out.entries = v.entries.map((e) => ({ ...e, values: e.values.map(roundTrip) }));
  }
  return out;
}

function firstClock(values: Value[]): Value | undefined {
  return values.find((v) => v.clock && !v.rounded) ?? values.find((v) => v.clock) ?? values[0];
}

function mergeProvenance(kind: ValueKind, node: Node, parts: Value[]): Value {
  const clocked = parts.find((p) => p.clock && !p.rounded) ?? parts.find((p) => p.clock);
  const v = derive(kind, node, clocked);
  const naive = parts.find((p) => p.naive);
  if (naive?.naive) {
    v.naive = naive.naive;
    if (naive.naiveUnlessTextHasOffset) v.naiveUnlessTextHasOffset = true;
    else delete v.naiveUnlessTextHasOffset;
    delete v.aware;
  } else if (parts.some((p) => p.aware)) v.aware = true;
  // f"{dt.isoformat()}Z": a zone written after the last interpolation.
  const tail = node.children.filter((c) => c.type === 'string_content' || c.type === 'interpolation').pop();
  if (tail?.type === 'string_content' && ZONE_SUFFIX.test(tail.text ?? '') && (v.naive || v.aware)) return withZone(v);
  return v;
}

/** A format or text that ends with a literal zone: `...Z`, `...+00:00`. */
const ZONE_SUFFIX = /(Z|[+-]\d\d:?\d\d)$/;

function withZone(v: Value): Value {
  const out: Value = { ...v, aware: true };
  delete out.naive;
  delete out.naiveUnlessTextHasOffset;
  return out;
}

function constantString(values: Value[]): string | undefined {
  const v = values[0];
  if (v?.kind === 'str' && v.node.type === 'string') return stringValue(v.node);
  return undefined;
}

function childOf(call: Node, keyword: string): Node | undefined {
  for (const a of childByField(call, 'arguments')?.children ?? []) {
    if (a.type === 'keyword_argument' && childByField(a, 'name')?.text === keyword) return a;
  }
  return undefined;
}


/**
 * Whether a clock read gives a naive or an aware datetime: `datetime.now()` / `utcnow()` /
 * `today()` and `pd.Timestamp.now()` without a zone are naive; `pd.Timestamp.utcnow()`,
 * `arrow` and `pendulum` always carry one.
 */
function clockZone(api: string, tz: Node | undefined): 'naive' | 'aware' | undefined {
  switch (api) {
    case 'datetime.datetime.utcnow':
    case 'datetime.datetime.today':
      return 'naive';
    case 'pandas.Timestamp.utcnow':
    case 'arrow.now':
    case 'arrow.utcnow':
    case 'pendulum.now':
      return 'aware';
    default:
      return !tz || tz.type === 'none' ? 'naive' : 'aware';
  }
}

/** The same value, known to carry a time zone. */
function madeAware(v: Value): Value {
  if (!v.naive && v.aware) return v;
  if (v.kind !== 'datetime' && v.kind !== 'unknown' && !v.naive) return v;
  const out: Value = { ...v, aware: true };
  delete out.naive;
  delete out.naiveUnlessTextHasOffset;
  return out;
}

/**
 * A test of whether `name` has a time zone: `name.tzinfo is None`, `not name.tzinfo`,
 * `name.utcoffset() is None` (naive when true), `name.tzinfo`, `name.tzinfo is not None` (naive
 * when false).
 */
export function zoneTest(cond: Node | undefined): { name: string; naiveWhen: boolean } | undefined {
  if (!cond) return undefined;
  if (cond.type === 'parenthesized_expression') return zoneTest(cond.children.find((c) => c.named));
  if (cond.type === 'not_operator') {
    const inner = zoneTest(childByField(cond, 'argument'));
    return inner && { name: inner.name, naiveWhen: !inner.naiveWhen };
  }
  const zoneOf = (n: Node | undefined): string | undefined => {
    if (n?.type === 'call') {
      const callee = childByField(n, 'function');
      if (callee?.type === 'attribute' && childByField(callee, 'attribute')?.text === 'utcoffset') n = callee;
      else return undefined;
    }
    if (n?.type !== 'attribute') return undefined;
    const attr = childByField(n, 'attribute')?.text;
    const object = childByField(n, 'object');
    return (attr === 'tzinfo' || attr === 'utcoffset') && object?.type === 'identifier' ? object.text ?? undefined : undefined;
  };
  const direct = zoneOf(cond);
  if (direct) return { name: direct, naiveWhen: false };
  if (cond.type === 'comparison_operator') {
    const operands = cond.children.filter((c) => c.named);
    const ops = cond.children.filter((c) => !c.named).map((c) => c.type);
    if (operands.length !== 2 || ops.length !== 1 || !operands.some((o) => o.type === 'none')) return undefined;
    const name = zoneOf(operands.find((o) => o.type !== 'none'));
    if (!name) return undefined;
    if (ops[0] === 'is' || ops[0] === '==') return { name, naiveWhen: true };
    if (ops[0] === 'is not' || ops[0] === '!=') return { name, naiveWhen: false };
  }
  return undefined;
}

/**
 * An `if` before `at` (in a block that encloses it) that makes `name` aware when it is naive:
 * `if name.tzinfo is None:` whose body rebinds `name` or cannot complete (raise, return).
 */
function zoneGuardBefore(fn: FunctionInfo, name: string, at: Node): Node | undefined {
  let found: Node | undefined;
  for (let child: Node = at, block = at.parent; block && child !== fn.body; child = block, block = block.parent) {
    if (block.type !== 'block') continue;
    for (const stmt of block.children) {
      if (stmt.start >= child.start) break;
      if (stmt.type !== 'if_statement' || stmt.children.some((c) => c.type === 'elif_clause' || c.type === 'else_clause')) continue;
      const test = zoneTest(childByField(stmt, 'condition'));
      if (!test || test.name !== name || !test.naiveWhen) continue;
      const body = childByField(stmt, 'consequence');
      const statements = body?.children.filter((c) => c.named && c.type !== 'comment') ?? [];
      const last = statements[statements.length - 1];
      const exits = last?.type === 'raise_statement' || last?.type === 'return_statement';
      const rebinds = statements.some((st) => {
        const assign = st.type === 'expression_statement' ? st.children[0] : undefined;
        if (assign?.type !== 'assignment') return false;
        const left = childByField(assign, 'left');
        return left?.type === 'identifier' && left.text === name;
      });
      if ((exits || rebinds) && (!found || stmt.start > found.start)) found = stmt;
    }
    if (block === fn.body) break;
  }
  return found;
}
