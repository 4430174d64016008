/**
 * PDS021 read-return-type: a reader's `read(partition)` (and the simple reader's
 * `readBetweenOffsets`) must return an iterator of tuples, lists, `Row`s or
 * `pyarrow.RecordBatch`es whose length matches the schema (reference §5, P15, decision 8).
 * The simple reader's `read(start)` is PDS022's.
 */
import {
  type ClassInfo,
  type FileModel,
  findMethod,
  type FunctionInfo,
  isInTailPosition,
  type LiteralSchema,
  operandOf,
  readerLiteralSchema,
  rowExpressions,
  type SparkRole,
  type Value,
} from '../model';
import { ancestors, childByField, isAncestor, type Node } from '../syntax';
import type { Fix } from '../types';
import { defineRule } from './rule';

const METHODS: Partial<Record<SparkRole, string>> = {
  DataSourceStreamReader: 'read',
  DataSourceReader: 'read',
  SimpleDataSourceStreamReader: 'readBetweenOffsets',
};

/** What a returned value that is not an iterator is, for messages. */
const NOT_AN_ITERATOR: Partial<Record<Value['kind'], string>> = {
  list: 'a list',
  tuple: 'a tuple',
  set: 'a set',
  dict: 'a dict',
  str: 'a string',
  json: 'a string',
  int: 'a number',
  float: 'a number',
  bool: 'a bool',
  bytes: 'bytes',
  none: '`None`',
};

/** Row values Spark rejects (DATA_SOURCE_INVALID_RETURN_TYPE). */
const NOT_A_ROW: Partial<Record<Value['kind'], string>> = {
  dict: 'a dict',
  str: 'a string',
  json: 'a JSON string',
  int: 'a scalar',
  float: 'a scalar',
  bool: 'a scalar',
  bytes: 'bytes',
  none: '`None`',
  datetime: 'a scalar',
  date: 'a scalar',
  decimal: 'a scalar',
  set: 'a set',
};

const ROW_CLASSES = new Set(['pyspark.sql.Row', 'pyspark.sql.types.Row']);

export default defineRule(
  {
    code: 'PDS021',
    name: 'read-return-type',
    summary: "A reader's `read()` returns a list instead of an iterator, or yields rows Spark rejects",
    defaultSeverity: 'error',
    fixAvailability: 'sometimes',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    for (const cls of model.classes) {
      const name = cls.role && METHODS[cls.role];
      const fn = name ? cls.methods.get(name) : undefined;
      if (!fn || fn.isAsync) continue;
      const label = `${cls.name}.${fn.name}()`;

      if (!fn.isGenerator) {
        const valueReturns = fn.returns.filter((r) => operandOf(r));
        for (const r of valueReturns) {
          const operand = operandOf(r)!;
          const what = notAnIterator(model, fn, operand);
          if (!what) continue;
          const isList = what === 'a list';
          report({
            node: r,
            message: `\`${label}\` returns ${what}, but Spark requires an iterator: the task fails with DATA_SOURCE_INVALID_RETURN_TYPE; ${isList ? '`yield from` the rows (or return `iter(...)`)' : what === 'a tuple' ? 'return only an iterator of the rows' : 'return an iterator, or `yield` the rows'}`,
            fix: isList && valueReturns.length === 1 && isInTailPosition(r, fn) ? yieldFromFix(model, r) : undefined,
          });
          reported.add(r);
        }
      }

      const schema = schemaFor(model, cls, fn);
      for (const row of rowExpressions(model, fn)) {
        for (const problem of rowProblems(model, fn, row, schema)) {
          if (reported.has(problem.node)) continue;
          reported.add(problem.node);
          report({ node: problem.node, message: `\`${label}\` ${problem.message}`, related: problem.related });
        }
      }
    }
  },
);

function notAnIterator(model: FileModel, fn: FunctionInfo, expr: Node): string | undefined {
  const values = model.evaluator.evaluate(expr, fn);
  // `self.x` gathers every assignment of the class, in any order: only report when none of them is an iterator.
  if (expr.type === 'attribute' && values.some((v) => !NOT_AN_ITERATOR[v.kind])) return undefined;
  for (const v of values) {
    const what = NOT_AN_ITERATOR[v.kind];
    if (what) return what;
  }
  return undefined;
}

/** `return rows` → `yield from rows` (safe: the function has no other value to return, and nothing runs after). */
function yieldFromFix(model: FileModel, statement: Node): Fix | undefined {
  if (!model.textOf(statement).startsWith('return')) return undefined;
  return {
    title: '`yield from` the rows instead of returning a list',
    applicability: 'safe',
    edits: [{ start: statement.start, end: statement.start + 'return'.length, newText: 'yield from' }],
  };
}

/**
 * The literal schema the rows of `fn` must match: the class's own, or that of every product
 * class (this class and its subclasses) that inherits this method, when they agree.
 */
function schemaFor(model: FileModel, cls: ClassInfo, fn: FunctionInfo): LiteralSchema | undefined {
  const users: ClassInfo[] = [];
  const visit = (c: ClassInfo) => {
    if (users.includes(c) || findMethod(c, fn.name) !== fn) return;
    users.push(c);
    for (const sub of c.subclasses) visit(sub);
  };
  visit(cls);
  let found: LiteralSchema | undefined;
  for (const c of users) {
    const s = readerLiteralSchema(model, c);
    if (!s) continue;
    if (found && found.fields.length !== s.fields.length) return undefined;
    found ??= s;
  }
  return found;
}

interface RowProblem {
  node: Node;
  message: string;
  related?: { start: number; end: number; message: string }[];
}

function rowProblems(model: FileModel, fn: FunctionInfo, row: Node, schema: LiteralSchema | undefined): RowProblem[] {
  const values = model.evaluator.evaluate(row, fn);
  const out: RowProblem[] = [];
  // Rows of a returned list or iterator are "returned", the others "yielded".
  const verb = ancestors(row).some((a) => a.type === 'yield') ? 'yields' : 'returns';
  const valid = values.some((v) => v.kind === 'tuple' || v.kind === 'list' || (v.kind === 'object' && !v.cls) || v.kind === 'unknown' || v.kind === 'param');
  if (!valid) {
    const bad = values.find((v) => NOT_A_ROW[v.kind]);
    if (bad) {
      out.push({
        node: row,
        message: `${verb} ${NOT_A_ROW[bad.kind]} as a row: each row must be a tuple, list, \`Row\` or \`pyarrow.RecordBatch\`, so the task fails with DATA_SOURCE_INVALID_RETURN_TYPE`,
      });
      return out;
    }
  }
  if (!schema) return out;
  const related = [{ start: schema.node.start, end: schema.node.end, message: `${schema.origin} declares ${schema.fields.length} field${schema.fields.length === 1 ? '' : 's'} here` }];
  const fieldList = schema.fields.map((f) => `\`${f}\``).join(', ');
  for (const v of values) {
    const arity = literalArity(v);
    if (arity !== undefined && arity !== schema.fields.length) {
      const node = isAncestor(fn.node, v.node) ? v.node : row;
      out.push({
        node,
        message: `${verb} a row of ${arity} value${arity === 1 ? '' : 's'}, but ${schema.origin} declares ${schema.fields.length} field${schema.fields.length === 1 ? '' : 's'} (${fieldList}): the task fails with DATA_SOURCE_RETURN_SCHEMA_MISMATCH`,
        related,
      });
      break;
    }
    const names = rowKeywordNames(model, v);
    if (names && !sameNames(names, schema.fields)) {
      const node = isAncestor(fn.node, v.node) ? v.node : row;
      out.push({
        node,
        message: `${verb} a \`Row\` with fields ${names.map((n) => `\`${n}\``).join(', ')}, but ${schema.origin} declares ${fieldList}: Spark matches a named Row by field name and fails the task with DATA_SOURCE_RETURN_SCHEMA_MISMATCH`,
        related,
      });
      break;
    }
  }
  return out;
}

/** The length of a tuple/list literal (or `Row(a, b)`), when it has no `*splat`. */
function literalArity(v: Value): number | undefined {
  const node = v.node;
  if ((v.kind === 'tuple' || v.kind === 'list') && v.items && (node.type === 'tuple' || node.type === 'list' || node.type === 'expression_list')) {
    if (node.children.some((c) => c.type === 'list_splat' || c.type === 'parenthesized_list_splat')) return undefined;
    return v.items.length;
  }
  return undefined;
}

/** Keyword names of `Row(a=1, b=2)` (none positional, no `**`). */
function rowKeywordNames(model: FileModel, v: Value): string[] | undefined {
  if (v.kind !== 'object' || v.node.type !== 'call') return undefined;
  const callee = childByField(v.node, 'function');
  if (!ROW_CLASSES.has(model.evaluator.qualified(callee) ?? '')) return undefined;
  const argList = childByField(v.node, 'arguments')?.children.filter((c) => c.named && c.type !== 'comment') ?? [];
  if (!argList.length || argList.some((a) => a.type !== 'keyword_argument')) return undefined;
  return argList.map((a) => childByField(a, 'name')?.text ?? '');
}

function sameNames(a: string[], b: string[]): boolean {
  const norm = (xs: string[]) => [...new Set(xs.map((x) => x.toLowerCase()))].sort().join('\0');
  return norm(a) === norm(b);
}
