/** Linting one file's text, with fixes: the unit of work of the CLI (and of its workers). */
import { analyze, type AnalyzeOptions } from '../engine/analyze';
import { fixAll, fixApplies } from '../engine/fixes';
import type { PythonParser } from '../engine/parser';
import { type FileSummary, type ProjectIndex, summarizeModel } from '../engine/project';
import { LineIndex } from '../engine/source';
import type { Finding } from '../engine/types';

export interface FixMode {
  /** Apply fixes (safe ones; unsafe ones too with `unsafe`). */
  apply: boolean;
  unsafe: boolean;
}

export interface LintedSource {
  /** The text after fixes (the input when no fix applied). */
  text: string;
  /** Findings of the final text. */
  findings: Finding[];
  lines: LineIndex;
  fixesApplied: number;
  /** Rules that threw, with the error's first line. */
  ruleFailures: { code: string; message: string }[];
  /** With a project: the outline of the linted text (before fixes). */
  summary?: FileSummary;
  /** With a project: classes whose subclasses in other files the analysis asked for. */
  askedSubclasses?: string[];
}

export function lintSource(text: string, parser: PythonParser, options: AnalyzeOptions, fix: FixMode, project?: ProjectIndex): LintedSource {
  const ruleFailures = new Map<string, string>();
  let summary: FileSummary | undefined;
  const askedSubclasses = new Set<string>();
  const run = (t: string) => {
    const session = project?.sessionFor(options.path);
    const result = analyze(t, parser, session ? { ...options, project: session } : options);
    // The outline of the text as it is on disk (the first run), as the other files see it.
    if (session) {
      summary ??= summarizeModel(result.model);
      for (const name of session.askedSubclasses) askedSubclasses.add(name);
    }
    // wasm trees live outside the JS heap until deleted; native ones are collected, delete is a no-op there.
    result.tree.delete?.();
    for (const f of result.ruleFailures) if (!ruleFailures.has(f.code)) ruleFailures.set(f.code, firstLine(f.error));
    return result.findings;
  };
  let current = text;
  let fixesApplied = 0;
  if (fix.apply) {
    const fixed = fixAll(text, (t) => run(t).filter((f) => fixApplies(f.fix, fix.unsafe)), { unsafe: fix.unsafe });
    current = fixed.text;
    fixesApplied = fixed.applied;
  }
  const findings = run(current);
  return {
    text: current,
    findings,
    lines: new LineIndex(current),
    fixesApplied,
    ruleFailures: [...ruleFailures].map(([code, message]) => ({ code, message })),
    summary,
    askedSubclasses: [...askedSubclasses],
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
