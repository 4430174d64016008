/**
 * PDS020 write-returns-no-commit-message: a writer's `write()` that can end without returning a
 * `WriterCommitMessage`. Spark's write worker checks `isinstance(result, WriterCommitMessage)`
 * and fails the task with DATA_SOURCE_TYPE_MISMATCH (reference §6, P16). The seed's own
 * `IdempotentStreamWriter` falls off the end of `write()`.
 */
import {
  canFallOffEnd,
  type ClassInfo,
  classLineage,
  type FileModel,
  type FunctionInfo,
  isWriterRole,
  operandOf,
  returnsNone,
  roleOfQualifiedName,
  type Value,
} from '../model';
import type { Node } from '../syntax';
import type { Fix, TextEdit } from '../types';
import { endOfLastLine, ensureImportEdit, functionBodyIndent } from './helpers';
import { defineRule } from './rule';

const MODULE = 'pyspark.sql.datasource';
const MESSAGE = 'WriterCommitMessage';
const CONSEQUENCE = 'Spark requires a `WriterCommitMessage` instance and fails the task with DATA_SOURCE_TYPE_MISMATCH';

export default defineRule(
  {
    code: 'PDS020',
    name: 'write-returns-no-commit-message',
    summary: "A writer's `write()` can end without returning a `WriterCommitMessage`",
    defaultSeverity: 'error',
    fixAvailability: 'sometimes',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const products = model.factoryProducts;
    for (const cls of model.classes) {
      if (!isWriterRole(cls.role)) continue;
      const fn = cls.methods.get('write');
      if (!fn || fn.node.hasError || fn.isAsync || fn.decoratorNames.some((d) => d.endsWith('abstractmethod'))) continue;
      // An abstract base of the user's own whose `write` is a stub: its subclasses are checked.
      if (cls.subclasses.length && !products.has(cls) && isStub(fn)) continue;

      if (fn.isGenerator) {
        report({
          node: fn.nameNode,
          message: `\`${cls.name}.write()\` is a generator function: calling it returns a generator, not a \`WriterCommitMessage\`; ${CONSEQUENCE}`,
        });
        continue;
      }
      for (const statement of fn.returns) {
        if (returnsNone(statement)) {
          report({
            node: statement,
            message: `\`${model.textOf(statement)}\` in \`${cls.name}.write()\` returns \`None\`: ${CONSEQUENCE}`,
            fix: returnMessageFix(model, { start: statement.start, end: statement.end }, 'Return `WriterCommitMessage()` instead of `None`'),
          });
          continue;
        }
        const problem = notAMessage(model, fn, operandOf(statement)!);
        if (problem) report({ node: statement, message: `\`${cls.name}.write()\` returns ${problem}: ${CONSEQUENCE}` });
      }
      if (canFallOffEnd(fn)) {
        report({
          node: fn.nameNode,
          message: `\`${cls.name}.write()\` can end without a \`return\`, so it returns \`None\`: ${CONSEQUENCE}`,
          fix: appendReturnFix(model, fn),
        });
      }
    }
  },
);

/** Only `pass`, `...` and a docstring. */
function isStub(fn: FunctionInfo): boolean {
  return fn.body.children
    .filter((c) => c.named && c.type !== 'comment')
    .every((s) => s.type === 'pass_statement' || (s.type === 'expression_statement' && (s.children[0]?.type === 'ellipsis' || s.children[0]?.type === 'string')));
}

const NOT_A_MESSAGE_KINDS: Partial<Record<Value['kind'], string>> = {
  dict: 'a dict',
  list: 'a list',
  tuple: 'a tuple',
  set: 'a set',
  str: 'a string',
  json: 'a JSON string',
  int: 'a number',
  float: 'a number',
  bool: 'a bool',
  none: '`None`',
  datetime: 'a datetime',
  date: 'a date',
  decimal: 'a Decimal',
  bytes: 'bytes',
  generator: 'a generator',
  iterator: 'an iterator',
};

/** What the returned expression is when it can be something other than a commit message; undefined when it is one or unknown. */
function notAMessage(model: FileModel, fn: FunctionInfo, expr: Node): string | undefined {
  // `return WriterCommitMessage` (the class itself).
  if (expr.type === 'identifier' || expr.type === 'attribute') {
    const role = roleOfQualifiedName(model.evaluator.qualified(expr));
    const local = expr.type === 'identifier' ? model.classesByName.get(expr.text ?? '') : undefined;
    if (role === 'WriterCommitMessage' || local?.role === 'WriterCommitMessage') return `the class \`${model.textOf(expr)}\`, not an instance`;
  }
  const values = model.evaluator.evaluate(expr, fn);
  // `self.x` gathers every assignment of the class, in any order: only report when none of them is right.
  if (expr.type === 'attribute' && values.some((v) => !isNotAMessage(v))) return undefined;
  for (const v of values) {
    const kind = NOT_A_MESSAGE_KINDS[v.kind];
    if (kind) {
      const what = v.node === expr || expr.type !== 'identifier' ? kind : `${kind} (\`${model.textOf(expr)}\` can be \`${model.textOf(v.node).replace(/\s+/g, ' ').slice(0, 40)}\`)`;
      return what;
    }
    if (v.kind === 'object' && v.cls && isVisiblyNotAMessage(v.cls)) return `a \`${v.cls.name}\`, which is not a \`WriterCommitMessage\` subclass`;
    if (v.kind === 'class' && v.cls?.role === 'WriterCommitMessage') return `the class \`${v.cls.name}\`, not an instance`;
  }
  return undefined;
}

function isNotAMessage(v: Value): boolean {
  return !!NOT_A_MESSAGE_KINDS[v.kind] || (v.kind === 'object' && !!v.cls && isVisiblyNotAMessage(v.cls)) || (v.kind === 'class' && v.cls?.role === 'WriterCommitMessage');
}

/** Base classes that are certainly not `WriterCommitMessage`. */
const PLAIN_BASES = new Set(['object', 'dict', 'list', 'tuple', 'str', 'typing.NamedTuple', 'typing.TypedDict', 'collections.namedtuple']);

/**
 * A user class whose whole lineage is visible and never reaches `WriterCommitMessage`. A class
 * with a base that cannot be seen (imported from another module) is assumed to be a commit
 * message (decision 12).
 */
function isVisiblyNotAMessage(cls: ClassInfo): boolean {
  if (cls.role === 'WriterCommitMessage') return false;
  if (cls.role) return true;
  for (const k of classLineage(cls)) {
    for (const base of k.bases) {
      if (base.userClass) continue;
      if (!base.qualified || !PLAIN_BASES.has(base.qualified)) return false;
    }
  }
  return true;
}

/** How to write `WriterCommitMessage()` in this file, and the import it needs. */
function messageConstructor(model: FileModel): { text: string; importEdit?: TextEdit } | undefined {
  const imports = model.imports.all().filter((b) => !b.nested);
  const direct = imports.find((b) => b.qualified === `${MODULE}.${MESSAGE}` || b.qualified === `pyspark.sql.streaming.datasource.${MESSAGE}`);
  if (direct) return { text: `${direct.local}()` };
  const moduleAlias = imports.find((b) => b.qualified === MODULE && b.local !== MODULE);
  if (moduleAlias) return { text: `${moduleAlias.local}.${MESSAGE}()` };
  if (model.imports.get(MESSAGE) || model.classesByName.has(MESSAGE) || model.functions.has(MESSAGE) || model.moduleBindings.has(MESSAGE)) return undefined;
  return { text: `${MESSAGE}()`, importEdit: ensureImportEdit(model, MODULE, MESSAGE) };
}

function returnMessageFix(model: FileModel, range: { start: number; end: number }, title: string): Fix | undefined {
  const ctor = messageConstructor(model);
  if (!ctor) return undefined;
  const edits: TextEdit[] = [{ ...range, newText: `return ${ctor.text}` }];
  if (ctor.importEdit) edits.push(ctor.importEdit);
  return { title, applicability: 'safe', edits };
}

function appendReturnFix(model: FileModel, fn: FunctionInfo): Fix | undefined {
  // A body on the `def` line cannot take another line.
  const first = fn.body.children.find((c) => c.named && c.type !== 'comment');
  if (!first || model.lines.lineOf(first.start) === model.lines.lineOf(fn.nameNode.start)) return undefined;
  const ctor = messageConstructor(model);
  if (!ctor) return undefined;
  const at = endOfLastLine(model, fn.body);
  const nl = model.lines.lineBreak(model.lines.lineOf(at));
  const edits: TextEdit[] = [{ start: at, end: at, newText: `${nl}${functionBodyIndent(model, fn)}return ${ctor.text}` }];
  if (ctor.importEdit) edits.push(ctor.importEdit);
  return { title: 'Return `WriterCommitMessage()` at the end of `write()`', applicability: 'safe', edits };
}
