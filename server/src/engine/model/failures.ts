/**
 * How a writer's `write()` hides a failed write from Spark: a broad `except` (or
 * `contextlib.suppress(Exception)`) around a call that writes, with no re-raise, and HTTP
 * responses that nobody checks (`requests` does not raise on a 4xx/5xx status).
 *
 * Spark only learns that a task failed when `write()` raises; a `write()` that returns its commit
 * message after swallowing an error makes the driver commit the batch, and the rows are lost
 * (reference §6, P11). The scope is `write()` (with the functions nested in it) and the methods
 * of the same class it calls, one level deep (decisions 5 and 10).
 */
import { childByField, type Node, walk, walkScope } from '../syntax';
import { type ClassInfo, findMethod } from './classes';
import { canCompleteNormally } from './flow';
import type { FunctionInfo } from './functions';
import { type ImportTable, inFileOf, qualifiedName, writtenName } from './imports';
import type { WriterSend } from './sends';

export type SwallowKind = 'except' | 'suppress' | 'unchecked-response';

export interface SwallowedError {
  kind: SwallowKind;
  /** Where to report: the `except ...` header, the `suppress(...)` call, the send. */
  start: number;
  end: number;
  /** The method whose body holds it (`write` or a helper it calls). */
  method: FunctionInfo;
  /** The `self.helper(...)` call in `write()` that leads to `method`. */
  via?: Node;
  /** What is caught, as written: `Exception`, `BaseException`, `` (bare `except:`). */
  caught?: string;
  /** The call whose errors are caught, or whose response is ignored. */
  call: Node;
  /** unchecked-response: the operation as people know it (`requests.post`). */
  operation?: string;
  /** unchecked-response reported at a call in `write()`: the helper that returns the response. */
  returnedBy?: FunctionInfo;
}

export interface FailureContext {
  imports: ImportTable;
  functions: Map<string, FunctionInfo>;
  root: Node;
  textOf(node: Node): string;
}

const BROAD = new Set(['Exception', 'BaseException', 'builtins.Exception', 'builtins.BaseException']);

/**
 * Method and function names of calls that write somewhere (HTTP, SQL, queues, files, object
 * stores, SDK `create`/`save`/`upload`): a broad `except` around one of them can hide a failed
 * write. Local computation (`int()`, `json.loads`, `dict.get`, `list.append`) is not in it.
 */
const WRITE_CALL = /^(post|put|patch|request|urlopen|send|sendall|sendto|send_\w+|produce|publish\w*|write|writelines|write_\w+|flush|execute|executemany|execute_\w+|commit|insert_\w+|upsert\w*|upload\w*|put_\w+|bulk\w*|batch_write\w*|create|create_\w+|save|save_\w+|submit|emit|push|enqueue|invoke|index_\w+|copy_expert|copy_from|to_sql|to_parquet|to_csv|store|store_\w+|delete|delete_\w+|update_item|replace_one|update_one|update_many)$/;
const WRITE_MODULES = /^(requests|httpx|aiohttp|urllib\.request|boto3|socket|smtplib|ftplib|paramiko)\./;

/** Calls that pass a value through (the result is still the response's data). */
const TRANSPARENT_CALLS = new Set(['str', 'int', 'float', 'bool', 'len', 'dict', 'list', 'tuple', 'json.loads', 'json.dumps']);
const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log', 'print']);

/** `write()` and the methods of the class it calls directly, with the call that reaches each. */
export function writeScope(writer: ClassInfo): { method: FunctionInfo; via?: Node }[] {
  const write = writer.methods.get('write');
  if (!write) return [];
  const out: { method: FunctionInfo; via?: Node }[] = [{ method: write }];
  for (const [name, calls] of write.selfCalls) {
    const target = findMethod(writer, name);
    if (target && target !== write && !out.some((o) => o.method === target)) out.push({ method: target, via: calls[0] });
  }
  return out;
}

/**
 * The places where the writer's `write()` swallows an error or ignores a response, in the order
 * `write()` reaches them (its own statements by position; a helper's at the call that leads there).
 */
export function swallowedWriteErrors(writer: ClassInfo, sends: WriterSend[], ctx: FailureContext): SwallowedError[] {
  const scope = writeScope(writer);
  const write = scope[0]?.method;
  if (!write) return [];
  const out: SwallowedError[] = [];
  const sendCalls = new Set(sends.map((s) => s.call));
  const hooked = sessionsCheckResponses(ctx.root);
  for (const { method, via } of scope) {
    if (method.node.hasError) continue;
    const io = (body: Node) => writeCallIn(body, method, writer, sendCalls, ctx, true);
    walk(method.body, (n) => {
      if (n.type === 'try_statement') {
        const body = childByField(n, 'body');
        const call = body && io(body);
        if (!call) return undefined;
        for (const clause of n.children) {
          if (clause.type !== 'except_clause' && clause.type !== 'except_group_clause') continue;
          if (clause.hasError) continue;
          const caught = broadCatch(clause, ctx.imports);
          if (caught === undefined || !swallows(clause, n, method, via, write, ctx)) continue;
          // The handler writes the rows elsewhere (a dead-letter queue) or retries: handled, not swallowed.
          const handler = clause.children.find((c) => c.type === 'block');
          if (handler && io(handler)) continue;
          const type = clause.children.find((c) => c.field === 'value');
          out.push({ kind: 'except', start: clause.start, end: type ? type.end : clause.start + 'except'.length, method, via, caught, call });
          break;
        }
      } else if (n.type === 'with_statement') {
        for (const item of walkItems(n)) {
          const value = item.type === 'as_pattern' ? item.children.find((c) => c.named && c.field !== 'alias') : item;
          if (value?.type !== 'call' || qualifiedName(childByField(value, 'function'), ctx.imports) !== 'contextlib.suppress') continue;
          const broad = (childByField(value, 'arguments')?.children ?? []).find((a) => BROAD.has(qualifiedName(a, ctx.imports) ?? ''));
          const body = childByField(n, 'body');
          const call = broad && body && io(body);
          if (call) out.push({ kind: 'suppress', start: value.start, end: value.end, method, via, caught: ctx.textOf(broad), call });
        }
      }
      return undefined;
    });
    for (const send of sends) {
      if (send.method !== method || send.channel !== 'http' || send.operation === 'urllib.request.urlopen' || send.call.hasError) continue;
      if (hooked && !/^(requests|httpx)\./.test(send.operation)) continue;
      const use = responseUse(send.call, method, 0);
      if (use === 'unchecked') out.push({ kind: 'unchecked-response', start: send.call.start, end: send.call.end, method, via, call: send.call, operation: send.operation });
      // A helper returns the response and write() drops it: the place is the call in write().
      if (use === 'returned' && via && responseUse(via, write, 0) === 'unchecked') {
        out.push({ kind: 'unchecked-response', start: via.start, end: via.end, method: write, returnedBy: method, call: send.call, operation: send.operation });
      }
    }
  }
  const order = (e: SwallowedError) => [e.via ? e.via.start : e.start, e.via ? e.start : 0];
  return out.sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1]);
}

function walkItems(withStatement: Node): Node[] {
  const clause = withStatement.children.find((c) => c.type === 'with_clause');
  return (clause?.children ?? []).filter((c) => c.type === 'with_item').map((i) => childByField(i, 'value') ?? i);
}

/** `Exception`, `BaseException` (alone or in a tuple), or '' for a bare `except:`; undefined when narrow. */
export function broadCatch(clause: Node, imports: ImportTable): string | undefined {
  let type = clause.children.find((c) => c.field === 'value');
  if (!type) return clause.children.some((c) => c.type === 'block') ? '' : undefined;
  if (type.type === 'as_pattern') type = type.children.find((c) => c.named && c.field !== 'alias');
  if (type?.type === 'parenthesized_expression') type = type.children.find((c) => c.named);
  if (!type) return undefined;
  const candidates = type.type === 'tuple' ? type.children.filter((c) => c.named) : [type];
  const broad = candidates.find((c) => BROAD.has(qualifiedName(c, imports) ?? ''));
  return broad ? broad.text ?? 'Exception' : undefined;
}

/** The first call in `body` (outside nested functions) that writes somewhere; `deep` looks one level into helpers. */
function writeCallIn(body: Node, fn: FunctionInfo, writer: ClassInfo, sendCalls: Set<Node>, ctx: FailureContext, deep: boolean): Node | undefined {
  let found: Node | undefined;
  walkScope(body, (n) => {
    if (found) return false;
    if (n.type !== 'call') return undefined;
    if (sendCalls.has(n) || isWriteCall(n, fn, ctx)) {
      found = n;
      return false;
    }
    if (deep) {
      const helper = calledHelper(n, fn, writer, ctx);
      if (helper && helper !== fn && writeCallIn(helper.body, helper, writer, sendCalls, ctx, false)) {
        found = n;
        return false;
      }
    }
    return undefined;
  });
  return found;
}

function isWriteCall(call: Node, fn: FunctionInfo, ctx: FailureContext): boolean {
  const callee = childByField(call, 'function');
  const q = qualifiedName(callee, ctx.imports) ?? '';
  if (WRITE_MODULES.test(q)) return true;
  if (callee?.type !== 'attribute') return false;
  const object = childByField(callee, 'object');
  // self.helper() is looked into, not judged by its name.
  if (object?.type === 'identifier' && object.text === fn.selfName) return false;
  return WRITE_CALL.test(childByField(callee, 'attribute')?.text ?? '');
}

function calledHelper(call: Node, fn: FunctionInfo, writer: ClassInfo, ctx: FailureContext): FunctionInfo | undefined {
  const callee = childByField(call, 'function');
  if (callee?.type === 'attribute') {
    const object = childByField(callee, 'object');
    const name = childByField(callee, 'attribute')?.text;
    if (object?.type === 'identifier' && object.text === fn.selfName && name) return findMethod(writer, name);
    return undefined;
  }
  if (callee?.type === 'identifier' && callee.text && !fn.localBindings.has(callee.text) && inFileOf(call, ctx.imports)) return ctx.functions.get(callee.text);
  return undefined;
}

/**
 * True when the handler lets the error disappear: no `raise` in it, no call of a helper that
 * always raises or exits, and no deferred report (a flag or list it sets that a later `raise`,
 * `assert` or returned commit message reads; a `for ... else: raise` of a retry loop around it).
 */
function swallows(clause: Node, tryStatement: Node, fn: FunctionInfo, via: Node | undefined, write: FunctionInfo, ctx: FailureContext): boolean {
  const block = clause.children.find((c) => c.type === 'block');
  if (!block) return false;
  let reraises = false;
  walkScope(block, (n) => {
    if (reraises) return false;
    if (n.type === 'raise_statement') reraises = true;
    else if (n.type === 'call') {
      const q = qualifiedName(childByField(n, 'function'), ctx.imports);
      if (q === 'sys.exit' || q === 'os._exit' || q === 'exit' || q === 'quit' || q === 'os.abort') reraises = true;
      const helper = fn.owner ? calledHelper(n, fn, fn.owner, ctx) : undefined;
      if (helper && helper !== fn && alwaysRaises(helper)) reraises = true;
    }
    return undefined;
  });
  if (reraises) return false;

  const written = writtenNames(clause, block);
  if (reportedLater(fn, tryStatement, block, written)) return false;
  if (via && reportedLater(write, via, undefined, written)) return false;
  return true;
}

function alwaysRaises(fn: FunctionInfo): boolean {
  let raises = false;
  walkScope(fn.body, (n) => {
    if (n.type === 'raise_statement') raises = true;
  });
  return raises && !canCompleteNormally(fn.body);
}

const MUTATORS = new Set(['append', 'extend', 'add', 'update', 'insert', 'appendleft', 'put', 'put_nowait', 'setdefault']);

/** Names (`failed`, `self.errors`) the handler sets or adds to, and the exception's own name. */
function writtenNames(clause: Node, block: Node): Set<string> {
  const out = new Set<string>();
  const value = clause.children.find((c) => c.field === 'value');
  if (value?.type === 'as_pattern') {
    const alias = childByField(value, 'alias');
    const name = alias?.children.find((c) => c.type === 'identifier') ?? (alias?.type === 'identifier' ? alias : undefined);
    if (name?.text) out.add(name.text);
  }
  walkScope(block, (n) => {
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = childByField(n, 'left');
      const targets = left && (left.type === 'pattern_list' || left.type === 'tuple_pattern') ? left.children : left ? [left] : [];
      for (const t of targets) {
        const name = writtenName(t.type === 'subscript' ? childByField(t, 'value') : t);
        if (name) out.add(name);
      }
    } else if (n.type === 'call') {
      const callee = childByField(n, 'function');
      if (callee?.type === 'attribute' && MUTATORS.has(childByField(callee, 'attribute')?.text ?? '')) {
        const name = writtenName(childByField(callee, 'object'));
        if (name) out.add(name);
      }
    }
    return undefined;
  });
  return out;
}

/**
 * A later statement of `fn` (after `after`, or inside `handler`) reports the error: a `raise` or
 * `assert` that reads a written name or sits under a condition that does, a `return` whose value
 * reads one, or a `raise` in the `else` of a loop around `after` (a retry loop that gives up).
 */
function reportedLater(fn: FunctionInfo, after: Node, handler: Node | undefined, written: Set<string>): boolean {
  const mentions = (node: Node | undefined) => !!node && mentionsAny(node, written);
  let found = false;
  walk(fn.body, (n) => {
    if (found) return false;
    const inHandler = !!handler && n.start >= handler.start && n.end <= handler.end;
    if (n.end <= after.end && !inHandler) return undefined;
    if (n.type === 'return_statement' && mentions(n)) found = true;
    else if (n.type === 'assert_statement' && mentions(n)) found = true;
    else if (n.type === 'raise_statement' && !inHandler) {
      if (mentions(n)) found = true;
      for (let p = n.parent; p && p !== fn.node && !found; p = p.parent) {
        if ((p.type === 'if_statement' || p.type === 'elif_clause' || p.type === 'while_statement') && mentions(childByField(p, 'condition'))) found = true;
        if (p.type === 'else_clause' && (p.parent?.type === 'for_statement' || p.parent?.type === 'while_statement') && after.start >= p.parent.start && after.end <= p.parent.end) found = true;
      }
    }
    return undefined;
  });
  return found;
}

function mentionsAny(node: Node, names: Set<string>): boolean {
  if (!names.size) return false;
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === 'identifier' || n.type === 'attribute') {
      const name = writtenName(n);
      if (name && names.has(name)) found = true;
    }
    return undefined;
  });
  return found;
}

type Use = 'checked' | 'unchecked' | 'returned';

/**
 * What becomes of the value of `expr` (a send's response): checked (`raise_for_status()`, read
 * in a condition or `assert`, handed to a call or stored where someone else can check it),
 * returned to the caller, or unchecked (discarded, only logged, closed by `with`).
 */
export function responseUse(expr: Node, fn: FunctionInfo, depth: number): Use {
  if (depth > 4) return 'checked';
  let cur = expr;
  for (let p = cur.parent; p; cur = p, p = p.parent) {
    switch (p.type) {
      case 'await':
      case 'parenthesized_expression':
      case 'subscript':
        if (p.type === 'subscript' && cur.field !== 'value') return 'checked';
        continue;
      case 'attribute': {
        if (cur.field !== 'object') return 'checked';
        if (childByField(p, 'attribute')?.text === 'raise_for_status') return 'checked';
        if (p.parent?.type === 'call' && p.field === 'function') p = p.parent;
        continue;
      }
      case 'expression_statement':
        return 'unchecked';
      case 'with_item':
        return 'unchecked';
      case 'as_pattern': {
        const alias = childByField(p, 'alias');
        const name = alias?.children.find((c) => c.type === 'identifier');
        return name?.text ? nameUse(name.text, p, fn, depth) : 'checked';
      }
      case 'assignment': {
        const left = childByField(p, 'left');
        if (cur.field !== 'right' || left?.type !== 'identifier' || !left.text) return 'checked';
        return nameUse(left.text, p, fn, depth);
      }
      case 'argument_list':
      case 'keyword_argument': {
        const call = p.type === 'argument_list' ? p.parent : p.parent?.parent;
        if (p.type === 'keyword_argument') p = p.parent!;
        if (call?.type !== 'call') return 'checked';
        const callee = childByField(call, 'function');
        const name = callee?.type === 'attribute' ? childByField(callee, 'attribute')?.text ?? '' : callee?.text ?? '';
        const receiver = callee?.type === 'attribute' ? writtenName(childByField(callee, 'object')) ?? '' : '';
        if (name === 'print' || (LOG_METHODS.has(name) && /log/i.test(receiver))) return 'unchecked';
        if (!TRANSPARENT_CALLS.has(receiver ? `${receiver}.${name}` : name)) return 'checked';
        p = call;
        continue;
      }
      case 'return_statement':
        return 'returned';
      default:
        return 'checked';
    }
  }
  return 'checked';
}

function nameUse(name: string, binding: Node, fn: FunctionInfo, depth: number): Use {
  let result: Use = 'unchecked';
  walk(fn.node, (n) => {
    if (result === 'checked') return false;
    if (n.type !== 'identifier' || n.text !== name || n.start < binding.end) return undefined;
    if (n.parent?.type === 'attribute' && n.field === 'attribute') return undefined;
    if (n.parent?.type === 'keyword_argument' && n.field === 'name') return undefined;
    const use = responseUse(n, fn, depth + 1);
    if (use === 'checked') result = 'checked';
    else if (use === 'returned' && result === 'unchecked') result = 'returned';
    return undefined;
  });
  return result;
}

/** Session hooks (`session.hooks["response"]`, httpx `event_hooks`) or `raise_for_status=True` check every response. */
const sessionsCheckCache = new WeakMap<Node, boolean>();

/** Computed once per file: each writer asks, and a walk of the whole file per writer is quadratic. */
function sessionsCheckResponses(root: Node): boolean {
  const cached = sessionsCheckCache.get(root);
  if (cached !== undefined) return cached;
  const found = findSessionHooks(root);
  sessionsCheckCache.set(root, found);
  return found;
}

function findSessionHooks(root: Node): boolean {
  let found = false;
  walk(root, (n) => {
    if (found) return false;
    if (n.type === 'identifier' && (n.text === 'hooks' || n.text === 'event_hooks')) found = true;
    if (n.type === 'keyword_argument' && childByField(n, 'name')?.text === 'raise_for_status') found = true;
    return undefined;
  });
  return found;
}
