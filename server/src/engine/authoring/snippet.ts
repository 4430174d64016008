/**
 * Method skeletons as lines of text and tab stops, rendered either as an LSP snippet
 * (`${1:offset}`, literal `$`, `}` and `\` escaped) or as plain text for clients without snippets.
 */

export type Piece = string | { stop: number; text: string };

export interface SnippetLine {
  /** Indentation levels below the `def` line (0 = the `def` or decorator line). */
  level: number;
  pieces: Piece[];
}

export function stop(n: number, text: string): Piece {
  return { stop: n, text };
}

/** A line: `line(1)\`return {"${stop(1, 'offset')}": 0}\`` */
export function line(level: number) {
  return (strings: TemplateStringsArray, ...values: Piece[]): SnippetLine => {
    const pieces: Piece[] = [];
    strings.forEach((s, i) => {
      if (s) pieces.push(s);
      if (i < values.length) pieces.push(values[i]);
    });
    return { level, pieces };
  };
}

function escapeLiteral(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}

export interface RenderOptions {
  /** Indentation of a line at `level` (level 0 is the first line: no indentation added, the editor's line has it). */
  indent: (level: number) => string;
  lineBreak: string;
  snippet: boolean;
}

export function render(lines: SnippetLine[], options: RenderOptions): string {
  return lines
    .map((l, i) => {
      const text = l.pieces
        .map((p) => (typeof p === 'string' ? (options.snippet ? escapeLiteral(p) : p) : options.snippet ? `\${${p.stop}:${escapeLiteral(p.text)}}` : p.text))
        .join('');
      if (!text) return '';
      return (i === 0 ? '' : options.indent(l.level)) + text;
    })
    .join(options.lineBreak);
}
