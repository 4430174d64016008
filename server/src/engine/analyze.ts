/**
 * The engine's one entry point: text → parse → model → rules → findings.
 * Front ends (CLI, language server, tests, benchmarks) call {@link analyze} or, when they keep
 * their own incremental tree, {@link analyzeSyntax}.
 */
import { cpuTime } from './budget';
import { enabledCodes, type LintSettings, resolveSeverity } from './config';
import { FileModel, type ProjectResolver } from './model';
import { fileBase, fileIdOf } from './source';
import { applySuppressions, collectNoqa, type NoqaDirective } from './noqa';
import type { ParseTimeoutError, PythonParser, TsTree } from './parser';
import { ALL_RULES, RULES_BY_CODE } from './rules/registry';
import type { AfterSuppressionContext, Report, Rule, RuleContext } from './rules/rule';
import { convertTree, type Node, type SyntaxCache } from './syntax';
import type { Finding, RelatedLocation } from './types';

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
  // A finding moved from another file can land where another one already is: keep one.
  const seen = new Set<string>();
  const contextFor = (rule: Rule, sink: Finding[]): RuleContext => ({
    model,
    report: (r: Report) => {
      const finding = toFinding(rule, r, options, model);
      if (!finding) return;
      const key = `${finding.code}:${finding.start}:${finding.end}:${finding.message}`;
      if (seen.has(key)) return;
      seen.add(key);
      sink.push(finding);
    },
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

/**
 * A rule's report as a finding of this file. With a project, a rule can meet code of other files
 * (inherited methods, imported helpers), whose offsets are in those files' spans (see
 * `FILE_SPAN`), never in this file's:
 * - a finding placed in another file moves to the call of this file that leads there, else to its
 *   first related place in this file; the other file's place becomes a related location. With
 *   neither, the finding is about the other file's own code and is left to that file's analysis;
 * - related places in other files carry that file's path and positions;
 * - a fix with an edit outside this file's text is dropped: fixes only ever edit this file.
 */
function toFinding(rule: Rule, r: Report, settings: LintSettings, model: FileModel): Finding | undefined {
  const length = model.text.length;
  let start = r.start ?? r.node?.start ?? 0;
  let end = r.end ?? r.node?.end ?? start;
  let fix = r.fix;
  let given = r.related ?? [];
  const related: RelatedLocation[] = [];
  if (!model.owns(start)) {
    let anchor: { start: number; end: number } | undefined = model.anchorFor(start);
    if (!anchor) {
      anchor = given.find((g) => !g.path && model.owns(g.start) && model.owns(g.end));
      given = given.filter((g) => g !== anchor);
    }
    if (!anchor) return undefined;
    const elsewhere = otherFileLocation(model, start, end, 'found here');
    if (elsewhere) related.push(elsewhere);
    start = anchor.start;
    end = anchor.end;
    fix = undefined;
  }
  for (const g of given) {
    if (g.path) related.push(g);
    else if (model.owns(g.start)) related.push({ ...g, start: clamp(g.start, length), end: clamp(Math.max(g.start, model.owns(g.end) ? g.end : g.start), length) });
    else {
      const other = otherFileLocation(model, g.start, g.end, g.message);
      if (other) related.push(other);
    }
  }
  if (fix && !fix.edits.every((e) => Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.start <= e.end && e.end <= length)) fix = undefined;
  start = clamp(start, length);
  end = clamp(Math.max(start, model.owns(end) ? end : start), length);
  return {
    code: rule.meta.code,
    name: rule.meta.name,
    message: r.message,
    severity: resolveSeverity(rule.meta.code, r.severity ?? rule.meta.defaultSeverity, settings),
    start,
    end,
    fix,
    related: distinct(related),
    tags: r.tags ?? [],
  };
}

/** Related places without repeats (a rule can reach the same place by two paths). */
function distinct(related: RelatedLocation[]): RelatedLocation[] {
  const seen = new Set<string>();
  return related.filter((r) => {
    const key = `${r.path ?? ''}\u0000${r.start}\u0000${r.end}\u0000${r.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A place of another file of the project, in that file's own offsets and positions. */
function otherFileLocation(model: FileModel, start: number, end: number, message: string): RelatedLocation | undefined {
  if (!Number.isFinite(start)) return undefined;
  const source = model.sourceOf(start);
  if (!source?.path) return undefined;
  const base = fileBase(fileIdOf(start));
  const length = source.text.length;
  const s = clamp(start - base, length);
  const e = Number.isFinite(end) && fileIdOf(end) === fileIdOf(start) ? clamp(Math.max(s, end - base), length) : s;
  const a = source.lines.positionAt(s);
  const b = source.lines.positionAt(e);
  return {
    start: s,
    end: e,
    message,
    path: source.path,
    range: { start: a, end: b },
    rowColumn: { start: source.lines.rowColumn(s), end: source.lines.rowColumn(e) },
  };
}

function clamp(n: number, length: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(n, length)) : 0;
}
