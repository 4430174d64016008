/**
 * Refactor code actions (kind `refactor.rewrite`): "Convert to streaming reader (time-range
 * offsets)" on a batch `DataSourceReader` or the `DataSource` that returns it. The engine builds
 * the edits (server/src/engine/authoring/batchToStream.ts); this is the LSP wrapper.
 */
import { type CodeAction, CodeActionKind, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { batchReadersAt, convertBatchToStream } from '../../engine/authoring/batchToStream';
import type { FileModel } from '../../engine/model';
import { rangeOf } from './diagnostics';

export const REFACTOR_KINDS = [CodeActionKind.RefactorRewrite];

export function refactorActions(document: TextDocument, model: FileModel, range: Range, documentChanges: boolean): CodeAction[] {
  const start = document.offsetAt(range.start);
  const end = document.offsetAt(range.end);
  const readers = batchReadersAt(model, start, end);
  const actions: CodeAction[] = [];
  for (const reader of readers) {
    const conversion = convertBatchToStream(model, reader);
    if (!conversion) continue;
    const edits = conversion.edits.map((e) => ({ range: rangeOf(document, e.start, e.end), newText: e.newText }));
    actions.push({
      // Several batch readers under the cursor (a DataSource returning more than one): name each.
      title: readers.length > 1 ? `${conversion.title}: \`${reader.name}\`` : conversion.title,
      kind: CodeActionKind.RefactorRewrite,
      edit: documentChanges
        ? { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }] }
        : { changes: { [document.uri]: edits } },
    });
  }
  return actions;
}
