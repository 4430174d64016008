/**
 * PDS002 nondeterministic-latest-offset: `latestOffset` returns a value read from the wall clock
 * (`datetime.now()`, `time.time()`, `pd.Timestamp.now()`, ...) that is not truncated. Spark calls
 * `latestOffset` on every trigger and compares offsets as JSON strings (reference §2, P2): a value
 * that changes with every call is always a "new" offset, so every trigger plans a batch.
 *
 * A lag subtracted from the clock is PDS017's concern (decision 2); it does not silence this rule.
 */
import { allMethods, type ClassInfo, type ClockRead, type FileModel, type FunctionInfo, type Value } from '../model';
import { childByField, isAncestor, type Node } from '../syntax';
import type { Fix, TextEdit } from '../types';
import { appendElementEdit } from './helpers';
import { defineRule } from './rule';

export default defineRule(
  {
    code: 'PDS002',
    name: 'nondeterministic-latest-offset',
    summary: '`latestOffset` returns an untruncated wall-clock reading, so every call gives a new offset',
    defaultSeverity: 'warning',
    fixAvailability: 'sometimes',
    since: '0.1.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    for (const cls of model.classesWithRole('DataSourceStreamReader')) {
      for (const producer of model.offsets(cls).producers) {
        if (producer.kind !== 'latestOffset' || producer.method.node.hasError) continue;
        for (const r of producer.returns) {
          if (reported.has(r.statement) || r.statement.hasError) continue;
          const clocks = untruncatedClocks(r.values).filter((c) => enclosingFunction(model, cls, c.call)?.name !== '__init__');
          if (!clocks.length) continue;
          reported.add(r.statement);
          const first = clocks[0];
          const read = `${model.textOf(childByField(first.call, 'function') ?? first.call)}()`;
          const elsewhere = clocks.filter((c) => !isAncestor(r.statement, c.call));
          report({
            node: r.expression,
            message: `\`latestOffset\` returns a value read from \`${read}\` without truncation: each call gives a different offset, so every trigger starts a new (often empty) batch`,
            related: elsewhere.map((c) => ({ start: c.call.start, end: c.call.end, message: `the clock is read here, with sub-second precision` })),
            fix: truncationFix(model, cls, producer.method, clocks),
          });
        }
      }
    }
  },
);

/** The distinct wall-clock reads that reach the offset without rounding, in source order. */
function untruncatedClocks(values: Value[]): ClockRead[] {
  const out = new Map<Node, ClockRead>();
  const seen = new Set<Value>();
  const visit = (v: Value, depth: number) => {
    if (seen.has(v) || depth > 8) return;
    seen.add(v);
    if (v.clock && !v.rounded) out.set(v.clock.call, v.clock);
    for (const i of v.inner ?? []) visit(i, depth + 1);
    for (const e of v.entries ?? []) for (const x of e.values) visit(x, depth + 1);
    for (const item of v.items ?? []) for (const x of item) visit(x, depth + 1);
  };
  for (const v of values) visit(v, 0);
  return [...out.values()].sort((a, b) => a.call.start - b.call.start);
}

/** The method (of the class or its user bases) or module function whose body holds `node`. */
function enclosingFunction(model: FileModel, cls: ClassInfo, node: Node): FunctionInfo | undefined {
  let def: Node | null = node.parent;
  while (def && def.type !== 'function_definition') def = def.parent;
  if (!def) return undefined;
  for (const fn of allMethods(cls).values()) if (fn.node === def) return fn;
  for (const fn of model.functions.values()) if (fn.node === def) return fn;
  return undefined;
}

/**
 * Truncates each clock read to the second where it is read. Safe when the reads are in
 * `latestOffset` itself or in helpers only it calls: nothing else sees the truncated value.
 */
function truncationFix(model: FileModel, cls: ClassInfo, latest: FunctionInfo, clocks: ClockRead[]): Fix | undefined {
  const edits: TextEdit[] = [];
  for (const c of clocks) {
    const e = truncationEdits(model, c);
    if (!e) return undefined;
    edits.push(...e);
  }
  const safe = clocks.every((c) => onlyServesLatestOffset(model, cls, latest, c.call));
  const what = clocks.map((c) => `\`${model.textOf(childByField(c.call, 'function') ?? c.call)}()\``).join(', ');
  return { title: `Truncate ${what} to the second`, applicability: safe ? 'safe' : 'unsafe', edits };
}

function truncationEdits(model: FileModel, clock: ClockRead): TextEdit[] | undefined {
  const call = clock.call;
  const text = model.textOf(call);
  switch (clock.api) {
    case 'datetime.datetime.now':
    case 'datetime.datetime.utcnow':
    case 'datetime.datetime.today':
    case 'arrow.now':
    case 'arrow.utcnow':
    case 'pendulum.now': {
      // `datetime.utcnow().replace(tzinfo=...)`: one `replace` with both arguments reads better.
      const parent = call.parent;
      if (parent?.type === 'attribute' && childByField(parent, 'attribute')?.text === 'replace' && parent.parent?.type === 'call') {
        const list = childByField(parent.parent, 'arguments');
        if (list?.type === 'argument_list' && !list.hasError) {
          return appendElementEdit(model, list, list.children.filter((c) => c.named && c.type !== 'comment'), 'microsecond=0');
        }
      }
      return [{ start: call.end, end: call.end, newText: '.replace(microsecond=0)' }];
    }
    case 'pandas.Timestamp.now':
    case 'pandas.Timestamp.utcnow':
    case 'pandas.Timestamp.today':
      return [{ start: call.end, end: call.end, newText: '.floor("s")' }];
    case 'time.time':
    case 'time.monotonic':
    case 'time.perf_counter':
      return [{ start: call.start, end: call.end, newText: `int(${text})` }];
    case 'time.time_ns':
    case 'time.monotonic_ns': {
      const truncated = `${text} // 1_000_000_000 * 1_000_000_000`;
      const bindsTighter = call.parent && /^(binary_operator|unary_operator|attribute|subscript|await)$/.test(call.parent.type);
      return [{ start: call.start, end: call.end, newText: bindsTighter ? `(${truncated})` : truncated }];
    }
    default:
      return undefined;
  }
}

/**
 * True when the clock read is in `latestOffset`, or in a method that only `latestOffset` (or
 * helpers of it) call and whose attributes written from it nobody else reads.
 */
function onlyServesLatestOffset(model: FileModel, cls: ClassInfo, latest: FunctionInfo, call: Node): boolean {
  const fn = enclosingFunction(model, cls, call);
  if (!fn || !fn.owner) return false;
  const methods = [...allMethods(cls).values()];
  if (fn !== latest) {
    const callers = methods.filter((m) => m.selfCalls.has(fn.name));
    if (!callers.length || callers.some((m) => m !== latest && !onlyCalledFrom(methods, m, latest, new Set()))) return false;
  }
  for (const [attr, bindings] of fn.selfWrites) {
    if (!bindings.some((b) => isAncestor(b.statement, call))) continue;
    if (methods.some((m) => m !== latest && m !== fn && m.selfReads.has(attr))) return false;
  }
  return true;
}

function onlyCalledFrom(methods: FunctionInfo[], fn: FunctionInfo, root: FunctionInfo, seen: Set<FunctionInfo>): boolean {
  if (fn === root) return true;
  if (seen.has(fn)) return true;
  seen.add(fn);
  const callers = methods.filter((m) => m.selfCalls.has(fn.name));
  return callers.length > 0 && callers.every((m) => onlyCalledFrom(methods, m, root, seen));
}
