/**
 * "Dry run" lenses above the classes a dry run can drive: a `DataSource` with a stream reader
 * factory, and a concrete stream reader. The command runs in the client (it runs the user's code,
 * in a trusted workspace only); the server never executes it.
 */
import type { CodeLens } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findMethod, type FileModel } from '../../engine/model';
import { rangeOf } from './diagnostics';

export const DRY_RUN_COMMAND = 'pdsLint.dryRun';

export function dryRunLenses(document: TextDocument, model: FileModel): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const cls of model.classes) {
    if (!cls.role || cls.nested || cls.file || cls.hasSyntaxError) continue;
    const isSource = cls.role === 'DataSource' && !!(findMethod(cls, 'streamReader') ?? findMethod(cls, 'simpleStreamReader'));
    const isReader = (cls.role === 'DataSourceStreamReader' || cls.role === 'SimpleDataSourceStreamReader') && cls.subclasses.length === 0;
    if (!isSource && !isReader) continue;
    lenses.push({
      range: rangeOf(document, cls.nameNode.start, cls.nameNode.end),
      command: { title: 'Dry run', command: DRY_RUN_COMMAND, arguments: [document.uri, cls.name] },
    });
  }
  return lenses;
}
