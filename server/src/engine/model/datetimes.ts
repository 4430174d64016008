/**
 * Naive and aware datetimes in a stream reader's offsets (PDS019). A naive datetime is one made
 * without a time zone (`datetime.now()`, `utcnow()`, `datetime(2024, 1, 1)`, `strptime` without
 * `%z`, `fromisoformat` of a user option that may lack an offset, decision 7); it is a problem
 * when the same reader's offsets are compared or combined with aware ones (`TypeError: can't
 * compare offset-naive and offset-aware datetimes`). Epoch numbers are not datetimes (decision 11).
 *
 * Two kinds of evidence:
 * - mixed producers: the offsets `initialOffset`/`latestOffset`/the simple `read` return hold
 *   naive datetimes (or their text) on one path and aware ones on another;
 * - a consumer (`partitions`, `read`, `commit`, ...) compares a datetime parsed from an offset it
 *   receives with an aware one while the producers are naive, or with a naive one while the
 *   producers are aware.
 */
import { childByField, isAncestor, type Node, stringValue } from '../syntax';
import { offsetLeaves } from './clock';
import type { FunctionInfo } from './functions';
import type { StreamOffsets } from './offsets';
import { args, type Evaluator, type Value } from './values';

export interface NaiveOffsetDatetime {
  /** The expression that makes the naive datetime (decision 6: the finding goes here). */
  node: Node;
  /** It is `fromisoformat`/`strptime` of a user option (decision 7). */
  fromOption: boolean;
  /** It is text without a UTC offset (an ISO literal, `strftime` without `%z`): it parses back naive. */
  text: boolean;
  /** Where aware datetimes meet it: an aware offset, or a comparison in a consumer. */
  evidence: { node: Node; what: 'aware-offset' | 'comparison' }[];
}

/** Value kinds that are numbers: an epoch offset is never a naive datetime (decision 11). */
const NUMBERS = new Set(['int', 'float', 'bool', 'none', 'timedelta']);

/** A user option: a parameter of an `__init__`, or one named like options/config. */
function fromOption(v: Value): boolean {
  const p = v.fromParam;
  return !!p && (p.fn.name === '__init__' || /option|opts|conf|setting/i.test(p.name));
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A string literal that is an ISO datetime: `"2024-01-01T00:00:00"` is naive text, `"...+00:00"` aware. */
export function isoLiteralZone(v: Value): 'naive' | 'aware' | undefined {
  if (v.kind !== 'str' || v.node.type !== 'string' || v.node.children.some((c) => c.type === 'interpolation')) return undefined;
  const text = stringValue(v.node);
  const m = text === undefined ? null : ISO_DATETIME.exec(text);
  if (!m) return undefined;
  return m[3] ? 'aware' : 'naive';
}

/** Naive for sure (not "naive unless the text has an offset", except for user options). */
export function isNaiveDatetime(v: Value): boolean {
  if (isoLiteralZone(v) === 'naive') return true;
  if (!v.naive || NUMBERS.has(v.kind)) return false;
  return !v.naiveUnlessTextHasOffset || fromOption(v);
}

export function isAwareDatetime(v: Value): boolean {
  if (isoLiteralZone(v) === 'aware') return true;
  return !!v.aware && !v.naive && !NUMBERS.has(v.kind);
}

/** The expression that made a naive value. */
function naiveNode(v: Value): Node | undefined {
  return v.naive ?? (isoLiteralZone(v) === 'naive' ? v.node : undefined);
}

/** A datetime parsed from an offset a consumer received: aware exactly when the producers wrote aware text. */
function isParsedOffset(v: Value, consumerParams: Map<FunctionInfo, string[]>): boolean {
  if (!v.naive || !v.naiveUnlessTextHasOffset || NUMBERS.has(v.kind) || !v.fromParam) return false;
  return consumerParams.get(v.fromParam.fn)?.includes(v.fromParam.name) ?? false;
}

const ORDERING = new Set(['<', '>', '<=', '>=']);

/** The naive datetimes of a reader's offsets that meet aware ones. */
export function naiveOffsetDatetimes(offsets: StreamOffsets, evaluator: Evaluator, inFile: (n: Node) => boolean): NaiveOffsetDatetime[] {
  const naive = new Map<Node, Value>();
  const aware: Node[] = [];
  for (const p of offsets.producers) {
    for (const r of p.returns) {
      for (const leaf of offsetLeaves(r.values)) {
        const v = leaf.value;
        const made = naiveNode(v);
        if (isNaiveDatetime(v) && made && !naive.has(made)) naive.set(made, v);
        else if (isAwareDatetime(v)) aware.push(v.node);
      }
    }
  }
  const out = new Map<Node, NaiveOffsetDatetime>();
  const add = (node: Node, v: Value | undefined, evidence: NaiveOffsetDatetime['evidence'][number]) => {
    if (!inFile(node)) return;
    let entry = out.get(node);
    if (!entry) {
      const text = node.type === 'string' || (node.type === 'call' && childByField(node, 'function')?.type === 'attribute' && childByField(childByField(node, 'function')!, 'attribute')?.text === 'strftime');
      entry = { node, fromOption: !!v && fromOption(v) && !!v.naiveUnlessTextHasOffset, text, evidence: [] };
      out.set(node, entry);
    }
    if (!entry.evidence.some((e) => e.node === evidence.node)) entry.evidence.push(evidence);
  };
  if (aware.length) for (const [node, v] of naive) add(node, v, { node: aware[0], what: 'aware-offset' });

  // Consumers comparing a parsed offset with a datetime of the other kind.
  const consumerParams = new Map(offsets.consumers.map((c) => [c.method, c.params]));
  for (const c of offsets.consumers) {
    for (const [left, right, at] of datetimeMeetings(c.method)) {
      const l = evaluator.evaluate(left, c.method);
      const r = evaluator.evaluate(right, c.method);
      for (const [a, b] of [[l, r], [r, l]] as const) {
        if (!a.some((v) => isParsedOffset(v, consumerParams))) continue;
        if (b.some(isAwareDatetime) && naive.size && !aware.length) {
          for (const [node, v] of naive) add(node, v, { node: at, what: 'comparison' });
        }
        const definite = b.find((v) => isNaiveDatetime(v) && !v.naiveUnlessTextHasOffset);
        const made = definite && naiveNode(definite);
        if (definite && made && aware.length && !naive.size && isAncestor(c.method.node, made)) {
          add(made, definite, { node: at, what: 'comparison' });
        }
      }
    }
  }
  return [...out.values()].sort((a, b) => a.node.start - b.node.start);
}

/** Pairs of expressions a function orders or subtracts (`a < b`, `a - b`, `min(a, b)`), with where. */
function datetimeMeetings(fn: FunctionInfo): [Node, Node, Node][] {
  const out: [Node, Node, Node][] = [];
  const visit = (n: Node) => {
    if (n.type === 'comparison_operator') {
      const operands = n.children.filter((c) => c.named);
      const ops = n.children.filter((c) => !c.named).map((c) => c.type);
      ops.forEach((op, i) => {
        if (ORDERING.has(op) && operands[i] && operands[i + 1]) out.push([operands[i], operands[i + 1], n]);
      });
    } else if (n.type === 'binary_operator') {
      const op = childByField(n, 'operator')?.type ?? n.children.find((c) => !c.named)?.type;
      const left = childByField(n, 'left');
      const right = childByField(n, 'right');
      if (op === '-' && left && right) out.push([left, right, n]);
    } else if (n.type === 'call') {
      const callee = childByField(n, 'function');
      if (callee?.type === 'identifier' && (callee.text === 'min' || callee.text === 'max')) {
        const a = args(n).positional;
        if (a.length === 2) out.push([a[0], a[1], n]);
      }
    }
    for (const c of n.children) if (c.type !== 'function_definition' && c.type !== 'class_definition' && c.type !== 'lambda') visit(c);
  };
  visit(fn.body);
  return out;
}
