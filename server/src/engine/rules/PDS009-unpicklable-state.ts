/**
 * PDS009 unpicklable-state: `__init__` of a class Spark pickles (DataSource, reader, writer,
 * InputPartition, WriterCommitMessage) stores a client, connection, lock, socket, open file or
 * generator on `self` (reference §3, P8). Pickling fails, or executors get a dead connection.
 */
import {
  allMethods,
  type Binding,
  type ClassInfo,
  classLineage,
  executorEntryNames,
  type FileModel,
  type FunctionInfo,
  isReaderRole,
  isWriterRole,
  methodCallClosure,
  methodSides,
  type SparkRole,
  unpicklableConstruction,
  type UnpicklableConstruction,
  type UnpicklableKind,
} from '../model';
import { childByField, type Node, walk } from '../syntax';
import type { Fix } from '../types';
import { functionBodyIndent } from './helpers';
import { defineRule } from './rule';

const PICKLED_ROLES: ReadonlySet<SparkRole> = new Set<SparkRole>(['DataSource', 'InputPartition', 'WriterCommitMessage']);

/** Methods that take over pickling: the author decides what is sent. */
const CUSTOM_PICKLING = ['__getstate__', '__reduce__', '__reduce_ex__', '__getnewargs__', '__getnewargs_ex__'];

const WHAT: Record<UnpicklableKind, string> = {
  client: 'a client',
  connection: 'a database connection',
  consumer: 'a consumer',
  producer: 'a producer',
  lock: 'a lock',
  thread: 'a thread',
  socket: 'a socket',
  file: 'an open file',
  channel: 'a gRPC channel',
  generator: 'a generator',
};

export default defineRule(
  {
    code: 'PDS009',
    name: 'unpicklable-state',
    summary: '`__init__` stores a client, connection, lock, socket, open file or generator on an object Spark pickles',
    defaultSeverity: 'error',
    fixAvailability: 'sometimes',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    for (const cls of model.classes) {
      if (!cls.role || !(isReaderRole(cls.role) || isWriterRole(cls.role) || PICKLED_ROLES.has(cls.role))) continue;
      const init = cls.methods.get('__init__');
      if (!init) continue;
      if (classLineage(cls).some((k) => CUSTOM_PICKLING.some((m) => k.methods.has(m)))) continue;
      for (const fn of methodCallClosure(cls, init)) {
        for (const [attr, bindings] of fn.selfWrites) {
          for (const b of bindings) {
            if ((b.kind !== 'assign' && b.kind !== 'walrus') || !b.value || reported.has(b.statement)) continue;
            const made = unpicklableConstruction(model, b.value, fn);
            if (!made) continue;
            reported.add(b.statement);
            const via = fn === init ? '' : ` (in \`${fn.name}()\`, called from \`__init__\`)`;
            report({
              node: b.statement,
              message: `\`self.${attr}\`${via} holds ${WHAT[made.kind]} (\`${made.label}\`): ${consequence(cls, made.kind)}; ${advice(cls)}`,
              related: made.node.start < b.statement.start || made.node.end > b.statement.end ? [{ start: made.node.start, end: made.node.end, message: `${WHAT[made.kind]} is created here` }] : [],
              fix: fn === init ? moveToExecutorFix(model, cls, init, attr, b, made) : undefined,
            });
          }
        }
      }
    }
  },
);

/** Objects that hold a connection: if they pickle at all, the copy is not connected. */
const CONNECTED: ReadonlySet<UnpicklableKind> = new Set<UnpicklableKind>(['client', 'connection', 'consumer', 'producer', 'socket', 'channel']);

function consequence(cls: ClassInfo, kind: UnpicklableKind): string {
  const outcome = CONNECTED.has(kind) ? 'it cannot be pickled (the query fails) or arrives with a dead connection' : 'it cannot be pickled, so the query fails';
  switch (cls.role) {
    case 'DataSource':
      return `Spark pickles the DataSource to every worker, and ${outcome}`;
    case 'InputPartition':
      return `Spark pickles each partition to send it to an executor, and ${outcome}`;
    case 'WriterCommitMessage':
      return `Spark pickles commit messages back to the driver, and ${outcome}`;
    default:
      return `Spark pickles the ${isWriterRole(cls.role) ? 'writer' : 'reader'} for the executors, and ${outcome}`;
  }
}

function advice(cls: ClassInfo): string {
  const entry = executorEntryNames(cls.role)[0];
  if (entry) return `create it in \`${entry}()\` instead`;
  if (cls.role === 'DataSource') return 'create it in the reader or writer method that uses it';
  return 'keep only plain values in it';
}

/** What the fix moves; a generator, lock or thread made per call would not mean what the shared one meant. */
const MOVABLE: ReadonlySet<UnpicklableKind> = new Set<UnpicklableKind>(['client', 'connection', 'consumer', 'producer', 'socket', 'channel', 'file']);

/**
 * Moves `self.x = make_client(...)` from `__init__` to the top of the executor method, when that
 * is the only place `x` is used and the construction reads nothing local to `__init__`.
 */
function moveToExecutorFix(model: FileModel, cls: ClassInfo, init: FunctionInfo, attr: string, binding: Binding, made: UnpicklableConstruction): Fix | undefined {
  if (!MOVABLE.has(made.kind) || binding.value !== made.node || binding.kind !== 'assign') return undefined;
  const statement = binding.statement;
  const expressionStatement = statement.parent;
  if (statement.type !== 'assignment' || binding.target.type !== 'attribute' || expressionStatement?.type !== 'expression_statement' || expressionStatement.parent !== init.body) return undefined;
  const methods = allMethods(cls);
  const entries = executorEntryNames(cls.role).map((n) => methods.get(n)).filter((f): f is FunctionInfo => !!f);
  if (entries.length !== 1) return undefined;
  const entry = entries[0];
  // Only into a method of the same class: a base class's method also runs for its other subclasses.
  if (entry.owner !== init.owner || entry.node.hasError) return undefined;

  // `x` is assigned only here, and read only on the executor path (not by __init__ or the driver).
  const lineage = classLineage(cls);
  const writes = lineage.flatMap((k) => [...k.methods.values()]).flatMap((f) => f.selfWrites.get(attr) ?? []);
  if (writes.length !== 1 || lineage.some((k) => k.classAttributes.has(attr))) return undefined;
  const sides = methodSides(cls);
  const readers = lineage.flatMap((k) => [...k.methods.values()]).filter((f) => f.selfReads.has(attr));
  if (!readers.length || readers.some((f) => [...(sides.get(f) ?? [])].join() !== 'executor')) return undefined;
  if (!constructionIsPortable(model, init, made.node)) return undefined;

  const lines = model.lines;
  const statementLine = lines.lineOf(expressionStatement.start);
  // Comment lines right above the statement describe it: they move with it.
  let firstLine = statementLine;
  while (firstLine > 0 && /^\s*#/.test(lines.lineText(firstLine - 1)) && indentText(lines.lineText(firstLine - 1)) === indentText(lines.lineText(statementLine))) firstLine--;
  const lastLine = lines.lineOf(expressionStatement.end - 1);
  const before = model.text.slice(lines.lineStarts[statementLine], expressionStatement.start);
  const after = model.text.slice(expressionStatement.end, lines.lineEndWithoutBreak(lastLine));
  // The statement must be alone on its lines.
  if (before.trim() || after.trim()) return undefined;

  // Where it goes: the top of the executor method, after its docstring and after constructions moved earlier (keeps their order).
  const body = entry.body.children.filter((c) => c.named && c.type !== 'comment');
  if (!body.length || lines.lineOf(body[0].start) === lines.lineOf(entry.nameNode.start)) return undefined;
  let index = 0;
  while (index < body.length && (isDocstring(body[index], index) || isMovedConstruction(model, entry, body[index]))) index++;
  if (index >= body.length) return undefined;
  const anchor = body[index];
  const anchorLineStart = lines.lineStarts[lines.lineOf(anchor.start)];
  if (model.text.slice(anchorLineStart, anchor.start).trim()) return undefined;

  const nl = lines.lineBreak(firstLine);
  const indent = functionBodyIndent(model, entry);
  const comments: string[] = [];
  for (let line = firstLine; line < statementLine; line++) comments.push(`${indent}${lines.lineText(line).trim()}${nl}`);
  const moved = `${comments.join('')}${indent}${model.textOf(statement)}${nl}`;
  const initStatements = init.body.children.filter((c) => c.named && c.type !== 'comment');
  // The body's only statement becomes `pass` (a docstring alone is a valid body).
  const onlyStatement = initStatements.length === 1;
  const removeStart = lines.lineStarts[firstLine];
  const removeEnd = lastLine + 1 < lines.lineCount ? lines.lineStarts[lastLine + 1] : model.text.length;
  const removal = onlyStatement
    ? { start: lines.lineStarts[firstLine], end: expressionStatement.end, newText: `${indentText(lines.lineText(statementLine))}pass` }
    : { start: removeStart, end: removeEnd, newText: '' };
  return {
    title: `Create \`self.${attr}\` in \`${entry.name}()\` instead of \`__init__\``,
    applicability: 'unsafe',
    edits: [removal, { start: anchorLineStart, end: anchorLineStart, newText: moved }],
  };
}

function indentText(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

function isDocstring(stmt: Node, index: number): boolean {
  return index === 0 && stmt.type === 'expression_statement' && stmt.children[0]?.type === 'string';
}

/** `self.x = <unpicklable construction>` at the top of the executor method (moved there by an earlier fix). */
function isMovedConstruction(model: FileModel, entry: FunctionInfo, stmt: Node): boolean {
  const assign = stmt.type === 'expression_statement' ? stmt.children[0] : undefined;
  if (assign?.type !== 'assignment') return false;
  const left = childByField(assign, 'left');
  const right = childByField(assign, 'right');
  if (left?.type !== 'attribute' || childByField(left, 'object')?.text !== entry.selfName || right?.type !== 'call') return false;
  const made = unpicklableConstruction(model, right, entry);
  return !!made && made.node === right;
}

/**
 * The construction means the same in the executor method: it uses no parameter or local of
 * `__init__` (only `self`, module names and builtins), and no `self.y` that is not set in
 * `__init__` itself.
 */
function constructionIsPortable(model: FileModel, init: FunctionInfo, expr: Node): boolean {
  let portable = true;
  walk(expr, (n) => {
    if (!portable) return false;
    if (n.type === 'lambda' || n.type.endsWith('comprehension') || n.type === 'generator_expression' || n.type === 'named_expression') {
      portable = false;
      return false;
    }
    if (n.type === 'attribute') {
      const object = childByField(n, 'object');
      if (object?.type !== 'identifier') return undefined;
      if (object.text === init.selfName) {
        const attr = childByField(n, 'attribute')?.text;
        const setInInit = !!attr && !!init.selfWrites.get(attr)?.some((b) => !!b.value && !unpicklableConstruction(model, b.value, init));
        if (!setInInit) portable = false;
      } else if (object.text && init.localBindings.has(object.text)) {
        portable = false;
      }
      return false;
    }
    // Attribute names and keyword names are not variables.
    if (n.type === 'identifier' && n.field !== 'attribute' && !(n.field === 'name' && n.parent?.type === 'keyword_argument')) {
      if (n.text && init.localBindings.has(n.text)) portable = false;
    }
    return undefined;
  });
  return portable;
}
