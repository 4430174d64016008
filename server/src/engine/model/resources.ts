/**
 * Objects that cannot be pickled: clients, connections, locks, sockets, open files, generators.
 * Spark pickles the DataSource, readers, writers, partitions and commit messages (reference §3,
 * P8); such an object stored on one of them fails the query, or arrives as a dead connection.
 *
 * `requests.Session()` is deliberately absent: it pickles.
 */
import { childByField, type Node } from '../syntax';
import { classLineage, findMethod } from './classes';
import type { FunctionInfo } from './functions';
import type { FileModel } from './index';
import { reachingBindings } from './values';

export type UnpicklableKind = 'client' | 'connection' | 'consumer' | 'producer' | 'lock' | 'thread' | 'socket' | 'file' | 'channel' | 'generator';

interface CatalogueEntry {
  /** The module the name comes from (matched as a prefix: `kafka.consumer.KafkaConsumer` too). */
  module: string;
  name: string;
  kind: UnpicklableKind;
}

const CATALOGUE: CatalogueEntry[] = [
  { module: 'boto3', name: 'client', kind: 'client' },
  { module: 'boto3', name: 'resource', kind: 'client' },
  { module: 'psycopg', name: 'connect', kind: 'connection' },
  { module: 'psycopg2', name: 'connect', kind: 'connection' },
  { module: 'psycopg2.pool', name: 'SimpleConnectionPool', kind: 'connection' },
  { module: 'psycopg2.pool', name: 'ThreadedConnectionPool', kind: 'connection' },
  { module: 'sqlite3', name: 'connect', kind: 'connection' },
  { module: 'pymysql', name: 'connect', kind: 'connection' },
  { module: 'mysql.connector', name: 'connect', kind: 'connection' },
  { module: 'pyodbc', name: 'connect', kind: 'connection' },
  { module: 'oracledb', name: 'connect', kind: 'connection' },
  { module: 'cx_Oracle', name: 'connect', kind: 'connection' },
  { module: 'snowflake.connector', name: 'connect', kind: 'connection' },
  { module: 'pymongo', name: 'MongoClient', kind: 'client' },
  { module: 'kafka', name: 'KafkaProducer', kind: 'producer' },
  { module: 'kafka', name: 'KafkaConsumer', kind: 'consumer' },
  { module: 'confluent_kafka', name: 'Producer', kind: 'producer' },
  { module: 'confluent_kafka', name: 'SerializingProducer', kind: 'producer' },
  { module: 'confluent_kafka', name: 'Consumer', kind: 'consumer' },
  { module: 'confluent_kafka', name: 'DeserializingConsumer', kind: 'consumer' },
  { module: 'threading', name: 'Lock', kind: 'lock' },
  { module: 'threading', name: 'RLock', kind: 'lock' },
  { module: 'threading', name: 'Condition', kind: 'lock' },
  { module: 'threading', name: 'Semaphore', kind: 'lock' },
  { module: 'threading', name: 'BoundedSemaphore', kind: 'lock' },
  { module: 'threading', name: 'Event', kind: 'lock' },
  { module: 'threading', name: 'Thread', kind: 'thread' },
  { module: 'multiprocessing', name: 'Lock', kind: 'lock' },
  { module: 'socket', name: 'socket', kind: 'socket' },
  { module: 'socket', name: 'create_connection', kind: 'socket' },
  { module: 'grpc', name: 'insecure_channel', kind: 'channel' },
  { module: 'grpc', name: 'secure_channel', kind: 'channel' },
  { module: 'io', name: 'open', kind: 'file' },
  { module: 'gzip', name: 'open', kind: 'file' },
  { module: 'codecs', name: 'open', kind: 'file' },
];

export interface UnpicklableConstruction {
  kind: UnpicklableKind;
  /** The construction as written, for messages: `boto3.client(...)`, `a generator expression`. */
  label: string;
  /** The expression that makes the object. */
  node: Node;
  /** The function the construction is in (a helper, when reached through one). */
  scope?: FunctionInfo;
}

/** The catalogue entry a qualified callee name matches. */
export function unpicklableKindOf(qualified: string | undefined): UnpicklableKind | undefined {
  if (!qualified) return undefined;
  if (qualified === 'open') return 'file';
  for (const e of CATALOGUE) {
    if (qualified === `${e.module}.${e.name}`) return e.kind;
    if (qualified.startsWith(`${e.module}.`) && qualified.endsWith(`.${e.name}`)) return e.kind;
  }
  return undefined;
}

const MAX_DEPTH = 6;

/**
 * What unpicklable object an expression constructs, if any: a catalogue call, a generator
 * expression or a call of a generator function, followed through locals, conditional
 * expressions, `self.helper()` and module functions that return one.
 */
export function unpicklableConstruction(model: FileModel, expr: Node | undefined, scope: FunctionInfo | undefined, depth = 0): UnpicklableConstruction | undefined {
  if (!expr || depth > MAX_DEPTH) return undefined;
  switch (expr.type) {
    case 'parenthesized_expression':
      return unpicklableConstruction(model, expr.children.find((c) => c.named && c.type !== 'comment'), scope, depth + 1);
    case 'conditional_expression': {
      const parts = expr.children.filter((c) => c.named);
      return unpicklableConstruction(model, parts[0], scope, depth + 1) ?? unpicklableConstruction(model, parts[2], scope, depth + 1);
    }
    case 'boolean_operator':
      return (
        unpicklableConstruction(model, childByField(expr, 'left'), scope, depth + 1) ??
        unpicklableConstruction(model, childByField(expr, 'right'), scope, depth + 1)
      );
    case 'generator_expression':
      return { kind: 'generator', label: 'a generator expression', node: expr, scope };
    case 'identifier': {
      if (!scope || !expr.text) return undefined;
      for (const b of reachingBindings(scope, expr.text, expr)) {
        if ((b.kind === 'assign' || b.kind === 'walrus' || b.kind === 'with') && b.value) {
          const found = unpicklableConstruction(model, b.value, scope, depth + 1);
          if (found) return found;
        }
      }
      return undefined;
    }
    case 'call':
      return callConstruction(model, expr, scope, depth);
    default:
      return undefined;
  }
}

function callConstruction(model: FileModel, call: Node, scope: FunctionInfo | undefined, depth: number): UnpicklableConstruction | undefined {
  const callee = childByField(call, 'function');
  if (!callee) return undefined;
  const qualified = model.evaluator.qualified(callee);
  // A function of the user's named like a catalogue entry (`def open(...)`) is theirs, not the library's.
  const shadowed = callee.type === 'identifier' && callee.text && (model.functions.has(callee.text) || model.classesByName.has(callee.text));
  const kind = shadowed ? undefined : unpicklableKindOf(qualified);
  if (kind) return { kind, label: callLabel(model, call), node: call, scope };

  // boto3.Session(...).client("s3"), boto3.session.Session().resource("dynamodb")
  if (callee.type === 'attribute') {
    const method = childByField(callee, 'attribute')?.text;
    const object = childByField(callee, 'object');
    if ((method === 'client' || method === 'resource') && object?.type === 'call') {
      const sessionCallee = model.evaluator.qualified(childByField(object, 'function'));
      if (sessionCallee === 'boto3.Session' || sessionCallee === 'boto3.session.Session') {
        return { kind: 'client', label: callLabel(model, call), node: call, scope };
      }
    }
  }

  // self.helper(...) / cls.helper(...): the helper's generator or returns.
  if (callee.type === 'attribute' && scope?.owner) {
    const object = childByField(callee, 'object');
    const method = childByField(callee, 'attribute')?.text;
    if (object?.type === 'identifier' && method && (object.text === scope.selfName || object.text === scope.params[0]?.name)) {
      const fn = findMethod(scope.owner, method);
      if (fn) return functionProduct(model, fn, call, depth);
    }
  }
  // A module function of this file.
  if (callee.type === 'identifier' && callee.text) {
    const fn = model.functions.get(callee.text);
    if (fn) return functionProduct(model, fn, call, depth);
  }
  return undefined;
}

/** `boto3.client(...)`, or `threading.Lock()` when the call has no arguments. */
function callLabel(model: FileModel, call: Node): string {
  const callee = childByField(call, 'function');
  const hasArgs = childByField(call, 'arguments')?.children.some((c) => c.named && c.type !== 'comment');
  return `${callee ? model.textOf(callee).replace(/\s+/g, '') : ''}(${hasArgs ? '...' : ''})`;
}

function functionProduct(model: FileModel, fn: FunctionInfo, call: Node, depth: number): UnpicklableConstruction | undefined {
  if (fn.isGenerator) return { kind: 'generator', label: callLabel(model, call), node: call, scope: fn };
  for (const r of fn.returns) {
    const value = r.children.find((c) => c.named && c.type !== 'comment');
    const found = unpicklableConstruction(model, value, fn, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** True when the expression is (or names) a message-queue consumer: its construction, or a name saying so. */
export function isConsumerExpression(model: FileModel, expr: Node | undefined, scope: FunctionInfo | undefined): boolean {
  if (!expr) return false;
  const name = expr.type === 'identifier' ? expr.text : expr.type === 'attribute' ? childByField(expr, 'attribute')?.text : undefined;
  if (name && /consumer/i.test(name)) return true;
  if (unpicklableConstruction(model, expr, scope)?.kind === 'consumer') return true;
  // self.<attr>: any assignment of the attribute in the class that builds a consumer.
  if (expr.type === 'attribute' && scope?.owner && childByField(expr, 'object')?.text === scope.selfName) {
    const attr = childByField(expr, 'attribute')?.text;
    if (!attr) return false;
    for (const k of classLineage(scope.owner)) {
      for (const fn of k.methods.values()) {
        for (const b of fn.selfWrites.get(attr) ?? []) {
          if (b.value && unpicklableConstruction(model, b.value, fn)?.kind === 'consumer') return true;
        }
      }
    }
  }
  return false;
}
