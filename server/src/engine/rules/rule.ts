/** The contract between the engine and a rule: a rule reads the model and reports findings. */
import type { FileModel } from '../model';
import type { NoqaDirective } from '../noqa';
import type { Node } from '../syntax';
import type { Finding, FindingTag, Fix, RelatedLocation, RuleMeta, Severity } from '../types';

export interface Report {
  /** Where: a node, or explicit offsets. */
  node?: Node;
  start?: number;
  end?: number;
  message: string;
  /** Overrides the default severity for this finding (one rule, several variants). */
  severity?: Severity;
  fix?: Fix;
  related?: RelatedLocation[];
  tags?: FindingTag[];
}

export interface RuleContext {
  readonly model: FileModel;
  report(report: Report): void;
}

/** Context of rules that run after suppression comments were applied (PDS100). */
export interface AfterSuppressionContext extends RuleContext {
  /** The `# noqa` comments of the file, each with the codes that suppressed a finding. */
  readonly noqa: NoqaDirective[];
  /** Codes of the rules that ran (and did not fail). */
  readonly enabledCodes: ReadonlySet<string>;
  /** Every known rule code. */
  readonly knownCodes: ReadonlySet<string>;
  /** The kebab-case name of each known rule, by code. */
  readonly ruleNames: ReadonlyMap<string, string>;
}

export interface Rule {
  readonly meta: RuleMeta;
  /** `after-suppression` rules see which `# noqa` codes were used. */
  readonly phase?: 'normal' | 'after-suppression';
  check(context: RuleContext | AfterSuppressionContext): void;
}

export function defineRule(meta: RuleMeta, check: (context: RuleContext) => void): Rule {
  return { meta, phase: 'normal', check: check as Rule['check'] };
}

export function defineAfterSuppressionRule(meta: RuleMeta, check: (context: AfterSuppressionContext) => void): Rule {
  return { meta, phase: 'after-suppression', check: check as Rule['check'] };
}

export type { Finding };
