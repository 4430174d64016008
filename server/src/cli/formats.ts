/** Output formats of `pds-lint`: text, json (ruff-style), sarif (2.1.0), github (workflow commands). */
import { ruleDocsUrl } from '../engine/docs';
import { ALL_RULES } from '../engine/rules/registry';
import type { LineIndex } from '../engine/source';
import type { Finding, Severity } from '../engine/types';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'github';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif', 'github'];

export interface FileFindings {
  /** The path as shown to the user. */
  filename: string;
  findings: Finding[];
  lines: LineIndex;
}

export interface JsonLocation {
  row: number;
  column: number;
}

export interface JsonFinding {
  code: string;
  message: string;
  severity: Severity;
  filename: string;
  location: JsonLocation;
  end_location: JsonLocation;
  fix: null | {
    applicability: 'safe' | 'unsafe';
    message: string;
    edits: { content: string; location: JsonLocation; end_location: JsonLocation }[];
  };
  url: string;
}

export function toJsonFinding(file: FileFindings, f: Finding): JsonFinding {
  return {
    code: f.code,
    message: f.message,
    severity: f.severity,
    filename: file.filename,
    location: file.lines.rowColumn(f.start),
    end_location: file.lines.rowColumn(f.end),
    fix: f.fix
      ? {
          applicability: f.fix.applicability,
          message: f.fix.title,
          edits: f.fix.edits.map((e) => ({ content: e.newText, location: file.lines.rowColumn(e.start), end_location: file.lines.rowColumn(e.end) })),
        }
      : null,
    url: ruleDocsUrl(f.code),
  };
}

export function formatJson(files: FileFindings[]): string {
  const all = files.flatMap((file) => file.findings.map((f) => toJsonFinding(file, f)));
  return `${JSON.stringify(all, null, 2)}\n`;
}

export function formatText(files: FileFindings[], options: { fixableHint: boolean; unsafeHint: boolean }): string {
  let out = '';
  let total = 0;
  let fixable = 0;
  let unsafe = 0;
  for (const file of files) {
    for (const f of file.findings) {
      const { row, column } = file.lines.rowColumn(f.start);
      out += `${file.filename}:${row}:${column}: ${f.code} ${f.message}\n`;
      total++;
      if (f.fix?.applicability === 'safe') fixable++;
      else if (f.fix) unsafe++;
    }
  }
  if (total) {
    out += `Found ${total} problem${total === 1 ? '' : 's'}.`;
    if (options.fixableHint && fixable) out += ` ${fixable} fixable with --fix.`;
    if (options.unsafeHint && unsafe) out += ` ${unsafe} more fixable with --fix --unsafe-fixes.`;
    out += '\n';
  }
  return out;
}

/** GitHub Actions workflow commands: annotations on the pull request's diff. */
export function formatGithub(files: FileFindings[]): string {
  let out = '';
  for (const file of files) {
    for (const f of file.findings) {
      const start = file.lines.rowColumn(f.start);
      const end = file.lines.rowColumn(f.end);
      const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      const props = [
        `title=${escapeProperty(`pds-lint (${f.code})`)}`,
        `file=${escapeProperty(file.filename)}`,
        `line=${start.row}`,
        `col=${start.column}`,
        `endLine=${end.row}`,
        `endColumn=${end.column}`,
      ].join(',');
      out += `::${level} ${props}::${escapeData(`${f.code} ${f.message}`)}\n`;
    }
  }
  return out;
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export interface SarifOptions {
  version: string;
  /** Problems that stopped files from being linted, reported as tool notifications. */
  notifications: { path: string; message: string }[];
}

export function formatSarif(files: FileFindings[], options: SarifOptions): string {
  const rules = ALL_RULES.map((r) => ({
    id: r.meta.code,
    name: r.meta.name,
    shortDescription: { text: r.meta.summary },
    fullDescription: { text: r.meta.summary },
    helpUri: ruleDocsUrl(r.meta.code),
    help: { text: `${r.meta.summary}. See ${ruleDocsUrl(r.meta.code)}` },
    defaultConfiguration: { level: SARIF_LEVEL[r.meta.defaultSeverity] },
    properties: { fixAvailability: r.meta.fixAvailability },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const region = (file: FileFindings, start: number, end: number) => {
    const s = file.lines.rowColumn(start);
    const e = file.lines.rowColumn(end);
    return { startLine: s.row, startColumn: s.column, endLine: e.row, endColumn: e.column };
  };
  const uri = (p: string) => encodeURI(p.split('\\').join('/'));
  const results = files.flatMap((file) =>
    file.findings.map((f) => ({
      ruleId: f.code,
      ruleIndex: index.get(f.code) ?? -1,
      level: SARIF_LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: uri(file.filename) }, region: region(file, f.start, f.end) } }],
      ...(f.related.length
        ? {
            relatedLocations: f.related.map((r, i) => ({
              id: i + 1,
              message: { text: r.message },
              // A place in another file: its positions were computed with that file's own lines.
              physicalLocation: {
                artifactLocation: { uri: uri(r.path ?? file.filename) },
                region: r.path
                  ? r.rowColumn && { startLine: r.rowColumn.start.row, startColumn: r.rowColumn.start.column, endLine: r.rowColumn.end.row, endColumn: r.rowColumn.end.column }
                  : region(file, r.start, r.end),
              },
            })),
          }
        : {}),
      ...(f.fix
        ? {
            fixes: [
              {
                description: { text: f.fix.title },
                artifactChanges: [
                  {
                    artifactLocation: { uri: uri(file.filename) },
                    replacements: f.fix.edits.map((e) => ({ deletedRegion: region(file, e.start, e.end), insertedContent: { text: e.newText } })),
                  },
                ],
              },
            ],
          }
        : {}),
    })),
  );
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'pds-lint', version: options.version, informationUri: 'https://github.com/pds-lint/pds-lint', rules } },
        columnKind: 'unicodeCodePoints',
        results,
        invocations: [
          {
            executionSuccessful: options.notifications.length === 0,
            toolExecutionNotifications: options.notifications.map((n) => ({
              level: 'error',
              message: { text: `${n.path}: ${n.message}` },
              locations: [{ physicalLocation: { artifactLocation: { uri: uri(n.path) } } }],
            })),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
