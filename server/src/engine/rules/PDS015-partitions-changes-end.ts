/**
 * PDS015 partitions-changes-end: a stream reader's `partitions(start, end)` reassigns or caps the
 * `end` Spark passed (`end = min(end, ...)`, `end["ts"] = ...`, `end = {...}`), or stores a capped
 * end on `self` for the next `latestOffset`. Spark keeps its own `end`: it commits it and starts
 * the next batch there, so the rows between the cap and `end` are never read (reference §2).
 * Capping belongs in `latestOffset`.
 */
import { type EndChange, type FileModel, partitionEndChanges } from '../model';
import type { RelatedLocation } from '../types';
import { defineRule } from './rule';

const CONSEQUENCE = 'Spark keeps the `end` it passed, commits it and starts the next batch there, so the rows between the new value and that `end` are never read; cap the offset in `latestOffset` instead';

export default defineRule(
  {
    code: 'PDS015',
    name: 'partitions-changes-end',
    summary: "A stream reader's `partitions(start, end)` caps or replaces `end`, so the rows beyond the cap are never read",
    defaultSeverity: 'error',
    fixAvailability: 'none',
    since: '0.2.0',
  },
  ({ model, report }) => {
    for (const cls of model.classes) {
      if (cls.role !== 'DataSourceStreamReader') continue;
      for (const change of partitionEndChanges(cls, { imports: model.imports, functions: model.functions, moduleBindings: model.moduleBindings })) {
        const related: RelatedLocation[] = [{ start: change.endParam.start, end: change.endParam.end, message: `Spark passes \`${change.endName}\`, the batch's end offset, here` }];
        if (change.cap) related.push({ start: change.cap.start, end: change.cap.end, message: 'The end is capped here' });
        if (change.readBy) related.push({ start: change.readBy.start, end: change.readBy.end, message: '`latestOffset` returns the capped value from here' });
        report({ node: change.statement, message: message(model, change), related });
      }
    }
  },
);

function message(model: FileModel, c: EndChange): string {
  const text = model.textOf(c.statement).replace(/\s+/g, ' ');
  const shown = `\`${text.length <= 50 ? text : `${text.slice(0, 47)}...`}\``;
  switch (c.kind) {
    case 'reassign':
      return `${shown} replaces the \`${c.endName}\` Spark passed to \`partitions()\`: ${CONSEQUENCE}`;
    case 'mutate':
      return `${shown} changes the \`${c.endName}\` Spark passed to \`partitions()\`: ${CONSEQUENCE}`;
    case 'store':
      return `${shown} keeps a capped end on \`self\` for the next \`latestOffset\`, but Spark has already fixed this batch's end at the \`${c.endName}\` it passed: it commits that offset and starts the next batch there, so the rows between the cap and \`${c.endName}\` are never read; cap the offset in \`latestOffset\` instead`;
  }
}
