/**
 * Partition ranges of a stream reader: what `partitions(start, end)` builds and how `read()` uses
 * the bounds.
 *
 * Partitions side: every `InputPartition(...)` (or subclass) constructed in `partitions` and the
 * helpers it calls, with the expressions of its fields (`InputPartition((lo, hi))`,
 * `TimeRangePartition(current, next_time)` mapped to `self.start_time`/`self.end_time` by its
 * `__init__`, dataclass fields, dict values). For each pair of consecutive fields (lo, hi) it works
 * out whether two ranges share a boundary:
 *
 * - within one batch: in a loop, the next range's lo equals this range's hi (`current =
 *   next_time`, `lo += step` with `hi = lo + step`, `range(s, e, step)` with `hi = lo + step`,
 *   `zip(bounds, bounds[1:])`);
 * - across batches: the first range's lo is the batch's `start` unchanged and some range's hi is
 *   the batch's `end` the same way (batch N+1's `start` is batch N's `end`, reference §2).
 *
 * Expressions are compared as small polynomials over opaque terms (`a + (i + 1) * s` equals
 * `a + i * s + s`), with locals inlined where one assignment reaches, and `min`/`max` read as
 * either of their arguments (a range capped at the batch end).
 *
 * Read side (decision 1): whether `read()` treats the range as half-open (`<`/`>` on one side, SQL
 * `>`/`<`, `range(lo, hi)`, slices, `_gt`/`_lt`/`_exclusive`/`after`/`before` parameter names, a
 * comment or docstring saying "exclusive"), inclusive (`<=`/`>=`, `BETWEEN`, `_gte`/`_lte`,
 * `range(lo, hi + 1)`, "inclusive"), merely passes the bounds on (plain `start`/`end`
 * parameters: the seed's convention is that the source includes both ends), or cannot be seen.
 */
import { childByField, type Node, stringValue, walk, walkScope } from '../syntax';
import { type ClassInfo, findMethod } from './classes';
import type { Binding, FunctionInfo } from './functions';
import type { StreamOffsets } from './offsets';
import { roleOfQualifiedName } from './roles';
import { args, type Evaluator, reachingBindings } from './values';

/** A field of a partition object: `p.<attr>` or `p.<attr>[sub]` (`p.value[0]`, `p.value["start"]`). */
export interface PartitionField {
  attr: string;
  sub?: number | string;
}

export interface PartitionConstruction {
  /** The constructor call. */
  call: Node;
  /** The function the call is in (`partitions` or a helper it calls). */
  fn: FunctionInfo;
  /** The user's partition class, when it is not `InputPartition` itself. */
  cls?: ClassInfo;
  /** The field expressions, in constructor order. */
  fields: { field: PartitionField; node: Node }[];
}

export type BoundKind = 'datetime' | 'int' | 'float' | 'str' | 'unknown';

export interface RangeMeet {
  /** `within`: consecutive ranges of a batch; `across`: the last range of a batch and the first of the next. */
  kind: 'within' | 'across';
  /** Where the ranges are made to meet: the assignment `current = next_time`, or where the first lo is taken from `start`. */
  node: Node;
  /** The start expression a fix adds the exclusion to (the value assigned, or the step of `lo += step`); undefined when no such place. */
  value?: Node;
  /** The function holding `value`. */
  fn: FunctionInfo;
  /** The expression whose kind tells the bounds' kind, when not `value` (the `lo` of `lo += step`). */
  kindOf?: Node;
  /** What the bounds are, for the fix (`+ timedelta(microseconds=1)` or `+ 1`). */
  boundKind: BoundKind;
  /** Names around the bound (variables, offset keys), to tell epoch seconds from counters. */
  names: string[];
  construction: PartitionConstruction;
  lo: PartitionField;
  hi: PartitionField;
  /** The expression of the range's end in the construction. */
  hiNode: Node;
  /** How `read()` treats these bounds. */
  read: ReadBounds;
}

export type BoundSemantics = 'half-open' | 'inclusive' | 'unstated' | 'unknown';

export interface BoundEvidence {
  kind: 'exclusive' | 'inclusive' | 'plain';
  /** Code, or a comment/docstring (weaker than code). */
  source: 'code' | 'comment';
  node: Node;
  /** What was seen: `<=`, `BETWEEN`, `"end_exclusive"`, `range(lo, hi)`, ... */
  what: string;
}

export interface ReadBounds {
  semantics: BoundSemantics;
  evidence: BoundEvidence[];
}

export interface PartitionRanges {
  reader: ClassInfo;
  partitions?: FunctionInfo;
  constructions: PartitionConstruction[];
  meets: RangeMeet[];
}

export interface PartitionContext {
  evaluator: Evaluator;
  textOf: (node: Node) => string;
  offsets: StreamOffsets;
}

// ------------------------------------------------------------------ polynomials over opaque terms

/** Monomial (atoms joined by `*`, sorted; `''` for the constant) → coefficient. */
type Poly = Map<string, number>;
/** Identifier → the alternatives it stands for. */
type Subst = Map<string, Poly[]>;

const MAX_ALTERNATIVES = 8;
/** Syntax nesting times inlined locals; the chain of inlined bindings only goes back in the text, so it ends. */
const MAX_DEPTH = 48;
/** Work allowed per reader, so pathological chains of locals cannot blow up (then: unknown). */
const BUDGET = 50_000;

function constant(n: number): Poly {
  return new Map(n === 0 ? [] : [['', n]]);
}

function atom(name: string): Poly {
  return new Map([[name, 1]]);
}

function addPoly(a: Poly, b: Poly, sign = 1): Poly {
  const out = new Map(a);
  for (const [m, c] of b) {
    const v = (out.get(m) ?? 0) + sign * c;
    if (v === 0) out.delete(m);
    else out.set(m, v);
  }
  return out;
}

function mulPoly(a: Poly, b: Poly): Poly {
  let out: Poly = new Map();
  for (const [ma, ca] of a) {
    for (const [mb, cb] of b) {
      const atoms = [...(ma ? ma.split('*') : []), ...(mb ? mb.split('*') : [])].sort();
      out = addPoly(out, new Map([[atoms.join('*'), ca * cb]]));
    }
  }
  return out;
}

function renderPoly(p: Poly): string {
  if (!p.size) return '0';
  return [...p.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([m, c]) => (m ? (c === 1 ? m : `${c}*${m}`) : String(c)))
    .join(' + ');
}

/** A polynomial as a part of a larger text: in parentheses unless it is a single term. */
function renderOperand(p: Poly): string {
  const text = renderPoly(p);
  return p.size > 1 || [...p.values()].some((c) => c !== 1) ? `(${text})` : text;
}

function samePoly(a: Poly, b: Poly): boolean {
  return renderPoly(a) === renderPoly(b);
}

function cross(a: Poly[], b: Poly[], op: (x: Poly, y: Poly) => Poly): Poly[] {
  const out: Poly[] = [];
  for (const x of a) for (const y of b) if (out.length < MAX_ALTERNATIVES) out.push(op(x, y));
  return out;
}

/** Renders expressions canonically and as polynomials, inlining locals one assignment reaches. */
class RangeAlgebra {
  private spent = 0;
  /** Set when a limit cut an expression short: its text then stands for no value, so nothing is compared. */
  incomplete = false;
  constructor(private readonly ctx: PartitionContext) {}

  /** The one binding of `name` that reaches `at` from before it, if it is a plain assignment. */
  inlineBinding(fn: FunctionInfo, name: string, at: Node): Binding | undefined {
    const bindings = reachingBindings(fn, name, at);
    if (bindings.length !== 1) return undefined;
    const b = bindings[0];
    if ((b.kind !== 'assign' && b.kind !== 'walrus') || !b.value || b.statement.start >= at.start) return undefined;
    if (b.value.type === 'function_definition') return undefined;
    return b;
  }

  polys(node: Node | undefined, fn: FunctionInfo, subst: Subst, depth = 0): Poly[] {
    if (!node) return [atom('?')];
    if (depth > MAX_DEPTH || ++this.spent > BUDGET) {
      this.incomplete = true;
      return [atom(`?${node.start}`)];
    }
    switch (node.type) {
      case 'parenthesized_expression':
        return this.polys(node.children.find((c) => c.named && c.type !== 'comment'), fn, subst, depth + 1);
      case 'integer':
      case 'float': {
        const n = Number((node.text ?? '').replace(/_/g, ''));
        return Number.isFinite(n) ? [constant(n)] : [atom(this.ctx.textOf(node))];
      }
      case 'unary_operator': {
        const op = node.children.find((c) => !c.named)?.type;
        const inner = this.polys(childByField(node, 'argument'), fn, subst, depth + 1);
        if (op === '-') return inner.map((p) => addPoly(new Map(), p, -1));
        if (op === '+') return inner;
        return this.renders(node, fn, subst, depth + 1).map(atom);
      }
      case 'binary_operator': {
        const op = childByField(node, 'operator')?.type ?? node.children.find((c) => !c.named)?.type;
        if (op === '+' || op === '-' || op === '*') {
          const left = this.polys(childByField(node, 'left'), fn, subst, depth + 1);
          const right = this.polys(childByField(node, 'right'), fn, subst, depth + 1);
          if (op === '*') return cross(left, right, mulPoly);
          return cross(left, right, (x, y) => addPoly(x, y, op === '-' ? -1 : 1));
        }
        return this.renders(node, fn, subst, depth + 1).map(atom);
      }
      case 'identifier': {
        const name = node.text ?? '';
        const replaced = subst.get(name);
        if (replaced && !fn.localBindings.get(name)?.some((b) => b.kind !== 'param')) return replaced;
        const b = this.inlineBinding(fn, name, node);
        if (b) return this.polys(b.value, fn, subst, depth + 1);
        if (replaced) return replaced;
        return [atom(name)];
      }
      case 'call': {
        const callee = childByField(node, 'function');
        const name = callee?.type === 'identifier' ? callee.text : undefined;
        if ((name === 'min' || name === 'max') && !fn.localBindings.has(name)) {
          const { positional, keywords } = args(node);
          if (positional.length >= 2 && !keywords.size) {
            const out: Poly[] = [];
            for (const a of positional) for (const p of this.polys(a, fn, subst, depth + 1)) if (out.length < MAX_ALTERNATIVES) out.push(p);
            return out;
          }
        }
        return this.renders(node, fn, subst, depth + 1).map(atom);
      }
      default:
        return this.renders(node, fn, subst, depth + 1).map(atom);
    }
  }

  /** A canonical text of the expression (alternatives joined): locals inlined, arithmetic normalized. */
  render(node: Node | undefined, fn: FunctionInfo, subst: Subst, depth = 0): string {
    const all = this.renders(node, fn, subst, depth);
    return all.length === 1 ? all[0] : `{${[...new Set(all)].sort().join(' | ')}}`;
  }

  /**
   * The canonical texts the expression can have: one per alternative of the `min`/`max` and the
   * locals inside it (`min(a, b).isoformat()` is `a.isoformat()` or `b.isoformat()`).
   */
  renders(node: Node | undefined, fn: FunctionInfo, subst: Subst, depth = 0): string[] {
    if (!node) return ['?'];
    if (depth > MAX_DEPTH || ++this.spent > BUDGET) {
      this.incomplete = true;
      return [`?${node.start}`];
    }
    const d = depth + 1;
    const combine = (parts: string[][], join: (p: string[]) => string): string[] => {
      let out: string[][] = [[]];
      for (const alternatives of parts) {
        const next: string[][] = [];
        for (const prefix of out) for (const a of alternatives) if (next.length < MAX_ALTERNATIVES) next.push([...prefix, a]);
        out = next;
      }
      return out.map(join);
    };
    switch (node.type) {
      case 'identifier':
      case 'integer':
      case 'float':
      case 'parenthesized_expression':
        return this.polys(node, fn, subst, d).map(renderOperand);
      case 'binary_operator': {
        const op = childByField(node, 'operator')?.type ?? node.children.find((c) => !c.named)?.type;
        if (op === '+' || op === '-' || op === '*') return this.polys(node, fn, subst, d).map(renderOperand);
        return combine([this.renders(childByField(node, 'left'), fn, subst, d), this.renders(childByField(node, 'right'), fn, subst, d)], ([l, r]) => `(${l} ${op} ${r})`);
      }
      case 'unary_operator': {
        const op = node.children.find((c) => !c.named)?.type;
        if (op === '-' || op === '+') return this.polys(node, fn, subst, d).map(renderOperand);
        return this.renders(childByField(node, 'argument'), fn, subst, d).map((a) => `${op}${a}`);
      }
      case 'call': {
        const callee = childByField(node, 'function');
        const name = callee?.type === 'identifier' ? callee.text : undefined;
        if ((name === 'min' || name === 'max') && !fn.localBindings.has(name) && args(node).positional.length >= 2 && !args(node).keywords.size) {
          return this.polys(node, fn, subst, d).map(renderOperand);
        }
        const list = childByField(node, 'arguments');
        const argNodes = (list?.type === 'generator_expression' ? [list] : list?.children ?? []).filter((c) => c.named && c.type !== 'comment');
        return combine([this.renders(callee, fn, subst, d), ...argNodes.map((a) => this.renders(a, fn, subst, d))], ([f, ...a]) => `${f}(${a.join(', ')})`);
      }
      case 'keyword_argument':
        return this.renders(childByField(node, 'value'), fn, subst, d).map((v) => `${childByField(node, 'name')?.text}=${v}`);
      case 'attribute': {
        const attr = childByField(node, 'attribute')?.text;
        return this.renders(childByField(node, 'object'), fn, subst, d).map((o) => `${o}.${attr}`);
      }
      case 'subscript': {
        const index = childByField(node, 'subscript');
        const inner = index?.type === 'slice' ? [this.ctx.textOf(index).replace(/\s+/g, '')] : this.renders(index, fn, subst, d);
        return combine([this.renders(childByField(node, 'value'), fn, subst, d), inner], ([v, i]) => `${v}[${i}]`);
      }
      case 'string':
      case 'concatenated_string':
        return [this.ctx.textOf(node)];
      default:
        return [this.ctx.textOf(node).replace(/\s+/g, ' ')];
    }
  }
}

// ------------------------------------------------------------------ constructions

const PARTITION_QUALIFIED = /(^|\.)InputPartition$/;

/** The user partition class (or true for `InputPartition` itself) a call constructs, if any. */
function constructedPartition(call: Node, fn: FunctionInfo, evaluator: Evaluator): ClassInfo | true | undefined {
  const callee = childByField(call, 'function');
  if (!callee) return undefined;
  for (const v of evaluator.evaluate(callee, fn)) {
    if (v.kind === 'class' && v.cls?.role === 'InputPartition') return v.cls;
    if (v.kind === 'module' && v.moduleName && PARTITION_QUALIFIED.test(v.moduleName) && roleOfQualifiedName(v.moduleName) === 'InputPartition') return true;
  }
  return undefined;
}

function unwrap(node: Node | undefined): Node | undefined {
  let n = node;
  while (n?.type === 'parenthesized_expression') n = n.children.find((c) => c.named && c.type !== 'comment');
  return n;
}

function items(node: Node): Node[] {
  return node.children.filter((c) => c.named && c.type !== 'comment');
}

/** A tuple/list/dict literal the expression is (directly or through one local). */
function literalOf(node: Node | undefined, fn: FunctionInfo, algebra: RangeAlgebra): Node | undefined {
  let n = unwrap(node);
  if (n?.type === 'identifier' && n.text) {
    const b = algebra.inlineBinding(fn, n.text, n);
    n = unwrap(b?.value);
  }
  if (n && /^(tuple|list|expression_list|dictionary)$/.test(n.type)) return n;
  return undefined;
}

/** The fields of a value stored under `attr`: positions of a tuple/list, keys of a dict. */
function valueFields(attr: string, literal: Node): { field: PartitionField; node: Node }[] {
  if (literal.type === 'dictionary') {
    const out: { field: PartitionField; node: Node }[] = [];
    for (const pair of literal.children) {
      if (pair.type !== 'pair') continue;
      const key = stringValue(childByField(pair, 'key'));
      const value = childByField(pair, 'value');
      if (key !== undefined && value) out.push({ field: { attr, sub: key }, node: value });
    }
    return out;
  }
  return items(literal).map((node, i) => ({ field: { attr, sub: i }, node }));
}

/** `super().__init__(value)` / `InputPartition.__init__(self, value)` in an `__init__`: its value argument. */
function superValue(init: FunctionInfo): Node | undefined {
  for (const call of init.calls) {
    const callee = childByField(call, 'function');
    if (callee?.type !== 'attribute' || childByField(callee, 'attribute')?.text !== '__init__') continue;
    const object = childByField(callee, 'object');
    const { positional } = args(call);
    if (object?.type === 'call' && childByField(object, 'function')?.text === 'super') return positional[0];
    if (object?.type === 'identifier' && /InputPartition$/.test(object.text ?? '')) return positional[1];
  }
  return undefined;
}

/** Dataclass fields (annotated class attributes, in order) of a partition class without `__init__`. */
function dataclassFields(cls: ClassInfo): string[] | undefined {
  const decorated = cls.node.parent?.type === 'decorated_definition' ? cls.node.parent : undefined;
  const isDataclass = decorated?.children.some((d) => {
    if (d.type !== 'decorator') return false;
    const expr = d.children.find((c) => c.named);
    const target = expr?.type === 'call' ? childByField(expr, 'function') : expr;
    return /(^|\.)dataclass$/.test(attributeText(target));
  });
  if (!isDataclass) return undefined;
  const out: string[] = [];
  for (const stmt of cls.body.children) {
    const assign = stmt.type === 'expression_statement' ? stmt.children[0] : undefined;
    if (assign?.type !== 'assignment' || !childByField(assign, 'type')) continue;
    const left = childByField(assign, 'left');
    if (left?.type === 'identifier' && left.text) out.push(left.text);
  }
  return out;
}

function attributeText(node: Node | undefined): string {
  if (!node) return '';
  if (node.type === 'identifier') return node.text ?? '';
  if (node.type === 'attribute') return `${attributeText(childByField(node, 'object'))}.${childByField(node, 'attribute')?.text ?? ''}`;
  return '';
}

/** The fields a constructor call fills, in argument order. */
function constructionFields(call: Node, fn: FunctionInfo, cls: ClassInfo | true, algebra: RangeAlgebra): { field: PartitionField; node: Node }[] {
  const { positional, keywords } = args(call);
  const init = cls === true ? undefined : findMethod(cls, '__init__');
  if (cls === true || (!init && !dataclassFields(cls))) {
    // InputPartition(value): the value's positions or keys.
    const value = positional[0] ?? keywords.get('value');
    const literal = literalOf(value, fn, algebra);
    return literal ? valueFields('value', literal) : [];
  }
  if (!init) {
    const names = dataclassFields(cls) ?? [];
    const out: { field: PartitionField; node: Node }[] = [];
    positional.forEach((node, i) => names[i] && out.push({ field: { attr: names[i] }, node }));
    for (const [name, node] of keywords) if (names.includes(name)) out.push({ field: { attr: name }, node });
    return out;
  }
  // Map each argument to the `__init__` parameter, then to where `__init__` stores it.
  const params = init.params.slice(1).filter((p) => p.kind === 'positional' || p.kind === 'positional_only' || p.kind === 'keyword_only');
  const argOf = new Map<string, Node>();
  positional.forEach((node, i) => params[i] && params[i].kind !== 'keyword_only' && argOf.set(params[i].name, node));
  for (const [name, node] of keywords) if (params.some((p) => p.name === name)) argOf.set(name, node);
  const out: { field: PartitionField; node: Node; order: number }[] = [];
  // Fields in the order of `__init__`'s parameters (keyword arguments may come in any order).
  const order = (node: Node) => params.findIndex((p) => argOf.get(p.name) === node);
  for (const [attr, bindings] of init.selfWrites) {
    for (const b of bindings) {
      const value = unwrap(b.value);
      if (value?.type === 'identifier' && value.text && argOf.has(value.text)) {
        const node = argOf.get(value.text)!;
        out.push({ field: { attr }, node, order: order(node) });
      } else if (value && /^(tuple|list|dictionary)$/.test(value.type)) {
        for (const f of valueFields(attr, value)) {
          const inner = unwrap(f.node);
          if (inner?.type === 'identifier' && inner.text && argOf.has(inner.text)) {
            const node = argOf.get(inner.text)!;
            out.push({ field: f.field, node, order: order(node) });
          }
        }
      }
    }
  }
  const sv = unwrap(superValue(init));
  if (sv && /^(tuple|list|dictionary)$/.test(sv.type)) {
    for (const f of valueFields('value', sv)) {
      const inner = unwrap(f.node);
      if (inner?.type === 'identifier' && inner.text && argOf.has(inner.text)) {
        const node = argOf.get(inner.text)!;
        out.push({ field: f.field, node, order: order(node) });
      }
    }
  }
  return out.sort((a, b) => a.order - b.order).map(({ field, node }) => ({ field, node }));
}

// ------------------------------------------------------------------ loops

interface LoopContext {
  kind: 'while' | 'for';
  node: Node;
  body?: Node;
  /** for loops / comprehensions: the target and the iterable. */
  target?: Node;
  iterable?: Node;
}

function loopAround(node: Node, fn: FunctionInfo): LoopContext | undefined {
  for (let p = node.parent; p && p !== fn.node; p = p.parent) {
    if (p.type === 'while_statement') return { kind: 'while', node: p, body: childByField(p, 'body') };
    if (p.type === 'for_statement') return { kind: 'for', node: p, body: childByField(p, 'body'), target: childByField(p, 'left'), iterable: childByField(p, 'right') };
    if (p.type === 'list_comprehension' || p.type === 'generator_expression' || p.type === 'set_comprehension') {
      const clauses = p.children.filter((c) => c.type === 'for_in_clause');
      if (clauses.length !== 1) return undefined;
      return { kind: 'for', node: p, target: childByField(clauses[0], 'left'), iterable: childByField(clauses[0], 'right') };
    }
    if (p.type === 'function_definition' || p.type === 'lambda') return undefined;
  }
  return undefined;
}

function inside(node: Node, container: Node | undefined): boolean {
  return !!container && node.start >= container.start && node.end <= container.end;
}

function isBuiltinCall(node: Node | undefined, name: string, fn: FunctionInfo): node is Node {
  const callee = node?.type === 'call' ? childByField(node, 'function') : undefined;
  return callee?.type === 'identifier' && callee.text === name && !fn.localBindings.has(name);
}

// ------------------------------------------------------------------ building

interface Site {
  construction: PartitionConstruction;
  /** The substitution of the helper's parameters by the caller's arguments (with `start` renamed to `end` when asked). */
  subst: (rename: boolean) => Subst;
  /** From a helper parameter back to the caller's argument (for the report site of an across meet). */
  argumentOf: (param: string) => { node: Node; fn: FunctionInfo } | undefined;
}

export function buildPartitionRanges(reader: ClassInfo, ctx: PartitionContext): PartitionRanges {
  const partitions = findMethod(reader, 'partitions');
  const result: PartitionRanges = { reader, partitions, constructions: [], meets: [] };
  if (!partitions || reader.role !== 'DataSourceStreamReader') return result;
  const own = partitions.params.slice(partitions.selfName ? 1 : 0);
  if (own.length < 2) return result;
  const startName = own[0].name;
  const endName = own[1].name;
  const algebra = new RangeAlgebra(ctx);
  const sites: Site[] = [];
  const root: Site['subst'] = (rename) => (rename ? new Map([[startName, [atom(endName)]]]) : new Map());
  collectSites(partitions, root, () => undefined, ctx, algebra, sites, new Set(), 0);
  result.constructions = sites.map((s) => s.construction);
  const reads = new ReadBoundsCache(reader, ctx);

  for (const site of sites) {
    const { construction } = site;
    const fields = construction.fields;
    for (let i = 0; i + 1 < fields.length; i++) {
      const lo = fields[i];
      const hi = fields[i + 1];
      const pairSites = sites.filter((s) => sameLayout(s.construction, construction));
      const meets = [
        withinMeet(site, lo, hi, algebra),
        acrossMeet(site, lo, hi, pairSites, i, algebra, startName, endName),
      ].filter((m): m is Omit<RangeMeet, 'read' | 'boundKind' | 'names'> => !!m);
      for (const m of meets) {
        if (result.meets.some((x) => x.node === m.node && x.kind === m.kind)) continue;
        const { kind, names } = boundKind(m.kindOf ?? m.value, m.fn, ctx, algebra, [startName, endName]);
        result.meets.push({ ...m, boundKind: kind, names, read: reads.get(construction, lo.field, hi.field) });
      }
    }
  }
  // Expressions cut short by a limit compare equal for no reason: stay silent.
  if (algebra.incomplete) result.meets = [];
  return result;
}

function sameLayout(a: PartitionConstruction, b: PartitionConstruction): boolean {
  return a.cls === b.cls && a.fields.map((f) => fieldKey(f.field)).join('|') === b.fields.map((f) => fieldKey(f.field)).join('|');
}

function fieldKey(f: PartitionField): string {
  return f.sub === undefined ? f.attr : `${f.attr}[${JSON.stringify(f.sub)}]`;
}

/** Partition constructions in `fn` and in the helpers it calls (two levels), with the parameter substitution. */
function collectSites(
  fn: FunctionInfo,
  subst: Site['subst'],
  argumentOf: Site['argumentOf'],
  ctx: PartitionContext,
  algebra: RangeAlgebra,
  out: Site[],
  seen: Set<FunctionInfo>,
  depth: number,
): void {
  if (seen.has(fn) || depth > 2) return;
  seen.add(fn);
  for (const call of fn.calls) {
    if (!inside(call, fn.body)) continue;
    const cls = constructedPartition(call, fn, ctx.evaluator);
    if (cls) {
      const fields = constructionFields(call, fn, cls, algebra);
      out.push({ construction: { call, fn, cls: cls === true ? undefined : cls, fields }, subst, argumentOf });
      continue;
    }
    const target = helperTarget(call, fn, ctx.evaluator);
    if (!target || target === fn) continue;
    const { positional, keywords } = args(call);
    const params = target.params.slice(target.selfName || target.isClassMethod ? 1 : 0);
    const bound = new Map<string, Node>();
    positional.forEach((a, i) => params[i] && bound.set(params[i].name, a));
    for (const [k, v] of keywords) if (params.some((p) => p.name === k)) bound.set(k, v);
    const helperSubst: Site['subst'] = (rename) => {
      const outer = subst(rename);
      const s: Subst = new Map();
      for (const [name, node] of bound) s.set(name, algebra.polys(node, fn, outer));
      return s;
    };
    collectSites(target, helperSubst, (param) => (bound.has(param) ? { node: bound.get(param)!, fn } : undefined), ctx, algebra, out, seen, depth + 1);
  }
}

function helperTarget(call: Node, fn: FunctionInfo, evaluator: Evaluator): FunctionInfo | undefined {
  const callee = childByField(call, 'function');
  if (callee?.type === 'attribute') {
    const object = childByField(callee, 'object');
    const name = childByField(callee, 'attribute')?.text;
    if (name && object?.type === 'identifier' && object.text === fn.selfName && fn.owner) return findMethod(fn.owner, name);
    return undefined;
  }
  if (callee?.type === 'identifier') {
    const v = evaluator.evaluate(callee, fn).find((x) => x.kind === 'function' && x.fn);
    return v?.fn;
  }
  return undefined;
}

type PendingMeet = Omit<RangeMeet, 'read' | 'boundKind' | 'names'>;

/** Consecutive ranges of one loop share a boundary. */
function withinMeet(site: Site, lo: { field: PartitionField; node: Node }, hi: { field: PartitionField; node: Node }, algebra: RangeAlgebra): PendingMeet | undefined {
  const { construction } = site;
  const fn = construction.fn;
  const loop = loopAround(construction.call, fn);
  if (!loop) return undefined;
  const subst = site.subst(false);
  const base = { kind: 'within' as const, fn, construction, lo: lo.field, hi: hi.field, hiNode: hi.node };
  const hiPolys = algebra.polys(hi.node, fn, subst);

  // A variable carried from one iteration to the next: `current = next_time`, `lo += step`.
  const carried = carriedVariable(construction, lo.node, loop, algebra, subst);
  if (carried === 'ambiguous') return undefined;
  if (carried) {
    const next = nextIterationLo(carried, lo.node, fn, algebra, subst);
    const b = carried.binding;
    if (next && meets(next.polys, hiPolys)) return { ...base, node: b.statement, value: next.value, kindOf: b.kind === 'augmented' ? b.target : undefined };
    return undefined;
  }

  // `for v in range(a, b, step)`: the next range's lo is this one's with v + step.
  if (loop.kind === 'for' && loop.target?.type === 'identifier' && loop.target.text && isBuiltinCall(unwrap(loop.iterable), 'range', fn)) {
    const v = loop.target.text;
    const rangeArgs = args(unwrap(loop.iterable)!).positional;
    const step = rangeArgs.length >= 3 ? algebra.polys(rangeArgs[2], fn, subst) : [constant(1)];
    if (step.length !== 1) return undefined;
    const shifted = new Map(subst);
    shifted.set(v, [addPoly(atom(v), step[0])]);
    const nextLo = algebra.polys(lo.node, fn, shifted);
    const thisLo = algebra.polys(lo.node, fn, subst);
    // The range must move with v.
    if (nextLo.map(renderPoly).join('|') === thisLo.map(renderPoly).join('|')) return undefined;
    if (meets(nextLo, hiPolys)) return { ...base, node: reportSiteOfEnd(hi.node, fn, algebra) };
    return undefined;
  }

  // `for a, b in zip(bounds, bounds[1:])`: each range ends where the next begins.
  if (loop.kind === 'for' && (loop.target?.type === 'pattern_list' || loop.target?.type === 'tuple_pattern') && isBuiltinCall(unwrap(loop.iterable), 'zip', fn)) {
    const names = items(loop.target).map((t) => t.text);
    const zipArgs = args(unwrap(loop.iterable)!).positional;
    if (names.length !== 2 || zipArgs.length !== 2) return undefined;
    if (unwrap(lo.node)?.text !== names[0] || unwrap(hi.node)?.text !== names[1]) return undefined;
    const first = algebra.render(zipArgs[0], fn, subst).replace(/\[:-1\]$/, '');
    const second = algebra.render(zipArgs[1], fn, subst);
    if (second === `${first}[1:]`) return { ...base, node: unwrap(loop.iterable)! };
  }
  return undefined;
}

/**
 * The variable a loop carries into the range's lo: a local the range's lo depends on (after
 * inlining: `current`, `current.isoformat()`) that the loop assigns after the construction
 * (`current = next_time`, `lo += step`).
 */
function carriedVariable(construction: PartitionConstruction, loNode: Node, loop: LoopContext, algebra: RangeAlgebra, subst: Subst): { name: string; binding: Binding } | 'ambiguous' | undefined {
  const fn = construction.fn;
  const plain = algebra.polys(loNode, fn, subst).map(renderPoly).join('|');
  const found: { name: string; binding: Binding }[] = [];
  for (const [name, bindings] of fn.localBindings) {
    const later = bindings.filter((b) => b.kind !== 'for' && b.kind !== 'param' && inside(b.statement, loop.body ?? loop.node) && b.statement.start > construction.call.end);
    if (!later.length) continue;
    const marked = new Map(subst);
    marked.set(name, [atom(`\u00a7${name}`)]);
    if (algebra.polys(loNode, fn, marked).map(renderPoly).join('|') === plain) continue;
    if (later.length > 1) return 'ambiguous';
    found.push({ name, binding: later[0] });
  }
  if (found.length > 1) return 'ambiguous';
  return found[0];
}

/** The range's lo in the next iteration: `name` replaced by what the loop assigns it. */
function nextIterationLo(carried: { name: string; binding: Binding }, loNode: Node, fn: FunctionInfo, algebra: RangeAlgebra, subst: Subst): { polys: Poly[]; value: Node } | undefined {
  const { name, binding: b } = carried;
  let replacement: Poly[] | undefined;
  let value: Node | undefined;
  if (b.kind === 'assign' && b.value) {
    value = b.value;
    replacement = algebra.polys(b.value, fn, subst);
  } else if (b.kind === 'augmented') {
    const op = childByField(b.statement, 'operator')?.type;
    const right = childByField(b.statement, 'right');
    if ((op === '+=' || op === '-=') && right) {
      value = right;
      replacement = algebra.polys(right, fn, subst).map((p) => addPoly(atom(name), p, op === '-=' ? -1 : 1));
    }
  }
  if (!replacement || !value) return undefined;
  const next = new Map(subst);
  next.set(name, replacement);
  return { polys: algebra.polys(loNode, fn, next), value };
}

/** Where a range's end is made: the assignment of the local it is, else the expression. */
function reportSiteOfEnd(hi: Node, fn: FunctionInfo, algebra: RangeAlgebra): Node {
  const n = unwrap(hi);
  if (n?.type === 'identifier' && n.text) {
    const b = algebra.inlineBinding(fn, n.text, n);
    if (b) return b.statement;
  }
  return hi;
}

function meets(next: Poly[], his: Poly[]): boolean {
  return next.some((n) => his.some((h) => samePoly(n, h)));
}

/** The first range starts at the batch's `start` unchanged, and a range ends at its `end` the same way. */
function acrossMeet(
  site: Site,
  lo: { field: PartitionField; node: Node },
  hi: { field: PartitionField; node: Node },
  pairSites: Site[],
  index: number,
  algebra: RangeAlgebra,
  startName: string,
  endName: string,
): PendingMeet | undefined {
  const { construction } = site;
  const first = firstLo(site, lo.node, algebra, false);
  const renamed = firstLo(site, lo.node, algebra, true);
  if (!first || !renamed) return undefined;
  const renderedFirst = first.polys.map(renderPoly);
  const renderedRenamed = renamed.polys.map(renderPoly);
  // It must come from `start`: renaming `start` to `end` changes it.
  if (renderedFirst.join('|') === renderedRenamed.join('|')) return undefined;
  const his: Poly[] = [];
  for (const s of pairSites) {
    const h = s.construction.fields[index + 1];
    if (h) his.push(...algebra.polys(h.node, s.construction.fn, s.subst(false)));
  }
  if (!meets(renamed.polys, his)) return undefined;
  // Report where the first lo is taken from `start`.
  const origin = originOf(first.expr, first.fn, site, algebra, startName, endName, first.report);
  return { kind: 'across', node: origin.report, value: origin.value, fn: origin.fn, construction, lo: lo.field, hi: hi.field, hiNode: hi.node };
}

/** The first lo of the ranges a construction makes: through the loop's initial value, or the range start. */
function firstLo(site: Site, loNode: Node, algebra: RangeAlgebra, rename: boolean): { polys: Poly[]; expr: Node; fn: FunctionInfo; report?: Node } | undefined {
  const fn = site.construction.fn;
  const subst = site.subst(rename);
  const loop = loopAround(site.construction.call, fn);
  if (!loop) return { polys: algebra.polys(loNode, fn, subst), expr: loNode, fn };
  const carried = carriedVariable(site.construction, loNode, loop, algebra, subst);
  if (carried === 'ambiguous') return undefined;
  if (carried) {
    // Its value when the loop starts.
    const before = reachingBindings(fn, carried.name, loop.node);
    if (before.length !== 1) return undefined;
    const b = before[0];
    let initial: Poly[] | undefined;
    let expr: Node | undefined;
    if (b.kind === 'param') {
      initial = subst.get(carried.name);
      expr = b.target;
    } else if ((b.kind === 'assign' || b.kind === 'walrus') && b.value) {
      initial = algebra.polys(b.value, fn, subst);
      expr = b.value;
    }
    if (!initial || !expr) return undefined;
    const s = new Map(subst);
    s.set(carried.name, initial);
    // Reported where the initial value is computed (followed further by originOf).
    return { polys: algebra.polys(loNode, fn, s), expr, fn, report: b.kind === 'param' ? undefined : b.statement };
  }
  if (loop.kind === 'for' && loop.target?.type === 'identifier' && loop.target.text && isBuiltinCall(unwrap(loop.iterable), 'range', fn)) {
    const rangeArgs = args(unwrap(loop.iterable)!).positional;
    const startPolys = rangeArgs.length >= 2 ? algebra.polys(rangeArgs[0], fn, subst) : [constant(0)];
    const s = new Map(subst);
    s.set(loop.target.text, startPolys);
    const unwrapped = unwrap(loNode);
    // `for lo in range(start, end, step): P(lo, ...)`: the first lo is the range's start argument.
    const expr = unwrapped?.type === 'identifier' && unwrapped.text === loop.target.text && rangeArgs.length >= 2 ? rangeArgs[0] : loNode;
    return { polys: algebra.polys(loNode, fn, s), expr, fn };
  }
  return undefined;
}

/**
 * Follows the first lo back through single assignments (and helper parameters to the caller's
 * argument) to the expression computed from `start`: where to report, and what a fix adds to.
 */
function originOf(expr: Node, fn: FunctionInfo, site: Site, algebra: RangeAlgebra, startName: string, endName: string, statement?: Node): { report: Node; value: Node; fn: FunctionInfo } {
  let current = expr;
  let currentFn = fn;
  let report: Node = statement ?? expr;
  let argumentOf = site.argumentOf;
  for (let i = 0; i < MAX_DEPTH; i++) {
    const n = unwrap(current);
    if (n?.type !== 'identifier' || !n.text) break;
    const b = algebra.inlineBinding(currentFn, n.text, n);
    if (b?.value) {
      report = b.statement;
      current = b.value;
      continue;
    }
    // A helper's parameter: the caller's argument.
    const isParam = reachingBindings(currentFn, n.text, n).some((x) => x.kind === 'param');
    const arg = isParam ? argumentOf(n.text) : undefined;
    if (!arg || n.text === startName || n.text === endName) break;
    current = arg.node;
    currentFn = arg.fn;
    report = arg.node;
    argumentOf = () => undefined;
  }
  return { report, value: current, fn: currentFn };
}

// ------------------------------------------------------------------ bound kinds

const TIME_LIKE = /(^|_)(ts|time|times|timestamp|epoch|sec|secs|seconds|ms|millis|date|at)$|time|epoch/i;

/** What the start expression a fix would change is: a datetime, an int, ... (evaluator, then the offset keys it reads). */
function boundKind(value: Node | undefined, fn: FunctionInfo, ctx: PartitionContext, algebra: RangeAlgebra, params: string[]): { kind: BoundKind; names: string[] } {
  if (!value) return { kind: 'unknown', names: [] };
  const names = new Set<string>();
  const kinds = new Set<string>();
  for (const v of ctx.evaluator.evaluate(value, fn)) if (v.kind !== 'unknown' && v.kind !== 'param') kinds.add(v.kind);
  // Keys of the offsets read inside the expression (following locals): their produced kinds.
  const keyKinds = new Set<string>();
  const seen = new Set<Node>();
  const visit = (node: Node, scope: FunctionInfo, depth: number) => {
    if (depth > MAX_DEPTH || seen.has(node)) return;
    seen.add(node);
    walk(node, (n) => {
      if (n.type === 'identifier' && n.text) {
        names.add(n.text);
        const b = algebra.inlineBinding(scope, n.text, n);
        if (b?.value) visit(b.value, scope, depth + 1);
      }
      if (n.type === 'subscript' || (n.type === 'call' && childByField(childByField(n, 'function') ?? n, 'attribute')?.text === 'get')) {
        const key = n.type === 'subscript' ? stringValue(childByField(n, 'subscript')) : stringValue(args(n).positional[0]);
        if (key !== undefined) {
          const read = ctx.offsets.keyReads.find((r) => r.node === n);
          if (read && params.includes(read.param)) {
            names.add(key);
            for (const p of ctx.offsets.producers) {
              for (const r of p.returns) {
                for (const val of r.values) {
                  const dict = val.kind === 'json' ? val.inner?.find((x) => x.kind === 'dict') : val.kind === 'dict' ? val : undefined;
                  const entry = dict?.entries?.find((e) => e.key === key);
                  for (const x of entry?.values ?? []) keyKinds.add(x.kind === 'unknown' || x.kind === 'param' ? 'unknown' : x.kind);
                }
              }
            }
          }
        }
      }
      return undefined;
    });
  };
  visit(value, fn, 0);
  // The evaluator's kinds when it knows any (a parsed `fromisoformat(start["ts"])` is a datetime
  // whatever the key holds), else the kinds the producers store under the keys read.
  let all = kinds;
  if (!all.size) {
    if (keyKinds.has('unknown')) return { kind: 'unknown', names: [...names] };
    all = keyKinds;
  }
  if (all.size !== 1) return { kind: 'unknown', names: [...names] };
  const only = [...all][0];
  const kind: BoundKind = only === 'datetime' || only === 'int' || only === 'float' || only === 'str' ? only : 'unknown';
  return { kind, names: [...names] };
}

/** True when the names around an integer bound suggest epoch time (seconds, milliseconds) rather than a counter. */
export function looksLikeTime(names: string[]): boolean {
  return names.some((n) => TIME_LIKE.test(n));
}

// ------------------------------------------------------------------ read side

/** Bound tags a value can carry: the partition itself, a path into it, or one of the two bounds. */
type Tag = string;

class ReadBoundsCache {
  private readonly cache = new Map<string, ReadBounds>();
  constructor(private readonly reader: ClassInfo, private readonly ctx: PartitionContext) {}

  get(construction: PartitionConstruction, lo: PartitionField, hi: PartitionField): ReadBounds {
    const key = `${construction.cls?.name ?? ''}:${fieldKey(lo)}:${fieldKey(hi)}`;
    let result = this.cache.get(key);
    if (!result) {
      result = readBounds(this.reader, construction, lo, hi, this.ctx);
      this.cache.set(key, result);
    }
    return result;
  }
}

const EXCLUSIVE_NAME = /(^|_)(gt|lt|exclusive|after|before)$|^(exclusive|after|before)(_|$)/i;
const INCLUSIVE_NAME = /(^|_)(gte|lte|inclusive)$|^inclusive/i;
const PLACEHOLDER = String.raw`(?:%s|\?|:\w+|%\(\w+\)s|\$\d+|\{\w*\}|'%s'|'\{\w*\}'|"\{\w*\}"|@\w+)`;
const SQL_COMPARISON = new RegExp(String.raw`(>=|<=|=>|=<|<>|!=|>|<)\s*${PLACEHOLDER}`, 'g');

function classifyName(name: string): 'exclusive' | 'inclusive' | 'plain' {
  const n = name.replace(/^\$/, '');
  if (INCLUSIVE_NAME.test(n)) return 'inclusive';
  if (EXCLUSIVE_NAME.test(n)) return 'exclusive';
  return 'plain';
}

function readBounds(reader: ClassInfo, construction: PartitionConstruction, lo: PartitionField, hi: PartitionField, ctx: PartitionContext): ReadBounds {
  const evidence: BoundEvidence[] = [];
  const read = findMethod(reader, 'read');
  // A broken read() or partition class may hide the evidence that would exclude an end.
  if (read?.node.hasError || construction.cls?.hasSyntaxError) return { semantics: 'unknown', evidence };
  if (read) {
    const param = read.params[read.selfName ? 1 : 0];
    if (param) new BoundUses(ctx, lo, hi, evidence).visit(read, new Map([[param.name, new Set(['P'])]]), 0);
  }
  // Comments and docstrings of the reader and the partition class.
  const texts: { text: string; node: Node }[] = [];
  for (const cls of [reader, construction.cls]) {
    if (!cls) continue;
    walk(cls.node, (n) => {
      if (n.type === 'comment' && n.text) texts.push({ text: n.text, node: n });
      return undefined;
    });
    if (cls.docstring) texts.push({ text: cls.docstring, node: cls.nameNode });
    for (const fn of cls.methods.values()) if (fn.docstring) texts.push({ text: fn.docstring, node: fn.nameNode });
  }
  for (const t of texts) {
    if (/\bexclusive\b|half[- ]open/i.test(t.text)) evidence.push({ kind: 'exclusive', source: 'comment', node: t.node, what: 'exclusive' });
    else if (/\binclusive\b/i.test(t.text)) evidence.push({ kind: 'inclusive', source: 'comment', node: t.node, what: 'inclusive' });
  }
  const has = (kind: BoundEvidence['kind'], source: BoundEvidence['source']) => evidence.some((e) => e.kind === kind && e.source === source);
  let semantics: BoundSemantics = 'unknown';
  if (has('exclusive', 'code')) semantics = 'half-open';
  else if (has('inclusive', 'code')) semantics = 'inclusive';
  else if (has('exclusive', 'comment')) semantics = 'half-open';
  else if (has('inclusive', 'comment')) semantics = 'inclusive';
  else if (has('plain', 'code')) semantics = 'unstated';
  return { semantics, evidence };
}

/** Walks `read()` (and the helpers it hands the bounds to) for what it does with the bounds. */
class BoundUses {
  private readonly seen = new Set<FunctionInfo>();
  constructor(
    private readonly ctx: PartitionContext,
    private readonly lo: PartitionField,
    private readonly hi: PartitionField,
    private readonly evidence: BoundEvidence[],
  ) {}

  visit(fn: FunctionInfo, env: Map<string, Set<Tag>>, depth: number): void {
    if (this.seen.has(fn) || depth > 2) return;
    this.seen.add(fn);
    const carries = (node: Node | undefined) => this.carries(node, fn, env, 0);
    const bounds = (node: Node | undefined) => [...carries(node)].filter((t) => t === 'lo' || t === 'hi');
    const add = (kind: BoundEvidence['kind'], node: Node, what: string) => this.evidence.push({ kind, source: 'code', node, what });
    walk(fn.body, (n) => {
      if (n !== fn.body && (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda')) return false;
      switch (n.type) {
        case 'comparison_operator': {
          const parts = n.children.filter((c) => c.type !== 'comment');
          for (let i = 1; i + 1 < parts.length; i += 2) {
            const op = parts[i].type;
            if (!['<', '>', '<=', '>='].includes(op)) continue;
            const left = bounds(parts[i - 1]);
            const right = bounds(parts[i + 1]);
            if (!left.length && !right.length) continue;
            const inverted = skipContext(n);
            if (left.length && right.length) {
              // lo against hi: a guard (`if lo >= hi: return`), unless one side is a cursor moving through the range.
              if (inverted || n.parent?.type === 'assert_statement' || !(isCursor(parts[i - 1], fn) || isCursor(parts[i + 1], fn))) continue;
            }
            const strict = op === '<' || op === '>';
            add(strict !== inverted ? 'exclusive' : 'inclusive', n, op);
          }
          break;
        }
        case 'call': {
          const callee = childByField(n, 'function');
          const { positional, keywords } = args(n);
          if (callee?.type === 'identifier' && (callee.text === 'range' || callee.text === 'islice') && !fn.localBindings.has(callee.text)) {
            const stop = callee.text === 'range' ? (positional.length >= 2 ? positional[1] : positional[0]) : positional[positional.length >= 3 ? 2 : 1];
            if (stop && bounds(stop).includes('hi')) {
              add(plusOne(stop) ? 'inclusive' : 'exclusive', n, plusOne(stop) ? `${callee.text}(…, … + 1)` : `${callee.text}(…)`);
              break;
            }
          }
          const carrying = [...positional, ...keywords.values()].some((a) => bounds(a).length || containsBound(a, bounds));
          if (carrying) this.sqlText(n, fn, add);
          for (const [name, value] of keywords) {
            if (!bounds(value).length) continue;
            // `limit=hi - lo`: a count of hi - lo items from lo is the half-open range.
            const count = COUNT_NAME.test(name) ? countOf(value, bounds) : undefined;
            add(count ?? classifyName(name), value, count ? `${name}=…` : name);
          }
          for (const a of positional) if (bounds(a).length) add('plain', a, this.ctx.textOf(a));
          // Helpers that receive bounds or the partition.
          const target = helperTarget(n, fn, this.ctx.evaluator);
          if (target) {
            const params = target.params.slice(target.selfName || target.isClassMethod ? 1 : 0);
            const next = new Map<string, Set<Tag>>();
            positional.forEach((a, i) => params[i] && next.set(params[i].name, carries(a)));
            for (const [k, v] of keywords) next.set(k, carries(v));
            if ([...next.values()].some((s) => s.size)) this.visit(target, next, depth + 1);
          }
          break;
        }
        case 'pair': {
          const key = stringValue(childByField(n, 'key'));
          const value = childByField(n, 'value');
          if (key !== undefined && value && bounds(value).length) add(classifyName(key), value, key);
          break;
        }
        case 'subscript': {
          const index = childByField(n, 'subscript');
          if (index?.type === 'slice') {
            const stop = sliceStop(index, this.ctx.textOf);
            if (stop && bounds(stop).includes('hi')) add(plusOne(stop) ? 'inclusive' : 'exclusive', n, plusOne(stop) ? '[…:… + 1]' : '[…:…]');
          }
          break;
        }
        case 'interpolation': {
          const expr = childByField(n, 'expression') ?? n.children.find((c) => c.named);
          if (!bounds(expr).length) break;
          const before = n.parent?.children[n.parent.children.indexOf(n) - 1];
          const text = before?.type === 'string_content' ? (before.text ?? '') : '';
          const whole = n.parent ? this.ctx.textOf(n.parent) : '';
          const m = /(>=|<=|=>|=<|>|<)\s*['"]?\s*$/.exec(text);
          const paging = /\b(limit|offset|fetch\s+(first|next))\s*$/i.exec(text);
          if (m) add(m[1] === '>' || m[1] === '<' ? 'exclusive' : 'inclusive', n, m[1]);
          else if (paging) add(countOf(expr!, bounds) ?? 'exclusive', n, paging[1].toUpperCase());
          else if (/\bbetween\b/i.test(whole) && /\b(between|and)\s*['"]?\s*$/i.test(text)) add('inclusive', n, 'BETWEEN');
          else add('plain', n, this.ctx.textOf(n));
          break;
        }
        default:
          break;
      }
      return undefined;
    });
  }

  /** SQL text given with the bounds as parameters: `execute("... ts > %s AND ts <= %s", (lo, hi))`, `"...".format(lo, hi)`. */
  private sqlText(call: Node, fn: FunctionInfo, add: (kind: BoundEvidence['kind'], node: Node, what: string) => void): void {
    const strings: Node[] = [];
    const callee = childByField(call, 'function');
    const receiver = callee?.type === 'attribute' ? childByField(callee, 'object') : undefined;
    for (const a of [...args(call).positional, ...(receiver ? [receiver] : [])]) {
      const n = unwrap(a);
      if (!n) continue;
      // f-strings: their interpolations are looked at one by one.
      if ((n.type === 'string' || n.type === 'concatenated_string') && !n.children.some((c) => c.type === 'interpolation')) strings.push(n);
      else if (n.type === 'binary_operator' && childByField(n, 'operator')?.type === '%') {
        const left = unwrap(childByField(n, 'left'));
        if (left && (left.type === 'string' || left.type === 'concatenated_string')) strings.push(left);
      } else if (n.type === 'identifier' && n.text) {
        for (const b of reachingBindings(fn, n.text, n)) {
          const v = unwrap(b.value);
          if (v && (v.type === 'string' || v.type === 'concatenated_string')) strings.push(v);
        }
      }
    }
    for (const s of strings) {
      const text = this.ctx.textOf(s);
      const ops = [...text.matchAll(SQL_COMPARISON)].map((m) => m[1]);
      if (ops.some((o) => o === '>' || o === '<')) add('exclusive', s, ops.find((o) => o === '>' || o === '<')!);
      else if (/\bbetween\b/i.test(text)) add('inclusive', s, 'BETWEEN');
      else if (ops.some((o) => o.length === 2 && o !== '<>' && o !== '!=')) add('inclusive', s, ops.find((o) => o.length === 2)!);
    }
  }

  /** The tags a value carries: `P` (the partition), `P.attr` (a path into it), `lo`, `hi`. */
  private carries(node: Node | undefined, fn: FunctionInfo, env: Map<string, Set<Tag>>, depth: number): Set<Tag> {
    const out = new Set<Tag>();
    if (!node || depth > MAX_DEPTH) return out;
    const union = (s: Set<Tag>, only?: (t: Tag) => boolean) => {
      for (const t of s) if (!only || only(t)) out.add(t);
    };
    const bound = (t: Tag) => t === 'lo' || t === 'hi';
    switch (node.type) {
      case 'parenthesized_expression':
        return this.carries(node.children.find((c) => c.named && c.type !== 'comment'), fn, env, depth + 1);
      case 'identifier': {
        const name = node.text ?? '';
        const bindings = reachingBindings(fn, name, node);
        if (!bindings.length || bindings.some((b) => b.kind === 'param')) union(env.get(name) ?? new Set());
        for (const b of bindings) {
          if (b.statement.start >= node.start && b.kind !== 'for') {
            // loop-carried: a cursor reassigned later in the loop keeps its bound
            if (b.kind === 'augmented' || b.kind === 'assign') continue;
          }
          if ((b.kind === 'assign' || b.kind === 'walrus' || b.kind === 'augmented') && b.value) union(this.carries(b.value, fn, env, depth + 1));
          else if (b.kind === 'unpack' && b.value && b.index !== undefined) {
            for (const t of this.carries(b.value, fn, env, depth + 1)) {
              const field = this.fieldOfPath(`${t}[${b.index}]`);
              if (field) out.add(field);
            }
          }
        }
        return out;
      }
      case 'attribute': {
        const object = childByField(node, 'object');
        const attr = childByField(node, 'attribute')?.text ?? '';
        const inner = this.carries(object, fn, env, depth + 1);
        if (inner.has('P')) {
          out.add(`P.${attr}`);
          const field = this.fieldOfPath(`P.${attr}`);
          if (field) out.add(field);
        }
        union(inner, bound);
        return out;
      }
      case 'subscript': {
        const value = childByField(node, 'value');
        const index = childByField(node, 'subscript');
        const inner = this.carries(value, fn, env, depth + 1);
        const key = index?.type === 'integer' ? Number(index.text) : stringValue(index);
        if (key !== undefined) {
          for (const t of inner) {
            if (!t.startsWith('P.')) continue;
            const field = this.fieldOfPath(`${t}[${JSON.stringify(key)}]`);
            if (field) out.add(field);
          }
        }
        return out;
      }
      case 'call': {
        const callee = childByField(node, 'function');
        const { positional, all } = args(node);
        if (callee?.type === 'attribute') union(this.carries(childByField(callee, 'object'), fn, env, depth + 1), bound);
        // One-argument conversions keep the bound: `str(lo)`, `int(lo)`, `datetime.fromisoformat(lo)`.
        if (all.length >= 1 && positional.length >= 1) {
          const carried = positional.map((a) => this.carries(a, fn, env, depth + 1));
          if (carried.filter((c) => [...c].some(bound)).length === 1 && carried[0] && [...carried[0]].some(bound)) union(carried[0], bound);
        }
        return out;
      }
      case 'augmented_assignment':
      case 'binary_operator':
        union(this.carries(childByField(node, 'left'), fn, env, depth + 1), bound);
        union(this.carries(childByField(node, 'right'), fn, env, depth + 1), bound);
        return out;
      case 'conditional_expression':
      case 'boolean_operator':
        for (const c of node.children) if (c.named) union(this.carries(c, fn, env, depth + 1), bound);
        return out;
      default:
        return out;
    }
  }

  /** `P.start_time` → `lo`; `P.value[0]` → `lo`; ... */
  private fieldOfPath(path: string): Tag | undefined {
    const pathOf = (f: PartitionField) => (f.sub === undefined ? `P.${f.attr}` : `P.${f.attr}[${JSON.stringify(f.sub)}]`);
    if (path === pathOf(this.lo)) return 'lo';
    if (path === pathOf(this.hi)) return 'hi';
    return undefined;
  }
}

function containsBound(node: Node, bounds: (n: Node) => string[]): boolean {
  let found = false;
  walkScope(node, (n) => {
    if (found) return false;
    if (n !== node && (n.type === 'identifier' || n.type === 'attribute' || n.type === 'subscript' || n.type === 'call') && bounds(n).length) {
      found = true;
      return false;
    }
    return undefined;
  });
  return found;
}

const COUNT_NAME = /^(limit|count|size|n|num|max_results|max_records|max_items|page_size|batch_size|top|first)$/i;

/** `hi - lo` (a count of the half-open range) → exclusive; `hi - lo + 1` → inclusive. */
function countOf(node: Node, bounds: (n: Node) => string[]): 'exclusive' | 'inclusive' | undefined {
  let n = unwrap(node);
  let inclusive = false;
  if (n && plusOne(n)) {
    inclusive = true;
    n = unwrap(childByField(n, 'left'));
  }
  if (n?.type !== 'binary_operator' || childByField(n, 'operator')?.type !== '-') return undefined;
  const left = childByField(n, 'left');
  const right = childByField(n, 'right');
  if (!left || !right || !bounds(left).includes('hi') || !bounds(right).includes('lo')) return undefined;
  return inclusive ? 'inclusive' : 'exclusive';
}

/** `hi + 1`. */
function plusOne(node: Node): boolean {
  const n = unwrap(node);
  if (n?.type !== 'binary_operator' || childByField(n, 'operator')?.type !== '+') return false;
  return childByField(n, 'right')?.type === 'integer' && childByField(n, 'right')?.text === '1';
}

/** The stop expression of a slice `a:b` (children do not keep the colons: tell them by position). */
function sliceStop(slice: Node, textOf: (n: Node) => string): Node | undefined {
  const text = textOf(slice);
  const colons: number[] = [];
  let level = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') level++;
    else if (ch === ')' || ch === ']' || ch === '}') level--;
    else if (ch === ':' && level === 0) colons.push(slice.start + i);
  }
  if (!colons.length) return undefined;
  const end = colons[1] ?? slice.end;
  return slice.children.find((c) => c.named && c.start > colons[0] && c.end <= end);
}

/** A comparison whose truth skips the row: the condition of an `if` that only `continue`s, `break`s, `return`s or raises. */
function skipContext(comparison: Node): boolean {
  let node = comparison;
  let negated = false;
  for (let p = node.parent; p; node = p, p = p.parent) {
    if (p.type === 'parenthesized_expression') continue;
    if (p.type === 'boolean_operator') continue;
    if (p.type === 'not_operator') {
      negated = !negated;
      continue;
    }
    if (p.type === 'if_statement' && node.field === 'condition') {
      const body = childByField(p, 'consequence');
      const stmts = body?.children.filter((c) => c.named && c.type !== 'comment') ?? [];
      const jumps = stmts.length > 0 && /^(continue_statement|break_statement|return_statement|raise_statement)$/.test(stmts[stmts.length - 1].type) && stmts.length <= 2;
      return jumps !== negated;
    }
    return negated;
  }
  return negated;
}

/** A local that moves through the range: reassigned after its first binding (`cursor += step`). */
function isCursor(node: Node, fn: FunctionInfo): boolean {
  const n = unwrap(node);
  if (n?.type !== 'identifier' || !n.text) return false;
  const bindings = (fn.localBindings.get(n.text) ?? []).filter((b) => b.kind !== 'param');
  return bindings.length > 1 || bindings.some((b) => b.kind === 'augmented');
}
