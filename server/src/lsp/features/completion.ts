/**
 * `textDocument/completion`: the contract methods a class of a Spark role lacks (at the start of
 * a member line), and the offset keys its producers write (after `start["`, `end.get('`,
 * `json.loads(start)["`). The engine finds them from the text and the last intact model of the
 * class; this file turns them into LSP items in the form the client supports.
 */
import {
  type ClientCapabilities,
  type CompletionItem,
  CompletionItemKind,
  InsertTextFormat,
  InsertTextMode,
  MarkupKind,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type CompletionSource, memberCompletions, offsetKeyCompletions } from '../../engine/authoring/completion';
import type { FileModel } from '../../engine/model';
import { contractEntry } from './contract';
import { rangeOf } from './diagnostics';

export const COMPLETION_TRIGGERS = ['"', "'", '['];

export interface CompletionSupport {
  snippets: boolean;
  /** The client keeps the inserted text's indentation as sent (`InsertTextMode.asIs`). */
  asIs: boolean;
  labelDetails: boolean;
  markdown: boolean;
}

export function completionSupport(caps: ClientCapabilities): CompletionSupport {
  const item = caps.textDocument?.completion?.completionItem;
  return {
    snippets: !!item?.snippetSupport,
    asIs: !!item?.insertTextModeSupport?.valueSet?.includes(InsertTextMode.asIs),
    labelDetails: !!item?.labelDetailsSupport,
    markdown: !!item?.documentationFormat?.includes(MarkupKind.Markdown),
  };
}

const RUNS: Record<string, string> = { driver: 'the driver', executor: 'an executor', 'driver (planning)': 'the driver, when the query is planned' };

function sortText(i: number): string {
  return `0${String(i).padStart(3, '0')}`;
}

export function memberItems(document: TextDocument, source: CompletionSource & { importModel: FileModel }, support: CompletionSupport): CompletionItem[] {
  return memberCompletions(source).map((c, i) => {
    const { template } = c;
    const entry = contractEntry(c.role, template.name);
    const doc = entry ? `Runs on ${RUNS[entry.runs] ?? entry.runs}. ${entry.text}` : undefined;
    const form = support.snippets ? c.insert.snippet : c.insert.plain;
    const params = /\(([^)]*)\)/.exec(template.signature)?.[0];
    return {
      label: template.name,
      ...(support.labelDetails ? { labelDetails: { detail: params, description: template.variant } } : {}),
      kind: CompletionItemKind.Method,
      detail: template.variant ? `${template.signature}   (${template.variant})` : template.signature,
      ...(doc ? { documentation: support.markdown ? { kind: MarkupKind.Markdown, value: doc } : doc.replace(/`/g, '') } : {}),
      filterText: c.filterText,
      sortText: sortText(i),
      insertTextFormat: support.snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      ...(support.asIs ? { insertTextMode: InsertTextMode.asIs } : {}),
      textEdit: { range: rangeOf(document, c.start, c.end), newText: support.asIs ? form.absolute : form.relative },
      ...(c.additionalEdits.length ? { additionalTextEdits: c.additionalEdits.map((e) => ({ range: rangeOf(document, e.start, e.end), newText: e.newText })) } : {}),
    };
  });
}

export function offsetKeyItems(document: TextDocument, source: CompletionSource, support: CompletionSupport): CompletionItem[] {
  return offsetKeyCompletions(source).map((c, i) => {
    const kinds = c.key.kinds.length ? ` — ${c.key.kinds.join(' | ')}` : '';
    const producers = c.key.producers.map((p) => `\`${p}\``).join(', ');
    return {
      label: c.key.key,
      kind: CompletionItemKind.Property,
      detail: `${c.key.key}${kinds}`,
      documentation: support.markdown ? { kind: MarkupKind.Markdown, value: `Offset key written by ${producers}.` } : `Offset key written by ${producers.replace(/`/g, '')}.`,
      filterText: c.filterText,
      sortText: sortText(i),
      textEdit: { range: rangeOf(document, c.start, c.end), newText: c.insert },
    };
  });
}
