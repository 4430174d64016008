/**
 * A compact, plain-JavaScript copy of the tree-sitter tree.
 *
 * Touching native nodes costs about a microsecond each; the model visits most nodes of a
 * data-source class several times. So the tree is converted once, with one cursor walk, into
 * {@link Node} objects that keep only what the engine uses: named nodes, the operator tokens of
 * expressions, field names and offsets. Offsets are UTF-16 code units (JavaScript string
 * indices), the unit both bindings and LSP use.
 *
 * Top-level statements are the unit of reuse: {@link SyntaxCache} keeps converted statements by
 * their text, so after an edit only the statements that changed are converted again.
 */
import type { TsCursor, TsTree } from './parser';

export interface Node {
  readonly type: string;
  start: number;
  end: number;
  /** Field name in the parent (`name`, `body`, `left`, ...), or null. */
  readonly field: string | null;
  /** False for the operator and keyword tokens kept from anonymous nodes. */
  readonly named: boolean;
  readonly children: Node[];
  parent: Node | null;
  /** Source text, kept for leaves (identifiers, operators, numbers, strings, comments). */
  readonly text: string | null;
  /** True for an ERROR node, a MISSING node, or a node with either below it. */
  hasError: boolean;
  /** Nested deeper than {@link MAX_SYNTAX_DEPTH}: its children were not converted. */
  truncated?: boolean;
}

/**
 * Deeper subtrees are kept as opaque leaves. CPython itself rejects source nested beyond a few
 * hundred levels, so nothing analysable is lost, and every recursive walk downstream is bounded.
 */
export const MAX_SYNTAX_DEPTH = 400;

/** Anonymous tokens worth keeping: the operators of expressions and a few keywords. */
const KEPT_ANONYMOUS_FIELDS = new Set(['operator', 'operators']);
const KEPT_ANONYMOUS_TYPES = new Set(['async', 'not', 'is', 'in', 'is not', 'not in']);
/** Named nodes whose text is kept, because rules read them as values. */
const LEAF_TEXT_TYPES = new Set([
  'identifier',
  'integer',
  'float',
  'string',
  'comment',
  'true',
  'false',
  'none',
  'string_content',
  'escape_sequence',
  'keyword_separator',
  'positional_separator',
]);
/** Below these, nothing is needed but the text (kept on the node itself). */
const OPAQUE_TYPES = new Set(['comment']);

class ConvertedNode implements Node {
  parent: Node | null = null;
  hasError = false;
  truncated?: boolean;
  readonly children: Node[] = [];
  constructor(
    readonly type: string,
    public start: number,
    public end: number,
    readonly field: string | null,
    readonly text: string | null,
    readonly named = true,
  ) {}
}

/**
 * Node types of tree-sitter-python 0.25 that have fields (from its node-types.json; a test checks
 * this list against the grammar). Children of other nodes carry no field name, so the walk does not
 * ask for one: every native call saved counts, the walk touches every node.
 */
export const TYPES_WITH_FIELDS: ReadonlySet<string> = new Set([
  'aliased_import', 'as_pattern', 'assignment', 'attribute', 'augmented_assignment', 'binary_operator', 'block',
  'boolean_operator', 'call', 'case_clause', 'class_definition', 'comparison_operator', 'decorated_definition',
  'default_parameter', 'dict_pattern', 'dictionary_comprehension', 'elif_clause', 'else_clause', 'except_clause',
  'exec_statement', 'for_in_clause', 'for_statement', 'format_expression', 'function_definition',
  'future_import_statement', 'generator_expression', 'if_statement', 'import_from_statement', 'import_statement',
  'interpolation', 'keyword_argument', 'lambda', 'list_comprehension', 'match_statement', 'named_expression',
  'not_operator', 'pair', 'print_statement', 'raise_statement', 'set_comprehension', 'subscript', 'try_statement',
  'type_alias_statement', 'typed_default_parameter', 'typed_parameter', 'unary_operator', 'while_statement',
  'with_item', 'with_statement',
]);

/** Parents whose anonymous children can be operators worth keeping. */
const OPERATOR_PARENTS = new Set(['binary_operator', 'boolean_operator', 'augmented_assignment', 'unary_operator', 'comparison_operator', 'not_operator']);

class Converter {
  private readonly typeNames: string[] = [];
  private readonly typeNamed: boolean[] = [];
  private readonly fieldNames: (string | null)[] = [];
  /** Depth of the node a conversion started at (top-level statements are at depth 1). */
  private baseDepth = 0;

  constructor(
    private readonly text: string,
    /** Leave function bodies unconverted (empty `block`s): enough for a file's outline. */
    private readonly skipFunctionBodies = false,
  ) {}

  private typeOf(c: TsCursor, id: number): string {
    let name = this.typeNames[id];
    if (name === undefined) {
      name = c.nodeType;
      this.typeNames[id] = name;
      this.typeNamed[id] = c.nodeIsNamed;
    }
    return name;
  }

  fieldOf(c: TsCursor): string | null {
    const id = c.currentFieldId;
    if (!id) return null;
    let name = this.fieldNames[id];
    if (name === undefined) {
      name = c.currentFieldName ?? null;
      this.fieldNames[id] = name;
    }
    return name;
  }

  private make(c: TsCursor, field: string | null, depth: number): ConvertedNode {
    const id = c.nodeTypeId;
    const type = this.typeOf(c, id);
    const start = c.startIndex;
    const end = c.endIndex;
    const node = new ConvertedNode(type, start, end, field, LEAF_TEXT_TYPES.has(type) ? this.text.slice(start, end) : null);
    // MISSING nodes are zero-width; only those need the extra call.
    if (type === 'ERROR' || (start === end && c.nodeIsMissing)) node.hasError = true;
    if (depth >= MAX_SYNTAX_DEPTH) node.truncated = true;
    return node;
  }

  /** Whether the converter descends into a node's children. */
  private descends(node: ConvertedNode): boolean {
    if (node.truncated || OPAQUE_TYPES.has(node.type)) return false;
    if (this.skipFunctionBodies && node.field === 'body' && node.parent?.type === 'function_definition') return false;
    // A plain string's parts (string_start/content/end) add nothing to its text; f-strings keep
    // their interpolations.
    return !(node.type === 'string' && node.text !== null && !/^[A-Za-z]*[fFtT]/.test(node.text));
  }

  /**
   * Converts the node under the cursor and its subtree, iteratively (deeply nested expressions
   * must not exhaust the JavaScript stack); the cursor ends where it started.
   */
  convert(c: TsCursor, field: string | null, depth = 0): ConvertedNode {
    this.baseDepth = depth;
    const root = this.make(c, field, depth);
    if (!this.descends(root) || !c.gotoFirstChild()) return root;
    // The stack holds the nodes whose children the cursor is walking.
    const stack: ConvertedNode[] = [root];
    for (;;) {
      const parent = stack[stack.length - 1];
      this.visitChild(c, parent, stack);
      // Next: down into the node just pushed, else the next sibling, else back up.
      const pushed = stack[stack.length - 1];
      if (pushed !== parent && this.descends(pushed) && c.gotoFirstChild()) continue;
      if (pushed !== parent) stack.pop();
      while (!c.gotoNextSibling()) {
        c.gotoParent();
        const done = stack.pop()!;
        if (done === root) return root;
        const up = stack[stack.length - 1];
        if (done.hasError) up.hasError = true;
      }
    }
  }

  /** Whether the node under the cursor is a named node. */
  isNamed(c: TsCursor): boolean {
    const childId = c.nodeTypeId;
    let named = this.typeNamed[childId];
    if (named === undefined) {
      this.typeOf(c, childId);
      named = this.typeNamed[childId];
    }
    return named;
  }

  /** Keeps the anonymous token under the cursor when it is an operator or keyword worth keeping. */
  token(c: TsCursor, parent: ConvertedNode): void {
    const tokenType = this.typeNames[c.nodeTypeId];
    const childField = OPERATOR_PARENTS.has(parent.type) ? this.fieldOf(c) : null;
    const missing = c.startIndex === c.endIndex && c.nodeIsMissing;
    if ((childField && KEPT_ANONYMOUS_FIELDS.has(childField)) || KEPT_ANONYMOUS_TYPES.has(tokenType)) {
      const token = new ConvertedNode(tokenType, c.startIndex, c.endIndex, childField, tokenType, false);
      token.parent = parent;
      token.hasError = missing;
      parent.children.push(token);
    }
    if (missing) parent.hasError = true;
  }

  /** Adds the node under the cursor to `parent`; pushes it on `stack` when it is a named node. */
  private visitChild(c: TsCursor, parent: ConvertedNode, stack: ConvertedNode[]): void {
    if (!this.isNamed(c)) {
      this.token(c, parent);
      return;
    }
    const child = this.make(c, TYPES_WITH_FIELDS.has(parent.type) ? this.fieldOf(c) : null, this.baseDepth + stack.length);
    child.parent = parent;
    if (child.hasError) parent.hasError = true;
    parent.children.push(child);
    stack.push(child);
  }
}

/**
 * Converted top-level statements by their exact text, with the offset they were converted at.
 * A statement whose text did not change is reused and shifted to its new offset.
 */
export class SyntaxCache {
  private entries = new Map<string, { node: Node; start: number }>();
  private next = new Map<string, { node: Node; start: number }>();
  hits = 0;
  misses = 0;

  take(text: string, start: number, fits: (cached: Node) => boolean = () => true): Node | undefined {
    const entry = this.entries.get(text);
    if (!entry || !fits(entry.node)) return undefined;
    this.entries.delete(text);
    if (entry.start !== start) shift(entry.node, start - entry.start);
    entry.start = start;
    this.next.set(text, entry);
    return entry.node;
  }

  keep(text: string, start: number, node: Node): void {
    this.next.set(text, { node, start });
  }

  /** Ends a conversion: statements not seen this time are dropped. */
  commit(): void {
    this.entries = this.next;
    this.next = new Map();
  }
}

function shift(node: Node, delta: number): void {
  node.start += delta;
  node.end += delta;
  for (const child of node.children) shift(child, delta);
}

/** Moves every node of a tree by `delta` (into another file's offset span, see `FILE_SPAN`). */
export function shiftTree(root: Node, delta: number): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    n.start += delta;
    n.end += delta;
    for (const c of n.children) stack.push(c);
  }
}

/** Statements smaller than this are converted again rather than looked up (cheaper). */
const CACHE_MIN_LENGTH = 200;

/**
 * Converts a tree into {@link Node}s. With a cache, unchanged top-level statements are reused
 * (their objects are shifted in place, so do not keep nodes of an older conversion around).
 */
export function convertTree(tree: TsTree, text: string, cache?: SyntaxCache, options: { skipFunctionBodies?: boolean } = {}): Node {
  const converter = new Converter(text, options.skipFunctionBodies);
  const c = tree.walk();
  try {
    if (!cache) return converter.convert(c, null);
    const rootType = c.nodeType;
    const root = new ConvertedNode(rootType, c.startIndex, c.endIndex, null, null);
    if (rootType === 'ERROR') root.hasError = true;
    if (c.gotoFirstChild()) {
      do {
        if (!converter.isNamed(c)) {
          converter.token(c, root);
          continue;
        }
        const start = c.startIndex;
        const end = c.endIndex;
        let child: Node | undefined;
        const statementText = end - start >= CACHE_MIN_LENGTH ? text.slice(start, end) : undefined;
        if (statementText !== undefined) {
          // Error recovery depends on the text around a statement: only statements that parse
          // without errors, now and when cached, have a tree determined by their own text.
          child = cache.take(statementText, start, (cached) => !cached.hasError && cached.type === c.nodeType && !c.currentNode.hasError);
          if (child) cache.hits++;
        }
        if (!child) {
          child = converter.convert(c, null, 1);
          if (statementText !== undefined) {
            cache.misses++;
            cache.keep(statementText, start, child);
          }
        }
        child.parent = root;
        if (child.hasError) root.hasError = true;
        root.children.push(child);
      } while (c.gotoNextSibling());
    }
    cache.commit();
    return root;
  } finally {
    c.delete?.();
  }
}

// ---------------------------------------------------------------- navigation helpers

export function childByField(node: Node, field: string): Node | undefined {
  for (const child of node.children) if (child.field === field) return child;
  return undefined;
}

export function childrenByField(node: Node, field: string): Node[] {
  return node.children.filter((c) => c.field === field);
}

export function namedChildren(node: Node): Node[] {
  return node.children.filter((c) => !isToken(c));
}

/** True for the operator and keyword tokens kept from anonymous nodes. */
export function isToken(node: Node): boolean {
  return !node.named;
}

/** Depth-first pre-order walk; return false from `visit` to skip a subtree. */
export function walk(node: Node, visit: (n: Node) => boolean | void): void {
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (visit(n) === false) continue;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
}

/** Like {@link walk}, but does not enter nested functions, lambdas or classes below `node`. */
export function walkScope(node: Node, visit: (n: Node) => boolean | void): void {
  walk(node, (n) => {
    if (n !== node && (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition')) {
      return false;
    }
    return visit(n);
  });
}

export function findAll(node: Node, type: string | ReadonlySet<string>, scopeOnly = true): Node[] {
  const out: Node[] = [];
  const match = typeof type === 'string' ? (t: string) => t === type : (t: string) => type.has(t);
  (scopeOnly ? walkScope : walk)(node, (n) => {
    if (match(n.type)) out.push(n);
  });
  return out;
}

export function ancestors(node: Node): Node[] {
  const out: Node[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out;
}

export function isAncestor(ancestor: Node, node: Node): boolean {
  for (let p: Node | null = node; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

/** The innermost node that contains the offset range. */
export function nodeAt(root: Node, start: number, end = start): Node {
  let current = root;
  for (;;) {
    const next = current.children.find((c) => c.start <= start && end <= c.end && !(c.start === c.end));
    if (!next) return current;
    current = next;
  }
}

/** Decoded value of a plain string literal (no f-string interpolation), else undefined. */
export function stringValue(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'concatenated_string') {
    let out = '';
    for (const part of node.children) {
      const v = stringValue(part);
      if (v === undefined) return undefined;
      out += v;
    }
    return out;
  }
  if (node.type !== 'string' || node.text === null) return undefined;
  if (node.children.some((c) => c.type === 'interpolation')) return undefined;
  const m = /^([rRbBuU]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(node.text);
  if (!m) return undefined;
  const prefix = m[1].toLowerCase();
  const body = m[3];
  if (prefix.includes('r')) return body;
  return body.replace(/\\(n|t|r|\\|'|"|\n)/g, (_, ch: string) =>
    ch === 'n' ? '\n' : ch === 't' ? '\t' : ch === 'r' ? '\r' : ch === '\n' ? '' : ch,
  );
}

/** The literal text of a string including f-strings' static parts; for keyword searches. */
export function stringText(node: Node): string | undefined {
  if (node.type === 'concatenated_string') return node.children.map((c) => stringText(c) ?? '').join('');
  if (node.type !== 'string' || node.text === null) return undefined;
  return node.text;
}
