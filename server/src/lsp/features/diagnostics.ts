/** Findings as LSP diagnostics; each carries its fix and its suppression edit in `data`. */
import { type Diagnostic, DiagnosticSeverity, DiagnosticTag, type Range, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { pathToFileURL } from 'node:url';
import { ruleDocsPath, ruleDocsUrl } from '../../engine/docs';
import type { Applicability, Finding, Severity } from '../../engine/types';

export const SOURCE = 'pds';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What a diagnostic remembers, so code actions need no server state (as ruff does). */
export interface DiagnosticData {
  version: number;
  fix?: { title: string; applicability: Applicability; edits: TextEdit[] };
  noqa?: TextEdit;
}

export function rangeOf(document: TextDocument, start: number, end: number): Range {
  return { start: document.positionAt(start), end: document.positionAt(end) };
}

/** The rule page: the copy shipped with the extension when there is one (works offline). */
export function docsHref(code: string): string {
  const local = ruleDocsPath(code);
  return local ? pathToFileURL(local).href : ruleDocsUrl(code);
}

/**
 * The diagnostic of a finding. Related places in other files point to their own file (`uriOf`
 * gives the URI of a path: the open document's, else a `file:` URI), with positions computed from
 * that file's lines when the finding was made.
 */
export function toDiagnostic(document: TextDocument, finding: Finding, noqa: TextEdit | undefined, uriOf: (path: string) => string = (p) => pathToFileURL(p).href): Diagnostic {
  const data: DiagnosticData = { version: document.version };
  if (finding.fix) {
    data.fix = {
      title: finding.fix.title,
      applicability: finding.fix.applicability,
      edits: finding.fix.edits.map((e) => ({ range: rangeOf(document, e.start, e.end), newText: e.newText })),
    };
  }
  if (noqa) data.noqa = noqa;
  const tags: DiagnosticTag[] = [];
  if (finding.tags.includes('unnecessary')) tags.push(DiagnosticTag.Unnecessary);
  if (finding.tags.includes('deprecated')) tags.push(DiagnosticTag.Deprecated);
  return {
    range: rangeOf(document, finding.start, finding.end),
    severity: SEVERITY[finding.severity],
    code: finding.code,
    codeDescription: { href: docsHref(finding.code) },
    source: SOURCE,
    message: finding.message,
    ...(tags.length ? { tags } : {}),
    ...(finding.related.length
      ? {
          relatedInformation: finding.related
            .filter((r) => !r.path || r.range)
            .map((r) => ({
              location: r.path && r.range ? { uri: uriOf(r.path), range: r.range } : { uri: document.uri, range: rangeOf(document, r.start, r.end) },
              message: r.message,
            })),
        }
      : {}),
    data,
  };
}
