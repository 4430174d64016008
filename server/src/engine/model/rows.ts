/**
 * The expressions that become rows of a reader's `read()`: what it yields, the elements of what
 * it `yield from`s, and, for a `read()` that returns its iterator, the elements of the returned
 * literal, comprehension or `iter(...)`. Only what is written in the method itself is followed
 * (and locals it appends rows to), so a finding always points into the method.
 */
import { childByField, type Node } from '../syntax';
import type { FunctionInfo } from './functions';
import type { FileModel } from './index';
import { args, reachingBindings } from './values';

/** True for `yield from x` (the `from` keyword is not kept in the syntax snapshot). */
export function isYieldFrom(model: FileModel, yieldNode: Node): boolean {
  return /^yield\s+from\b/.test(model.textOf(yieldNode).slice(0, 40));
}

/** The expression a `yield` or `return` gives, if any. */
export function operandOf(node: Node): Node | undefined {
  return node.children.find((c) => c.named && c.type !== 'comment');
}

const MAX_DEPTH = 4;

/** The elements of an iterable expression written in `fn`: literal items, comprehension bodies, appended values. */
export function iterableElements(model: FileModel, fn: FunctionInfo, expr: Node | undefined, depth = 0): Node[] {
  if (!expr || depth > MAX_DEPTH) return [];
  switch (expr.type) {
    case 'parenthesized_expression':
      return iterableElements(model, fn, operandOf(expr), depth + 1);
    case 'list':
    case 'tuple':
    case 'set':
      return expr.children.filter((c) => c.named && c.type !== 'comment' && c.type !== 'list_splat');
    case 'list_comprehension':
    case 'generator_expression':
    case 'set_comprehension': {
      const body = childByField(expr, 'body');
      return body ? [body] : [];
    }
    case 'call': {
      const qualified = model.evaluator.qualified(childByField(expr, 'function'));
      if (qualified === 'iter' || qualified === 'list' || qualified === 'tuple') return iterableElements(model, fn, args(expr).positional[0], depth + 1);
      return [];
    }
    case 'identifier': {
      const name = expr.text ?? '';
      const out: Node[] = [];
      for (const b of reachingBindings(fn, name, expr)) {
        if (b.kind === 'assign' && b.value) out.push(...iterableElements(model, fn, b.value, depth + 1));
      }
      // rows.append(x) / rows.extend([...]) anywhere in the method.
      for (const call of fn.calls) {
        const callee = childByField(call, 'function');
        if (callee?.type !== 'attribute' || childByField(callee, 'object')?.text !== name || childByField(callee, 'object')?.type !== 'identifier') continue;
        const method = childByField(callee, 'attribute')?.text;
        const first = args(call).positional[0];
        if (method === 'append' && first) out.push(first);
        else if (method === 'extend') out.push(...iterableElements(model, fn, first, depth + 1));
      }
      return out;
    }
    default:
      return [];
  }
}

/** Every expression written in `fn` that becomes one row of its output. */
export function rowExpressions(model: FileModel, fn: FunctionInfo): Node[] {
  const out: Node[] = [];
  for (const y of fn.yields) {
    const operand = operandOf(y);
    if (!operand) continue;
    if (isYieldFrom(model, y)) out.push(...iterableElements(model, fn, operand));
    else out.push(operand);
  }
  if (!fn.isGenerator) {
    for (const r of fn.returns) out.push(...iterableElements(model, fn, operandOf(r)));
  }
  return out;
}

/** Rows of a simple reader's `read(start)`: the first element of each returned `(rows, next_offset)` pair. */
export function simpleReadRowExpressions(model: FileModel, fn: FunctionInfo): Node[] {
  const out: Node[] = [];
  for (const r of fn.returns) {
    let pair = operandOf(r);
    while (pair?.type === 'parenthesized_expression') pair = operandOf(pair);
    if (pair?.type !== 'tuple' && pair?.type !== 'expression_list') continue;
    const first = pair.children.find((c) => c.named && c.type !== 'comment');
    out.push(...iterableElements(model, fn, first));
  }
  return out;
}

/** The methods whose output is rows, by reader role: `read`, and the simple reader's replay. */
export function rowProducingMethods(role: string | undefined): { name: string; simpleRead: boolean }[] {
  switch (role) {
    case 'DataSourceStreamReader':
    case 'DataSourceReader':
      return [{ name: 'read', simpleRead: false }];
    case 'SimpleDataSourceStreamReader':
      return [
        { name: 'read', simpleRead: true },
        { name: 'readBetweenOffsets', simpleRead: false },
      ];
    default:
      return [];
  }
}
