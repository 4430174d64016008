/** What the engine reports. Offsets are UTF-16 code units; front ends convert them. */

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export type Applicability = 'safe' | 'unsafe';

export interface Fix {
  /** Imperative, says what the fix does: "Truncate `datetime.now()` to the second". */
  title: string;
  applicability: Applicability;
  edits: TextEdit[];
}

export interface RelatedLocation {
  /** Offsets in the analysed file, or (with `path`) in the other file. */
  start: number;
  end: number;
  message: string;
  /** Another file (absolute path), when the related place is not in the analysed one. */
  path?: string;
  /**
   * For a place in another file: its positions, computed with that file's own line index when
   * the finding was made (front ends have only the analysed file's text). 0-based lines and
   * UTF-16 columns, as LSP wants.
   */
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
  /** Same, as 1-based rows and 1-based columns in code points, as the command line reports them. */
  rowColumn?: { start: { row: number; column: number }; end: { row: number; column: number } };
}

export type FindingTag = 'unnecessary' | 'deprecated';

export interface Finding {
  code: string;
  /** The rule's kebab-case name. */
  name: string;
  message: string;
  severity: Severity;
  start: number;
  end: number;
  fix?: Fix;
  related: RelatedLocation[];
  tags: FindingTag[];
}

export type FixAvailability = 'none' | 'sometimes' | 'always';

export interface RuleMeta {
  code: string;
  name: string;
  /** One line: what the rule finds. */
  summary: string;
  defaultSeverity: Severity;
  fixAvailability: FixAvailability;
  /** Release the rule arrived in. */
  since: string;
}
