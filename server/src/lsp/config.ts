/**
 * Editor settings (`pdsLint.*`): one zod schema that is the type and the defaults, checked
 * against package.json by a test. A bad value is reported once, naming the setting, and the
 * default is used for that key only.
 */
import { z } from 'zod';
import { type LintSettings, mergeSettings, type SeverityOverride } from '../engine/config';
import { ALL_CODES } from '../engine/rules/registry';

export const SEVERITY_VALUES = ['error', 'warning', 'information', 'hint', 'off'] as const;

const codeList = z.array(z.string().regex(/^(ALL|[A-Za-z]+[0-9]*)$/, 'a rule code or prefix such as PDS002 or PDS0'));

export const SettingsSchema = z.object({
  /** Lint Python files with pds-lint. */
  enable: z.boolean().default(true),
  /** Rules to run (codes or prefixes); empty means the pyproject.toml selection, else all rules. */
  select: codeList.default([]),
  /** Rules to skip (codes or prefixes), added to the pyproject.toml ones. */
  ignore: codeList.default([]),
  /** Severity per rule code: error, warning, information, hint or off. */
  severity: z.record(z.enum(SEVERITY_VALUES)).default({}),
  /** Lint while typing, or only when the file is saved. */
  run: z.enum(['onType', 'onSave']).default('onType'),
  /** Milliseconds to wait after the last keystroke before linting. */
  delay: z.number().int().min(0).max(10_000).default(150),
  /**
   * Which files get diagnostics: the open ones, or every data-source file of the workspace (files
   * with a class of a Spark role), open or not.
   */
  scope: z.enum(['openFiles', 'workspace']).default('openFiles'),
  /** Files with more characters than this are not analysed (a message says so). */
  maxFileSize: z.number().int().min(1).default(5_000_000),
  /** Milliseconds of CPU time one analysis of a document may take (parse and rules); 0 for no limit. */
  maxAnalysisMs: z.number().int().min(0).default(5000),
  /** Traces the communication between VS Code and the server (read by the client). */
  trace: z.object({ server: z.enum(['off', 'messages', 'verbose']).default('off') }).default({}),
  /** The interpreter of the dry run (read by the client; the server never runs code). */
  pythonPath: z.string().default(''),
  /** Dry-run settings (read by the client). */
  dryRun: z
    .object({
      batches: z.number().int().min(1).max(1000).default(5),
      interval: z.number().min(0).max(3600).default(0),
      timeout: z.number().min(0.1).max(3600).default(30),
      options: z.record(z.string()).default({}),
    })
    .default({}),
});

/** Settings objects whose keys package.json contributes one by one (`pdsLint.trace.server`). */
const NESTED_SETTINGS = new Set(['trace', 'dryRun']);

export type Settings = z.infer<typeof SettingsSchema>;

export function defaultSettings(): Settings {
  return SettingsSchema.parse({});
}

/** Flattened `pdsLint.*` keys with their defaults, as package.json contributes them. */
export function flattenedDefaults(prefix = 'pdsLint'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const visit = (value: unknown, key: string) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && NESTED_SETTINGS.has(key.slice(prefix.length + 1))) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(v, `${key}.${k}`);
    } else {
      out[key] = value;
    }
  };
  for (const [k, v] of Object.entries(defaultSettings())) visit(v, `${prefix}.${k}`);
  return out;
}

export interface SettingsProblem {
  key: string;
  message: string;
}

/**
 * Parses raw settings key by key: a bad key falls back to its default and is reported; the
 * others keep their values. Unknown severity codes are reported too.
 */
export function parseSettings(raw: unknown): { settings: Settings; problems: SettingsProblem[] } {
  const defaults = defaultSettings();
  const problems: SettingsProblem[] = [];
  const input = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const out: Record<string, unknown> = { ...defaults };
  const shape = SettingsSchema.shape;
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    if (input[key] === undefined || input[key] === null) continue;
    const parsed = shape[key].safeParse(input[key]);
    if (parsed.success) out[key] = parsed.data;
    else problems.push({ key: `pdsLint.${key}`, message: describeIssue(parsed.error, input[key]) });
  }
  const settings = out as Settings;
  const known = new Set(ALL_CODES);
  const unknown = Object.keys(settings.severity).filter((code) => !known.has(code.toUpperCase()));
  if (unknown.length) {
    problems.push({ key: 'pdsLint.severity', message: `unknown rule ${unknown.join(', ')} (known: ${ALL_CODES.join(', ')})` });
    settings.severity = Object.fromEntries(Object.entries(settings.severity).filter(([code]) => known.has(code.toUpperCase())));
  }
  return { settings, problems };
}

function describeIssue(error: z.ZodError, value: unknown): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  return `${JSON.stringify(value)} is not valid${where}: ${issue?.message ?? 'invalid value'}`;
}

/**
 * Engine settings for a document. Precedence: defaults < `[tool.pds-lint]` of the nearest
 * pyproject.toml < editor settings. `pdsLint.select` replaces the file's select when not empty,
 * `pdsLint.ignore` adds to its ignore, `pdsLint.severity` overrides per rule.
 */
export function effectiveLintSettings(fileConfig: LintSettings | undefined, settings: Settings): LintSettings {
  const editor: LintSettings = {
    select: settings.select.length ? settings.select.map((s) => s.toUpperCase()) : undefined,
    ignore: settings.ignore.length ? [...(fileConfig?.ignore ?? []), ...settings.ignore.map((s) => s.toUpperCase())] : undefined,
    severity: Object.keys(settings.severity).length
      ? Object.fromEntries(Object.entries(settings.severity).map(([k, v]) => [k.toUpperCase(), v as SeverityOverride]))
      : undefined,
  };
  return mergeSettings(fileConfig, editor);
}
