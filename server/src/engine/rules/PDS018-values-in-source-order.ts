/**
 * PDS018 values-in-source-order: `read()` yields `tuple(d.values())` / `list(d.values())` of a
 * record. Spark matches tuple elements to schema fields by position (reference §5), so the
 * columns follow whatever key order the source sends. The seed's reader does this.
 */
import { type FileModel, type FunctionInfo, reachingBindings, rowExpressions, rowProducingMethods, simpleReadRowExpressions } from '../model';
import { childByField, type Node } from '../syntax';
import { defineRule } from './rule';

export default defineRule(
  {
    code: 'PDS018',
    name: 'values-in-source-order',
    summary: '`read()` yields `tuple(record.values())`: columns follow the source\'s key order, not the schema',
    defaultSeverity: 'information',
    fixAvailability: 'none',
    since: '0.2.0',
  },
  ({ model, report }) => {
    for (const cls of model.classes) {
      for (const { name, simpleRead } of rowProducingMethods(cls.role)) {
        const fn = cls.methods.get(name);
        if (!fn) continue;
        const rows = simpleRead ? simpleReadRowExpressions(model, fn) : rowExpressions(model, fn);
        const seen = new Set<Node>();
        for (const row of rows) {
          const found = valuesInSourceOrder(model, fn, row);
          if (!found || seen.has(found.call)) continue;
          seen.add(found.call);
          report({
            node: found.call,
            message: `\`${model.textOf(found.call).replace(/\s+/g, ' ')}\` follows the order of \`${found.record}\`'s keys, not the schema's: Spark matches tuples by position, so a key added, dropped or moved at the source puts values in the wrong columns; build the tuple in schema order`,
          });
        }
      }
    }
  },
);

/** `tuple(d.values())` / `list(d.values())`, directly or through a local the row is assigned from. */
function valuesInSourceOrder(model: FileModel, fn: FunctionInfo, row: Node): { call: Node; record: string } | undefined {
  let expr = row;
  while (expr.type === 'parenthesized_expression') expr = expr.children.find((c) => c.named && c.type !== 'comment') ?? expr;
  if (expr.type === 'identifier' && expr.text) {
    const bindings = reachingBindings(fn, expr.text, expr);
    for (const b of bindings) {
      if (b.kind === 'assign' && b.value) {
        const found = valuesCall(model, fn, b.value);
        if (found) return found;
      }
    }
    return undefined;
  }
  return valuesCall(model, fn, expr);
}

function valuesCall(model: FileModel, fn: FunctionInfo, expr: Node): { call: Node; record: string } | undefined {
  if (expr.type !== 'call') return undefined;
  const qualified = model.evaluator.qualified(childByField(expr, 'function'));
  if (qualified !== 'tuple' && qualified !== 'list') return undefined;
  const argList = childByField(expr, 'arguments')?.children.filter((c) => c.named && c.type !== 'comment') ?? [];
  if (argList.length !== 1 || argList[0].type !== 'call') return undefined;
  const inner = argList[0];
  const callee = childByField(inner, 'function');
  if (callee?.type !== 'attribute' || childByField(callee, 'attribute')?.text !== 'values') return undefined;
  if (childByField(inner, 'arguments')?.children.some((c) => c.named && c.type !== 'comment')) return undefined;
  const record = childByField(callee, 'object');
  if (!record || isOrderedRecord(model, fn, record)) return undefined;
  return { call: expr, record: model.textOf(record) };
}

/**
 * A record whose key order the code itself decides: a dict literal (or `dict(a=..)`) built in
 * the method, or a `Row`/namedtuple turned into a dict (`asDict()`, `_asdict()`).
 */
function isOrderedRecord(model: FileModel, fn: FunctionInfo, record: Node): boolean {
  if (record.type === 'call') {
    const callee = childByField(record, 'function');
    const method = callee?.type === 'attribute' ? childByField(callee, 'attribute')?.text : undefined;
    if (method === 'asDict' || method === '_asdict') return true;
  }
  const values = model.evaluator.evaluate(record, fn);
  return values.length > 0 && values.every((v) => v.kind === 'dict' && !v.open && (v.node.type === 'dictionary' || v.node.type === 'call'));
}
