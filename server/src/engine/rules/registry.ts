/**
 * Every rule, in code order. A rule is one file named after its code and what it finds; adding a
 * rule means adding its import here, its page under docs/rules/ and its fixtures.
 */
import PDS001 from './PDS001-overlapping-partition-boundaries';
import PDS002 from './PDS002-nondeterministic-latest-offset';
import PDS003 from './PDS003-offset-not-json-roundtrip';
import PDS004 from './PDS004-writer-without-idempotency';
import PDS005 from './PDS005-offset-shape-mismatch';
import PDS006 from './PDS006-missing-stream-method';
import PDS007 from './PDS007-wrong-stream-signature';
import PDS008 from './PDS008-driver-state-read-on-executor';
import PDS009 from './PDS009-unpicklable-state';
import PDS010 from './PDS010-ack-before-commit';
import PDS011 from './PDS011-nondeterministic-idempotency-key';
import PDS012 from './PDS012-write-errors-swallowed';
import PDS013 from './PDS013-simple-reader-without-replay';
import PDS014 from './PDS014-offset-did-not-advance';
import PDS015 from './PDS015-partitions-changes-end';
import PDS016 from './PDS016-read-limit-misuse';
import PDS017 from './PDS017-wall-clock-offset-without-lag';
import PDS018 from './PDS018-values-in-source-order';
import PDS019 from './PDS019-naive-datetime-offset';
import PDS020 from './PDS020-write-returns-no-commit-message';
import PDS021 from './PDS021-read-return-type';
import PDS022 from './PDS022-simple-read-returns-generator';
import PDS023 from './PDS023-data-source-wiring';
import PDS100 from './PDS100-unused-suppression';
import type { Rule } from './rule';

export const ALL_RULES: readonly Rule[] = [PDS001, PDS002, PDS003, PDS004, PDS005, PDS006, PDS007, PDS008, PDS009, PDS010, PDS011, PDS012, PDS013, PDS014, PDS015, PDS016, PDS017, PDS018, PDS019, PDS020, PDS021, PDS022, PDS023, PDS100].sort((a, b) => a.meta.code.localeCompare(b.meta.code));

export const RULES_BY_CODE: ReadonlyMap<string, Rule> = new Map(ALL_RULES.map((r) => [r.meta.code, r]));

export const ALL_CODES: readonly string[] = ALL_RULES.map((r) => r.meta.code);
