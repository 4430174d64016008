/**
 * Every rule, in code order. A rule is one file named after its code and what it finds; adding a
 * rule means adding its import here, its page under docs/rules/ and its fixtures.
 */
import PDS006 from './PDS006-missing-stream-method';
import PDS007 from './PDS007-wrong-stream-signature';
import type { Rule } from './rule';

export const ALL_RULES: readonly Rule[] = [PDS006, PDS007].sort((a, b) => a.meta.code.localeCompare(b.meta.code));

export const RULES_BY_CODE: ReadonlyMap<string, Rule> = new Map(ALL_RULES.map((r) => [r.meta.code, r]));

export const ALL_CODES: readonly string[] = ALL_RULES.map((r) => r.meta.code);
