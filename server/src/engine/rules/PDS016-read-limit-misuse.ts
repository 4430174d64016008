/**
 * PDS016 read-limit-misuse: Spark 4.2's `latestOffset(self, start, limit)` misreads its limit:
 * camelCase fields (`limit.maxRows`; the dataclasses have `max_rows`), the limit used as a dict
 * (`limit["maxRows"]`, `limit.get(...)`), `isinstance` checks against limit classes that do not
 * exist, or a limit declared by `getDefaultReadLimit` and never read (reference §1.2, P12).
 */
import { type FileModel, type LimitUse, type MissingLimitClass, READ_LIMIT_CLASSES, READ_LIMIT_FIELDS, readLimitUsage } from '../model';
import type { Fix } from '../types';
import { defineRule } from './rule';

const REAL = READ_LIMIT_CLASSES.filter((c) => c !== 'ReadLimit').map((c) => `\`${c}\``).join(', ');

export default defineRule(
  {
    code: 'PDS016',
    name: 'read-limit-misuse',
    summary: "Spark 4.2's `latestOffset(start, limit)` misreads its `ReadLimit` (camelCase fields, dict access, missing classes) or ignores it",
    defaultSeverity: 'error',
    fixAvailability: 'sometimes',
    since: '0.2.0',
  },
  ({ model, report }) => {
    for (const cls of model.classes) {
      if (cls.role !== 'DataSourceStreamReader') continue;
      const usage = readLimitUsage(cls, model.imports);
      if (!usage) continue;
      for (const use of usage.uses) report({ node: use.node, message: useMessage(model, use), fix: renameFix(use) });
      for (const missing of usage.missingClasses) report({ node: missing.node, message: missingMessage(missing) });
      if (!usage.used && usage.declared && !cls.hasSyntaxError && !usage.latestOffset.node.hasError) {
        const declared = model.textOf(usage.declared.node).replace(/\s+/g, ' ');
        report({
          node: usage.param,
          message: `\`latestOffset()\` never reads \`${usage.name}\` while \`getDefaultReadLimit()\` declares \`${declared.length <= 40 ? declared : usage.declared.className}\`: the limit Spark passes has no effect on the batch size; when \`isinstance(${usage.name}, ${usage.declared.className})\`, cap the end offset at \`${usage.name}.${READ_LIMIT_FIELDS[usage.declared.className]}\``,
          related: [{ start: usage.declared.node.start, end: usage.declared.node.end, message: 'The read limit is declared here' }],
        });
      }
    }
  },
);

function useMessage(model: FileModel, use: LimitUse): string {
  const text = `\`${model.textOf(use.node).replace(/\s+/g, ' ')}\``;
  switch (use.kind) {
    case 'camel-field': {
      const cls = Object.keys(READ_LIMIT_FIELDS).find((k) => READ_LIMIT_FIELDS[k] === use.snake);
      return `${text} raises \`AttributeError\`: the \`${cls}\` limit Spark passes has the field \`${use.snake}\` (the dataclass fields are snake_case)`;
    }
    case 'subscript':
      return `${text} treats the read limit as a dict: Spark passes a \`ReadLimit\` object (\`ReadMaxRows(max_rows=...)\` and the like) and indexing it raises \`TypeError\`; check \`isinstance(limit, ReadMaxRows)\` and read \`limit.max_rows\``;
    case 'dict-method':
      return `${text} treats the read limit as a dict: Spark passes a \`ReadLimit\` object, which has no dict methods (\`AttributeError\`); check \`isinstance(limit, ReadMaxRows)\` and read \`limit.max_rows\``;
    case 'membership':
      return `${text} treats the read limit as a dict: Spark passes a \`ReadLimit\` object and \`in\` raises \`TypeError\`; check \`isinstance(limit, ReadMaxRows)\` instead`;
  }
}

function missingMessage(m: MissingLimitClass): string {
  const what = m.imported ? `importing it raises \`ImportError\`` : `the lookup raises \`AttributeError\``;
  const guess = suggestion(m.name);
  return `\`${m.module}\` has no read-limit class \`${m.name}\`: ${what}; the classes are ${REAL}${guess ? ` (did you mean \`${guess}\`?)` : ''}`;
}

/** The real class a wrong name most likely means: the one sharing its distinctive word. */
function suggestion(name: string): string | undefined {
  const lower = name.toLowerCase();
  const words: [RegExp, string][] = [
    [/all|available|unlimited/, 'ReadAllAvailable'],
    [/min/, 'ReadMinRows'],
    [/file/, 'ReadMaxFiles'],
    [/byte|size/, 'ReadMaxBytes'],
    [/row|record|offset|count|event|message/, 'ReadMaxRows'],
  ];
  return words.find(([re]) => re.test(lower))?.[1];
}

function renameFix(use: LimitUse): Fix | undefined {
  if (use.kind !== 'camel-field' || !use.attribute || !use.snake) return undefined;
  return {
    title: `Rename \`${use.attribute.text}\` to \`${use.snake}\``,
    applicability: 'safe',
    edits: [{ start: use.attribute.start, end: use.attribute.end, newText: use.snake }],
  };
}
