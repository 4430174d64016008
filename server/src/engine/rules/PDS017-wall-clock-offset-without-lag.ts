/**
 * PDS017 wall-clock-offset-without-lag: `latestOffset` returns the wall clock (`datetime.now()`,
 * `time.time()`, ...) with no allowance for late events: no lag subtracted, no `min()` with a
 * value from the data (decision 2). A row whose event time is before `now` but that reaches the
 * source after Spark asked is behind the committed offset, and no later batch reads it.
 *
 * Independent of rounding (PDS002): a truncated clock without a lag is reported here, a lagged
 * clock without truncation only there. An offset with a part from the data is not reported.
 */
import { type ClockRead, unlaggedWallClock } from '../model';
import { childByField, isAncestor, type Node } from '../syntax';
import { defineRule } from './rule';

export default defineRule(
  {
    code: 'PDS017',
    name: 'wall-clock-offset-without-lag',
    summary: '`latestOffset` is the wall clock with no allowance for late events',
    defaultSeverity: 'information',
    fixAvailability: 'none',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    for (const cls of model.classesWithRole('DataSourceStreamReader')) {
      for (const producer of model.offsets(cls).producers) {
        if (producer.kind !== 'latestOffset' || producer.method.node.hasError) continue;
        for (const r of producer.returns) {
          if (reported.has(r.statement) || r.statement.hasError || !model.contains(r.statement)) continue;
          const clocks = unlaggedWallClock(r.values);
          if (!clocks.length) continue;
          reported.add(r.statement);
          const read = (c: ClockRead) => `${model.textOf(childByField(c.call, 'function') ?? c.call)}()`;
          report({
            node: r.expression,
            message: `\`latestOffset\` is \`${read(clocks[0])}\` with no allowance for late events: a row whose event time is before it but that arrives later is never read; subtract a lag (\`now - timedelta(minutes=5)\`) or cap it with the newest event time`,
            related: clocks
              .filter((c) => !isAncestor(r.statement, c.call) && model.contains(c.call))
              .map((c) => ({ start: c.call.start, end: c.call.end, message: 'the clock is read here' })),
          });
        }
      }
    }
  },
);
