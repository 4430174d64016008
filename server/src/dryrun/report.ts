/**
 * How a dry run is shown: the text summary of the CLI (and the VS Code output view), an HTML
 * table for the webview, finding lines, exit codes, and moving a confirmed PDS001 onto the line the
 * static rule reports.
 */
import * as path from 'node:path';
import type { DryRunBatch, DryRunFinding, DryRunResult } from './protocol';

export const CONFIRMED = 'confirmed by a dry run';

/** 0: ran, nothing found; 1: ran, found problems; 2: could not run. */
export function exitCodeOf(result: DryRunResult): 0 | 1 | 2 {
  if (result.error) return 2;
  return result.findings.length ? 1 : 0;
}

export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function ms(seconds: number): string {
  const v = seconds * 1000;
  return v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;
}

export function partitionTimes(b: DryRunBatch): string {
  const t = b.partitionSeconds;
  if (!t.length) return '';
  if (t.length <= 4) return t.map(ms).join(', ');
  const lo = Math.min(...t);
  const hi = Math.max(...t);
  return `${ms(lo)} to ${ms(hi)} (${t.length})`;
}

function statusText(b: DryRunBatch): string {
  if (b.status === 'no-new-data') return 'no new data';
  if (b.status === 'failed') return 'failed';
  return '';
}

function table(rows: string[][], rightAligned: Set<number>): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function pysparkText(result: DryRunResult): string {
  if (!result.pyspark) return 'unknown';
  return result.pyspark.mode === 'pyspark' ? `pyspark ${result.pyspark.version ?? ''}`.trim() : "pds-lint's stand-in (pyspark is not installed for this Python)";
}

export function sourceText(result: DryRunResult): string {
  const s = result.source;
  if (!s.class) return '';
  if (s.kind === 'DataSource') return `${s.class} -> ${s.reader ?? '?'} (${s.readerKind ?? 'reader'})`;
  return `${s.class} (${s.readerKind ?? 'reader'})${s.schemaFrom ? `, schema from ${s.schemaFrom}` : ''}`;
}

export function findingLine(f: DryRunFinding, cwd: string, fallbackFile: string): string {
  const file = displayPath(f.file ?? fallbackFile, cwd);
  const where = f.line ? `${file}:${f.line}:${f.column ?? 1}` : file;
  const code = f.code ?? (f.kind === 'timeout' ? 'timeout' : 'error');
  return `${where}: ${code} ${f.message} [${CONFIRMED}]`;
}

/** The CLI's text output (also the VS Code output view). */
export function formatDryRunText(result: DryRunResult, cwd: string): string {
  const lines: string[] = [];
  const file = displayPath(result.file, cwd);
  if (result.error && !result.source.class) {
    lines.push(`Dry run of ${file}: could not run.`);
    lines.push(`  ${result.error.message.replace(/\n/g, '\n  ')}`);
    if (result.error.traceback) lines.push(indent(result.error.traceback, 4));
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Dry run of ${file}`);
  const info: [string, string][] = [
    ['source', sourceText(result)],
    ['schema', result.schema ?? result.schemaNote ?? '(none)'],
    ['options', Object.keys(result.options).length ? Object.entries(result.options).map(([k, v]) => `${k}=${v}`).join(', ') : '(none)'],
    ['python', `${result.python.version} (${result.python.executable}), pyspark: ${pysparkText(result)}`],
  ];
  if (result.schema && result.schemaNote) info.push(['note', result.schemaNote]);
  for (const [k, v] of info) lines.push(`  ${k.padEnd(8)} ${v}`);
  if (result.initialOffset) lines.push(`  ${'initial'.padEnd(8)} ${result.initialOffset}`);
  if (result.batches.length) {
    lines.push('');
    const rows = [['batch', 'start', 'end', 'partitions', 'rows', 'time per partition']];
    for (const b of result.batches) {
      rows.push([String(b.batch), b.start, b.end ?? '-', String(b.partitions), String(b.rows), statusText(b) || partitionTimes(b)]);
    }
    lines.push(table(rows, new Set([0, 3, 4])));
  }
  if (result.restart) {
    lines.push(
      result.restart.failed
        ? `restart: partitions(end, end) at ${result.restart.offset} failed`
        : `restart: partitions(end, end) at ${result.restart.offset} gave ${result.restart.partitions ?? '?'} partition${result.restart.partitions === 1 ? '' : 's'}`,
    );
  }
  lines.push('');
  for (const f of result.findings) {
    lines.push(findingLine(f, cwd, result.file));
    if (f.traceback) lines.push(indent(f.traceback, 4));
  }
  const ran = result.batches.filter((b) => b.status === 'ok').length;
  const idle = result.batches.filter((b) => b.status === 'no-new-data').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('h') ? 'es' : 's'}`;
  const batches = idle ? `${plural(result.batches.length, 'batch')} (${ran} with data, ${idle} with no new data)` : plural(result.batches.length, 'batch');
  if (result.error) {
    lines.push(`Stopped: ${result.error.message}`);
  } else if (result.findings.length) {
    const n = result.findings.length;
    lines.push(`Found ${plural(n, 'problem')}, ${CONFIRMED}: ${batches}, ${plural(result.rows, 'row')}, ${result.seconds.toFixed(2)} s.${result.stopped ? ` The run stopped: ${result.stopped}.` : ''}`);
  } else {
    const clean = idle ? batches : `${ran} clean batch${ran === 1 ? '' : 'es'}`;
    lines.push(`No problems found: ${clean}, ${plural(result.rows, 'row')} (${result.seconds.toFixed(2)} s).`);
  }
  return `${lines.join('\n')}\n`;
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A self-contained HTML page (no scripts) for the VS Code webview. */
export function formatDryRunHtml(result: DryRunResult, cwd: string, cspSource = ''): string {
  const e = escapeHtml;
  const file = displayPath(result.file, cwd);
  const parts: string[] = [];
  parts.push(`<h2>Dry run of <code>${e(file)}</code></h2>`);
  if (result.error && !result.source.class) {
    parts.push(`<p class="error">Could not run: ${e(result.error.message)}</p>`);
    if (result.error.traceback) parts.push(`<pre>${e(result.error.traceback)}</pre>`);
  } else {
    parts.push('<table class="info">');
    const info: [string, string][] = [
      ['source', sourceText(result)],
      ['schema', result.schema ?? result.schemaNote ?? '(none)'],
      ['options', Object.keys(result.options).length ? Object.entries(result.options).map(([k, v]) => `${k}=${v}`).join(', ') : '(none)'],
      ['python', `${result.python.version} (${result.python.executable})`],
      ['pyspark', pysparkText(result)],
      ['initial offset', result.initialOffset ?? ''],
    ];
    for (const [k, v] of info) parts.push(`<tr><th>${e(k)}</th><td><code>${e(v)}</code></td></tr>`);
    parts.push('</table>');
    if (result.batches.length) {
      parts.push('<table class="batches"><thead><tr><th>batch</th><th>start</th><th>end</th><th>partitions</th><th>rows</th><th>time per partition</th></tr></thead><tbody>');
      for (const b of result.batches) {
        parts.push(
          `<tr class="${b.status}"><td>${b.batch}</td><td><code>${e(b.start)}</code></td><td><code>${e(b.end ?? '-')}</code></td><td>${b.partitions}</td><td>${b.rows}</td><td>${e(statusText(b) || partitionTimes(b))}</td></tr>`,
        );
      }
      parts.push('</tbody></table>');
    }
    if (result.findings.length) {
      parts.push(`<h3>${result.findings.length} problem${result.findings.length === 1 ? '' : 's'}, ${CONFIRMED}</h3><ul>`);
      for (const f of result.findings) {
        const where = f.file && f.line ? `${displayPath(f.file, cwd)}:${f.line}` : '';
        parts.push(`<li><b>${e(f.code ?? f.kind ?? 'error')}</b> <span class="where">${e(where)}</span><br>${e(f.message)}${f.traceback ? `<pre>${e(f.traceback)}</pre>` : ''}</li>`);
      }
      parts.push('</ul>');
    } else if (!result.error) {
      parts.push(`<p class="clean">No problems found in ${result.batches.length} batches (${result.rows} rows, ${result.seconds.toFixed(2)} s).</p>`);
    }
    if (result.error) parts.push(`<p class="error">Stopped: ${e(result.error.message)}</p>`);
  }
  const csp = `default-src 'none'; style-src 'unsafe-inline'${cspSource ? ` ${cspSource}` : ''};`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<title>Dry run</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
code, pre { font-family: var(--vscode-editor-font-family); }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { text-align: left; padding: 2px 10px; border-bottom: 1px solid var(--vscode-panel-border, #8884); vertical-align: top; }
table.batches td:nth-child(4), table.batches td:nth-child(5), table.batches td:nth-child(1) { text-align: right; }
table.batches td code { white-space: nowrap; }
tr.no-new-data td { opacity: 0.6; }
tr.failed td, .error { color: var(--vscode-errorForeground); }
.where { opacity: 0.7; }
pre { background: var(--vscode-textCodeBlock-background); padding: 6px; overflow-x: auto; }
</style></head><body>
${parts.join('\n')}
</body></html>`;
}

export interface StaticLocation {
  code: string;
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

/**
 * A confirmed PDS001 is shown where the static rule reports the pitfall (the assignment that makes
 * ranges meet), when the rule reports one in the reader's class; else at the harness's place.
 */
export function refineLocations(result: DryRunResult, statics: StaticLocation[]): DryRunResult {
  const findings = result.findings.map((f) => {
    if (f.code !== 'PDS001' || !f.file) return f;
    const inClass = statics.filter(
      (s) => s.code === 'PDS001' && path.resolve(s.file) === path.resolve(f.file!) && (!f.classLines || (s.line >= f.classLines[0] && s.line <= f.classLines[1])),
    );
    if (!inClass.length) return f;
    return { ...f, line: inClass[0].line, column: inClass[0].column, details: { ...f.details, staticLocation: true } };
  });
  return { ...result, findings };
}
