/**
 * Offsets, lines and columns.
 *
 * The engine works in UTF-16 offsets (JavaScript string indices). LSP positions use UTF-16
 * columns too; the command line reports columns counted in characters (code points), as ruff
 * does, so an emoji before a finding counts once.
 */

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based column in UTF-16 code units. */
  character: number;
}

export interface OffsetRange {
  start: number;
  end: number;
}

/**
 * The offsets of the analysed file are 0..length. Nodes of the project's other files (base
 * classes, helpers imported from other modules) live in their own span: offset
 * `fileId * FILE_SPAN + o` for offset `o` of file `fileId` (ids from 1). An offset therefore says
 * which file it belongs to and can never be taken for a place in the analysed file: findings,
 * related locations and fix edits that point into another file are recognised by their offsets.
 * JavaScript strings are far shorter than 2^32, and 2^53 / 2^32 leaves room for 2^21 file ids.
 */
export const FILE_SPAN = 2 ** 32;

/** The file an offset belongs to: 0 for the analysed file. */
export function fileIdOf(offset: number): number {
  return Math.floor(offset / FILE_SPAN);
}

/** The first offset of a file's span. */
export function fileBase(fileId: number): number {
  return fileId * FILE_SPAN;
}

/** The offset within its own file. */
export function localOffset(offset: number): number {
  return offset - fileBase(fileIdOf(offset));
}

export class LineIndex {
  /** Offset of the first character of each line. Lines end at \n, \r\n or a lone \r. */
  readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10) starts.push(i + 1);
      else if (ch === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /**
   * The 0-based line of an offset of this text. An offset of another file's span (see
   * {@link FILE_SPAN}) has no line here: NaN, so that nothing computed from it (a line start, an
   * edit position) passes for a place in this file.
   */
  lineOf(offset: number): number {
    if (!(offset < FILE_SPAN)) return NaN;
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineOf(clamped);
    return { line, character: clamped - this.lineStarts[line] };
  }

  offsetAt(position: Position): number {
    if (position.line >= this.lineStarts.length) return this.text.length;
    if (position.line < 0) return 0;
    const lineStart = this.lineStarts[position.line];
    const lineEnd = this.lineEndWithoutBreak(position.line);
    return Math.min(lineStart + Math.max(0, position.character), lineEnd);
  }

  /** Offset of the end of the line's content (before its line break). */
  lineEndWithoutBreak(line: number): number {
    if (!(line >= 0 && line < this.lineStarts.length)) return NaN;
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    let end = next;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStarts[line], this.lineEndWithoutBreak(line));
  }

  /** The line break used by the line (or the file's first one), for edits that add lines. */
  lineBreak(line = 0): string {
    const end = this.lineEndWithoutBreak(line);
    if (this.text.startsWith('\r\n', end)) return '\r\n';
    if (this.text[end] === '\r') return '\r';
    if (this.text[end] === '\n') return '\n';
    const first = /\r\n|\r|\n/.exec(this.text);
    return first ? first[0] : '\n';
  }

  /** 1-based row and 1-based column counted in code points, for people and JSON output. */
  rowColumn(offset: number): { row: number; column: number } {
    const { line, character } = this.positionAt(offset);
    const lineStart = this.lineStarts[line];
    let column = 0;
    for (let i = lineStart; i < lineStart + character; i++) {
      const ch = this.text.charCodeAt(i);
      // A high surrogate followed by a low one is one character.
      if (ch >= 0xd800 && ch <= 0xdbff && i + 1 < lineStart + character) {
        const next = this.text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
      column++;
    }
    return { row: line + 1, column: column + 1 };
  }
}
