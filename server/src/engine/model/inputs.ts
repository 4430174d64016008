/**
 * What an expression is made of: the parameters, `self` attributes and retry-sensitive calls it
 * depends on. The evaluator (values.ts) says what a value *is* and gives up at calls it does not
 * know (`hashlib.sha256(...)`); this walker says what a value is *computed from*, through
 * anything: locals (reaching assignments), f-strings, operators, subscripts, the receiver and
 * arguments of any call, `self._helper(...)` and module functions (their returns, with the
 * parameters bound to the arguments), and optionally `self.x` (every assignment of the class)
 * and a method's parameters (what the class's own calls pass).
 *
 * Rules use it for "is this key the same on every attempt?" (PDS011: a key made from `uuid4()`,
 * the clock, the task attempt id or `id(row)` is not) and "is this only a conversion of `end`?"
 * (PDS015: `end = datetime.fromisoformat(end["ts"])` is, `end = min(end, ...)` is not).
 */
import { childByField, type Node } from '../syntax';
import { classLineage, findMethod } from './classes';
import type { Binding, FunctionInfo } from './functions';
import { type ImportTable, qualifiedName } from './imports';
import { argumentsFor } from './sends';
import { CLOCK_APIS, reachingBindings } from './values';

export type VolatileKind = 'random' | 'clock' | 'attempt' | 'identity';

/** A call whose value differs between two attempts of the same task. */
export interface VolatileSource {
  /** The call that makes the value: `uuid.uuid4()`, `time.time()`, `ctx.taskAttemptId()`, `id(row)`. */
  node: Node;
  /** The API as people know it: `uuid.uuid4`, `datetime.now`, `TaskContext.taskAttemptId`, `id`. */
  api: string;
  kind: VolatileKind;
  /** The function the call is in (undefined at module level). */
  fn?: FunctionInfo;
  /**
   * Reached through a `self` attribute assigned in `__init__`: the value is made once when Spark
   * builds the object and pickled to every task, so it is the same for the retries of one query
   * run, and new after a restart.
   */
  perRun: boolean;
}

export interface Inputs {
  /** Parameters reached (of the starting function, or of a function whose caller is unknown). */
  params: { fn: FunctionInfo; name: string; node: Node }[];
  /** `self.x` reads, with the function they are read in. */
  selfAttributes: { fn: FunctionInfo; name: string; node: Node }[];
  volatile: VolatileSource[];
  /** Every call the value went through, with its qualified name (`min`, `json.loads`, `self._cap`). */
  calls: { node: Node; fn?: FunctionInfo; qualified?: string }[];
}

export interface InputOptions {
  /** Follow `self.x` to every assignment of `x` in the class and its user base classes. */
  followSelf?: boolean;
  /** Follow a method's parameter to the arguments the class's `self.m(...)` calls pass it. */
  followCallers?: boolean;
}

export interface InputContext {
  imports: ImportTable;
  functions: Map<string, FunctionInfo>;
  moduleBindings: Map<string, Binding[]>;
}

/** Arguments a helper's parameters were bound to, with the scope to read them in. */
type Env = Map<string, { node: Node; fn: FunctionInfo | undefined; env?: Env }[]>;

const MAX_DEPTH = 14;
const MAX_STEPS = 3000;

/** Methods of a `TaskContext` whose value is new on every attempt of a task. */
const ATTEMPT_METHODS = new Set(['taskAttemptId', 'attemptNumber', 'stageAttemptNumber']);

/** Random-number factories that are deterministic when given a seed. */
const SEEDABLE = new Set(['random.Random', 'numpy.random.default_rng', 'numpy.random.RandomState', 'numpy.random.Generator']);
/** Functions of the random modules that make no value. */
const RANDOM_NON_VALUES = new Set(['random.seed', 'random.setstate', 'random.getstate', 'numpy.random.seed']);

/**
 * The retry-sensitive API a call reads, if any: `uuid.uuid4()`/`uuid1()`, the wall clock
 * (`time.time()`, `datetime.now()`, `date.today()`, ...), `random.*`, `secrets.*`,
 * `os.urandom`, `numpy.random.*` (an unseeded generator), `TaskContext.taskAttemptId()`/
 * `attemptNumber()`/`stageAttemptNumber()`, and the builtin `id()`. Seeded generators
 * (`random.Random(42)`), `uuid.uuid3`/`uuid5` and `partitionId()`/`stageId()` are deterministic.
 */
export function volatileCall(call: Node, fn: FunctionInfo | undefined, ctx: InputContext): { api: string; kind: VolatileKind } | undefined {
  if (call.type !== 'call') return undefined;
  const callee = childByField(call, 'function');
  if (!callee) return undefined;
  const hasArgs = (childByField(call, 'arguments')?.children ?? []).some((c) => c.named && c.type !== 'comment');
  const q = qualifiedName(callee, ctx.imports);
  if (q) {
    if (q === 'uuid.uuid4' || q === 'uuid.uuid1') return { api: q, kind: 'random' };
    if (CLOCK_APIS.has(q) || q === 'datetime.date.today') return { api: q.replace(/^datetime\.(datetime|date)\./, '$1.'), kind: 'clock' };
    if (/^(random|secrets|numpy\.random)\./.test(q)) {
      if (RANDOM_NON_VALUES.has(q)) return undefined;
      if (SEEDABLE.has(q) && hasArgs) return undefined;
      return { api: q, kind: 'random' };
    }
    if (q === 'os.urandom') return { api: q, kind: 'random' };
    if (q === 'id' && callee.type === 'identifier' && !shadowed('id', fn, ctx)) return { api: 'id', kind: 'identity' };
  }
  if (callee.type === 'attribute' && !hasArgs) {
    const method = childByField(callee, 'attribute')?.text ?? '';
    if (ATTEMPT_METHODS.has(method)) return { api: `TaskContext.${method}`, kind: 'attempt' };
  }
  return undefined;
}

function shadowed(name: string, fn: FunctionInfo | undefined, ctx: InputContext): boolean {
  return !!(fn?.localBindings.has(name) || ctx.moduleBindings.has(name) || ctx.functions.has(name) || ctx.imports.get(name));
}

/** What `expr`, evaluated in `fn`, is computed from. */
export function inputsOf(expr: Node | undefined, fn: FunctionInfo | undefined, ctx: InputContext, options: InputOptions = {}): Inputs {
  const out: Inputs = { params: [], selfAttributes: [], volatile: [], calls: [] };
  if (!expr) return out;
  const seen = new Set<string>();
  const seenSources = new Set<Node>();
  let steps = 0;

  const visit = (node: Node | undefined, scope: FunctionInfo | undefined, env: Env | undefined, depth: number, perRun: boolean): void => {
    if (!node || depth > MAX_DEPTH || ++steps > MAX_STEPS) return;
    const key = `${node.start}:${node.end}:${node.type}:${scope?.node.start ?? -1}:${perRun}:${env ? 'e' : ''}`;
    if (!env && seen.has(key)) return;
    seen.add(key);
    const next = (n: Node | undefined, s = scope, e = env, run = perRun) => visit(n, s, e, depth + 1, run);

    switch (node.type) {
      case 'identifier':
        identifier(node, scope, env, depth, perRun);
        return;
      case 'attribute': {
        const object = childByField(node, 'object');
        const attr = childByField(node, 'attribute')?.text;
        if (object?.type === 'identifier' && scope?.selfName && object.text === scope.selfName && attr && !env?.has(scope.selfName)) {
          out.selfAttributes.push({ fn: scope, name: attr, node });
          if (options.followSelf && scope.owner) {
            for (const k of classLineage(scope.owner)) {
              for (const m of k.methods.values()) {
                for (const b of m.selfWrites.get(attr) ?? []) next(b.value, m, undefined, perRun || m.name === '__init__');
              }
              const classLevel = k.classAttributes.get(attr);
              if (classLevel) next(classLevel, undefined, undefined, true);
            }
          }
          return;
        }
        // `a.b`: only the object names a variable.
        next(object);
        return;
      }
      case 'call': {
        const source = volatileCall(node, scope, ctx);
        if (source) {
          if (!seenSources.has(node)) {
            seenSources.add(node);
            out.volatile.push({ node, api: source.api, kind: source.kind, fn: scope, perRun });
          }
          return;
        }
        const callee = childByField(node, 'function');
        const argList = childByField(node, 'arguments');
        out.calls.push({ node, fn: scope, qualified: qualifiedName(callee, ctx.imports) });
        const target = helperOf(callee, scope, env);
        if (target) {
          const bound = bindArguments(target, node, scope, env);
          for (const r of target.returns) next(r.children.find((c) => c.named && c.type !== 'comment'), target, bound);
          for (const y of target.yields) next(y.children.find((c) => c.named), target, bound);
          return;
        }
        if (callee?.type === 'attribute') next(childByField(callee, 'object'));
        else if (callee && callee.type !== 'identifier') next(callee);
        for (const a of argList?.children ?? []) if (a.named && a.type !== 'comment') next(a);
        return;
      }
      case 'keyword_argument':
        next(childByField(node, 'value'));
        return;
      case 'lambda':
      case 'function_definition':
      case 'class_definition':
        return;
      default:
        for (const c of node.children) if (c.named && c.type !== 'comment') next(c);
    }
  };

  /** `self.helper` or a module function of this file, not rebound locally. */
  const helperOf = (callee: Node | undefined, scope: FunctionInfo | undefined, env: Env | undefined): FunctionInfo | undefined => {
    if (!callee) return undefined;
    if (callee.type === 'attribute') {
      const object = childByField(callee, 'object');
      const method = childByField(callee, 'attribute')?.text;
      if (object?.type === 'identifier' && scope?.selfName && object.text === scope.selfName && scope.owner && method && !env?.has(scope.selfName)) {
        return findMethod(scope.owner, method);
      }
      return undefined;
    }
    if (callee.type === 'identifier' && callee.text && !scope?.localBindings.has(callee.text) && !env?.has(callee.text)) return ctx.functions.get(callee.text);
    return undefined;
  };

  const bindArguments = (target: FunctionInfo, call: Node, scope: FunctionInfo | undefined, env: Env | undefined): Env => {
    const bound: Env = new Map();
    const params = target.params.slice(target.owner && !target.isStatic ? 1 : 0);
    let i = 0;
    for (const a of childByField(call, 'arguments')?.children ?? []) {
      if (!a.named || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const name = childByField(a, 'name')?.text;
        const value = childByField(a, 'value');
        if (name && value) bound.set(name, [{ node: value, fn: scope, env }]);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
        for (const p of params) if (!bound.has(p.name)) bound.set(p.name, [{ node: a, fn: scope, env }]);
      } else {
        const p = params[i++];
        if (p && (p.kind === 'positional' || p.kind === 'positional_only')) bound.set(p.name, [{ node: a, fn: scope, env }]);
      }
    }
    for (const p of params) if (!bound.has(p.name) && p.defaultValue) bound.set(p.name, [{ node: p.defaultValue, fn: target }]);
    return bound;
  };

  const identifier = (node: Node, scope: FunctionInfo | undefined, env: Env | undefined, depth: number, perRun: boolean): void => {
    const name = node.text ?? '';
    if (!name || name === scope?.selfName) return;
    const bindings = scope ? reachingBindings(scope, name, node) : [];
    if (bindings.length) {
      for (const b of bindings) binding(b, name, scope!, env, depth, perRun);
      return;
    }
    if (env?.has(name)) {
      for (const arg of env.get(name)!) visit(arg.node, arg.fn, arg.env, depth + 1, perRun);
      return;
    }
    for (const b of ctx.moduleBindings.get(name) ?? []) visit(b.value, undefined, undefined, depth + 1, true);
  };

  const binding = (b: Binding, name: string, scope: FunctionInfo, env: Env | undefined, depth: number, perRun: boolean): void => {
    switch (b.kind) {
      case 'param': {
        const bound = env?.get(name);
        if (bound) {
          for (const arg of bound) visit(arg.node, arg.fn, arg.env, depth + 1, perRun);
          return;
        }
        out.params.push({ fn: scope, name, node: b.target });
        if (options.followCallers && scope.owner) for (const { arg, caller } of argumentsFor(scope, name)) visit(arg, caller, undefined, depth + 1, perRun);
        return;
      }
      case 'assign':
      case 'walrus':
      case 'augmented':
      case 'with':
      case 'for':
        visit(b.value, scope, env, depth + 1, perRun);
        return;
      case 'unpack': {
        const value = b.value;
        const items = value && /^(tuple|expression_list|list)$/.test(value.type) ? value.children.filter((c) => c.named && c.type !== 'comment') : undefined;
        if (items && b.index !== undefined && items.length > b.index && !items.some((c) => c.type === 'list_splat')) visit(items[b.index], scope, env, depth + 1, perRun);
        else visit(value, scope, env, depth + 1, perRun);
        return;
      }
      default:
        return;
    }
  };

  visit(expr, fn, undefined, 0, false);
  return out;
}
