/**
 * What an offset is made of, leaf by leaf (through `json.dumps`, dicts, lists and tuples): wall
 * clock readings (with or without a lag subtracted, decision 2), constants, and values from the
 * data or state. PDS017 asks "is this offset the wall clock with no allowance for late events?".
 */
import type { Node } from '../syntax';
import type { ClockRead, Value } from './values';

export type LeafKind = 'clock' | 'constant' | 'data';

export interface OffsetLeaf {
  value: Value;
  kind: LeafKind;
}

const LITERALS = new Set(['string', 'integer', 'float', 'true', 'false', 'none', 'concatenated_string']);

/** The leaves of offset values: what `json.dumps` would write as scalars, one alternative each. */
export function offsetLeaves(values: Value[]): OffsetLeaf[] {
  const out: OffsetLeaf[] = [];
  const seen = new Set<Value>();
  const visit = (v: Value, depth: number) => {
    if (seen.has(v) || depth > 8) return;
    seen.add(v);
    if (v.kind === 'json' && v.inner) {
      for (const i of v.inner) visit(i, depth + 1);
      return;
    }
    if (v.kind === 'dict' && (v.entries?.length || !v.open)) {
      for (const e of v.entries ?? []) for (const x of e.values) visit(x, depth + 1);
      if (v.open) out.push({ value: v, kind: 'data' });
      return;
    }
    if ((v.kind === 'list' || v.kind === 'tuple') && (v.items || v.inner)) {
      for (const item of v.items ?? []) for (const x of item) visit(x, depth + 1);
      for (const x of v.inner ?? []) visit(x, depth + 1);
      return;
    }
    out.push({ value: v, kind: leafKind(v) });
  };
  for (const v of values) visit(v, 0);
  return out;
}

function leafKind(v: Value): LeafKind {
  if (v.clock && !inInit(v.clock.call)) return 'clock';
  if (v.clock) return 'constant';
  if (LITERALS.has(v.node.type) && !v.node.children.some((c) => c.type === 'interpolation')) return 'constant';
  return 'data';
}

/** The clock is read in an `__init__`: the same value on every call. */
function inInit(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return p.children.find((c) => c.field === 'name')?.text === '__init__';
  }
  return false;
}

/**
 * The wall-clock reads an offset is made of when it is nothing but the clock (and constants),
 * with no lag subtracted and no `min()` with data: empty when any leaf comes from the data.
 */
export function unlaggedWallClock(values: Value[]): ClockRead[] {
  const leaves = offsetLeaves(values);
  if (leaves.some((l) => l.kind === 'data')) return [];
  const out = new Map<Node, ClockRead>();
  for (const l of leaves) if (l.kind === 'clock' && !l.value.lag && l.value.clock) out.set(l.value.clock.call, l.value.clock);
  return [...out.values()].sort((a, b) => a.call.start - b.call.start);
}
