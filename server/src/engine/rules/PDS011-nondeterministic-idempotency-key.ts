/**
 * PDS011 nondeterministic-idempotency-key: a writer sends an idempotency key (or PUTs to a URL,
 * or upserts by a filter) built from a value that changes on retry: `uuid4()`, the clock,
 * `random`/`secrets`, `TaskContext.taskAttemptId()`/`attemptNumber()`, `id(row)`. The retry of
 * a task, or the replay of a batch after a restart, sends the same rows with a new key, and the
 * target stores them again (reference §6, P5). PDS004 stays silent on such sends (decision 9).
 */
import { childByField, type Node } from '../syntax';
import { args, type FileModel, inputsOf, isWriterRole, type VolatileSource, type WriterSend } from '../model';
import type { RelatedLocation } from '../types';
import { defineRule } from './rule';

interface Key {
  /** What the key is, for messages: `the "Idempotency-Key" key`, `the PUT URL`. */
  what: string;
  /** Where it shows (the field name, the URL). */
  node: Node;
  sources: VolatileSource[];
}

export default defineRule(
  {
    code: 'PDS011',
    name: 'nondeterministic-idempotency-key',
    summary: "A writer's idempotency key is built from a value that changes on retry (uuid4, the clock, random, the attempt id)",
    defaultSeverity: 'warning',
    fixAvailability: 'none',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    for (const cls of model.classes) {
      // A deterministic key may be in the part being typed.
      if (!isWriterRole(cls.role) || cls.hasSyntaxError) continue;
      for (const send of model.writerSends(cls)) {
        if (!send.fromData || send.call.hasError) continue;
        const keys = keysOf(model, send);
        // Any key that does not change on retry protects the send (or there is nothing to judge).
        if (!keys.length || keys.some((k) => !k.sources.length)) continue;
        for (const key of keys) {
          for (const source of key.sources) {
            if (reported.has(source.node)) continue;
            reported.add(source.node);
            const related: RelatedLocation[] = [{ start: send.call.start, end: send.call.end, message: `\`${send.operation}\` sends ${key.what} here` }];
            if (key.node.start < send.call.start || key.node.end > send.call.end) related.push({ start: key.node.start, end: key.node.end, message: `${capitalize(key.what)} is set here` });
            report({ node: source.node, message: message(model, source, key, send), related });
          }
        }
      }
    }
  },
);

/** The keys a send carries that decide whether a repeat is dropped. */
function keysOf(model: FileModel, send: WriterSend): Key[] {
  const ctx = { imports: model.imports, functions: model.functions, moduleBindings: model.moduleBindings };
  const judge = (expr: Node | undefined, scope: WriterSend['method'] | undefined) => inputsOf(expr, scope, ctx, { followSelf: true, followCallers: true }).volatile;
  const other = send.evidence.filter((e) => e.kind !== 'key-field' && e.kind !== 'put-url' && e.kind !== 'mongo-upsert');
  // MERGE, ON CONFLICT, put_item: replaced by the row's own key, whatever else is sent.
  if (other.length) return [];
  const keys: Key[] = [];
  for (const e of send.evidence) {
    if (e.kind === 'key-field' && send.appends && e.keyValue) {
      keys.push({ what: `the \`${e.name}\` key`, node: e.node, sources: judge(e.keyValue, e.scope ?? send.method) });
    } else if (e.kind === 'put-url') {
      keys.push({ what: 'the `PUT` URL', node: e.node, sources: judge(e.node, send.method) });
    } else if (e.kind === 'mongo-upsert') {
      const filter = args(send.call).positional[0] ?? args(send.call).keywords.get('filter');
      if (filter) keys.push({ what: 'the upsert filter', node: filter, sources: judge(filter, send.method) });
    }
  }
  return dedupe(keys);
}

function dedupe(keys: Key[]): Key[] {
  const seen = new Set<Node>();
  return keys.filter((k: Key) => (seen.has(k.node) ? false : (seen.add(k.node), true)));
}

const CHANGES: Record<VolatileSource['kind'], string> = {
  random: 'is new on every call',
  clock: 'reads the clock',
  attempt: 'is new on every task attempt',
  identity: 'is a memory address, different in every attempt',
};

function message(model: FileModel, source: VolatileSource, key: Key, send: WriterSend): string {
  const where = `\`${callText(model, source.node)}\` in ${key.what} of \`${send.operation}\``;
  if (source.perRun) {
    return `${where} is made once per query run: after a restart Spark replays the batch with a new writer, the key differs and the target stores the rows again; derive the key from the partition id and the row`;
  }
  return `${where} ${CHANGES[source.kind]}: when Spark retries the task or replays the batch, the key differs and the target stores the rows again; derive the key from the partition id and the row`;
}

function callText(model: FileModel, call: Node): string {
  const callee = childByField(call, 'function');
  const text = model.textOf(call).replace(/\s+/g, ' ');
  return text.length <= 40 ? text : `${callee ? model.textOf(callee) : 'call'}(...)`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

