/**
 * Rule selection and severities, and the `[tool.pds-lint]` table of `pyproject.toml`.
 *
 * `select`/`ignore` take codes or prefixes (`PDS0`, `PDS00`, `PDS`, `ALL`), as ruff does; a more
 * specific entry wins over a less specific one, and `ignore` wins over `select` at equal length.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SEVERITIES, type Severity } from './types';

// smol-toml ships CommonJS (dist/index.cjs), but its type declarations are ESM-only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as { parse(text: string): unknown };

export type SeverityOverride = Severity | 'off';

export interface LintSettings {
  select?: string[];
  ignore?: string[];
  /** Per-rule severity; `off` disables the rule. */
  severity?: Record<string, SeverityOverride>;
}

export interface FileConfig extends LintSettings {
  /** Glob-like path patterns (gitignore syntax) to skip, relative to the pyproject.toml. */
  exclude?: string[];
  /** Options for `pds-lint dry-run` (`[tool.pds-lint.dry-run]`). */
  dryRun?: Record<string, unknown>;
  /** The pyproject.toml the configuration came from. */
  source?: string;
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

const SELECTOR = /^(ALL|[A-Z]+[0-9]*)$/;

export function isSelector(value: string): boolean {
  return SELECTOR.test(value);
}

/** Does `selector` match `code`? Returns the specificity (length), or -1. */
function specificity(selector: string, code: string): number {
  if (selector === 'ALL') return 0;
  return code.startsWith(selector) ? selector.length : -1;
}

/** The codes enabled by select/ignore/severity among `allCodes`. */
export function enabledCodes(allCodes: readonly string[], settings: LintSettings): Set<string> {
  const select = settings.select?.length ? settings.select : ['ALL'];
  const ignore = settings.ignore ?? [];
  const out = new Set<string>();
  for (const code of allCodes) {
    const s = Math.max(...select.map((sel) => specificity(sel.toUpperCase(), code)));
    const i = Math.max(-1, ...ignore.map((sel) => specificity(sel.toUpperCase(), code)));
    if (s < 0 || i >= s) continue;
    if (settings.severity?.[code] === 'off') continue;
    out.add(code);
  }
  return out;
}

export function resolveSeverity(code: string, ruleSeverity: Severity, settings: LintSettings): Severity {
  const override = settings.severity?.[code];
  return override && override !== 'off' ? override : ruleSeverity;
}

/** Merges settings: later ones win key by key; lists are replaced, severities merged. */
export function mergeSettings(...layers: (LintSettings | undefined)[]): LintSettings {
  const out: LintSettings = {};
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.select) out.select = layer.select;
    if (layer.ignore) out.ignore = layer.ignore;
    if (layer.severity) out.severity = { ...(out.severity ?? {}), ...layer.severity };
  }
  return out;
}

/**
 * Validates a `[tool.pds-lint]` table (already parsed). Throws {@link ConfigError} naming the key
 * and what is wrong.
 */
export function validateConfigTable(table: unknown, knownCodes: readonly string[], file?: string): FileConfig {
  const where = file ? `${file}: ` : '';
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new ConfigError(`${where}[tool.pds-lint] must be a table`, file);
  }
  const t = table as Record<string, unknown>;
  const out: FileConfig = { source: file };
  const known = new Set(knownCodes);
  const codeList = (key: string): string[] | undefined => {
    const v = t[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      throw new ConfigError(`${where}[tool.pds-lint] ${key} must be a list of rule codes, like ["PDS001", "PDS002"]`, file);
    }
    for (const x of v as string[]) {
      const upper = x.toUpperCase();
      if (!isSelector(upper)) throw new ConfigError(`${where}[tool.pds-lint] ${key}: "${x}" is not a rule code or prefix (expected e.g. "PDS002" or "PDS0")`, file);
      if (!upper.startsWith('PDS') && upper !== 'ALL' && !'PDS'.startsWith(upper)) {
        throw new ConfigError(`${where}[tool.pds-lint] ${key}: "${x}" does not name a pds-lint rule (codes start with PDS)`, file);
      }
      if (/^PDS\d{3}$/.test(upper) && !known.has(upper)) throw new ConfigError(`${where}[tool.pds-lint] ${key}: unknown rule "${x}"`, file);
    }
    return (v as string[]).map((x) => x.toUpperCase());
  };
  out.select = codeList('select');
  out.ignore = codeList('ignore');
  if (t.severity !== undefined) {
    if (typeof t.severity !== 'object' || t.severity === null || Array.isArray(t.severity)) {
      throw new ConfigError(`${where}[tool.pds-lint] severity must be a table like { PDS002 = "error" }`, file);
    }
    out.severity = {};
    for (const [code, value] of Object.entries(t.severity as Record<string, unknown>)) {
      const upper = code.toUpperCase();
      if (!known.has(upper)) throw new ConfigError(`${where}[tool.pds-lint] severity: unknown rule "${code}"`, file);
      if (typeof value !== 'string' || !([...SEVERITIES, 'off'] as string[]).includes(value)) {
        throw new ConfigError(`${where}[tool.pds-lint] severity.${code}: "${String(value)}" is not one of error, warning, information, hint, off`, file);
      }
      out.severity[upper] = value as SeverityOverride;
    }
  }
  if (t.exclude !== undefined) {
    if (!Array.isArray(t.exclude) || t.exclude.some((x) => typeof x !== 'string')) {
      throw new ConfigError(`${where}[tool.pds-lint] exclude must be a list of path patterns`, file);
    }
    out.exclude = t.exclude as string[];
  }
  if (t['dry-run'] !== undefined) {
    if (typeof t['dry-run'] !== 'object' || t['dry-run'] === null || Array.isArray(t['dry-run'])) {
      throw new ConfigError(`${where}[tool.pds-lint.dry-run] must be a table`, file);
    }
    out.dryRun = t['dry-run'] as Record<string, unknown>;
  }
  const allowed = new Set(['select', 'ignore', 'severity', 'exclude', 'dry-run']);
  for (const key of Object.keys(t)) {
    if (!allowed.has(key)) throw new ConfigError(`${where}[tool.pds-lint] unknown key "${key}" (known: ${[...allowed].join(', ')})`, file);
  }
  return out;
}

/** The nearest pyproject.toml at or above `start` (a file or directory). */
export function findPyproject(start: string): string | undefined {
  let dir = path.resolve(start);
  try {
    if (!fs.statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (;;) {
    const candidate = path.join(dir, 'pyproject.toml');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads `[tool.pds-lint]` from a pyproject.toml; undefined when the table is absent. */
export function readPyprojectConfig(file: string, knownCodes: readonly string[]): FileConfig | undefined {
  let text: string;
  try {
    // A named pipe would block the read forever (the editor's server with it).
    if (!fs.statSync(file).isFile()) throw new ConfigError(`${file}: is not a regular file`, file);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, file);
  }
  return parsePyprojectConfig(text, knownCodes, file);
}

export function parsePyprojectConfig(text: string, knownCodes: readonly string[], file?: string): FileConfig | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    throw new ConfigError(`${file ?? 'pyproject.toml'}: invalid TOML (${first})`, file);
  }
  const tool = doc.tool as Record<string, unknown> | undefined;
  const table = tool?.['pds-lint'];
  if (table === undefined) return undefined;
  return validateConfigTable(table, knownCodes, file);
}
