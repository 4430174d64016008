/**
 * PDS010 ack-before-commit: a stream reader acknowledges, deletes or commits messages at the
 * source inside `read()`/`partitions()` (or `readBetweenOffsets()`). Those run before the batch
 * is durable; a failed task or a replayed batch then finds the messages gone (reference P9).
 * The only safe place is `commit(end)`.
 */
import {
  allMethods,
  type ClassInfo,
  entryCallSites,
  type FileModel,
  type FunctionInfo,
  isConcreteClass,
  isConsumerExpression,
  methodCallClosure,
  type SparkRole,
} from '../model';
import { childByField, type Node } from '../syntax';
import { defineRule } from './rule';

const ENTRIES: Partial<Record<SparkRole, string[]>> = {
  DataSourceStreamReader: ['read', 'partitions'],
  SimpleDataSourceStreamReader: ['read', 'readBetweenOffsets'],
};

/** Method names that acknowledge or delete messages whatever the receiver. */
const ACK_METHODS = new Set([
  'ack',
  'acknowledge',
  'basic_ack',
  'xack',
  'delete_message',
  'delete_messages',
  'delete_message_batch',
  'complete_message',
]);

/** Method names that acknowledge only on a message-queue consumer (`commit` is also a DB transaction's). */
const CONSUMER_METHODS = new Set(['commit', 'commit_async', 'store_offsets']);

/** Method names that acknowledge only on a message object (`msg.complete()`, SQS `message.delete()`). */
const MESSAGE_METHODS = new Set(['complete', 'delete']);

export default defineRule(
  {
    code: 'PDS010',
    name: 'ack-before-commit',
    summary: 'A stream reader acknowledges or deletes messages at the source before Spark commits the batch',
    defaultSeverity: 'warning',
    fixAvailability: 'none',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const products = model.factoryProducts;
    const reported = new Set<Node>();
    for (const cls of model.classes) {
      const entries = (cls.role && ENTRIES[cls.role]) || [];
      if (!entries.length || !isConcreteClass(cls, products)) continue;
      const methods = allMethods(cls);
      for (const name of entries) {
        const entry = methods.get(name);
        if (!entry) continue;
        const sites = entryCallSites(cls, entry);
        // Spark's own `commit` is the right place; a call of it from read() is not followed.
        for (const fn of methodCallClosure(cls, entry).filter((f) => f === entry || f.name !== 'commit')) {
          for (const call of fn.calls) {
            const ack = acknowledgement(model, fn, call);
            if (!ack) continue;
            const site = fn === entry ? call : sites.get(fn);
            if (!site || reported.has(site)) continue;
            reported.add(site);
            report({
              node: site,
              message: message(cls, entry, fn, ack),
              related: fn === entry ? [] : [{ start: call.start, end: call.end, message: `\`${ack}\` acknowledges messages here` }],
            });
          }
        }
      }
    }
  },
);

function message(cls: ClassInfo, entry: FunctionInfo, via: FunctionInfo, ack: string): string {
  const where = cls.role === 'SimpleDataSourceStreamReader' && entry.name === 'read' ? 'while Spark prefetches the batch, before it commits' : 'before Spark commits the batch';
  const what =
    via === entry
      ? `\`${ack}\` in \`${entry.name}()\` acknowledges messages at the source ${where}`
      : `\`${entry.name}()\` calls \`${via.name}()\`, which acknowledges messages at the source (\`${ack}\`) ${where}`;
  return `${what}: if the task is retried or the batch fails and is replayed, those messages are gone; acknowledge in \`commit(end)\``;
}

/** The call as written (`msg.ack()`), when it acknowledges messages; undefined otherwise. */
function acknowledgement(model: FileModel, fn: FunctionInfo, call: Node): string | undefined {
  const callee = childByField(call, 'function');
  if (callee?.type !== 'attribute') return undefined;
  const receiver = childByField(callee, 'object');
  const method = childByField(callee, 'attribute')?.text;
  if (!receiver || !method) return undefined;
  // self.helper() is followed as a method; super().x() is Spark's or the user's base.
  if (receiver.type === 'identifier' && receiver.text === fn.selfName) return undefined;
  if (receiver.type === 'call' && childByField(receiver, 'function')?.text === 'super') return undefined;
  const written = `${model.textOf(callee).replace(/\s+/g, '')}()`;
  if (ACK_METHODS.has(method)) return written;
  if (CONSUMER_METHODS.has(method) && isConsumerExpression(model, receiver, fn)) return written;
  if (MESSAGE_METHODS.has(method) && /msg|message/i.test(receiverName(receiver) ?? '')) return written;
  return undefined;
}

function receiverName(receiver: Node): string | undefined {
  if (receiver.type === 'identifier') return receiver.text ?? undefined;
  if (receiver.type === 'attribute') return childByField(receiver, 'attribute')?.text ?? undefined;
  return undefined;
}
