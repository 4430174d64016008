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
  start: number;
  end: number;
  message: string;
  /** Another file, when the related place is not in the analysed one. */
  path?: string;
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
