/**
 * Facts about one function or method, gathered in a single walk of its body: parameters,
 * returns and yields, assignments to locals and to `self` attributes, attribute reads, calls.
 */
import { childByField, type Node, walk } from '../syntax';
import type { ClassInfo } from './classes';

export type ParamKind = 'positional' | 'positional_only' | 'keyword_only' | 'varargs' | 'kwargs';

export interface ParamInfo {
  name: string;
  node: Node;
  kind: ParamKind;
  defaultValue?: Node;
  annotation?: Node;
}

export interface FunctionInfo {
  name: string;
  node: Node;
  nameNode: Node;
  parametersNode: Node;
  params: ParamInfo[];
  body: Node;
  /** The class the function is a method of, if any. */
  owner?: ClassInfo;
  decorators: Node[];
  decoratorNames: string[];
  isAsync: boolean;
  isStatic: boolean;
  isClassMethod: boolean;
  /** A `yield` in the function's own scope (not in nested functions). */
  isGenerator: boolean;
  /** Name of the first parameter of a method (`self`), unless static. */
  selfName?: string;
  /** `return` statements of the function's own scope. */
  returns: Node[];
  /** `yield` expressions of the function's own scope. */
  yields: Node[];
  /** Local name → the nodes that bind it (assignment targets' value sides, loops, withs, params). */
  localBindings: Map<string, Binding[]>;
  /** `self.x = ...` (and `self.x += ...`, `setattr(self, "x", ...)`) by attribute name. */
  selfWrites: Map<string, Binding[]>;
  /** `self.x` read (not assigned) by attribute name. */
  selfReads: Map<string, Node[]>;
  /** Calls of the own scope and of nested functions/lambdas, in source order. */
  calls: Node[];
  /** Calls `self.m(...)` by method name. */
  selfCalls: Map<string, Node[]>;
  /** The docstring, if the body starts with one. */
  docstring?: string;
  /**
   * Locals whose value may be changed in place after it is bound: `x[k] = v`, `del x[k]`,
   * `x.update(...)`/`setdefault`/`pop`/`clear`, or `x` passed to a call that may fill it. A dict
   * bound to such a name has keys the literal does not show.
   */
  mutatedLocals: Set<string>;
  /** `self.x[k] = v`, `self.x.update(...)`, ...: attributes changed in place. */
  mutatedSelfAttributes: Set<string>;
}

export type BindingKind = 'assign' | 'augmented' | 'for' | 'with' | 'param' | 'unpack' | 'walrus' | 'import' | 'except' | 'del';

export interface Binding {
  kind: BindingKind;
  /** The target node (identifier or attribute). */
  target: Node;
  /** The value expression, when there is one: the right side, the iterable, the context manager. */
  value?: Node;
  /** The whole statement or expression that binds. */
  statement: Node;
  /** For tuple unpacking: the index of the target in the pattern. */
  index?: number;
}

const FUNCTION_LIKE = new Set(['function_definition', 'lambda', 'class_definition']);

/** Methods that change a dict (or list) in place. */
const MUTATING_METHODS = new Set(['update', 'setdefault', 'pop', 'popitem', 'clear', '__setitem__', '__delitem__']);

/** Calls that do not change the containers passed to them. */
const NON_MUTATING_CALLS = new Set([
  'json.dumps', 'dumps', 'str', 'repr', 'len', 'print', 'dict', 'list', 'tuple', 'sorted', 'set', 'frozenset', 'isinstance',
  'bool', 'int', 'float', 'iter', 'copy.copy', 'copy.deepcopy', 'id', 'hash', 'type', 'any', 'all', 'min', 'max', 'sum',
  'logging.info', 'logging.debug', 'logging.warning', 'logger.info', 'logger.debug', 'logger.warning', 'log.info', 'log.debug',
]);

function pushMap<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function readParams(parametersNode: Node): ParamInfo[] {
  const params: ParamInfo[] = [];
  let afterStar = false;
  const positionalOnlyUntil = parametersNode.children.findIndex((c) => c.type === 'positional_separator');
  parametersNode.children.forEach((p, index) => {
    let kind: ParamKind = afterStar ? 'keyword_only' : 'positional';
    if (positionalOnlyUntil >= 0 && index < positionalOnlyUntil) kind = 'positional_only';
    let nameNode: Node | undefined;
    let defaultValue: Node | undefined;
    let annotation: Node | undefined;
    switch (p.type) {
      case 'identifier':
        nameNode = p;
        break;
      case 'typed_parameter':
        nameNode = p.children.find((c) => c.type === 'identifier');
        annotation = childByField(p, 'type');
        if (!nameNode) {
          const splat = p.children.find((c) => c.type === 'list_splat_pattern' || c.type === 'dictionary_splat_pattern');
          if (splat) {
            nameNode = splat.children.find((c) => c.type === 'identifier');
            kind = splat.type === 'list_splat_pattern' ? 'varargs' : 'kwargs';
            if (kind === 'varargs') afterStar = true;
          }
        }
        break;
      case 'default_parameter':
      case 'typed_default_parameter':
        nameNode = childByField(p, 'name');
        defaultValue = childByField(p, 'value');
        annotation = childByField(p, 'type');
        break;
      case 'list_splat_pattern':
        nameNode = p.children.find((c) => c.type === 'identifier');
        kind = 'varargs';
        afterStar = true;
        break;
      case 'dictionary_splat_pattern':
        nameNode = p.children.find((c) => c.type === 'identifier');
        kind = 'kwargs';
        break;
      case 'keyword_separator':
        afterStar = true;
        return;
      default:
        return;
    }
    if (nameNode?.text) params.push({ name: nameNode.text, node: p, kind, defaultValue, annotation });
  });
  return params;
}

function decoratorName(decorator: Node): string {
  const expr = decorator.children.find((c) => c.named);
  if (!expr) return '';
  const target = expr.type === 'call' ? childByField(expr, 'function') : expr;
  return target ? nameText(target) : '';
}

function nameText(node: Node): string {
  if (node.type === 'identifier') return node.text ?? '';
  if (node.type === 'attribute') {
    const obj = childByField(node, 'object');
    const attr = childByField(node, 'attribute');
    return `${obj ? nameText(obj) : ''}.${attr?.text ?? ''}`;
  }
  return '';
}

export function docstringOf(body: Node | undefined): string | undefined {
  const first = body?.children.find((c) => c.named && c.type !== 'comment');
  if (first?.type !== 'expression_statement') return undefined;
  const str = first.children[0];
  if (str?.type !== 'string' || !str.text) return undefined;
  return str.text.replace(/^[rRuU]?('''|"""|'|")/, '').replace(/('''|"""|'|")$/, '');
}

/** Adds the names a pattern (identifier, tuple, list, starred) binds. */
function bindPattern(
  pattern: Node,
  add: (target: Node, index: number | undefined) => void,
  index?: number,
): void {
  switch (pattern.type) {
    case 'identifier':
    case 'attribute':
    case 'subscript':
      add(pattern, index);
      break;
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'expression_list':
    case 'tuple':
    case 'list': {
      let i = 0;
      for (const c of pattern.children) {
        if (!c.named) continue;
        bindPattern(c, add, i++);
      }
      break;
    }
    case 'list_splat_pattern':
    case 'parenthesized_expression':
      for (const c of pattern.children) if (c.named) bindPattern(c, add, index);
      break;
    default:
      break;
  }
}

function isSelfAttribute(node: Node, selfName: string | undefined): string | undefined {
  if (!selfName || node.type !== 'attribute') return undefined;
  const obj = childByField(node, 'object');
  const attr = childByField(node, 'attribute');
  if (obj?.type === 'identifier' && obj.text === selfName && attr?.text) return attr.text;
  return undefined;
}

export function buildFunctionInfo(node: Node, owner?: ClassInfo): FunctionInfo | undefined {
  const nameNode = childByField(node, 'name');
  const parametersNode = childByField(node, 'parameters');
  const body = childByField(node, 'body');
  if (!nameNode?.text || !parametersNode || !body) return undefined;
  const decorated = node.parent?.type === 'decorated_definition' ? node.parent : undefined;
  const decorators = decorated ? decorated.children.filter((c) => c.type === 'decorator') : [];
  const decoratorNames = decorators.map(decoratorName);
  const isStatic = decoratorNames.some((d) => d === 'staticmethod' || d.endsWith('.staticmethod'));
  const isClassMethod = decoratorNames.some((d) => d === 'classmethod' || d.endsWith('.classmethod'));
  const params = readParams(parametersNode);
  const selfName = owner && !isStatic && params[0]?.kind !== 'varargs' ? params[0]?.name : undefined;

  const info: FunctionInfo = {
    name: nameNode.text,
    node,
    nameNode,
    parametersNode,
    params,
    body,
    owner,
    decorators,
    decoratorNames,
    isAsync: node.children.some((c) => c.type === 'async'),
    isStatic,
    isClassMethod,
    isGenerator: false,
    selfName: isClassMethod ? undefined : selfName,
    returns: [],
    yields: [],
    localBindings: new Map(),
    selfWrites: new Map(),
    selfReads: new Map(),
    calls: [],
    selfCalls: new Map(),
    docstring: docstringOf(body),
    mutatedLocals: new Set(),
    mutatedSelfAttributes: new Set(),
  };
  for (const p of params) pushMap(info.localBindings, p.name, { kind: 'param', target: p.node, statement: p.node });

  const self = info.selfName;
  const writtenTargets = new Set<Node>();
  const addTarget = (kind: BindingKind, statement: Node, value: Node | undefined) => (target: Node, index?: number) => {
    const binding: Binding = { kind: index === undefined ? kind : kind === 'assign' ? 'unpack' : kind, target, value, statement, index };
    if (target.type === 'identifier' && target.text) pushMap(info.localBindings, target.text, binding);
    const attr = isSelfAttribute(target, self);
    if (attr) {
      writtenTargets.add(target);
      pushMap(info.selfWrites, attr, binding);
    }
  };

  // Own scope: bindings, returns, yields. Calls: own scope and nested functions (they run as part
  // of this method, e.g. a generator helper defined inside write()).
  walk(body, (n) => {
    switch (n.type) {
      case 'function_definition':
      case 'class_definition':
      case 'lambda': {
        // Nested scopes contribute calls (and self reads, through closures) but not bindings.
        walk(n, (m) => {
          if (m === n) return undefined;
          if (m.type === 'call') recordCall(m);
          const attr = isSelfAttribute(m, self);
          if (attr && !writtenTargets.has(m)) pushMap(info.selfReads, attr, m);
          return undefined;
        });
        if (n.type === 'function_definition') {
          const nested = childByField(n, 'name');
          if (nested?.text) pushMap(info.localBindings, nested.text, { kind: 'assign', target: nested, value: n, statement: n });
        }
        return false;
      }
      case 'assignment': {
        const left = childByField(n, 'left');
        const right = childByField(n, 'right');
        if (left) bindPattern(left, addTarget('assign', n, right));
        if (left) bindPattern(left, (target) => target.type === 'subscript' && recordMutation(childByField(target, 'value')));
        break;
      }
      case 'augmented_assignment': {
        const left = childByField(n, 'left');
        if (left) bindPattern(left, addTarget('augmented', n, n));
        if (left?.type === 'subscript') recordMutation(childByField(left, 'value'));
        // `d |= {...}` changes the dict in place.
        if (left && childByField(n, 'operator')?.type === '|=') recordMutation(left);
        break;
      }
      case 'delete_statement':
        for (const target of n.children) if (target.type === 'subscript') recordMutation(childByField(target, 'value'));
        break;
      case 'named_expression': {
        const name = childByField(n, 'name');
        const value = childByField(n, 'value');
        if (name) addTarget('walrus', n, value)(name);
        break;
      }
      case 'for_statement':
      case 'for_in_clause': {
        const left = childByField(n, 'left');
        const right = childByField(n, 'right');
        if (left) bindPattern(left, addTarget('for', n, right));
        break;
      }
      case 'with_item': {
        const value = childByField(n, 'value');
        if (value?.type === 'as_pattern') {
          const alias = childByField(value, 'alias');
          const target = alias?.children.find((c) => c.named) ?? alias;
          const source = value.children.find((c) => c.named && c.field !== 'alias');
          if (target) bindPattern(target, addTarget('with', n, source));
        }
        break;
      }
      case 'except_clause': {
        const alias = childByField(n, 'alias') ?? n.children.find((c) => c.type === 'as_pattern');
        if (alias?.type === 'identifier') addTarget('except', n, undefined)(alias);
        break;
      }
      case 'return_statement':
        info.returns.push(n);
        break;
      case 'yield':
        info.yields.push(n);
        info.isGenerator = true;
        break;
      case 'call':
        recordCall(n);
        break;
      case 'attribute': {
        const attr = isSelfAttribute(n, self);
        if (attr && !writtenTargets.has(n) && !isAssignmentTarget(n)) pushMap(info.selfReads, attr, n);
        break;
      }
      default:
        break;
    }
    return undefined;
  });

  function recordMutation(object: Node | undefined): void {
    if (!object) return;
    if (object.type === 'identifier' && object.text) info.mutatedLocals.add(object.text);
    const attr = isSelfAttribute(object, self);
    if (attr) info.mutatedSelfAttributes.add(attr);
  }

  function recordCall(call: Node): void {
    info.calls.push(call);
    const fn = childByField(call, 'function');
    if (fn?.type === 'attribute' && MUTATING_METHODS.has(childByField(fn, 'attribute')?.text ?? '')) recordMutation(childByField(fn, 'object'));
    // A container handed to a call that is not known to leave it alone may be filled there.
    if (!(fn?.type === 'identifier' && NON_MUTATING_CALLS.has(fn.text ?? '')) && !(fn?.type === 'attribute' && NON_MUTATING_CALLS.has(`${childByField(fn, 'object')?.text}.${childByField(fn, 'attribute')?.text}`))) {
      for (const a of childByField(call, 'arguments')?.children ?? []) {
        if (a.type === 'identifier' || isSelfAttribute(a, self)) recordMutation(a);
      }
    }
    const attr = fn ? isSelfAttribute(fn, self) : undefined;
    if (attr) pushMap(info.selfCalls, attr, call);
    // setattr(self, "x", value)
    if (fn?.type === 'identifier' && fn.text === 'setattr' && self) {
      const args = childByField(call, 'arguments')?.children.filter((c) => c.named) ?? [];
      if (args[0]?.type === 'identifier' && args[0].text === self && args[1]?.type === 'string') {
        const name = args[1].text?.slice(1, -1);
        if (name) pushMap(info.selfWrites, name, { kind: 'assign', target: args[1], value: args[2], statement: call });
      }
    }
  }
  // Calls were pushed in walk order, which is source order except for nested scopes; sort them.
  info.calls.sort((a, b) => a.start - b.start);
  return info;
}

function isAssignmentTarget(node: Node): boolean {
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if ((p.type === 'assignment' || p.type === 'augmented_assignment') && child.field === 'left') return true;
    if (p.type === 'for_statement' && child.field === 'left') return true;
    if (p.type !== 'pattern_list' && p.type !== 'tuple_pattern' && p.type !== 'list_pattern' && p.type !== 'expression_list') {
      return false;
    }
  }
  return false;
}

export function isFunctionLike(node: Node): boolean {
  return FUNCTION_LIKE.has(node.type);
}
