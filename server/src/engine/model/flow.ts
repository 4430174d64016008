/**
 * A small control-flow notion over statements: can a block complete normally (run off its end),
 * can it `break` out of the loop around it? Enough to answer "can this function end without a
 * `return`?" (a writer's `write()` must return a commit message on every path).
 *
 * Exceptions are not followed beyond `raise` and `assert False`: a call is assumed to return.
 */
import { childByField, type Node } from '../syntax';
import type { FunctionInfo } from './functions';

interface Flow {
  /** Control can reach the statement after this one. */
  normal: boolean;
  /** A `break` can leave the innermost enclosing loop from here. */
  breaks: boolean;
}

const NORMAL: Flow = { normal: true, breaks: false };

function statements(block: Node | undefined): Node[] {
  return block ? block.children.filter((c) => c.named && c.type !== 'comment') : [];
}

function sequence(nodes: Node[]): Flow {
  let breaks = false;
  for (const stmt of nodes) {
    const f = statementFlow(stmt);
    breaks ||= f.breaks;
    if (!f.normal) return { normal: false, breaks };
  }
  return { normal: true, breaks };
}

function blockFlow(block: Node | undefined): Flow {
  return sequence(statements(block));
}

/** `True`, a non-zero number, or a non-empty string: a loop on it only ends by `break`. */
function isAlwaysTrue(condition: Node | undefined): boolean {
  if (!condition) return false;
  if (condition.type === 'parenthesized_expression') return isAlwaysTrue(condition.children.find((c) => c.named));
  if (condition.type === 'true') return true;
  if (condition.type === 'integer') return Number(condition.text?.replace(/_/g, '')) !== 0;
  return false;
}

function isAlwaysFalse(condition: Node | undefined): boolean {
  if (!condition) return false;
  if (condition.type === 'parenthesized_expression') return isAlwaysFalse(condition.children.find((c) => c.named));
  return condition.type === 'false' || condition.type === 'none' || (condition.type === 'integer' && Number(condition.text?.replace(/_/g, '')) === 0);
}

function clauses(node: Node, type: string): Node[] {
  return node.children.filter((c) => c.type === type);
}

function statementFlow(stmt: Node): Flow {
  switch (stmt.type) {
    case 'return_statement':
    case 'raise_statement':
    case 'continue_statement':
      return { normal: false, breaks: false };
    case 'break_statement':
      return { normal: false, breaks: true };
    case 'assert_statement': {
      const condition = stmt.children.find((c) => c.named);
      return isAlwaysFalse(condition) ? { normal: false, breaks: false } : NORMAL;
    }
    case 'block':
      return blockFlow(stmt);
    case 'if_statement': {
      const branches = [childByField(stmt, 'consequence'), ...clauses(stmt, 'elif_clause').map((c) => childByField(c, 'consequence'))];
      const elseClause = clauses(stmt, 'else_clause')[0];
      const flows = branches.map(blockFlow);
      const elseFlow = elseClause ? blockFlow(childByField(elseClause, 'body')) : NORMAL;
      flows.push(elseFlow);
      return { normal: flows.some((f) => f.normal), breaks: flows.some((f) => f.breaks) };
    }
    case 'while_statement': {
      const body = blockFlow(childByField(stmt, 'body'));
      if (isAlwaysTrue(childByField(stmt, 'condition'))) return { normal: body.breaks, breaks: false };
      const elseClause = clauses(stmt, 'else_clause')[0];
      const elseFlow = elseClause ? blockFlow(childByField(elseClause, 'body')) : NORMAL;
      return { normal: elseFlow.normal || body.breaks, breaks: elseFlow.breaks };
    }
    case 'for_statement': {
      // The iterable may be empty: the loop can always end normally, through its `else`.
      const body = blockFlow(childByField(stmt, 'body'));
      const elseClause = clauses(stmt, 'else_clause')[0];
      const elseFlow = elseClause ? blockFlow(childByField(elseClause, 'body')) : NORMAL;
      return { normal: elseFlow.normal || body.breaks, breaks: elseFlow.breaks };
    }
    case 'try_statement': {
      const body = blockFlow(childByField(stmt, 'body'));
      const handlers = [...clauses(stmt, 'except_clause'), ...clauses(stmt, 'except_group_clause')].map((h) =>
        blockFlow(h.children.find((c) => c.type === 'block')),
      );
      const elseClause = clauses(stmt, 'else_clause')[0];
      const elseFlow = elseClause ? blockFlow(childByField(elseClause, 'body')) : NORMAL;
      const finallyClause = clauses(stmt, 'finally_clause')[0];
      const finallyFlow = finallyClause ? blockFlow(finallyClause.children.find((c) => c.type === 'block')) : NORMAL;
      const breaks = body.breaks || handlers.some((h) => h.breaks) || elseFlow.breaks || finallyFlow.breaks;
      if (!finallyFlow.normal) return { normal: false, breaks };
      const normal = (body.normal && elseFlow.normal) || handlers.some((h) => h.normal);
      return { normal, breaks };
    }
    case 'with_statement':
      return blockFlow(childByField(stmt, 'body'));
    case 'match_statement': {
      const body = childByField(stmt, 'body') ?? stmt.children.find((c) => c.type === 'block');
      const cases = (body?.children ?? []).filter((c) => c.type === 'case_clause');
      const flows = cases.map((c) => blockFlow(childByField(c, 'consequence') ?? c.children.find((k) => k.type === 'block')));
      const exhaustive = cases.some(isIrrefutableCase);
      return {
        normal: !exhaustive || flows.some((f) => f.normal),
        breaks: flows.some((f) => f.breaks),
      };
    }
    default:
      return NORMAL;
  }
}

/** `case _:` or `case name:` with no guard matches everything. */
function isIrrefutableCase(clause: Node): boolean {
  if (clause.children.some((c) => c.type === 'if_clause' || c.field === 'guard')) return false;
  const patterns = clause.children.filter((c) => c.type === 'case_pattern');
  if (patterns.length !== 1) return false;
  const inner = patterns[0].children.filter((c) => c.named);
  if (!inner.length) return patterns[0].end - patterns[0].start === 1; // the bare `_`
  return inner.length === 1 && (inner[0].type === 'identifier' || inner[0].type === 'dotted_name' && inner[0].children.length === 1);
}

/** True when the function body can run off its end (an implicit `return None`). */
export function canFallOffEnd(fn: FunctionInfo): boolean {
  return blockFlow(fn.body).normal;
}

/** True when the block can complete normally (for a statement or a block). */
export function canCompleteNormally(node: Node): boolean {
  return statementFlow(node).normal;
}

/** `return` and `return None`: the function gives back `None` there. */
export function returnsNone(statement: Node): boolean {
  const value = statement.children.find((c) => c.named && c.type !== 'comment');
  return !value || value.type === 'none';
}

/**
 * True when nothing of the function runs after `statement` finishes: it is the last statement of
 * its block, and each enclosing `if`/`elif`/`else`/`with` is itself in tail position, up to the
 * function body. Loops and `try` are not tail positions (more code runs after them).
 */
export function isInTailPosition(statement: Node, fn: FunctionInfo): boolean {
  let current = statement;
  for (;;) {
    const block = current.parent;
    if (!block || block.type !== 'block') return false;
    const siblings = statements(block);
    if (siblings[siblings.length - 1] !== current) return false;
    if (block === fn.body) return true;
    let owner = block.parent;
    if (!owner) return false;
    if (owner.type === 'elif_clause' || owner.type === 'else_clause') {
      const parent = owner.parent;
      if (owner.type === 'else_clause' && parent?.type !== 'if_statement') return false;
      owner = parent;
    }
    if (!owner || (owner.type !== 'if_statement' && owner.type !== 'with_statement')) return false;
    current = owner;
  }
}

/**
 * What is known to hold where a node runs: a name is truthy or falsy (`if rows:`, `if not rows:`,
 * `len(rows) > 0`, `x if rows else y`), or some other condition we do not interpret. `early`
 * marks facts from an earlier `if` whose body leaves (`if not rows: return ...` before the node).
 */
export type PathFact =
  | { kind: 'truthiness'; name: string; truthy: boolean; node: Node; early: boolean }
  | { kind: 'other'; node: Node; early: boolean };

/** The facts a condition gives when it evaluates to `value`. */
export function conditionFacts(cond: Node | undefined, value: boolean, early = false): PathFact[] {
  if (!cond) return [];
  const other: PathFact[] = [{ kind: 'other', node: cond, early }];
  switch (cond.type) {
    case 'parenthesized_expression':
      return conditionFacts(cond.children.find((c) => c.named), value, early);
    case 'not_operator':
      return conditionFacts(childByField(cond, 'argument'), !value, early);
    case 'boolean_operator': {
      const op = childByField(cond, 'operator')?.type ?? cond.children.find((c) => !c.named)?.type;
      const left = childByField(cond, 'left');
      const right = childByField(cond, 'right');
      // `a and b` true: both true; `a or b` false: both false. Otherwise nothing certain.
      if ((op === 'and' && value) || (op === 'or' && !value)) return [...conditionFacts(left, value, early), ...conditionFacts(right, value, early)];
      return other;
    }
    case 'identifier':
      return cond.text ? [{ kind: 'truthiness', name: cond.text, truthy: value, node: cond, early }] : other;
    case 'true':
      // `while True:` tells nothing.
      return value ? [] : other;
    case 'call': {
      const name = sizedName(cond);
      return name ? [{ kind: 'truthiness', name, truthy: value, node: cond, early }] : other;
    }
    case 'comparison_operator': {
      const operands = cond.children.filter((c) => c.named);
      const ops = cond.children.filter((c) => !c.named).map((c) => c.type);
      if (operands.length !== 2 || ops.length !== 1) return other;
      const [a, b] = operands;
      const sized = (n: Node) => sizedName(n) ?? (n.type === 'identifier' ? n.text ?? undefined : undefined);
      const zero = (n: Node) => (n.type === 'integer' && Number(n.text) === 0) || n.type === 'list' && !n.children.some((c) => c.named);
      const one = (n: Node) => n.type === 'integer' && Number(n.text) === 1;
      let name: string | undefined;
      let nonEmptyWhenTrue: boolean | undefined;
      const op = ops[0];
      if (sized(a) && (zero(b) || one(b))) {
        name = sized(a);
        if (zero(b)) nonEmptyWhenTrue = op === '>' || op === '!=' ? true : op === '==' || op === '<=' ? false : undefined;
        else nonEmptyWhenTrue = op === '>=' ? true : op === '<' ? false : undefined;
      } else if (sized(b) && (zero(a) || one(a))) {
        name = sized(b);
        if (zero(a)) nonEmptyWhenTrue = op === '<' || op === '!=' ? true : op === '==' || op === '>=' ? false : undefined;
        else nonEmptyWhenTrue = op === '<=' ? true : op === '>' ? false : undefined;
      }
      // `rows == []` compares a list; `len(rows) == 0` a size: both say "empty". Plain `x == 0` of a number does too.
      if (!name || nonEmptyWhenTrue === undefined) return other;
      return [{ kind: 'truthiness', name, truthy: nonEmptyWhenTrue === value, node: cond, early }];
    }
    default:
      return other;
  }
}

/** `len(x)` → `x`. */
function sizedName(n: Node): string | undefined {
  if (n.type !== 'call') return undefined;
  const callee = childByField(n, 'function');
  const list = childByField(n, 'arguments');
  const argsOf = list?.children.filter((c) => c.named && c.type !== 'comment') ?? [];
  if (callee?.type === 'identifier' && callee.text === 'len' && argsOf.length === 1 && argsOf[0].type === 'identifier') return argsOf[0].text ?? undefined;
  return undefined;
}

/**
 * The facts that hold where `node` runs inside `fn`: the conditions of the `if`/`elif`/`else`,
 * conditional expressions, `and`/`or` and `while` around it, an `other` fact for the body of a
 * `for`, an `except` or a comprehension, and (early) the negated conditions of earlier `if`s in
 * enclosing blocks whose body cannot complete normally.
 */
export function pathFacts(node: Node, fn: FunctionInfo): PathFact[] {
  const facts: PathFact[] = [];
  for (let child: Node = node, p = node.parent; p && child !== fn.body && child !== fn.node; child = p, p = p.parent) {
    switch (p.type) {
      case 'if_statement': {
        const cond = childByField(p, 'condition');
        if (child === cond) break;
        const elifs = clauses(p, 'elif_clause');
        if (child.field === 'consequence') {
          facts.push(...conditionFacts(cond, true));
        } else if (child.type === 'elif_clause') {
          facts.push(...conditionFacts(cond, false));
          for (const e of elifs) {
            if (e === child) break;
            facts.push(...conditionFacts(childByField(e, 'condition'), false));
          }
          // The elif's own condition is added when the walk passes the elif clause (below).
        } else if (child.type === 'else_clause') {
          facts.push(...conditionFacts(cond, false));
          for (const e of elifs) facts.push(...conditionFacts(childByField(e, 'condition'), false));
        }
        break;
      }
      case 'elif_clause':
        if (child.field === 'consequence') facts.push(...conditionFacts(childByField(p, 'condition'), true));
        break;
      case 'conditional_expression': {
        const parts = p.children.filter((c) => c.named);
        if (child === parts[0]) facts.push(...conditionFacts(parts[1], true));
        else if (child === parts[2]) facts.push(...conditionFacts(parts[1], false));
        break;
      }
      case 'boolean_operator': {
        const op = childByField(p, 'operator')?.type ?? p.children.find((c) => !c.named)?.type;
        const left = childByField(p, 'left');
        if (child === childByField(p, 'right')) facts.push(...conditionFacts(left, op === 'and'));
        break;
      }
      case 'while_statement':
        if (child.field === 'body') facts.push(...conditionFacts(childByField(p, 'condition'), true));
        break;
      case 'for_statement':
      case 'except_clause':
      case 'except_group_clause':
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
      case 'dictionary_comprehension':
        if (child.field !== 'right' || p.type !== 'for_statement') facts.push({ kind: 'other', node: p, early: false });
        break;
      case 'block':
        for (const stmt of p.children) {
          if (stmt.start >= child.start) break;
          if (stmt.type !== 'if_statement' || clauses(stmt, 'elif_clause').length) continue;
          const cond = childByField(stmt, 'condition');
          const elseClause = clauses(stmt, 'else_clause')[0];
          const thenLeaves = !blockFlow(childByField(stmt, 'consequence')).normal;
          const elseLeaves = elseClause ? !blockFlow(childByField(elseClause, 'body')).normal : false;
          if (thenLeaves && !elseLeaves) facts.push(...conditionFacts(cond, false, true));
          else if (elseLeaves && !thenLeaves) facts.push(...conditionFacts(cond, true, true));
        }
        break;
      default:
        break;
    }
  }
  return facts;
}
