/**
 * The quick-fix menu, in the order ESLint and ruff users know: the fix (preferred when safe),
 * "Disable PDSxxx for this line", "Fix all PDSxxx problems in this file", "Show documentation for
 * PDSxxx"; plus `source.fixAll.pds` for `editor.codeActionsOnSave`.
 */
import {
  type CodeAction,
  CodeActionKind,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { selectCompatibleFixes } from '../../engine/fixes';
import type { Finding, Fix } from '../../engine/types';
import { type DiagnosticData, rangeOf, SOURCE } from './diagnostics';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.pds`;
export const SHOW_DOCUMENTATION_COMMAND = 'pdsLint.showDocumentation';

export interface CodeActionContextData {
  document: TextDocument;
  /** Findings of the document's current version (for the fix-all actions). */
  findings: Finding[];
  /** Text after every safe fix, re-analysed until stable (for source.fixAll.pds). */
  fixAllSafe: () => string;
  documentChanges: boolean;
}

function workspaceEdit(document: TextDocument, edits: TextEdit[], documentChanges: boolean): WorkspaceEdit {
  if (documentChanges) {
    return { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }] };
  }
  return { changes: { [document.uri]: edits } };
}

function isOurs(d: Diagnostic): boolean {
  return d.source === SOURCE && typeof d.code === 'string' && /^PDS\d{3}$/.test(d.code);
}

function wants(only: string[] | undefined, kind: string): boolean {
  if (!only?.length) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** One edit turning `before` into `after`: the changed middle, common prefix and suffix kept. */
export function minimalEdit(document: TextDocument, before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let start = 0;
  while (start < before.length && start < after.length && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  return { range: rangeOf(document, start, endBefore), newText: after.slice(start, endAfter) };
}

export function codeActions(params: CodeActionParams, ctx: CodeActionContextData): CodeAction[] {
  const { document } = ctx;
  const only = params.context.only;
  const actions: CodeAction[] = [];

  if (wants(only, CodeActionKind.QuickFix)) {
    const seenRules = new Set<string>();
    for (const diagnostic of params.context.diagnostics.filter(isOurs)) {
      const code = diagnostic.code as string;
      // The data comes back from the client: use it only when it has the shape the server gave it.
      const data = validData(diagnostic.data);
      if (data?.version !== undefined && data.version !== document.version) continue; // stale
      if (data?.fix) {
        actions.push({
          title: `${data.fix.title} (${code})`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: data.fix.applicability === 'safe',
          edit: workspaceEdit(document, data.fix.edits, ctx.documentChanges),
        });
      }
      if (data?.noqa) {
        actions.push({
          title: `Disable ${code} for this line`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: workspaceEdit(document, [data.noqa], ctx.documentChanges),
        });
      }
      if (seenRules.has(code)) continue;
      seenRules.add(code);
      const fixes = ctx.findings.filter((f) => f.code === code && f.fix).map((f) => f.fix as Fix);
      if (fixes.length > 1) {
        const { chosen } = selectCompatibleFixes(fixes);
        actions.push({
          title: `Fix all ${code} problems in this file`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: workspaceEdit(
            document,
            chosen.flatMap((f) => f.edits).map((e) => ({ range: rangeOf(document, e.start, e.end), newText: e.newText })),
            ctx.documentChanges,
          ),
        });
      }
      actions.push({
        title: `Show documentation for ${code}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: { title: `Show documentation for ${code}`, command: SHOW_DOCUMENTATION_COMMAND, arguments: [code] },
      });
    }
  }

  // source.fixAll.pds (editor.codeActionsOnSave, the Source Action menu): every safe fix.
  if (wants(only, FIX_ALL_KIND) && ctx.findings.some((f) => f.fix?.applicability === 'safe')) {
    const before = document.getText();
    const edit = minimalEdit(document, before, ctx.fixAllSafe());
    if (edit) {
      actions.push({ title: 'Fix all auto-fixable pds-lint problems', kind: FIX_ALL_KIND, edit: workspaceEdit(document, [edit], ctx.documentChanges) });
    }
  }
  return actions;
}

function isTextEdit(e: unknown): e is TextEdit {
  const t = e as { range?: { start?: { line?: unknown; character?: unknown }; end?: { line?: unknown; character?: unknown } }; newText?: unknown } | null;
  const pos = (p: { line?: unknown; character?: unknown } | undefined) => typeof p?.line === 'number' && typeof p.character === 'number';
  return !!t && typeof t.newText === 'string' && pos(t.range?.start) && pos(t.range?.end);
}

/** The diagnostic's data when it is what {@link toDiagnostic} wrote; the parts that are not, dropped. */
function validData(raw: unknown): DiagnosticData | undefined {
  const d = raw as { version?: unknown; fix?: { title?: unknown; applicability?: unknown; edits?: unknown }; noqa?: unknown } | null | undefined;
  if (!d || typeof d !== 'object' || typeof d.version !== 'number') return undefined;
  const out: DiagnosticData = { version: d.version };
  const fix = d.fix;
  if (fix && typeof fix.title === 'string' && (fix.applicability === 'safe' || fix.applicability === 'unsafe') && Array.isArray(fix.edits) && fix.edits.every(isTextEdit)) {
    out.fix = { title: fix.title, applicability: fix.applicability, edits: fix.edits };
  }
  if (isTextEdit(d.noqa)) out.noqa = d.noqa;
  return out;
}
