/**
 * What a stream writer sends to external systems, and what makes each send safe to repeat.
 *
 * Spark re-runs `write()` for the same rows when a task is retried or a batch is replayed after a
 * restart (reference §6), so every row a writer sends can arrive twice. A send is harmless when the
 * operation replaces by key (HTTP `PUT`, DynamoDB `put_item`, `MERGE`, `ON CONFLICT`, Mongo upserts)
 * or when it carries an idempotency/dedup key the target uses to drop the repeat. This module
 * finds the sends of `write()` and of the methods of the same class it calls, with that evidence
 * and the expression each key is built from (rules on key determinism evaluate it).
 *
 * Only the APIs of rules.md decision 4 count as sends; calls of other SDKs are not sends.
 */
import { childByField, type Node, stringText, stringValue, walk } from '../syntax';
import { type ClassInfo, classLineage, findMethod } from './classes';
import type { Binding, FunctionInfo } from './functions';
import { type ImportTable, qualifiedName, writtenName } from './imports';
import { args, type Evaluator, reachingBindings } from './values';

export type SendChannel = 'http' | 'sql' | 'kafka' | 'kinesis' | 'sqs' | 'sns' | 'pubsub' | 'mongo' | 'dynamodb';

export type EvidenceKind =
  /** An idempotency/dedup key in a header, body field, keyword argument or message attribute. */
  | 'key-field'
  /** HTTP `PUT` to a URL built from data (the resource is replaced, not appended). */
  | 'put-url'
  /** DynamoDB `put_item` (directly or through `batch_writer`): replaces by primary key. */
  | 'replace-by-key'
  /** SQL `MERGE`, `ON CONFLICT`, `ON DUPLICATE KEY`, `INSERT OR REPLACE/IGNORE`, `REPLACE INTO`, `UPSERT`. */
  | 'sql-upsert'
  /** Mongo `replace_one`/`update_one`/`update_many(..., upsert=True)`. */
  | 'mongo-upsert';

export interface IdempotencyEvidence {
  kind: EvidenceKind;
  /** Where it shows: the key's name (dict key, keyword), the SQL text, `upsert=True`, the URL. */
  node: Node;
  /** key-field: the name as written (`Idempotency-Key`, `MessageDeduplicationId`). */
  name?: string;
  /** key-field: the expression the key's value is built from. */
  keyValue?: Node;
  /** The function `keyValue` belongs to, to evaluate it in. */
  scope?: FunctionInfo;
}

export interface WriterSend {
  /** The call that sends. */
  call: Node;
  /** The method whose body (or a function nested in it) holds the call. */
  method: FunctionInfo;
  /** The `self.helper(...)` calls that lead from `write()` to `method` (empty in `write` itself). */
  via: Node[];
  channel: SendChannel;
  /** The call as people know it, for messages: `requests.post`, `cursor.execute`, `producer.send`. */
  operation: string;
  /** HTTP only. */
  httpMethod?: 'POST' | 'PATCH' | 'PUT';
  /** Where it goes when the call says: URL, topic, stream, queue, table, SQL text. */
  target?: Node;
  /**
   * HTTP: the argument carrying a body (`json=`, `data=`, `content=`, `files=`, or positional);
   * absent for a bare `post(url)`, which sends no rows.
   */
  payload?: Node;
  /**
   * What is sent depends on the data `write()` received (its rows, a helper's parameters, state
   * built while writing), not only on literals, constants and configuration on `self`: a token
   * request or a "batch done" ping sends no rows.
   */
  fromData: boolean;
  /**
   * The operation adds what it sends (POST, INSERT, produce, ...): repeating it duplicates unless a
   * key is sent. False for operations that replace by key (PUT, put_item, upserts).
   */
  appends: boolean;
  evidence: IdempotencyEvidence[];
}

export interface SendContext {
  evaluator: Evaluator;
  imports: ImportTable;
  moduleBindings: Map<string, Binding[]>;
}

/**
 * Names of fields and headers that carry an idempotency or deduplication key: `Idempotency-Key`,
 * `MessageDeduplicationId`, `dedup_key`, and the event ids ingestion APIs deduplicate on
 * (Amplitude/Mixpanel `insert_id`, Meta/TikTok `event_id`, Segment `messageId`).
 */
export const IDEMPOTENCY_KEY_NAME = /idempot|dedup|^\$?insert[_-]?id$|^event[_-]?id$|^message[_-]?id$/i;

const HTTP_MODULES = new Set(['requests', 'httpx', 'aiohttp']);
const HTTP_SESSION_TYPES = /^(requests(\.sessions)?\.Session|requests\.session|httpx\.(Async)?Client|aiohttp\.ClientSession)$/;
const KAFKA_PRODUCER_TYPES = /(^|\.)(KafkaProducer|AIOKafkaProducer|Producer|SerializingProducer)$/;
const SQL_UPSERT = /\bMERGE\b|\bON\s+CONFLICT\b|\bON\s+DUPLICATE\s+KEY\b|\bINSERT\s+OR\s+(REPLACE|IGNORE)\b|\bREPLACE\s+INTO\b|\bUPSERT\b|\bINSERT\s+IGNORE\b/i;
const SQL_INSERT = /\bINSERT\b/i;

/** `write()` and the methods of the same class it calls (transitively), with how each is reached. */
export function writerMethods(writer: ClassInfo): { method: FunctionInfo; via: Node[] }[] {
  const write = findMethod(writer, 'write');
  if (!write) return [];
  const out: { method: FunctionInfo; via: Node[] }[] = [{ method: write, via: [] }];
  const seen = new Set<FunctionInfo>([write]);
  for (let i = 0; i < out.length && out.length < 16; i++) {
    const { method, via } = out[i];
    for (const [name, calls] of method.selfCalls) {
      const target = findMethod(writer, name);
      if (!target || seen.has(target)) continue;
      seen.add(target);
      out.push({ method: target, via: [...via, calls[0]] });
    }
  }
  return out;
}

/** The sends of a stream writer's `write()` and of the methods it calls. */
export function writerSends(writer: ClassInfo, ctx: SendContext): WriterSend[] {
  const out: WriterSend[] = [];
  for (const { method, via } of writerMethods(writer)) {
    for (const call of method.calls) {
      const send = classifyCall(call, method, ctx);
      if (send) out.push({ ...send, via, fromData: sentData(send).some((n) => dependsOnData(n, method, writer, new Set(), 0)) });
    }
  }
  return out;
}

type Classified = Omit<WriterSend, 'via' | 'fromData'>;

function classifyCall(call: Node, fn: FunctionInfo, ctx: SendContext): Classified | undefined {
  const callee = childByField(call, 'function');
  if (!callee) return undefined;
  const qualified = qualifiedName(callee, ctx.imports);
  const { positional, keywords } = args(call);

  // Module-level functions: requests.post(...), httpx.patch(...), urlopen(...), execute_values(...).
  if (qualified) {
    const m = /^(requests|httpx)\.(post|patch|put|request)$/.exec(qualified);
    if (m) return httpSend(call, fn, ctx, m[2], qualified);
    if (qualified === 'aiohttp.request') return httpSend(call, fn, ctx, 'request', qualified);
    if (qualified === 'urllib.request.urlopen') return urlopenSend(call, fn, ctx);
    if (qualified === 'psycopg2.extras.execute_values' || qualified === 'psycopg2.extras.execute_batch') {
      return sqlSend(call, fn, ctx, positional[1], qualified.split('.').pop()!);
    }
  }
  if (callee.type !== 'attribute') return undefined;
  const object = childByField(callee, 'object');
  const method = childByField(callee, 'attribute')?.text ?? '';
  if (!object) return undefined;
  const receiverName = writtenName(object) ?? '';
  const operation = receiverName ? `${receiverName}.${method}` : method;

  switch (method) {
    case 'post':
    case 'patch':
    case 'put':
    case 'request': {
      const receiver = describeReceiver(object, fn, ctx);
      // A session: a library's, one made by a factory named so (`get_http_session()`), or an unknown object named so.
      const isHttp =
        receiver.types.some((t) => HTTP_MODULES.has(t.replace(/^module:/, '')) || HTTP_SESSION_TYPES.test(t) || (!t.startsWith('user:') && /session/i.test(lastPart(t)))) ||
        (!receiver.resolved && /session$/i.test(lastPart(receiverName)));
      return isHttp ? httpSend(call, fn, ctx, method, operation) : undefined;
    }
    case 'execute':
    case 'executemany':
      return sqlSend(call, fn, ctx, positional[0] ?? keywords.get('query') ?? keywords.get('sql') ?? keywords.get('operation'), operation);
    case 'send':
    case 'produce': {
      const receiver = describeReceiver(object, fn, ctx);
      const isKafka = receiver.types.some((t) => KAFKA_PRODUCER_TYPES.test(t) && /kafka/i.test(t)) || (!receiver.resolved && /producer|kafka/i.test(lastPart(receiverName)));
      if (!isKafka) return undefined;
      return { call, method: fn, channel: 'kafka', operation, target: positional[0] ?? keywords.get('topic'), appends: true, evidence: keyFields(call, fn, ctx) };
    }
    case 'put_record':
    case 'put_records': {
      const receiver = describeReceiver(object, fn, ctx);
      const stream = keywords.get('StreamName') ?? keywords.get('StreamARN') ?? keywords.get('DeliveryStreamName');
      const isStream = receiver.types.some((t) => t === 'aws:kinesis' || t === 'aws:firehose') || !!stream;
      if (!isStream) return undefined;
      return { call, method: fn, channel: 'kinesis', operation, target: stream, appends: true, evidence: keyFields(call, fn, ctx) };
    }
    case 'send_message':
    case 'send_message_batch': {
      const receiver = describeReceiver(object, fn, ctx);
      const isSqs = receiver.types.some((t) => t === 'aws:sqs') || keywords.has('QueueUrl') || keywords.has('MessageBody') || keywords.has('Entries') || (!receiver.resolved && /sqs|queue/i.test(lastPart(receiverName)));
      if (!isSqs) return undefined;
      return { call, method: fn, channel: 'sqs', operation, target: keywords.get('QueueUrl'), appends: true, evidence: keyFields(call, fn, ctx) };
    }
    case 'publish': {
      const receiver = describeReceiver(object, fn, ctx);
      const sns = receiver.types.some((t) => t === 'aws:sns') || keywords.has('TopicArn') || keywords.has('TargetArn');
      const pubsub = receiver.types.some((t) => /pubsub/i.test(t)) || (!receiver.resolved && /publisher|pubsub/i.test(lastPart(receiverName)));
      if (!sns && !pubsub) return undefined;
      return {
        call,
        method: fn,
        channel: sns ? 'sns' : 'pubsub',
        operation,
        target: sns ? keywords.get('TopicArn') ?? keywords.get('TargetArn') : positional[0] ?? keywords.get('topic'),
        appends: true,
        evidence: keyFields(call, fn, ctx),
      };
    }
    case 'insert_one':
    case 'insert_many':
      if (describeReceiver(object, fn, ctx).types.some((t) => t.startsWith('user:'))) return undefined;
      return { call, method: fn, channel: 'mongo', operation, target: object, appends: true, evidence: keyFields(call, fn, ctx) };
    case 'replace_one':
    case 'update_one':
    case 'update_many': {
      const upsert = keywords.get('upsert');
      if (upsert?.type !== 'true') return undefined;
      return { call, method: fn, channel: 'mongo', operation, target: object, appends: false, evidence: [{ kind: 'mongo-upsert', node: upsert }] };
    }
    case 'put_item': {
      const receiver = describeReceiver(object, fn, ctx);
      const isDynamo = receiver.types.some((t) => t.startsWith('aws:dynamodb')) || keywords.has('Item');
      if (!isDynamo) return undefined;
      return { call, method: fn, channel: 'dynamodb', operation, target: keywords.get('TableName') ?? object, appends: false, evidence: [{ kind: 'replace-by-key', node: call }] };
    }
    default:
      return undefined;
  }
}

function lastPart(name: string): string {
  const i = name.lastIndexOf('.');
  return i >= 0 ? name.slice(i + 1) : name;
}

function httpSend(call: Node, fn: FunctionInfo, ctx: SendContext, verb: string, operation: string): Classified | undefined {
  const { positional, keywords } = args(call);
  let method = verb.toUpperCase();
  let urlIndex = 0;
  if (verb === 'request') {
    const literal = stringValue(positional[0] ?? keywords.get('method'));
    if (!literal) return undefined;
    method = literal.toUpperCase();
    urlIndex = keywords.has('method') ? 0 : 1;
  }
  if (method !== 'POST' && method !== 'PATCH' && method !== 'PUT') return undefined;
  const target = keywords.get('url') ?? positional[urlIndex];
  const payload = keywords.get('json') ?? keywords.get('data') ?? keywords.get('content') ?? keywords.get('files') ?? positional[urlIndex + 1];
  const evidence = keyFields(call, fn, ctx);
  if (method === 'PUT' && target && urlHasKey(target, fn, ctx)) evidence.push({ kind: 'put-url', node: target });
  return { call, method: fn, channel: 'http', operation, httpMethod: method, target, payload: payload?.type === 'none' ? undefined : payload, appends: method !== 'PUT', evidence };
}

/** `urlopen(url, data)` / `urlopen(Request(url, data=..., method="POST"))`: a send when it carries data. */
function urlopenSend(call: Node, fn: FunctionInfo, ctx: SendContext): Classified | undefined {
  const { positional, keywords } = args(call);
  let request = positional[0] ?? keywords.get('url');
  let data = positional[1] ?? keywords.get('data');
  let method: string | undefined;
  // Follow a local `req = Request(...)` to its construction.
  if (request?.type === 'identifier' && request.text) {
    const b = reachingBindings(fn, request.text, request).find((x) => x.kind === 'assign' && x.value?.type === 'call');
    if (b?.value) request = b.value;
  }
  let target = request;
  if (request?.type === 'call' && /(^|\.)Request$/.test(qualifiedName(childByField(request, 'function'), ctx.imports) ?? '')) {
    const r = args(request);
    data ??= r.positional[1] ?? r.keywords.get('data');
    method = stringValue(r.keywords.get('method') ?? r.positional[4])?.toUpperCase();
    target = r.positional[0] ?? r.keywords.get('url');
  }
  if (!data || data.type === 'none') return undefined;
  const httpMethod = method === 'PUT' ? 'PUT' : method === 'PATCH' ? 'PATCH' : 'POST';
  const evidence = [...keyFields(call, fn, ctx), ...(request && request !== call ? keyFields(request, fn, ctx) : [])];
  if (httpMethod === 'PUT' && target && urlHasKey(target, fn, ctx)) evidence.push({ kind: 'put-url', node: target });
  return { call, method: fn, channel: 'http', operation: 'urllib.request.urlopen', httpMethod, target, payload: data, appends: httpMethod !== 'PUT', evidence: dedupeEvidence(evidence) };
}

function sqlSend(call: Node, fn: FunctionInfo, ctx: SendContext, sqlNode: Node | undefined, operation: string): Classified | undefined {
  if (!sqlNode) return undefined;
  const text = sqlText(sqlNode, fn, ctx, 0);
  if (text === undefined) return undefined;
  const upsert = SQL_UPSERT.test(text);
  if (!upsert && !SQL_INSERT.test(text)) return undefined;
  return {
    call,
    method: fn,
    channel: 'sql',
    operation,
    target: sqlNode,
    appends: !upsert,
    evidence: upsert ? [{ kind: 'sql-upsert', node: sqlNode }] : [],
  };
}

/** The SQL text an expression holds, as far as literals show it (locals, constants, `self.x`, `+`, `.format`). */
function sqlText(node: Node | undefined, fn: FunctionInfo | undefined, ctx: SendContext, depth: number): string | undefined {
  if (!node || depth > 6) return undefined;
  switch (node.type) {
    case 'string':
    case 'concatenated_string':
      return stringText(node);
    case 'parenthesized_expression':
      return sqlText(node.children.find((c) => c.named), fn, ctx, depth + 1);
    case 'binary_operator': {
      const l = sqlText(childByField(node, 'left'), fn, ctx, depth + 1);
      const r = sqlText(childByField(node, 'right'), fn, ctx, depth + 1);
      return l === undefined && r === undefined ? undefined : `${l ?? ''} ${r ?? ''}`;
    }
    case 'call': {
      const callee = childByField(node, 'function');
      // "...".format(...), sqlalchemy text("..."), psycopg sql.SQL("..."), textwrap.dedent("...")
      if (callee?.type === 'attribute' && childByField(callee, 'attribute')?.text === 'format') return sqlText(childByField(callee, 'object'), fn, ctx, depth + 1);
      const first = args(node).positional[0];
      return first ? sqlText(first, fn, ctx, depth + 1) : undefined;
    }
    case 'identifier': {
      const name = node.text ?? '';
      const local = fn ? reachingBindings(fn, name, node).filter((b) => b.kind === 'assign' || b.kind === 'walrus' || b.kind === 'augmented') : [];
      const bindings = local.length ? local.map((b) => ({ b, scope: fn })) : (ctx.moduleBindings.get(name) ?? []).map((b) => ({ b, scope: undefined }));
      const texts = bindings.map(({ b, scope }) => sqlText(b.kind === 'augmented' ? childByField(b.value!, 'right') : b.value, scope, ctx, depth + 1)).filter((t): t is string => t !== undefined);
      return texts.length ? texts.join(' ') : undefined;
    }
    case 'attribute': {
      const object = childByField(node, 'object');
      const attr = childByField(node, 'attribute')?.text;
      if (fn?.owner && fn.selfName && object?.type === 'identifier' && object.text === fn.selfName && attr) {
        const texts: string[] = [];
        for (const k of classLineage(fn.owner)) {
          for (const m of k.methods.values()) for (const b of m.selfWrites.get(attr) ?? []) {
            const t = sqlText(b.value, m, ctx, depth + 1);
            if (t !== undefined) texts.push(t);
          }
          const classLevel = k.classAttributes.get(attr);
          if (classLevel) {
            const t = sqlText(classLevel, undefined, ctx, depth + 1);
            if (t !== undefined) texts.push(t);
          }
        }
        return texts.length ? texts.join(' ') : undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** True when a URL expression is built from data (f-string interpolation, `+`, `%`, `.format`, `urljoin`). */
function urlHasKey(url: Node, fn: FunctionInfo, ctx: SendContext, depth = 0): boolean {
  if (depth > 4) return false;
  switch (url.type) {
    case 'string':
      return url.children.some((c) => c.type === 'interpolation');
    case 'concatenated_string':
      return url.children.some((c) => urlHasKey(c, fn, ctx, depth + 1));
    case 'binary_operator':
      return true;
    case 'call':
      return args(url).all.length > 0;
    case 'identifier': {
      const bindings = reachingBindings(fn, url.text ?? '', url).filter((b) => b.kind === 'assign' && b.value);
      return bindings.some((b) => urlHasKey(b.value!, fn, ctx, depth + 1));
    }
    default:
      return false;
  }
}

interface ReceiverInfo {
  /** `module:requests`, `requests.Session`, `aws:kinesis`, `kafka.KafkaProducer`, `user:MyClient`. */
  types: string[];
  /** False when nothing is known of the receiver (name heuristics may then apply). */
  resolved: boolean;
}

/** What the object of a method call is: a module, an instance of a library class, an AWS client. */
function describeReceiver(object: Node, fn: FunctionInfo, ctx: SendContext, depth = 0): ReceiverInfo {
  const types = new Set<string>();
  if (depth > 3) return { types: [], resolved: false };
  // `with requests.Session() as s` / `with table.batch_writer() as batch`: the evaluator does not
  // follow `with` bindings; the context manager of a session or batch writer is the object itself.
  if (object.type === 'identifier' && object.text) {
    for (const b of reachingBindings(fn, object.text, object)) {
      if (b.kind === 'with' && b.value) for (const t of describeReceiver(b.value, fn, ctx, depth + 1).types) types.add(t);
    }
  }
  for (const v of ctx.evaluator.evaluate(object, fn)) {
    if (v.kind === 'module' && v.moduleName) types.add(`module:${v.moduleName}`);
    else if (v.kind === 'object' && v.cls) types.add(`user:${v.cls.name}`);
    else if (v.kind === 'object' && v.typeName) types.add(v.typeName);
    const service = awsService(v.node, ctx);
    if (service) types.add(service);
  }
  if (object.type === 'call') {
    const service = awsService(object, ctx);
    if (service) types.add(service);
    const q = qualifiedName(childByField(object, 'function'), ctx.imports);
    if (q && !q.startsWith('self.')) types.add(q);
  }
  return { types: [...types], resolved: types.size > 0 };
}

/** `boto3.client("sqs")`, `session.resource("dynamodb")`, `dynamodb.Table(...)`, `table.batch_writer()`. */
function awsService(node: Node, ctx: SendContext): string | undefined {
  if (node.type !== 'call') return undefined;
  const callee = childByField(node, 'function');
  const name = callee?.type === 'attribute' ? childByField(callee, 'attribute')?.text : callee?.type === 'identifier' ? callee.text : undefined;
  const q = qualifiedName(callee, ctx.imports) ?? '';
  if (name === 'client' || name === 'resource' || q === 'boto3.client' || q === 'boto3.resource') {
    const { positional, keywords } = args(node);
    const service = stringValue(positional[0] ?? keywords.get('service_name'));
    return service ? `aws:${service}` : undefined;
  }
  if (name === 'Table') return 'aws:dynamodb-table';
  if (name === 'batch_writer') return 'aws:dynamodb-batch';
  return undefined;
}

/**
 * Idempotency/dedup keys a call carries: keyword arguments named like a key, and fields named like
 * one in the dicts, lists and tuples it is given (through locals, `self.x`, `self._helper()`
 * returns, `json.dumps(...)` and `name["Idempotency-Key"] = ...` assignments).
 */
function keyFields(call: Node, fn: FunctionInfo, ctx: SendContext): IdempotencyEvidence[] {
  const out: IdempotencyEvidence[] = [];
  const visited = new Set<Node>();
  for (const a of args(call).all) {
    if (a.type === 'keyword_argument') {
      const name = childByField(a, 'name');
      const value = childByField(a, 'value');
      if (name?.text && IDEMPOTENCY_KEY_NAME.test(name.text) && value) out.push({ kind: 'key-field', node: name, name: name.text, keyValue: value, scope: fn });
      if (value) collectKeys(value, fn, ctx, out, visited, 0);
    } else {
      collectKeys(a, fn, ctx, out, visited, 0);
    }
  }
  return dedupeEvidence(out);
}

function collectKeys(node: Node, fn: FunctionInfo, ctx: SendContext, out: IdempotencyEvidence[], visited: Set<Node>, depth: number): void {
  if (depth > 12 || visited.has(node)) return;
  visited.add(node);
  const recurse = (n: Node | undefined, scope = fn) => n && collectKeys(n, scope, ctx, out, visited, depth + 1);
  switch (node.type) {
    case 'dictionary':
      for (const c of node.children) {
        if (c.type === 'pair') {
          const key = childByField(c, 'key');
          const value = childByField(c, 'value');
          const name = stringValue(key);
          if (key && name !== undefined && IDEMPOTENCY_KEY_NAME.test(name)) out.push({ kind: 'key-field', node: key, name, keyValue: value, scope: fn });
          recurse(value);
        } else if (c.type === 'dictionary_splat') {
          recurse(c.children.find((k) => k.named));
        }
      }
      return;
    case 'list':
    case 'tuple':
    case 'expression_list': {
      const items = node.children.filter((c) => c.named && c.type !== 'comment');
      // Kafka headers: [("Idempotency-Key", key.encode())]
      const name = node.type !== 'list' ? stringValue(items[0]) : undefined;
      if (name !== undefined && items.length === 2 && IDEMPOTENCY_KEY_NAME.test(name)) out.push({ kind: 'key-field', node: items[0], name, keyValue: items[1], scope: fn });
      for (const item of items) recurse(item);
      return;
    }
    case 'list_comprehension':
    case 'generator_expression':
      recurse(childByField(node, 'body'));
      return;
    case 'parenthesized_expression':
      recurse(node.children.find((c) => c.named));
      return;
    case 'keyword_argument': {
      const name = childByField(node, 'name');
      const value = childByField(node, 'value');
      if (name?.text && IDEMPOTENCY_KEY_NAME.test(name.text) && value) out.push({ kind: 'key-field', node: name, name: name.text, keyValue: value, scope: fn });
      recurse(value);
      return;
    }
    case 'call': {
      const callee = childByField(node, 'function');
      if (callee?.type === 'attribute') {
        const object = childByField(callee, 'object');
        const method = childByField(callee, 'attribute')?.text ?? '';
        // self._payload(row): what the helper returns.
        if (object?.type === 'identifier' && fn.selfName && object.text === fn.selfName && fn.owner) {
          const helper = findMethod(fn.owner, method);
          if (helper) for (const r of helper.returns) recurse(r.children.find((c) => c.named && c.type !== 'comment'), helper);
        } else {
          recurse(object);
        }
      }
      // json.dumps({...}), dict(idempotency_key=k), build(row, dedup_id=k): the arguments.
      for (const a of args(node).all) recurse(a);
      return;
    }
    case 'identifier': {
      const name = node.text ?? '';
      for (const b of reachingBindings(fn, name, node)) {
        if ((b.kind === 'assign' || b.kind === 'walrus') && b.value) recurse(b.value);
        // A helper's parameter: what the methods of the class pass it.
        if (b.kind === 'param' && fn.owner) for (const { arg, caller } of argumentsFor(fn, name)) recurse(arg, caller);
      }
      subscriptWrites(fn, name, out);
      // A list the rows are appended to: what is appended.
      walk(fn.body, (n) => {
        if (n.type !== 'call') return undefined;
        const callee = childByField(n, 'function');
        const method = callee?.type === 'attribute' ? childByField(callee, 'attribute')?.text : undefined;
        if ((method === 'append' || method === 'extend' || method === 'insert') && childByField(callee!, 'object')?.text === name) {
          const { positional } = args(n);
          recurse(positional[positional.length - 1]);
        }
        return undefined;
      });
      return;
    }
    case 'attribute': {
      const object = childByField(node, 'object');
      const attr = childByField(node, 'attribute')?.text;
      if (fn.owner && fn.selfName && object?.type === 'identifier' && object.text === fn.selfName && attr) {
        for (const k of classLineage(fn.owner)) for (const m of k.methods.values()) for (const b of m.selfWrites.get(attr) ?? []) if (b.value) recurse(b.value, m);
      }
      return;
    }
    default:
      return;
  }
}

/** The arguments the methods of the class pass to parameter `name` of method `fn` (`self.fn(...)` calls). */
export function argumentsFor(fn: FunctionInfo, name: string): { arg: Node; caller: FunctionInfo }[] {
  const out: { arg: Node; caller: FunctionInfo }[] = [];
  const owner = fn.owner;
  if (!owner) return out;
  const params = fn.params.slice(fn.selfName ? 1 : 0);
  const index = params.findIndex((p) => p.name === name);
  for (const k of classLineage(owner)) {
    for (const caller of k.methods.values()) {
      for (const call of caller.selfCalls.get(fn.name) ?? []) {
        const { positional, keywords } = args(call);
        const arg = keywords.get(name) ?? (index >= 0 && params[index].kind !== 'keyword_only' ? positional[index] : undefined);
        if (arg) out.push({ arg, caller });
      }
    }
  }
  return out;
}

/** `name["Idempotency-Key"] = v`, `name.update({...})`, `name.setdefault("dedup_id", v)` in the function. */
function subscriptWrites(fn: FunctionInfo, name: string, out: IdempotencyEvidence[]): void {
  walk(fn.body, (n) => {
    if (n.type === 'assignment') {
      const left = childByField(n, 'left');
      if (left?.type === 'subscript' && childByField(left, 'value')?.text === name) {
        const index = childByField(left, 'subscript');
        const key = stringValue(index);
        if (index && key !== undefined && IDEMPOTENCY_KEY_NAME.test(key)) out.push({ kind: 'key-field', node: index, name: key, keyValue: childByField(n, 'right'), scope: fn });
      }
    } else if (n.type === 'call') {
      const callee = childByField(n, 'function');
      if (callee?.type === 'attribute' && childByField(callee, 'object')?.text === name) {
        const method = childByField(callee, 'attribute')?.text;
        const { positional, keywords } = args(n);
        if (method === 'setdefault' || method === '__setitem__') {
          const key = stringValue(positional[0]);
          if (key !== undefined && IDEMPOTENCY_KEY_NAME.test(key)) out.push({ kind: 'key-field', node: positional[0], name: key, keyValue: positional[1], scope: fn });
        } else if (method === 'update') {
          for (const [k, v] of keywords) if (IDEMPOTENCY_KEY_NAME.test(k)) out.push({ kind: 'key-field', node: v, name: k, keyValue: v, scope: fn });
          const dict = positional[0];
          if (dict?.type === 'dictionary') {
            for (const c of dict.children) {
              if (c.type !== 'pair') continue;
              const key = childByField(c, 'key');
              const s = stringValue(key);
              if (key && s !== undefined && IDEMPOTENCY_KEY_NAME.test(s)) out.push({ kind: 'key-field', node: key, name: s, keyValue: childByField(c, 'value'), scope: fn });
            }
          }
        }
      }
    }
    return undefined;
  });
}

function dedupeEvidence(list: IdempotencyEvidence[]): IdempotencyEvidence[] {
  const seen = new Set<Node>();
  return list.filter((e) => (seen.has(e.node) ? false : (seen.add(e.node), true)));
}

/** The expressions whose values are sent: the body of an HTTP call, every argument of others but the destination. */
function sentData(send: Classified): Node[] {
  if (send.channel === 'http') return send.payload ? [send.payload] : [];
  const values = args(send.call).all.map((a) => (a.type === 'keyword_argument' ? childByField(a, 'value') : a)).filter((n): n is Node => !!n);
  return send.channel === 'sql' ? values : values.filter((n) => n !== send.target);
}

const MUTATORS = new Set(['append', 'extend', 'insert', 'add', 'update', 'appendleft', 'put', 'put_nowait', 'setdefault']);

/**
 * True when the expression depends on a parameter of the function (other than `self`), a loop
 * over one, or a `self` attribute that writing changes (assigned outside `__init__`, or appended
 * to): the data, as opposed to literals, module constants and configuration.
 */
function dependsOnData(node: Node, fn: FunctionInfo, writer: ClassInfo, visited: Set<Node>, depth: number): boolean {
  if (depth > 8 || visited.has(node)) return false;
  visited.add(node);
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === 'attribute') {
      const object = childByField(n, 'object');
      const attr = childByField(n, 'attribute')?.text;
      if (object?.type === 'identifier' && object.text === fn.selfName && attr) {
        if (isWritingState(writer, attr)) found = true;
        return false;
      }
      // Only the object side of `a.b` names a variable.
      if (object && dependsOnData(object, fn, writer, visited, depth + 1)) found = true;
      return false;
    }
    if (n.type === 'keyword_argument') {
      const value = childByField(n, 'value');
      if (value && dependsOnData(value, fn, writer, visited, depth + 1)) found = true;
      return false;
    }
    if (n.type !== 'identifier' || !n.text || n.text === fn.selfName) return undefined;
    for (const b of reachingBindings(fn, n.text, n)) {
      if (b.kind === 'param') found = true;
      else if (b.value && (b.kind === 'assign' || b.kind === 'walrus' || b.kind === 'augmented' || b.kind === 'unpack' || b.kind === 'for' || b.kind === 'with')) {
        if (dependsOnData(b.value, fn, writer, visited, depth + 1)) found = true;
      }
      if (found) break;
    }
    // A local list or dict the rows are put into: `events.append({...row...})`.
    if (!found) {
      for (const value of mutationArguments(fn, n.text)) {
        if (dependsOnData(value, fn, writer, visited, depth + 1)) {
          found = true;
          break;
        }
      }
    }
    return undefined;
  });
  return found;
}

/** The arguments of `name.append(...)`, `name.extend(...)`, `name.update(...)` and the like in the function. */
function mutationArguments(fn: FunctionInfo, name: string): Node[] {
  const out: Node[] = [];
  for (const call of fn.calls) {
    const callee = childByField(call, 'function');
    if (callee?.type !== 'attribute' || !MUTATORS.has(childByField(callee, 'attribute')?.text ?? '')) continue;
    const object = childByField(callee, 'object');
    if (object?.type === 'identifier' && object.text === name) out.push(...args(call).all);
  }
  return out;
}

/** A `self` attribute that holds state built while writing: assigned outside `__init__`, or mutated. */
function isWritingState(writer: ClassInfo, attr: string): boolean {
  for (const k of classLineage(writer)) {
    for (const m of k.methods.values()) {
      if (m.name !== '__init__' && m.selfWrites.has(attr)) return true;
      for (const call of m.calls) {
        const callee = childByField(call, 'function');
        if (callee?.type !== 'attribute' || !MUTATORS.has(childByField(callee, 'attribute')?.text ?? '')) continue;
        const object = childByField(callee, 'object');
        if (object?.type === 'attribute' && childByField(object, 'object')?.text === m.selfName && childByField(object, 'attribute')?.text === attr) return true;
      }
    }
  }
  return false;
}
