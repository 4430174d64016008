/**
 * What the dry-run harness (server/dryrun/pds_dry_run.py) writes: one JSON object per line on
 * stdout, the last one `{"event": "result", "result": DryRunResult}`. No engine or VS Code imports
 * here: the client uses these modules too.
 */

export type DryRunSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface DryRunFinding {
  /** The rule code the problem belongs to (PDS001...), or null for a plain exception or timeout. */
  code: string | null;
  severity: DryRunSeverity;
  /** duplicate-rows, nondeterministic, json, pickle, row-arity, row-type, row-value, exception, timeout, ... */
  kind: string | null;
  message: string;
  /** The user's method the problem was seen in. */
  method: string | null;
  /** Absolute path and 1-based line of the place to show it. */
  file: string | null;
  line: number | null;
  /** 1-based column: the first non-blank character of the line (or the static finding's column). */
  column?: number;
  /** First and last line of the reader class (PDS001: to pick the static finding inside it). */
  classLines?: [number, number];
  batch: number | null;
  partition: number | null;
  batches: number[];
  occurrences: number;
  /** The exception's traceback, trimmed to the user's own frames. */
  traceback: string | null;
  details: Record<string, unknown>;
}

export interface DryRunBatch {
  batch: number;
  /** Offsets as Spark's checkpoint stores them (JSON text). */
  start: string;
  end: string | null;
  status: 'ok' | 'no-new-data' | 'failed';
  partitions: number;
  rows: number;
  partitionRows: number[];
  partitionSeconds: number[];
  seconds: number;
}

export type DryRunErrorKind =
  | 'file-not-found'
  | 'import-error'
  | 'pyspark-missing'
  | 'class-not-found'
  | 'not-a-stream-source'
  | 'no-stream-source'
  | 'ambiguous-class'
  | 'missing-option'
  | 'no-schema'
  | 'python-too-old'
  | 'internal'
  // Found by the TypeScript side:
  | 'no-python'
  | 'harness-missing'
  | 'harness-failed'
  | 'unresponsive'
  | 'cancelled'
  | 'bad-settings';

export interface DryRunError {
  kind: DryRunErrorKind;
  message: string;
  candidates?: string[];
  options?: string[];
  traceback?: string;
  line?: number;
}

export interface DryRunResult {
  protocol: number;
  ok: boolean;
  file: string;
  python: { executable: string; version: string };
  pyspark: { mode: 'pyspark' | 'stand-in'; version: string | null; reason?: string } | null;
  source: { class?: string; kind?: 'DataSource' | 'reader'; reader?: string; readerKind?: string; line?: number; schemaFrom?: string };
  schema: string | null;
  schemaNote: string | null;
  options: Record<string, string>;
  optionsAsked: { required: string[]; optional: string[] };
  settings: { batches: number; interval: number; timeout: number };
  initialOffset: string | null;
  batches: DryRunBatch[];
  restart: { offset: string; partitions?: number | null; failed?: boolean } | null;
  findings: DryRunFinding[];
  stopped: string | null;
  rows: number;
  seconds: number;
  error?: DryRunError;
}

export type DryRunEvent =
  | { event: 'start'; python: string; pyspark: DryRunResult['pyspark']; file: string }
  | { event: 'call'; method: string }
  | { event: 'batch-start'; batch: number; batches: number }
  | { event: 'batch'; record: DryRunBatch }
  | { event: 'sleep'; seconds: number }
  | { event: 'finding'; finding: DryRunFinding }
  | { event: 'result'; result: DryRunResult };

export function isProblem(f: DryRunFinding): boolean {
  return f.severity === 'error' || f.severity === 'warning';
}
