/**
 * `pds-lint dry-run FILE`: runs the source's reader the way Spark does, on this machine.
 * Exit codes: 0 no problem found, 1 problems found, 2 could not run (no Python, import error,
 * class not found, bad options or settings), with a message on stderr.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { analyze } from '../engine/analyze';
import { decodeSource } from '../engine/decode';
import { loadPythonParser } from '../engine/parser';
import { RULES_BY_CODE } from '../engine/rules/registry';
import { LineIndex } from '../engine/source';
import type { DryRunResult } from './protocol';
import { exitCodeOf, formatDryRunText, refineLocations, type StaticLocation } from './report';
import { runDryRun } from './run';
import {
  checkNumber,
  defaultPython,
  DryRunConfigError,
  mergeDryRunSettings,
  parseOptionArgs,
  type PartialDryRunSettings,
  projectDryRunSettings,
} from './settings';

export interface DryRunIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

export const DRY_RUN_HELP = `Usage: pds-lint dry-run FILE [options]

Runs the streaming reader of FILE the way Spark's driver and executors call it, on this machine
and without Spark, and reports what goes wrong: rows read twice, offsets that move between two
calls or change through the JSON checkpoint, readers or partitions that cannot be pickled, rows
that do not match the schema, exceptions and hangs. It RUNS the file's code.

Options:
  --class NAME          the DataSource (or stream reader) class; needed when FILE has several
  --option KEY=VALUE    an option for the source, as .option(KEY, VALUE) gives it (repeatable)
  --schema DDL          the schema, when the DataSource has no schema() (or to override it)
  --batches N           micro-batches to run (default 5)
  --interval SECONDS    pause between micro-batches (default 0)
  --timeout SECONDS     limit for each call of the source's code (default 30)
  --python PATH         the Python interpreter (default python3)
  --format FORMAT       text (default) or json
  --config FILE         read [tool.pds-lint.dry-run] from this pyproject.toml
  --isolated            ignore pyproject.toml files
  -h, --help            print this help

Configuration: [tool.pds-lint.dry-run] in the nearest pyproject.toml: class, options (a table),
schema, batches, interval, timeout, python. The command line wins.
Exit codes: 0 no problem found, 1 problems found, 2 could not run.
`;

class UsageError extends Error {}

export async function dryRunCommand(argv: string[], io: DryRunIo): Promise<number> {
  let values: Record<string, string | string[] | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        class: { type: 'string' },
        option: { type: 'string', multiple: true },
        schema: { type: 'string' },
        batches: { type: 'string' },
        interval: { type: 'string' },
        timeout: { type: 'string' },
        python: { type: 'string' },
        format: { type: 'string' },
        config: { type: 'string' },
        isolated: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr(`pds-lint dry-run: ${(err as Error).message}\nRun 'pds-lint dry-run --help' for usage.\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(DRY_RUN_HELP);
    return 0;
  }
  let format: 'text' | 'json';
  let file: string;
  let merged: ReturnType<typeof mergeDryRunSettings>;
  let root: string;
  try {
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `one FILE at a time (got ${positionals.length})` : 'FILE is missing');
    file = path.resolve(io.cwd, positionals[0]);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`${positionals[0]}: no such file`);
    format = ((values.format as string | undefined) ?? 'text') as 'text' | 'json';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format: "${format}" is not one of text, json`);
    const cli: PartialDryRunSettings = {
      className: values.class as string | undefined,
      schema: values.schema as string | undefined,
      python: values.python as string | undefined,
      options: parseOptionArgs((values.option as string[] | undefined) ?? []),
    };
    for (const key of ['batches', 'interval', 'timeout'] as const) {
      if (values[key] !== undefined) cli[key] = checkNumber(key, values[key], '--');
    }
    const project = values.isolated ? { settings: {} as PartialDryRunSettings, root: undefined } : projectDryRunSettings(file, values.config ? path.resolve(io.cwd, values.config as string) : undefined);
    merged = mergeDryRunSettings(project.settings, cli);
    root = project.root ?? io.cwd;
  } catch (err) {
    if (err instanceof UsageError || err instanceof DryRunConfigError) {
      io.stderr(`pds-lint dry-run: ${err.message}\n${err instanceof UsageError ? "Run 'pds-lint dry-run --help' for usage.\n" : ''}`);
      return 2;
    }
    throw err;
  }

  const outcome = await runDryRun({
    file,
    className: merged.className,
    options: merged.options,
    schema: merged.schema,
    batches: merged.batches,
    interval: merged.interval,
    timeout: merged.timeout,
    python: merged.python ?? defaultPython(),
    cwd: root,
    // The user's own prints and Python's warnings, as they come.
    onStderr: (text) => io.stderr(text),
  });
  let result = outcome.result;
  if (result.findings.some((f) => f.code === 'PDS001')) result = refineLocations(result, await staticLocations(file));
  const code = exitCodeOf(result);
  if (format === 'json') io.stdout(`${JSON.stringify({ ...result, exitCode: code }, null, 2)}\n`);
  else io.stdout(formatDryRunText(result, io.cwd));
  if (result.error) io.stderr(`pds-lint dry-run: ${firstLine(result.error.message)}\n`);
  return code;
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

/** The static PDS001 findings of the file (when that rule exists), to show a confirmed one at its place. */
async function staticLocations(file: string): Promise<StaticLocation[]> {
  try {
    if (!RULES_BY_CODE.has('PDS001')) return [];
    const text = decodeSource(fs.readFileSync(file)).text;
    const result = analyze(text, await loadPythonParser(), { path: file, select: ['PDS001'] });
    const lines = new LineIndex(text);
    return result.findings.map((f) => ({ code: f.code, file, ...toLineColumn(lines.rowColumn(f.start)) }));
  } catch {
    return [];
  }
}

function toLineColumn(rc: { row: number; column: number }): { line: number; column: number } {
  return { line: rc.row, column: rc.column };
}

export type { DryRunResult };
