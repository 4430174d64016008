/**
 * PDS004 writer-without-idempotency: a stream writer's `write()` (or a method of the same class it
 * calls) sends rows to an external system with an operation that appends (HTTP POST/PATCH, SQL
 * INSERT, Kafka/Kinesis/SQS/SNS/Pub/Sub publish, Mongo insert) and no idempotency key. Spark runs
 * `write()` again for the same rows on a task retry or a batch replay (reference §6, P5): the
 * target stores them twice.
 *
 * A key that is sent but changes on retry is PDS011's (decision 9): any key field silences this rule.
 */
import { type ClassInfo, type FileModel, isStreamWriterRole, type WriterSend, args } from '../model';
import { childByField, isAncestor, type Node } from '../syntax';
import type { Fix, RelatedLocation, TextEdit } from '../types';
import { appendElementEdit, endOfLastLine, ensureImportEdit, ensureModuleImportEdit, indentOf } from './helpers';
import { defineRule } from './rule';

/** What the send does without a key, and what a repeat of it leaves behind. */
const WHAT: Record<WriterSend['channel'], { does: string; again: string }> = {
  http: { does: 'sends rows with no idempotency key', again: 'the target receives them again and stores duplicates' },
  sql: { does: 'runs an `INSERT` with no `ON CONFLICT`, `ON DUPLICATE KEY` or `MERGE`', again: 'the rows are inserted again' },
  kafka: { does: 'publishes rows with no dedup key', again: 'they are published again and consumers see duplicates' },
  kinesis: { does: 'puts rows on the stream with no dedup key', again: 'they are put again and consumers see duplicates' },
  sqs: { does: 'queues rows with no `MessageDeduplicationId`', again: 'they are queued again and consumers see duplicates' },
  sns: { does: 'publishes rows with no `MessageDeduplicationId`', again: 'they are published again and subscribers see duplicates' },
  pubsub: { does: 'publishes rows with no dedup key', again: 'they are published again and subscribers see duplicates' },
  mongo: { does: 'inserts documents with no upsert', again: 'they are inserted again as duplicate documents' },
  dynamodb: { does: 'puts items', again: 'they are written again' },
};

export default defineRule(
  {
    code: 'PDS004',
    name: 'writer-without-idempotency',
    summary: "A stream writer sends rows with no idempotency key or upsert, so retries duplicate them",
    defaultSeverity: 'warning',
    fixAvailability: 'sometimes',
    since: '0.1.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    for (const cls of model.classes) {
      // The finding is about something absent: a class being typed may be about to get its key.
      if (!isStreamWriterRole(cls.role) || cls.hasSyntaxError) continue;
      for (const send of model.writerSends(cls)) {
        if (!send.appends || send.evidence.length || reported.has(send.call) || send.call.hasError) continue;
        // A bare `post(url)`, a token request: nothing of the rows is sent.
        if (!send.fromData) continue;
        reported.add(send.call);
        const what = WHAT[send.channel];
        const where = send.via.length ? `\`${send.method.name}()\`, called from \`write()\`,` : '`write()`';
        const related: RelatedLocation[] = send.via.map((call) => ({ start: call.start, end: call.end, message: `\`write()\` reaches \`${send.method.name}()\` through this call` }));
        report({
          node: send.call,
          message: `\`${send.operation}\` in ${where} ${what.does}: when Spark retries the task or replays the batch, ${what.again}`,
          related,
          fix: keyFix(model, cls, send),
        });
      }
    }
  },
);

/**
 * The seed's pattern for `requests.post(url, json={...})`-like calls inside `for row in iterator:`
 * in `write()` itself: a SHA-256 key over the partition id and the row, sent as an
 * `idempotency_key` body field (a `json=` dict literal) or an `Idempotency-Key` header.
 */
function keyFix(model: FileModel, cls: ClassInfo, send: WriterSend): Fix | undefined {
  if (send.channel !== 'http' || send.via.length || cls.role !== 'DataSourceStreamWriter') return undefined;
  const write = send.method;
  const iterator = write.params[write.selfName ? 1 : 0]?.name;
  if (write.name !== 'write' || !iterator) return undefined;

  // The loop over the rows that holds the send, with nothing function-like in between.
  let loop: Node | undefined;
  for (let p = send.call.parent; p && p !== write.node; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') return undefined;
    if (p.type === 'for_statement' && !loop) {
      const right = childByField(p, 'right');
      const left = childByField(p, 'left');
      if (right?.type === 'identifier' && right.text === iterator && left?.type === 'identifier') loop = p;
    }
  }
  const row = loop && childByField(loop, 'left')?.text;
  if (!loop || !row) return undefined;
  let statement = send.call;
  while (statement.parent && statement.parent.type !== 'block') statement = statement.parent;
  if (!startsLine(model, statement) || !startsLine(model, loop) || !isAncestor(loop, statement)) return undefined;

  // Where the key goes: a field of a `json=` dict literal, else an `Idempotency-Key` header.
  const argList = childByField(send.call, 'arguments');
  if (!argList || argList.type !== 'argument_list') return undefined;
  const { keywords, all } = args(send.call);
  const body = keywords.get('json');
  const headers = keywords.get('headers');
  const used = identifiersIn(write.node);
  const fresh = (name: string) => {
    let candidate = name;
    for (let i = 2; used.has(candidate); i++) candidate = `${name}${i}`;
    used.add(candidate);
    return candidate;
  };

  const edits: TextEdit[] = [];
  const nl = model.lines.lineBreak();
  const json = ensureModuleImportEdit(model, 'json', write.node);
  const hashlib = ensureModuleImportEdit(model, 'hashlib', write.node);
  if (json === 'taken' || hashlib === 'taken') return undefined;

  // The partition id: an existing `x = ....partitionId()` before the loop, else a new one.
  let partition = existingPartitionId(model, write, loop);
  if (!partition) {
    const taskContext = model.imports.get('TaskContext');
    if (taskContext && !taskContext.qualified.endsWith('.TaskContext')) return undefined;
    const inWrite = !!taskContext && taskContext.node.start >= write.node.start && taskContext.node.end <= write.node.end;
    if (!taskContext) {
      const edit = ensureImportEdit(model, 'pyspark', 'TaskContext');
      if (edit) edits.push(edit);
    } else if (taskContext.nested && !inWrite) {
      // Imported inside another method only: write() needs its own import.
      const last = [...model.root.children].reverse().find((s) => s.type === 'import_statement' || s.type === 'import_from_statement');
      const at = last ? endOfLastLine(model, last) : 0;
      edits.push(last ? { start: at, end: at, newText: `${nl}from pyspark import TaskContext` } : { start: 0, end: 0, newText: `from pyspark import TaskContext${nl}` });
    }
    partition = fresh('partition_id');
    const at = startAboveComments(model, loop);
    edits.push({ start: at, end: at, newText: `${indentOf(model, loop)}${partition} = TaskContext.get().partitionId()${nl}` });
  }
  const rowDict = existingRowDict(model, write, loop, statement, row) ?? `${row}.asDict()`;
  const keyData = fresh('key_data');
  const key = fresh('idempotency_key');
  const indent = indentOf(model, statement);
  const at = startAboveComments(model, statement);
  edits.push({
    start: at,
    end: at,
    newText:
      `${indent}${keyData} = json.dumps({"partition": ${partition}, "row": ${rowDict}}, sort_keys=True, default=str)${nl}` +
      `${indent}${key} = hashlib.sha256(${keyData}.encode()).hexdigest()${nl}`,
  });

  let where: string;
  if (body?.type === 'dictionary' && !body.hasError) {
    edits.push(...appendElementEdit(model, body, body.children.filter((c) => c.type === 'pair' || c.type === 'dictionary_splat'), `"idempotency_key": ${key}`));
    where = 'an `idempotency_key` field';
  } else if (!headers) {
    edits.push(...appendElementEdit(model, argList, all, `headers={"Idempotency-Key": ${key}}`));
    where = 'an `Idempotency-Key` header';
  } else if (headers.type === 'dictionary' && !headers.hasError) {
    edits.push(...appendElementEdit(model, headers, headers.children.filter((c) => c.type === 'pair' || c.type === 'dictionary_splat'), `"Idempotency-Key": ${key}`));
    where = 'an `Idempotency-Key` header';
  } else {
    return undefined;
  }
  // Alphabetical, as both may be inserted at one place.
  for (const e of [hashlib, json]) if (e) edits.push(e);
  return {
    title: `Send a deterministic idempotency key (SHA-256 of partition id and row) as ${where}`,
    applicability: 'unsafe',
    edits,
  };
}

/** The start of the statement's line, or of the comment lines right above it that describe it. */
function startAboveComments(model: FileModel, statement: Node): number {
  const indent = indentOf(model, statement);
  let line = model.lines.lineOf(statement.start);
  while (line > 0) {
    const above = model.lines.lineText(line - 1);
    if (!above.startsWith(indent) || !above.slice(indent.length).startsWith('#')) break;
    line--;
  }
  return model.lines.lineStarts[line];
}

function startsLine(model: FileModel, node: Node): boolean {
  const line = model.lines.lineOf(node.start);
  return model.text.slice(model.lines.lineStarts[line], node.start).trim() === '';
}

function identifiersIn(node: Node): Set<string> {
  const out = new Set<string>();
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier' && n.text) out.add(n.text);
    stack.push(...n.children);
  }
  return out;
}

/** A local assigned `<...>.partitionId()` in a block that encloses the loop, before it. */
function existingPartitionId(model: FileModel, write: WriterSend['method'], loop: Node): string | undefined {
  for (const [name, bindings] of write.localBindings) {
    for (const b of bindings) {
      if (b.kind !== 'assign' || !b.value || b.statement.start > loop.start) continue;
      if (!/\.partitionId\(\s*\)$/.test(model.textOf(b.value))) continue;
      const block = b.statement.parent?.parent;
      if (block && isAncestor(block, loop) && (bindings.length === 1)) return name;
    }
  }
  return undefined;
}

/** A local `row_dict = row.asDict()` in the loop before the send's statement, the only binding of its name. */
function existingRowDict(model: FileModel, write: WriterSend['method'], loop: Node, statement: Node, row: string): string | undefined {
  for (const [name, bindings] of write.localBindings) {
    if (bindings.length !== 1) continue;
    const b = bindings[0];
    if (b.kind !== 'assign' || !b.value || b.statement.start > statement.start || !isAncestor(loop, b.statement)) continue;
    const block = b.statement.parent?.parent;
    if (block && isAncestor(block, statement) && model.textOf(b.value).replace(/\s+/g, '') === `${row}.asDict()`) return name;
  }
  return undefined;
}
