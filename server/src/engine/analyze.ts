/**
 * The engine's one entry point: text → parse → model → rules → findings.
 * Front ends (CLI, language server, tests, benchmarks) call {@link analyze} or, when they keep
 * their own incremental tree, {@link analyzeSyntax}.
 */
import { cpuTime } from './budget';
import { enabledCodes, type LintSettings, resolveSeverity } from './config';
import { FileModel, type ProjectResolver } from './model';
import { applySuppressions, collectNoqa, type NoqaDirective } from './noqa';
import type { ParseTimeoutError, PythonParser, TsTree } from './parser';
import { ALL_RULES, RULES_BY_CODE } from './rules/registry';
import type { AfterSuppressionContext, Report, Rule, RuleContext } from './rules/rule';
import { convertTree, type Node, type SyntaxCache } from './syntax';
import type { Finding } from './types';

export interface AnalyzeOptions extends LintSettings {
  /** File path, for messages and for resolving the project's other files. */
  path?: string;
  project?: ProjectResolver;
  /** Rules to run instead of the registry (tests of a single rule). */
  rules?: readonly Rule[];
  /** Called once per rule that threw; the other rules still report. */
  onRuleError?: (code: string, error: unknown) => void;
  /**
   * A {@link cpuTime} after which the analysis stops: the parse throws a
   * {@link ParseTimeoutError}; once the tree is there, the rules not yet run are skipped and
   * listed in {@link AnalysisResult.incomplete}.
   */
  deadline?: number;
}

/** An analysis cut short by its deadline: the findings are those of the rules that ran. */
export interface IncompleteAnalysis {
  /** Rules that did not run (the after-suppression ones too: unused-noqa needs every rule). */
  skippedRules: string[];
}

export interface RuleFailure {
  code: string;
  error: unknown;
}

export interface AnalysisResult {
  findings: Finding[];
  /** Findings hidden by `# noqa` comments. */
  suppressed: Finding[];
  model: FileModel;
  root: Node;
  noqa: NoqaDirective[];
  ruleFailures: RuleFailure[];
  /** Set when the deadline passed before every rule ran. */
  incomplete?: IncompleteAnalysis;
  /** Milliseconds spent in each phase. */
  timings: { parse: number; convert: number; model: number; rules: number };
}

export interface SyntaxInput {
  tree: TsTree;
  cache?: SyntaxCache;
  parseTime?: number;
}

export function analyze(text: string, parser: PythonParser, options: AnalyzeOptions = {}): AnalysisResult & { tree: TsTree } {
  const t0 = performance.now();
  const tree = parser.parse(text, undefined, { deadline: options.deadline });
  const parseTime = performance.now() - t0;
  return { ...analyzeSyntax(text, { tree, parseTime }, options), tree };
}

export function analyzeSyntax(text: string, input: SyntaxInput, options: AnalyzeOptions = {}): AnalysisResult {
  const t1 = performance.now();
  const root = convertTree(input.tree, text, input.cache);
  const t2 = performance.now();
  const model = new FileModel(text, root, { path: options.path, project: options.project });
  const t3 = performance.now();
  const rules = options.rules ?? ALL_RULES;
  const enabled = enabledCodes(rules.map((r) => r.meta.code), options);
  const raw: Finding[] = [];
  const ruleFailures: RuleFailure[] = [];
  const contextFor = (rule: Rule, sink: Finding[]): RuleContext => ({
    model,
    report: (r: Report) => sink.push(toFinding(rule, r, options, text.length)),
  });
  const deadline = options.deadline;
  const skippedRules: string[] = [];
  const outOfTime = () => deadline !== undefined && cpuTime() > deadline;
  for (const rule of rules) {
    if (!enabled.has(rule.meta.code) || rule.phase === 'after-suppression') continue;
    if (skippedRules.length || outOfTime()) {
      skippedRules.push(rule.meta.code);
      continue;
    }
    runRule(rule, contextFor(rule, raw), ruleFailures, options);
  }
  const noqa = collectNoqa(root, model.lines);
  const { kept, suppressed } = applySuppressions(raw, noqa, model.lines, root);
  const after: Finding[] = [];
  // A rule that threw reported nothing: its `# noqa` codes cannot be judged.
  const ran = new Set([...enabled].filter((code) => !ruleFailures.some((f) => f.code === code)));
  for (const rule of rules) {
    if (!enabled.has(rule.meta.code) || rule.phase !== 'after-suppression') continue;
    // Which suppressions are used is only known when every rule ran.
    if (skippedRules.length || outOfTime()) {
      skippedRules.push(rule.meta.code);
      continue;
    }
    const ctx: AfterSuppressionContext = {
      ...contextFor(rule, after),
      noqa,
      enabledCodes: ran,
      knownCodes: new Set(RULES_BY_CODE.keys()),
      ruleNames: new Map([...RULES_BY_CODE].map(([code, r]) => [code, r.meta.name])),
    };
    runRule(rule, ctx, ruleFailures, options);
  }
  // Findings of after-suppression rules can be suppressed too (`# noqa: PDS100`), but never mark codes as used.
  const afterKept = applySuppressions(after, noqa.map((d) => ({ ...d, used: new Set(d.used) })), model.lines, root);
  const findings = [...kept, ...afterKept.kept].sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
  const t4 = performance.now();
  return {
    findings,
    suppressed: [...suppressed, ...afterKept.suppressed],
    model,
    root,
    noqa,
    ruleFailures,
    ...(skippedRules.length ? { incomplete: { skippedRules } } : {}),
    timings: { parse: input.parseTime ?? 0, convert: t2 - t1, model: t3 - t2, rules: t4 - t3 },
  };
}

function runRule(rule: Rule, ctx: RuleContext, failures: RuleFailure[], options: AnalyzeOptions): void {
  try {
    rule.check(ctx);
  } catch (error) {
    failures.push({ code: rule.meta.code, error });
    options.onRuleError?.(rule.meta.code, error);
  }
}

function toFinding(rule: Rule, r: Report, settings: LintSettings, length: number): Finding {
  const start = clamp(r.start ?? r.node?.start ?? 0, length);
  const end = clamp(Math.max(start, r.end ?? r.node?.end ?? start), length);
  return {
    code: rule.meta.code,
    name: rule.meta.name,
    message: r.message,
    severity: resolveSeverity(rule.meta.code, r.severity ?? rule.meta.defaultSeverity, settings),
    start,
    end,
    fix: r.fix,
    related: r.related ?? [],
    tags: r.tags ?? [],
  };
}

function clamp(n: number, length: number): number {
  return Math.max(0, Math.min(n, length));
}
