/** Applying fixes: text edits, non-overlapping, repeated until nothing changes (as ruff does). */
import type { Applicability, Finding, Fix, TextEdit } from './types';

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let cursor = 0;
  for (const e of sorted) {
    if (e.start < cursor) throw new Error(`overlapping edits at offset ${e.start}`);
    out += text.slice(cursor, e.start) + e.newText;
    cursor = e.end;
  }
  return out + text.slice(cursor);
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  // Two insertions at the same point conflict too (their order would be arbitrary).
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end || (a.start === a.end && b.start < a.start && a.start < b.end) || (b.start === b.end && a.start < b.start && b.start < a.end);
}

/**
 * Picks the fixes that can be applied together: in order of position, a fix whose edits overlap
 * one already chosen waits for the next round.
 */
export function selectCompatibleFixes(fixes: readonly Fix[]): { chosen: Fix[]; deferred: Fix[] } {
  const ordered = [...fixes].sort((a, b) => Math.min(...a.edits.map((e) => e.start)) - Math.min(...b.edits.map((e) => e.start)));
  const chosen: Fix[] = [];
  const deferred: Fix[] = [];
  const taken: TextEdit[] = [];
  for (const fix of ordered) {
    if (fix.edits.some((e) => taken.some((t) => overlaps(e, t)))) {
      deferred.push(fix);
      continue;
    }
    // Identical fixes (one import added for two findings) are applied once.
    if (chosen.some((c) => sameFix(c, fix))) continue;
    chosen.push(fix);
    taken.push(...fix.edits);
  }
  return { chosen, deferred };
}

function sameFix(a: Fix, b: Fix): boolean {
  return a.edits.length === b.edits.length && a.edits.every((e, i) => e.start === b.edits[i].start && e.end === b.edits[i].end && e.newText === b.edits[i].newText);
}

export function fixApplies(fix: Fix | undefined, unsafe: boolean): fix is Fix {
  return !!fix && (fix.applicability === 'safe' || unsafe);
}

export interface FixAllResult {
  text: string;
  /** Fixes applied, over all rounds. */
  applied: number;
  /** Rounds run. */
  rounds: number;
  /** True when the last round still had fixes (did not converge). */
  converged: boolean;
}

/**
 * Applies every applicable fix, re-analysing between rounds until no fix is left (at most
 * `maxRounds`). `analyzeText` returns the findings of a text.
 */
export function fixAll(
  text: string,
  analyzeText: (text: string) => Finding[],
  options: { unsafe?: boolean; maxRounds?: number; applicability?: Applicability } = {},
): FixAllResult {
  const maxRounds = options.maxRounds ?? 10;
  let current = text;
  let applied = 0;
  for (let round = 1; round <= maxRounds; round++) {
    const fixes = analyzeText(current)
      .map((f) => f.fix)
      .filter((f): f is Fix => fixApplies(f, !!options.unsafe));
    if (!fixes.length) return { text: current, applied, rounds: round - 1, converged: true };
    const { chosen } = selectCompatibleFixes(fixes);
    const next = applyEdits(current, chosen.flatMap((f) => f.edits));
    applied += chosen.length;
    if (next === current) return { text: current, applied, rounds: round, converged: true };
    current = next;
  }
  return { text: current, applied, rounds: maxRounds, converged: false };
}
