/**
 * PDS014 offset-did-not-advance: a `SimpleDataSourceStreamReader.read(start)` path that returns
 * the incoming `start` as the next offset while it can return rows. Spark 4.2's wrapper raises
 * SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE when the end equals the start (as JSON) and the
 * iterator is not empty; 4.0/4.1 cache the result and the same rows come again on every trigger
 * (reference §4, P14). Also the typical cause: a next offset taken from the newest row while the
 * rows are selected with `>=` the start, so the rows at the start come back and, when they are
 * the only ones, the offset stays put.
 *
 * `return iter([]), start` (no rows) and `x if rows else start` are correct. Offsets that do not
 * survive JSON are PDS003's.
 */
import {
  type FileModel,
  hasForeignCondition,
  inclusiveAdvance,
  rowsEmptiness,
  shapeOf,
  type SimpleReadReturn,
  startOccurrences,
  type StreamOffsets,
} from '../model';
import type { Node } from '../syntax';
import { defineRule, type RuleContext } from './rule';

export default defineRule(
  {
    code: 'PDS014',
    name: 'offset-did-not-advance',
    summary: "A simple reader's `read` returns rows with the incoming `start` as the next offset",
    defaultSeverity: 'warning',
    fixAvailability: 'none',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    for (const cls of model.classesWithRole('SimpleDataSourceStreamReader')) {
      const keys = offsetKeys(model.offsets(cls));
      for (const r of model.simpleReadReturns(cls)) {
        if (r.statement.hasError || !model.contains(r.statement)) continue;
        const stays = startOccurrences(r, keys).filter((o) => {
          const rows = rowsEmptiness(r, o.facts);
          return rows === 'nonEmpty' || (rows === 'unknown' && !hasForeignCondition(r, o.facts));
        });
        for (const o of stays) {
          if (reported.has(o.node)) continue;
          reported.add(o.node);
          const text = model.textOf(o.node).replace(/\s+/g, ' ');
          const same = r.startNames.has(text) ? `\`${text}\`` : `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\`, the incoming offset again,`;
          const where = r.fn.name === 'read' ? '`read`' : `\`${r.fn.name}\` (what \`read\` returns)`;
          report({
            node: o.node,
            message: `${where} returns ${same} as the next offset while it can return rows: the offset does not advance, so Spark 4.2 fails with SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE and earlier versions return the same rows on every trigger`,
            related: [{ start: r.rows.start, end: r.rows.end, message: 'the rows returned with it' }],
          });
        }
        if (!stays.length) reportInclusive(model, r, reported, report);
      }
    }
  },
);

function reportInclusive(model: FileModel, r: SimpleReadReturn, reported: Set<Node>, report: RuleContext['report']): void {
  const inclusive = inclusiveAdvance(r);
  if (!inclusive || reported.has(inclusive.value) || !model.contains(inclusive.comparison)) return;
  reported.add(inclusive.value);
  report({
    node: inclusive.value,
    message: `the next offset is \`${model.textOf(inclusive.value)}\`, from the newest row, but the rows are selected inclusively of the start (\`>=\`): the rows at the start come back in every batch, and when they are the only ones the offset does not advance (SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE in Spark 4.2)`,
    related: [{ start: inclusive.comparison.start, end: inclusive.comparison.end, message: 'rows equal to the start are kept here; select them with `>` instead' }],
  });
}

/** The keys of the reader's dict offsets, when every dict offset has the same literal keys. */
function offsetKeys(offsets: StreamOffsets): string[] | undefined {
  let keys: string[] | undefined;
  for (const p of offsets.producers) {
    for (const r of p.returns) {
      for (const v of r.values) {
        const shape = shapeOf(v);
        if (shape.form !== 'dict' && shape.form !== 'json') continue;
        if (shape.open) return undefined;
        const sorted = [...shape.keys].sort();
        if (!keys) keys = sorted;
        else if (keys.join('\0') !== sorted.join('\0')) return undefined;
      }
    }
  }
  return keys;
}
