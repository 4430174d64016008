/**
 * PDS022 simple-read-returns-generator: `SimpleDataSourceStreamReader.read(start)` must return
 * an iterator that `copy.copy` can copy: Spark's wrapper caches it and copies it when the batch
 * is planned, and a generator (a generator expression, `iter()` of one, or a call of a
 * generator function of the user's) raises `TypeError: cannot pickle 'generator' object`. And
 * on a path where the next offset is `start` again, Spark 4.2 calls `next()` on it, so a list
 * raises `TypeError: 'list' object is not an iterator` (reference §4, P13, P11).
 *
 * `iter(rows)`, `iter(list(gen))`, `map(...)` objects and a list with an advancing offset are fine.
 */
import { type FileModel, type SimpleReadReturn, startOccurrences, type Value } from '../model';
import { childByField, type Node } from '../syntax';
import type { Fix } from '../types';
import { defineRule } from './rule';

export default defineRule(
  {
    code: 'PDS022',
    name: 'simple-read-returns-generator',
    summary: "A simple reader's `read` returns a generator (Spark cannot copy it), or a list where the offset does not advance",
    defaultSeverity: 'error',
    fixAvailability: 'sometimes',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    for (const cls of model.classesWithRole('SimpleDataSourceStreamReader')) {
      for (const r of model.simpleReadReturns(cls)) {
        if (reported.has(r.rows) || r.statement.hasError || !model.contains(r.rows)) continue;
        const values = model.evaluator.evaluate(r.rows, r.fn);
        const text = model.textOf(r.rows);
        if (some(r, values, 'generator')) {
          reported.add(r.rows);
          report({
            node: r.rows,
            message: `\`read\` returns \`${short(text)}\`, a generator, as its rows: Spark copies the iterator to cache it, and copying a generator raises TypeError, so the batch fails`,
            fix: wrapFix(model, r, true),
          });
          continue;
        }
        const list = values.find((v) => (v.kind === 'list' || v.kind === 'tuple') && isAll(r, values, v.kind));
        if (!list) continue;
        const stay = startOccurrences(r)[0];
        if (!stay) continue;
        reported.add(r.rows);
        report({
          node: r.rows,
          message: `\`read\` returns ${list.kind === 'list' ? 'a list' : 'a tuple'} as its rows with \`${short(model.textOf(stay.node))}\`, the incoming offset, as the next offset: Spark 4.2 then calls \`next()\` on it, which raises TypeError; return \`iter(...)\``,
          related: [{ start: stay.node.start, end: stay.node.end, message: 'the offset does not advance here' }],
          fix: wrapFix(model, r, false),
        });
      }
    }
  },
);

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
}

/** For `self.x` (every assignment of the class), all values; for locals and calls, any. */
function some(r: SimpleReadReturn, values: Value[], kind: Value['kind']): boolean {
  return isAll(r, values, kind) && values.some((v) => v.kind === kind);
}

function isAll(r: SimpleReadReturn, values: Value[], kind: Value['kind']): boolean {
  if (r.rows.type !== 'attribute') return true;
  return values.length > 0 && values.every((v) => v.kind === kind);
}

/** `gen` → `iter(list(gen))`, `iter(gen)` → `iter(list(gen))`, `rows` → `iter(rows)`. */
function wrapFix(model: FileModel, r: SimpleReadReturn, generator: boolean): Fix | undefined {
  const node = r.rows;
  if (node.hasError) return undefined;
  const text = model.textOf(node);
  if (!generator) {
    return { title: `Return \`iter(${short(text)})\``, applicability: 'safe', edits: [{ start: node.start, end: node.end, newText: `iter(${text})` }] };
  }
  // iter(x) → iter(list(x)), keeping the call.
  if (node.type === 'call' && childByField(node, 'function')?.text === 'iter' && model.evaluator.qualified(childByField(node, 'function')) === 'iter') {
    const list = childByField(node, 'arguments');
    if (list?.type === 'generator_expression') {
      return { title: 'Materialize the rows with `iter(list(...))`', applicability: 'safe', edits: [{ start: list.start, end: list.end, newText: `(list${model.textOf(list)})` }] };
    }
    const items = list?.children.filter((c) => c.named && c.type !== 'comment') ?? [];
    if (items.length !== 1 || items[0].type === 'keyword_argument' || items[0].type === 'list_splat') return undefined;
    const arg = items[0];
    return { title: 'Materialize the rows with `iter(list(...))`', applicability: 'safe', edits: [{ start: arg.start, end: arg.end, newText: `list(${model.textOf(arg)})` }] };
  }
  const inner = node.type === 'generator_expression' ? `list${text}` : `list(${text})`;
  return { title: 'Materialize the rows with `iter(list(...))`', applicability: 'safe', edits: [{ start: node.start, end: node.end, newText: `iter(${inner})` }] };
}
