/**
 * Dry-run settings: defaults < `[tool.pds-lint.dry-run]` of the nearest pyproject.toml < editor
 * settings < the command line (or the command's arguments). Bad values are errors naming the key.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

// smol-toml ships CommonJS (dist/index.cjs), but its type declarations are ESM-only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as { parse(text: string): unknown };

export interface DryRunSettings {
  className?: string;
  options: Record<string, string>;
  schema?: string;
  batches: number;
  interval: number;
  timeout: number;
  python?: string;
}

export type PartialDryRunSettings = Partial<Omit<DryRunSettings, 'options'>> & { options?: Record<string, string> };

export const DRY_RUN_DEFAULTS = { batches: 5, interval: 0, timeout: 30 } as const;
export const LIMITS = { batches: [1, 1000], interval: [0, 3600], timeout: [0.1, 3600] } as const;

export class DryRunConfigError extends Error {}

/** Spark passes option values as strings: `.option("n", 5)` arrives as "5", `True` as "true". */
export function optionString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

export function checkNumber(key: 'batches' | 'interval' | 'timeout', value: unknown, where: string): number {
  const [lo, hi] = LIMITS[key];
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  const ok = typeof n === 'number' && Number.isFinite(n) && n >= lo && n <= hi && (key !== 'batches' || Number.isInteger(n));
  if (!ok) {
    const what = key === 'batches' ? `an integer from ${lo} to ${hi}` : `a number of seconds from ${lo} to ${hi}`;
    throw new DryRunConfigError(`${where}${key} must be ${what}, not ${JSON.stringify(value)}`);
  }
  return n as number;
}

/** `KEY=VALUE` arguments (the first `=` splits). */
export function parseOptionArgs(items: string[], flag = '--option'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new DryRunConfigError(`${flag}: "${item}" is not KEY=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const KEYS = ['class', 'options', 'schema', 'batches', 'interval', 'timeout', 'python'];

/** Validates a `[tool.pds-lint.dry-run]` table. */
export function validateDryRunTable(table: unknown, file?: string): PartialDryRunSettings {
  const where = `${file ? `${file}: ` : ''}[tool.pds-lint.dry-run] `;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) throw new DryRunConfigError(`${where}must be a table`);
  const t = table as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    if (!KEYS.includes(key)) throw new DryRunConfigError(`${where}unknown key "${key}" (known: ${KEYS.join(', ')})`);
  }
  const out: PartialDryRunSettings = {};
  const str = (key: string): string | undefined => {
    if (t[key] === undefined) return undefined;
    if (typeof t[key] !== 'string' || !(t[key] as string).trim()) throw new DryRunConfigError(`${where}${key} must be a non-empty string, not ${JSON.stringify(t[key])}`);
    return t[key] as string;
  };
  out.className = str('class');
  out.schema = str('schema');
  out.python = str('python');
  for (const key of ['batches', 'interval', 'timeout'] as const) {
    if (t[key] !== undefined) out[key] = checkNumber(key, t[key], where);
  }
  if (t.options !== undefined) {
    if (typeof t.options !== 'object' || t.options === null || Array.isArray(t.options)) {
      throw new DryRunConfigError(`${where}options must be a table of option values, like { path = "data/events.jsonl" }`);
    }
    out.options = {};
    for (const [k, v] of Object.entries(t.options as Record<string, unknown>)) {
      const s = optionString(v);
      if (s === undefined) throw new DryRunConfigError(`${where}options.${k} must be a string, number or boolean, not ${JSON.stringify(v)}`);
      out.options[k] = s;
    }
  }
  for (const k of Object.keys(out) as (keyof PartialDryRunSettings)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** The nearest pyproject.toml at or above `start` that has a [tool.pds-lint] table. */
export function findProjectConfig(start: string): { file: string; table: unknown } | undefined {
  let dir = path.resolve(start);
  try {
    if (!fs.statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (;;) {
    const candidate = path.join(dir, 'pyproject.toml');
    if (fs.existsSync(candidate)) {
      let doc: Record<string, unknown>;
      try {
        doc = parseToml(fs.readFileSync(candidate, 'utf8')) as Record<string, unknown>;
      } catch (err) {
        throw new DryRunConfigError(`${candidate}: invalid TOML (${(err as Error).message.split('\n')[0]})`);
      }
      const tool = doc.tool as Record<string, unknown> | undefined;
      if (tool && tool['pds-lint'] !== undefined) return { file: candidate, table: tool['pds-lint'] };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** `[tool.pds-lint.dry-run]` for a file, validated, with the directory of its pyproject.toml. */
export function projectDryRunSettings(file: string, explicitPyproject?: string): { settings: PartialDryRunSettings; root?: string; source?: string } {
  let found: { file: string; table: unknown } | undefined;
  if (explicitPyproject) {
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(fs.readFileSync(explicitPyproject, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new DryRunConfigError(`${explicitPyproject}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `invalid TOML (${(err as Error).message.split('\n')[0]})`}`);
    }
    const tool = doc.tool as Record<string, unknown> | undefined;
    found = { file: explicitPyproject, table: tool?.['pds-lint'] ?? {} };
  } else {
    found = findProjectConfig(file);
  }
  if (!found) return { settings: {} };
  const table = found.table as Record<string, unknown>;
  const dry = table && typeof table === 'object' ? table['dry-run'] : undefined;
  return { settings: dry === undefined ? {} : validateDryRunTable(dry, found.file), root: path.dirname(found.file), source: found.file };
}

/** Later layers win key by key; options are merged. */
export function mergeDryRunSettings(...layers: (PartialDryRunSettings | undefined)[]): DryRunSettings {
  const out: DryRunSettings = { options: {}, ...DRY_RUN_DEFAULTS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      if (k === 'options') out.options = { ...out.options, ...(v as Record<string, string>) };
      else (out as unknown as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

export function defaultPython(): string {
  return process.platform === 'win32' ? 'python' : 'python3';
}
