/**
 * PDS013 simple-reader-without-replay: a `SimpleDataSourceStreamReader` without
 * `readBetweenOffsets(start, end)`. A batch whose rows are not in the driver's cache (replayed
 * after a restart or failure) is read on an executor through `readBetweenOffsets`; the base
 * class raises NOT_IMPLEMENTED and the query fails (reference §4, P10).
 *
 * Also, with their own messages, the replays P10 shows to lose or duplicate data without doubt:
 * one that never looks at `end`, one that returns no rows (`iter([])`), one that only raises or
 * is a stub (`pass`, `...`: it returns None).
 * Intermediate bases of the user's own are not required to have it (as PDS006, decision 13).
 */
import { allMethods, type ClassInfo, type FileModel, type FunctionInfo, hasClassAttribute, isConcreteClass, isEmptyLiteral, operandOf } from '../model';
import { childByField, type Node, walk } from '../syntax';
import type { Fix } from '../types';
import { appendToClassEdit, classBodyIndent, deeperIndent, ensureModuleImportEdit } from './helpers';
import { defineRule, type RuleContext } from './rule';

export default defineRule(
  {
    code: 'PDS013',
    name: 'simple-reader-without-replay',
    summary: 'A simple stream reader cannot replay a batch: `readBetweenOffsets` is missing, ignores `end`, or returns nothing',
    defaultSeverity: 'warning',
    fixAvailability: 'sometimes',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const products = model.factoryProducts;
    const checked = new Set<FunctionInfo>();
    for (const cls of model.classesWithRole('SimpleDataSourceStreamReader')) {
      if (cls.hasSyntaxError || !isConcreteClass(cls, products)) continue;
      const replay = allMethods(cls).get('readBetweenOffsets');
      if (!replay) {
        if (hasClassAttribute(cls, 'readBetweenOffsets')) continue;
        report({
          node: cls.nameNode,
          message: `simple stream reader \`${cls.name}\` does not define \`readBetweenOffsets\`: a batch replayed after a restart is read with it on an executor, and the base class raises NOT_IMPLEMENTED, so the query fails`,
          fix: templateFix(model, cls),
        });
        continue;
      }
      if (checked.has(replay) || replay.node.hasError || !model.contains(replay.node)) continue;
      checked.add(replay);
      checkReplay(replay, report);
    }
  },
);

function checkReplay(fn: FunctionInfo, report: RuleContext['report']): void {
  const params = fn.params.slice(fn.selfName ? 1 : 0);
  if (params.length < 2 || params.some((p) => p.kind === 'varargs' || p.kind === 'kwargs')) return;
  const statements = fn.body.children.filter((c) => c.named && c.type !== 'comment' && !isDocstring(c));

  // Only raises: the replayed batch fails just as with no method.
  if (statements.length && statements.every((s) => s.type === 'raise_statement')) {
    report({
      node: fn.nameNode,
      message: '`readBetweenOffsets` only raises: a batch replayed after a restart fails, so the query fails',
    });
    return;
  }
  // A stub (`pass`, `...`): it returns None, which Spark rejects.
  if (!fn.isGenerator && statements.every((s) => s.type === 'pass_statement' || (s.type === 'expression_statement' && s.children[0]?.type === 'ellipsis'))) {
    report({
      node: fn.nameNode,
      message: '`readBetweenOffsets` is a stub that returns None: a batch replayed after a restart fails with DATA_SOURCE_INVALID_RETURN_TYPE',
    });
    return;
  }

  // Returns no rows on every path: the replayed batch is committed empty.
  if (!fn.isGenerator && fn.returns.length) {
    const operands = fn.returns.map((r) => operandOf(r));
    if (operands.every((o) => o && isEmptyLiteral(o) && isIteratorCall(o))) {
      report({
        node: fn.returns[0],
        message: '`readBetweenOffsets` returns no rows: a batch replayed after a restart is committed empty and its rows are lost',
      });
      return;
    }
  }

  // Never reads `end`: it cannot stop where the batch stopped.
  const end = params[1];
  if (!mentions(fn.body, end.name) && !mentions(fn.body, 'locals') && !mentions(fn.body, 'vars')) {
    report({
      node: end.node,
      message: `\`readBetweenOffsets\` never uses \`${end.name}\`: a replayed batch gets whatever the source holds after \`${params[0].name}\` now, not the rows of (start, end], so rows are duplicated or lost`,
    });
  }
}

function isDocstring(stmt: Node): boolean {
  return stmt.type === 'expression_statement' && stmt.children[0]?.type === 'string';
}

function isIteratorCall(node: Node): boolean {
  let n: Node | undefined = node;
  while (n?.type === 'parenthesized_expression') n = operandOf(n);
  return n?.type === 'call' && childByField(n, 'function')?.text === 'iter';
}

/** The name is read somewhere in the body (nested functions and lambdas included). */
function mentions(body: Node, name: string): boolean {
  let found = false;
  walk(body, (n) => {
    if (found) return false;
    if (n.type === 'identifier' && n.text === name && !(n.parent?.type === 'attribute' && n.field === 'attribute') && !(n.parent?.type === 'keyword_argument' && n.field === 'name')) found = true;
    return undefined;
  });
  return found;
}

/**
 * A `readBetweenOffsets` that replays `read(start)` and checks that it ends at `end`: right when
 * `read` gives the same rows for the same start, and a loud failure (not lost rows) when the
 * source has moved on. Unsafe: the user must confirm (or write a real range read).
 */
function templateFix(model: FileModel, cls: ClassInfo): Fix | undefined {
  const jsonImport = ensureModuleImportEdit(model, 'json');
  if (jsonImport === 'taken') return undefined;
  const indent = classBodyIndent(model, cls);
  const inner = deeperIndent(model, indent);
  const deeper = deeperIndent(model, inner);
  const lines = [
    `${indent}def readBetweenOffsets(self, start, end):`,
    `${inner}# Spark calls this on an executor to replay the batch (start, end] after a restart.`,
    `${inner}# It replays read(start), which is right only when read() returns the same rows for`,
    `${inner}# the same start; if the source moves on, read exactly (start, end] from it instead.`,
    `${inner}rows, offset = self.read(start)`,
    `${inner}if json.dumps(offset) != json.dumps(end):`,
    `${deeper}raise RuntimeError(f"cannot replay ({start}, {end}]: read(start) now ends at {offset}")`,
    `${inner}return iter(list(rows))`,
  ];
  return {
    title: 'Add a `readBetweenOffsets` that replays `read(start)` up to `end`',
    applicability: 'unsafe',
    edits: [...(jsonImport ? [jsonImport] : []), appendToClassEdit(model, cls, lines)],
  };
}
