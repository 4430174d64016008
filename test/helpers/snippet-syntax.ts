/**
 * A small reader of the TextMate / VS Code snippet syntax, for testing `snippets/*.json`:
 * parses a body into tab stops, placeholders, choices, variables and text, and expands it the way
 * VS Code inserts it before the user types anything (every placeholder at its default value).
 *
 *   any         ::= tabstop | placeholder | choice | variable | text
 *   tabstop     ::= '$' int | '${' int '}'
 *   placeholder ::= '${' int ':' any* '}'
 *   choice      ::= '${' int '|' text (',' text)* '|}'
 *   variable    ::= '$' var | '${' var '}' | '${' var ':' any* '}'
 *
 * A backslash escapes `$`, `}` and `\` (in a choice also `,` and `|`); any other backslash, and a
 * `$` that starts nothing, is text. Tab stops of one index mirror the first of them that has a
 * value (a placeholder's default or a choice's first option). A variable takes its value from the
 * map given; when it is empty there, its default or nothing; when it is not there (unknown to
 * VS Code), its default or, as VS Code does, its own name. Transforms
 * (`${1/regex/format/}`) are not supported: a body using one is reported as an error rather than
 * expanded wrongly.
 */

export type SnippetNode =
  | { kind: 'text'; value: string }
  | { kind: 'tabstop'; index: number }
  | { kind: 'placeholder'; index: number; children: SnippetNode[] }
  | { kind: 'choice'; index: number; options: string[] }
  | { kind: 'variable'; name: string; children?: SnippetNode[] };

export class SnippetSyntaxError extends Error {}

const VAR_START = /[_a-zA-Z]/;
const VAR_PART = /[_a-zA-Z0-9]/;
const DIGIT = /[0-9]/;

export function parseSnippet(body: string): SnippetNode[] {
  let pos = 0;

  const fail = (message: string): never => {
    throw new SnippetSyntaxError(`${message} at offset ${pos}: ${JSON.stringify(body.slice(Math.max(0, pos - 20), pos + 20))}`);
  };

  const readInt = (): number | undefined => {
    const start = pos;
    while (pos < body.length && DIGIT.test(body[pos])) pos++;
    return pos > start ? Number(body.slice(start, pos)) : undefined;
  };

  const readVar = (): string | undefined => {
    if (pos >= body.length || !VAR_START.test(body[pos])) return undefined;
    const start = pos;
    while (pos < body.length && VAR_PART.test(body[pos])) pos++;
    return body.slice(start, pos);
  };

  /** Nodes up to the end of the body, or (inside a placeholder) up to an unescaped `}`. */
  const readAny = (nested: boolean): SnippetNode[] => {
    const nodes: SnippetNode[] = [];
    let text = '';
    const flush = () => {
      if (text) nodes.push({ kind: 'text', value: text });
      text = '';
    };
    while (pos < body.length) {
      const ch = body[pos];
      if (ch === '\\' && pos + 1 < body.length && '$}\\'.includes(body[pos + 1])) {
        text += body[pos + 1];
        pos += 2;
        continue;
      }
      if (ch === '}' && nested) {
        flush();
        return nodes;
      }
      if (ch === '$') {
        const node = readDollar();
        if (node) {
          flush();
          nodes.push(node);
          continue;
        }
      }
      text += ch;
      pos++;
    }
    if (nested) fail('unclosed placeholder');
    flush();
    return nodes;
  };

  /** A `$...` construct at `pos`, or undefined (and `pos` unchanged) when the `$` is text. */
  const readDollar = (): SnippetNode | undefined => {
    const start = pos;
    pos++; // $
    const index = readInt();
    if (index !== undefined) return { kind: 'tabstop', index };
    const name = readVar();
    if (name !== undefined) return { kind: 'variable', name };
    if (body[pos] !== '{') {
      pos = start;
      return undefined;
    }
    pos++; // {
    const braceIndex = readInt();
    if (braceIndex !== undefined) {
      const next = body[pos];
      if (next === '}') {
        pos++;
        return { kind: 'tabstop', index: braceIndex };
      }
      if (next === ':') {
        pos++;
        const children = readAny(true);
        pos++; // }
        return { kind: 'placeholder', index: braceIndex, children };
      }
      if (next === '|') {
        pos++;
        const options = readChoiceOptions();
        return { kind: 'choice', index: braceIndex, options };
      }
      if (next === '/') fail('transforms are not supported');
      return fail('malformed tab stop');
    }
    const braceName = readVar();
    if (braceName !== undefined) {
      const next = body[pos];
      if (next === '}') {
        pos++;
        return { kind: 'variable', name: braceName };
      }
      if (next === ':') {
        pos++;
        const children = readAny(true);
        pos++; // }
        return { kind: 'variable', name: braceName, children };
      }
      if (next === '/') fail('transforms are not supported');
      return fail('malformed variable');
    }
    // `${` followed by something else: VS Code keeps it as text.
    pos = start;
    return undefined;
  };

  const readChoiceOptions = (): string[] => {
    const options: string[] = [];
    let current = '';
    while (pos < body.length) {
      const ch = body[pos];
      if (ch === '\\' && pos + 1 < body.length && '$}\\,|'.includes(body[pos + 1])) {
        current += body[pos + 1];
        pos += 2;
        continue;
      }
      if (ch === ',') {
        options.push(current);
        current = '';
        pos++;
        continue;
      }
      if (ch === '|' && body[pos + 1] === '}') {
        options.push(current);
        pos += 2;
        return options;
      }
      current += ch;
      pos++;
    }
    return fail('unclosed choice');
  };

  return readAny(false);
}

/** Every tab stop index the body uses (placeholders, choices and plain tab stops), sorted. */
export function tabStopIndexes(nodes: SnippetNode[]): number[] {
  const found = new Set<number>();
  const visit = (list: SnippetNode[]) => {
    for (const n of list) {
      if (n.kind === 'tabstop' || n.kind === 'choice') found.add(n.index);
      if (n.kind === 'placeholder') {
        found.add(n.index);
        visit(n.children);
      }
      if (n.kind === 'variable' && n.children) visit(n.children);
    }
  };
  visit(nodes);
  return [...found].sort((a, b) => a - b);
}

/** How many times `$index` (in any form) occurs. */
export function countTabStop(nodes: SnippetNode[], index: number): number {
  let count = 0;
  const visit = (list: SnippetNode[]) => {
    for (const n of list) {
      if ((n.kind === 'tabstop' || n.kind === 'choice' || n.kind === 'placeholder') && n.index === index) count++;
      if (n.kind === 'placeholder') visit(n.children);
      if (n.kind === 'variable' && n.children) visit(n.children);
    }
  };
  visit(nodes);
  return count;
}

/** Variable names the body uses. */
export function variableNames(nodes: SnippetNode[]): string[] {
  const found = new Set<string>();
  const visit = (list: SnippetNode[]) => {
    for (const n of list) {
      if (n.kind === 'variable') {
        found.add(n.name);
        if (n.children) visit(n.children);
      }
      if (n.kind === 'placeholder') visit(n.children);
    }
  };
  visit(nodes);
  return [...found].sort();
}

/** The text VS Code inserts: each placeholder at its default, mirrors alike, variables resolved. */
export function expandSnippet(body: string | string[], variables: Record<string, string> = {}): string {
  const nodes = parseSnippet(Array.isArray(body) ? body.join('\n') : body);
  // The first tab stop of an index that has a value defines the value of all of them.
  const definitions = new Map<number, SnippetNode>();
  const collect = (list: SnippetNode[]) => {
    for (const n of list) {
      if ((n.kind === 'placeholder' || n.kind === 'choice') && !definitions.has(n.index)) definitions.set(n.index, n);
      if (n.kind === 'placeholder') collect(n.children);
      if (n.kind === 'variable' && n.children) collect(n.children);
    }
  };
  collect(nodes);

  const resolving = new Set<number>();
  const valueOf = (index: number): string => {
    const def = definitions.get(index);
    if (!def) return '';
    if (resolving.has(index)) throw new SnippetSyntaxError(`tab stop $${index} contains itself`);
    resolving.add(index);
    try {
      return def.kind === 'choice' ? (def.options[0] ?? '') : def.kind === 'placeholder' ? render(def.children) : '';
    } finally {
      resolving.delete(index);
    }
  };
  const render = (list: SnippetNode[]): string =>
    list
      .map((n) => {
        switch (n.kind) {
          case 'text':
            return n.value;
          case 'tabstop':
          case 'placeholder':
          case 'choice':
            return valueOf(n.index);
          case 'variable': {
            // Set: its value; set but empty: the default or nothing; unknown: the default or its name.
            const value = variables[n.name];
            if (value) return value;
            if (n.children) return render(n.children);
            return value === undefined ? n.name : '';
          }
        }
      })
      .join('');
  return render(nodes);
}
