/**
 * `# noqa` suppression comments, as ruff and flake8 write them:
 * `# noqa` (every finding on the line), `# noqa: PDS002`, `# noqa: PDS001, PDS002`,
 * `# noqa: E501,PDS002` (codes of other tools are kept and ignored).
 */
import type { LineIndex } from './source';
import { type Node, walk } from './syntax';
import type { Finding, TextEdit } from './types';

export interface NoqaCode {
  code: string;
  start: number;
  end: number;
}

export interface NoqaDirective {
  line: number;
  /** The comment node's range. */
  start: number;
  end: number;
  /** Range of the `noqa...` directive inside the comment (from `#` or `noqa` to the last code). */
  directiveStart: number;
  directiveEnd: number;
  /** Empty for a bare `# noqa`. */
  codes: NoqaCode[];
  /** Codes that suppressed at least one finding (filled by {@link applySuppressions}). */
  used: Set<string>;
  /** A bare `# noqa` that suppressed something. */
  usedBare: boolean;
}

const DIRECTIVE = /#\s*noqa(?:\s*:\s*([A-Za-z]+[0-9]+(?:\s*,?\s*[A-Za-z]+[0-9]+)*))?/i;
const CODE = /[A-Za-z]+[0-9]+/g;

/** Parses one comment's text. Offsets in the result are relative to the comment start. */
export function parseNoqaComment(text: string): { codes: NoqaCode[]; start: number; end: number } | undefined {
  const m = DIRECTIVE.exec(text);
  if (!m) return undefined;
  // `# noqa` must end the directive: `# noqa-ish` or `# noqaX` are not directives.
  const after = text.charAt(m.index + m[0].length);
  if (!m[1] && after && /[A-Za-z0-9_-]/.test(after)) return undefined;
  const codes: NoqaCode[] = [];
  if (m[1]) {
    const listStart = m.index + m[0].length - m[1].length;
    for (const c of m[1].matchAll(CODE)) {
      codes.push({ code: c[0].toUpperCase(), start: listStart + (c.index ?? 0), end: listStart + (c.index ?? 0) + c[0].length });
    }
  }
  return { codes, start: m.index, end: m.index + m[0].length };
}

export function collectNoqa(root: Node, lines: LineIndex): NoqaDirective[] {
  const out: NoqaDirective[] = [];
  walk(root, (n) => {
    if (n.type !== 'comment' || !n.text) return undefined;
    const parsed = parseNoqaComment(n.text);
    if (parsed) {
      out.push({
        line: lines.lineOf(n.start),
        start: n.start,
        end: n.end,
        directiveStart: n.start + parsed.start,
        directiveEnd: n.start + parsed.end,
        codes: parsed.codes.map((c) => ({ ...c, start: c.start + n.start, end: c.end + n.start })),
        used: new Set(),
        usedBare: false,
      });
    }
    return false;
  });
  return out;
}

/** The line a finding's suppression comment belongs on. */
export function suppressionLine(finding: Pick<Finding, 'start'>, lines: LineIndex): number {
  return lines.lineOf(finding.start);
}

/**
 * Splits findings into kept and suppressed, and records which directive codes were used. With
 * the tree, a finding on a line that ends inside a multi-line string is also suppressed by a
 * comment after the string, where {@link noqaEdit} puts it.
 */
export function applySuppressions(findings: Finding[], directives: NoqaDirective[], lines: LineIndex, root?: Node): { kept: Finding[]; suppressed: Finding[] } {
  const byLine = new Map<number, NoqaDirective[]>();
  for (const d of directives) {
    const list = byLine.get(d.line) ?? [];
    list.push(d);
    byLine.set(d.line, list);
  }
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const line = suppressionLine(f, lines);
    const alternative = root && byLine.size ? commentableLine(root, lines, line) : line;
    let hit = false;
    for (const d of [...(byLine.get(line) ?? []), ...(alternative !== line ? byLine.get(alternative) ?? [] : [])]) {
      if (!d.codes.length) {
        d.usedBare = true;
        hit = true;
      } else if (d.codes.some((c) => c.code === f.code)) {
        d.used.add(f.code);
        hit = true;
      }
    }
    (hit ? suppressed : kept).push(f);
  }
  return { kept, suppressed };
}

/**
 * The edit that suppresses `code` on `line`: appends the code to an existing `# noqa: ...`
 * (keeping other tools' codes), or adds `  # noqa: CODE` at the end of the line. Undefined when a
 * bare `# noqa` or the code is already there. A finding on a line inside a multi-line string puts
 * the comment after the string, where a comment can go.
 */
export function noqaEdit(root: Node, lines: LineIndex, line: number, code: string, directives?: NoqaDirective[]): TextEdit | undefined {
  const effectiveLine = commentableLine(root, lines, line);
  const all = directives ?? collectNoqa(root, lines);
  const existing = all.find((d) => d.line === effectiveLine);
  if (existing) {
    if (!existing.codes.length) return undefined;
    if (existing.codes.some((c) => c.code === code)) return undefined;
    const last = existing.codes[existing.codes.length - 1];
    return { start: last.end, end: last.end, newText: `, ${code}` };
  }
  const end = lines.lineEndWithoutBreak(effectiveLine);
  const lineText = lines.lineText(effectiveLine);
  const trimmedEnd = lineText.replace(/[ \t]+$/, '').length;
  const at = lines.lineStarts[effectiveLine] + trimmedEnd;
  return { start: at, end, newText: `  # noqa: ${code}` };
}

/** A line whose end is not inside a string (multi-line strings cannot hold comments). */
function commentableLine(root: Node, lines: LineIndex, line: number): number {
  let current = line;
  for (let guard = 0; guard < 1000; guard++) {
    const end = lines.lineEndWithoutBreak(current);
    const str = stringContaining(root, end);
    if (!str) return current;
    const next = lines.lineOf(str.end);
    if (next === current) return current;
    current = next;
  }
  return current;
}

function stringContaining(root: Node, offset: number): Node | undefined {
  let node: Node | undefined = root;
  let found: Node | undefined;
  while (node) {
    const next: Node | undefined = node.children.find((c) => c.start < offset && offset < c.end);
    if (!next) break;
    if (next.type === 'string' || next.type === 'concatenated_string') found = next;
    node = next;
  }
  return found;
}

/**
 * The edit that removes `code` from a directive, keeping other tools' and used codes and the
 * separators between them (`# noqa: E501, PDS002` → `# noqa: E501`). When every code left is in
 * `removable` (the other codes being removed too), the whole `# noqa: ...` goes with the
 * whitespace before it (the whole line when the comment stands alone on it), and text after the
 * directive stays a comment: never `# noqa:` with nothing. The edits for several codes of one
 * directive never overlap when applied together, except those of the last code and the one before
 * it (the second waits for the next round of fix-all).
 */
export function removeNoqaCodeEdit(text: string, lines: LineIndex, directive: NoqaDirective, code: NoqaCode, removable: readonly NoqaCode[] = [code]): TextEdit {
  if (directive.codes.every((c) => c === code || removable.includes(c))) return removeDirectiveEdit(text, lines, directive);
  const i = directive.codes.indexOf(code);
  const next = directive.codes[i + 1];
  // The code with the separator after it, or before it for the last one.
  if (next) return { start: code.start, end: next.start, newText: '' };
  return { start: directive.codes[i - 1].end, end: code.end, newText: '' };
}

function removeDirectiveEdit(text: string, lines: LineIndex, d: NoqaDirective): TextEdit {
  const head = text.slice(d.start, d.directiveStart);
  const tail = text.slice(d.directiveEnd, d.end);
  if (head.trim() === '') {
    if (tail.trim() === '') {
      const line = lines.lineOf(d.start);
      const lineStart = lines.lineStarts[line];
      const before = text.slice(lineStart, d.start);
      if (before.trim() === '') {
        // A comment alone on its line: remove the line.
        const next = line + 1 < lines.lineCount ? lines.lineStarts[line + 1] : lines.lineEndWithoutBreak(line);
        return { start: line + 1 < lines.lineCount ? lineStart : trimmedEnd(text, lineStart, d.start), end: next, newText: '' };
      }
      return { start: trimmedEnd(text, lineStart, d.start), end: d.end, newText: '' };
    }
    // `# noqa: PDS002  # type: ignore` → `# type: ignore`; `# noqa: PDS002 reason` → `# reason`.
    const rest = tail.replace(/^[ \t]+/, '');
    if (rest.startsWith('#')) return { start: d.directiveStart, end: d.directiveEnd + (tail.length - rest.length), newText: '' };
    return { start: d.directiveStart, end: d.directiveEnd, newText: '#' };
  }
  // `# reason  # noqa: PDS002` → `# reason`.
  return { start: trimmedEnd(text, d.start, d.directiveStart), end: d.directiveEnd, newText: '' };
}

/** The offset after the last non-blank character of text[from, to). */
function trimmedEnd(text: string, from: number, to: number): number {
  let at = to;
  while (at > from && (text[at - 1] === ' ' || text[at - 1] === '\t')) at--;
  return at;
}
