/**
 * PDS012 write-errors-swallowed: a writer's `write()` catches broad exceptions around a write
 * without re-raising, or sends HTTP requests without checking the response. Spark only learns of
 * a failure when `write()` raises; otherwise it commits the batch and the rows are lost
 * (reference §6, P11). One finding per `write()`, at the first such place (decision 10), in
 * `write()`, the functions nested in it, or the methods of the class it calls (decision 5).
 */
import { type FileModel, isWriterRole, swallowedWriteErrors, type SwallowedError } from '../model';
import { childByField } from '../syntax';
import type { RelatedLocation } from '../types';
import { defineRule } from './rule';

const LOST = 'Spark records the batch as written and the rows are lost';

export default defineRule(
  {
    code: 'PDS012',
    name: 'write-errors-swallowed',
    summary: "A writer's `write()` swallows exceptions or ignores HTTP responses, so failed rows are committed as written",
    defaultSeverity: 'warning',
    fixAvailability: 'none',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const reported = new Set<number>();
    for (const cls of model.classes) {
      // The re-raise or the status check may be in the part being typed.
      if (!isWriterRole(cls.role) || cls.hasSyntaxError || !cls.methods.has('write')) continue;
      const [first] = swallowedWriteErrors(cls, model.writerSends(cls), { imports: model.imports, functions: model.functions, root: model.root, textOf: (n) => model.textOf(n) });
      if (!first || reported.has(first.start)) continue;
      reported.add(first.start);
      const related: RelatedLocation[] = [];
      if (first.via) related.push({ start: first.via.start, end: first.via.end, message: `\`write()\` calls \`${first.method.name}()\` here` });
      if (first.kind !== 'unchecked-response') related.push({ start: first.call.start, end: first.call.end, message: 'The errors of this call are caught' });
      if (first.returnedBy) related.push({ start: first.call.start, end: first.call.end, message: `\`${first.returnedBy.name}()\` returns this response` });
      report({ start: first.start, end: first.end, message: message(model, first), related });
    }
  },
);

function message(model: FileModel, e: SwallowedError): string {
  const where = e.via ? `\`${e.method.name}()\`, called from \`write()\`,` : '`write()`';
  const call = `\`${callName(model, e)}\``;
  switch (e.kind) {
    case 'except': {
      const what = e.caught ? `\`except ${e.caught}\`` : 'A bare `except:`';
      return `${what} in ${where} catches the errors of ${call} and does not re-raise: ${LOST}; let the exception propagate (or re-raise after cleanup)`;
    }
    case 'suppress':
      return `\`suppress(${e.caught})\` in ${where} hides the errors of ${call}: ${LOST}; let the exception propagate`;
    case 'unchecked-response':
      if (e.returnedBy) return `\`${e.returnedBy.name}()\` returns the response of ${call} and \`write()\` never checks it: an HTTP error status does not raise, so ${LOST}; call \`raise_for_status()\` on it`;
      return `The response of ${call} in ${where} is never checked: an HTTP error status does not raise, so ${LOST}; call \`raise_for_status()\` on it`;
  }
}

function callName(model: FileModel, e: SwallowedError): string {
  if (e.operation) return `${e.operation}(...)`;
  const callee = childByField(e.call, 'function');
  return `${callee ? model.textOf(callee).replace(/\s+/g, '') : 'call'}(...)`;
}
