/**
 * `pds-lint`: the engine on the command line, for CI.
 *
 * Exit codes: 0 no findings, 1 findings, 2 usage, configuration or file errors (a one-line
 * message on stderr naming the file or option; the other files are still linted).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  type FileConfig,
  isSelector,
  type LintSettings,
  mergeSettings,
  readPyprojectConfig,
} from '../engine/config';
import { decodeSource, SourceError } from '../engine/decode';
import { GrammarLoadError, loadPythonParser, type PythonParser } from '../engine/parser';
import { ALL_CODES, ALL_RULES, RULES_BY_CODE } from '../engine/rules/registry';
import { ruleDocsPath, ruleDocsUrl } from '../engine/docs';
import { unifiedDiff } from './diff';
import { discoverFiles } from './discover';
import { type FileFindings, formatGithub, formatJson, formatSarif, formatText, OUTPUT_FORMATS, type OutputFormat } from './formats';
import { type FileJob, type FileJobResult } from './jobs';
import { lintSource } from './lint';
import { lintFiles } from './workers';
import { LineIndex } from '../engine/source';
import { dryRunCommand } from '../dryrun/cli';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Buffer;
  cwd: string;
}

export const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: () => fs.readFileSync(0),
  cwd: process.cwd(),
};

class UsageError extends Error {}

function version(): string {
  for (const candidate of [path.join(__dirname, '..', '..', '..', '..', 'package.json'), path.join(__dirname, '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pds-lint' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

const HELP = `pds-lint: find the bugs that lose or duplicate data in PySpark streaming data sources

Usage:
  pds-lint [options] [PATH ...]      lint files and directories (default: .)
  pds-lint - --stdin-filename PATH   lint source read from stdin
  pds-lint rule [CODE ...]           show a rule's documentation (all rules without CODE)
  pds-lint dry-run FILE [options]    run the file's stream reader as Spark would, without Spark
                                     (it runs the code; see 'pds-lint dry-run --help')

Options:
  --format FORMAT        text (default), json, sarif or github
  --select CODES         only these rules (codes or prefixes, comma-separated: PDS001,PDS00)
  --ignore CODES         skip these rules
  --fix                  apply safe fixes to the files
  --unsafe-fixes         with --fix or --diff, apply unsafe fixes too
  --diff                 print the fixes as a unified diff instead of writing them
  --stdin-filename PATH  the name of the file read from stdin (for messages and config)
  --config FILE          read [tool.pds-lint] from this pyproject.toml
  --isolated             ignore pyproject.toml files
  --no-gitignore         do not skip paths listed in .gitignore
  --exit-zero            exit 0 even when there are findings
  -q, --quiet            print findings only, no summary
  -V, --version          print the version
  -h, --help             print this help

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or file errors.
Configuration: [tool.pds-lint] in the nearest pyproject.toml (select, ignore, severity, exclude);
command-line --select/--ignore win over it.
`;

function splitCodes(values: string[] | undefined, option: string): string[] | undefined {
  if (!values) return undefined;
  const out = values.flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase()).filter(Boolean);
  for (const code of out) {
    if (!isSelector(code) || (code !== 'ALL' && !code.startsWith('PDS') && !'PDS'.startsWith(code))) {
      throw new UsageError(`${option}: "${code}" is not a rule code or prefix (e.g. PDS002, PDS0, ALL)`);
    }
    if (/^PDS\d{3}$/.test(code) && !RULES_BY_CODE.has(code)) throw new UsageError(`${option}: unknown rule ${code}`);
  }
  return out;
}

/** Finds the configuration for a path: the nearest pyproject.toml with a [tool.pds-lint] table. */
class ConfigResolver {
  private readonly byDir = new Map<string, FileConfig | undefined>();
  constructor(
    private readonly explicit: FileConfig | undefined,
    private readonly isolated: boolean,
  ) {}

  forPath(p: string): FileConfig | undefined {
    if (this.explicit) return this.explicit;
    if (this.isolated) return undefined;
    let dir = path.resolve(p);
    try {
      if (!fs.statSync(dir).isDirectory()) dir = path.dirname(dir);
    } catch {
      dir = path.dirname(dir);
    }
    return this.forDir(dir);
  }

  private forDir(dir: string): FileConfig | undefined {
    if (this.byDir.has(dir)) return this.byDir.get(dir);
    const candidate = path.join(dir, 'pyproject.toml');
    let config: FileConfig | undefined;
    if (fs.existsSync(candidate)) config = readPyprojectConfig(candidate, ALL_CODES);
    if (!config) {
      const parent = path.dirname(dir);
      config = parent === dir ? undefined : this.forDir(parent);
    }
    this.byDir.set(dir, config);
    return config;
  }
}

export async function run(argv: string[], io: CliIo = defaultIo): Promise<number> {
  if (argv[0] === 'rule') return ruleCommand(argv.slice(1), io);
  if (argv[0] === 'dry-run') return dryRunCommand(argv.slice(1), io);
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (err) {
    io.stderr(`pds-lint: ${(err as Error).message}\nRun 'pds-lint --help' for usage.\n`);
    return EXIT_ERROR;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (values.version) {
    io.stdout(`pds-lint ${version()}\n`);
    return EXIT_OK;
  }
  let format: OutputFormat;
  let cliSettings: LintSettings;
  let resolver: ConfigResolver;
  try {
    format = (values.format ?? values['output-format'] ?? 'text') as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) throw new UsageError(`--format: "${format}" is not one of ${OUTPUT_FORMATS.join(', ')}`);
    if (values['unsafe-fixes'] && !values.fix && !values.diff) throw new UsageError('--unsafe-fixes needs --fix or --diff');
    if (values.fix && values.diff) throw new UsageError('--fix and --diff cannot be used together (--diff shows what --fix would do)');
    if (values['stdin-filename'] !== undefined && positionals.length && !positionals.includes('-')) {
      throw new UsageError('--stdin-filename is for source read from stdin; pass - as the path');
    }
    cliSettings = { select: splitCodes(values.select, '--select'), ignore: splitCodes(values.ignore, '--ignore') };
    const explicit = values.config ? readPyprojectConfig(path.resolve(io.cwd, values.config), ALL_CODES) ?? {} : undefined;
    resolver = new ConfigResolver(explicit, !!values.isolated);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`pds-lint: ${err.message}\nRun 'pds-lint --help' for usage.\n`);
      return EXIT_ERROR;
    }
    if (err instanceof ConfigError) {
      io.stderr(`pds-lint: ${err.message}\n`);
      return EXIT_ERROR;
    }
    throw err;
  }

  let parser: PythonParser;
  try {
    parser = await loadPythonParser();
  } catch (err) {
    io.stderr(`pds-lint: ${err instanceof GrammarLoadError ? err.message : String(err)}\n`);
    return EXIT_ERROR;
  }

  const fixMode = { apply: !!values.fix || !!values.diff, unsafe: !!values['unsafe-fixes'] };
  const problems: { path: string; message: string }[] = [];
  const results: FileFindings[] = [];
  const diffs: string[] = [];
  let fixedCount = 0;
  const reportedRuleFailures = new Set<string>();
  const settingsFor = (displayName: string) => mergeSettings(resolver.forPath(path.resolve(io.cwd, displayName)), cliSettings);
  const collect = (outcome: FileJobResult) => {
    for (const failure of outcome.ruleFailures) {
      if (reportedRuleFailures.has(failure.code)) continue;
      reportedRuleFailures.add(failure.code);
      io.stderr(`pds-lint: internal error in rule ${failure.code} (first seen in ${outcome.display}): ${failure.message}; the other rules still ran\n`);
    }
    if (outcome.problem) problems.push({ path: outcome.display, message: outcome.problem });
    if (outcome.text === undefined) return;
    fixedCount += outcome.fixesApplied;
    if (outcome.diff) diffs.push(outcome.diff);
    results.push({ filename: outcome.display, findings: outcome.findings, lines: new LineIndex(outcome.text) });
  };

  const readStdin = positionals.includes('-') || (positionals.length === 0 && values['stdin-filename'] !== undefined);
  try {
    if (readStdin) {
      const name = values['stdin-filename'] ?? '-';
      try {
        const decoded = decodeSource(io.readStdin());
        const linted = lintSource(decoded.text, parser, { ...settingsFor(name), path: name }, fixMode);
        if (values.fix) io.stdout(linted.text);
        collect({
          display: name,
          text: linted.text,
          findings: linted.findings,
          fixesApplied: linted.fixesApplied,
          diff: values.diff && linted.text !== decoded.text ? unifiedDiff(decoded.text, linted.text, name) : undefined,
          ruleFailures: linted.ruleFailures,
        });
      } catch (err) {
        if (err instanceof SourceError) problems.push({ path: name, message: err.message });
        else throw err;
      }
    }
    const inputs = positionals.filter((p) => p !== '-');
    if (!readStdin || inputs.length) {
      const jobs: FileJob[] = [];
      for (const root of inputs.length ? inputs : ['.']) {
        const config = resolver.forPath(path.resolve(io.cwd, root));
        const discovered = discoverFiles([path.isAbsolute(root) ? root : path.join(io.cwd, root)], {
          exclude: config?.exclude,
          excludeBase: config?.source ? path.dirname(config.source) : io.cwd,
          respectGitignore: !values['no-gitignore'],
        });
        for (const p of discovered.problems) problems.push({ path: relative(io.cwd, p.path), message: p.message });
        for (const file of discovered.files) {
          const display = relative(io.cwd, file);
          jobs.push({ display, absolute: path.resolve(io.cwd, file), settings: settingsFor(display), fix: fixMode, output: values.diff ? 'diff' : 'write' });
        }
      }
      for (const outcome of await lintFiles(jobs, parser)) collect(outcome);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`pds-lint: ${err.message}\n`);
      return EXIT_ERROR;
    }
    throw err;
  }

  for (const p of problems) io.stderr(`pds-lint: ${p.path}: ${p.message}\n`);

  const emit = values.fix && readStdin ? io.stderr : io.stdout;
  if (values.diff) {
    emit(diffs.join(''));
    if (!values.quiet) io.stderr(fixedCount ? `Would fix ${fixedCount} problem${fixedCount === 1 ? '' : 's'}.\n` : 'No fixes available.\n');
  } else {
    switch (format) {
      case 'json':
        emit(formatJson(results));
        break;
      case 'sarif':
        emit(formatSarif(results, { version: version(), notifications: problems }));
        break;
      case 'github':
        emit(formatGithub(results));
        break;
      default: {
        const text = formatText(results, { fixableHint: !values.fix, unsafeHint: !values['unsafe-fixes'] });
        const lines = values.quiet ? text.split('\n').filter((l) => !l.startsWith('Found ')).join('\n') : text;
        emit(lines);
        if (values.fix && fixedCount && !values.quiet) io.stderr(`Fixed ${fixedCount} problem${fixedCount === 1 ? '' : 's'}.\n`);
        if (!values.quiet && !results.some((r) => r.findings.length) && !problems.length) {
          io.stderr(`All checks passed (${results.length} file${results.length === 1 ? '' : 's'}).\n`);
        }
      }
    }
  }

  if (problems.length) return EXIT_ERROR;
  if (values['exit-zero']) return EXIT_OK;
  const remaining = results.some((r) => r.findings.length);
  if (values.diff) return fixedCount > 0 ? EXIT_FINDINGS : EXIT_OK;
  return remaining ? EXIT_FINDINGS : EXIT_OK;
}

function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      'output-format': { type: 'string' },
      select: { type: 'string', multiple: true },
      ignore: { type: 'string', multiple: true },
      fix: { type: 'boolean' },
      'unsafe-fixes': { type: 'boolean' },
      diff: { type: 'boolean' },
      'stdin-filename': { type: 'string' },
      config: { type: 'string' },
      isolated: { type: 'boolean' },
      'no-gitignore': { type: 'boolean' },
      'exit-zero': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      version: { type: 'boolean', short: 'V' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function relative(cwd: string, p: string): string {
  const abs = path.resolve(cwd, p);
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

function ruleCommand(args: string[], io: CliIo): number {
  if (args.includes('-h') || args.includes('--help')) {
    io.stdout('Usage: pds-lint rule [CODE ...]\nShows the documentation of the rules (a table of all rules without CODE).\n');
    return EXIT_OK;
  }
  if (!args.length) {
    for (const r of ALL_RULES) io.stdout(`${r.meta.code}  ${r.meta.name.padEnd(36)} ${r.meta.defaultSeverity.padEnd(12)} ${r.meta.summary}\n`);
    return EXIT_OK;
  }
  let status = EXIT_OK;
  for (const arg of args) {
    const code = arg.toUpperCase();
    const rule = RULES_BY_CODE.get(code);
    if (!rule) {
      io.stderr(`pds-lint: unknown rule ${arg}\n`);
      status = EXIT_ERROR;
      continue;
    }
    const page = ruleDocsPath(code);
    io.stdout(page ? fs.readFileSync(page, 'utf8') : `${code} ${rule.meta.name}\n${rule.meta.summary}\n${ruleDocsUrl(code)}\n`);
  }
  return status;
}
