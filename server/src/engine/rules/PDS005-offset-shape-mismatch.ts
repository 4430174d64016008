/**
 * PDS005 offset-shape-mismatch: the offsets a reader produces and the code that reads them do not
 * agree. Spark hands `partitions`/`commit`/`read` the `json.loads` of the `json.dumps` of what
 * `initialOffset`/`latestOffset` (or the simple reader's `read`) returned (reference §2, P4): a dict
 * arrives as a dict, a `json.dumps(...)` string as a str. So
 *
 * - `initialOffset` and `latestOffset` returning different forms (dict / JSON string) or different
 *   keys give the consumers two shapes, and one of them breaks;
 * - a consumer reading `start["ts"]` when no producer writes `"ts"` raises KeyError;
 * - `json.loads(start)` of a dict raises TypeError, and so does `start["ts"]` of a str.
 *
 * Decision 6: reported at the consumer's access (or at the second producer's `return`), with the
 * other side as related information. Shapes the model cannot close (`**spread`, dicts filled in
 * place, helpers it cannot follow) keep the rule silent. The same keys in another order are a
 * softer finding (warning): the JSON text differs, and Spark compares offsets as text.
 */
import { type OffsetKeyRead, type OffsetProducer, type OffsetReturn, type OffsetShape, offsetShapes, type StreamOffsets } from '../model';
import type { Node } from '../syntax';
import type { RelatedLocation } from '../types';
import { defineRule, type Report } from './rule';

interface ProducedShapes {
  producer: OffsetProducer;
  ret: OffsetReturn;
  shapes: OffsetShape[];
}

export default defineRule(
  {
    code: 'PDS005',
    name: 'offset-shape-mismatch',
    summary: 'The offsets a reader returns and the ones its methods read disagree: other keys, or a dict where a JSON string is read',
    defaultSeverity: 'error',
    fixAvailability: 'none',
    since: '0.1.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    const once = (r: Report & { node: Node }) => {
      if (reported.has(r.node)) return;
      reported.add(r.node);
      report(r);
    };
    for (const cls of model.classesWithRole('DataSourceStreamReader', 'SimpleDataSourceStreamReader')) {
      if (cls.hasSyntaxError) continue;
      const offsets = model.offsets(cls);
      const produced = producedShapes(offsets);
      if (!produced) continue;
      compareProducers(produced, offsets, once);
      checkConsumers(offsets, produced, once);
    }
  },
);

/** The shapes of every return of both producers, or undefined when a producer is missing or has a syntax error. */
function producedShapes(offsets: StreamOffsets): ProducedShapes[] | undefined {
  const simple = offsets.reader.role === 'SimpleDataSourceStreamReader';
  const kinds = simple ? ['initialOffset', 'simpleRead'] : ['initialOffset', 'latestOffset'];
  const out: ProducedShapes[] = [];
  for (const kind of kinds) {
    const producer = offsets.producers.find((p) => p.kind === kind);
    if (!producer || producer.method.node.hasError) return undefined;
    // `return rows, start` (no progress) and 4.2's `return start` hand back an offset as it came.
    const returns = producer.returns.filter((r) => !r.values.length || !r.values.every((v) => v.kind === 'param' && v.param?.fn === producer.method));
    if (!returns.length) return undefined;
    for (const ret of returns) out.push({ producer, ret, shapes: offsetShapes(ret.values) });
  }
  return out;
}

function producerName(p: OffsetProducer): string {
  return p.kind === 'simpleRead' ? '`read`' : `\`${p.method.name}\``;
}

function keyList(keys: string[]): string {
  return keys.length ? keys.map((k) => `\`${JSON.stringify(k)}\``).join(', ') : 'no keys';
}

function describeShape(shape: OffsetShape): string {
  if (shape.form === 'json') return shape.keys.length ? `a \`json.dumps\` string of {${keyList(shape.keys)}}` : 'a `json.dumps` string';
  return `a dict with ${keyList(shape.keys)}`;
}

function sameKeys(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((k) => b.includes(k));
}

function relatedReturn(p: ProducedShapes, message: string): RelatedLocation {
  return { start: p.ret.expression.start, end: p.ret.expression.end, message };
}

/** `initialOffset` against the other producer: form, keys, key order. */
function compareProducers(produced: ProducedShapes[], offsets: StreamOffsets, report: (r: Report & { node: Node }) => void): void {
  const initial = produced.filter((p) => p.producer.kind === 'initialOffset');
  const others = produced.filter((p) => p.producer.kind !== 'initialOffset');
  const initialShapes = initial.flatMap((p) => p.shapes);
  if (!initialShapes.length || initialShapes.some((s) => s.form === 'unknown' || s.form === 'other')) return;
  const initialForms = new Set(initialShapes.map((s) => s.form));
  const initialName = producerName(initial[0].producer);
  for (const other of others) {
    const shapes = other.shapes;
    if (!shapes.length || shapes.some((s) => s.form === 'unknown' || s.form === 'other')) continue;
    const forms = new Set(shapes.map((s) => s.form));
    const name = producerName(other.producer);
    const related = initial.map((p) => relatedReturn(p, `${initialName} returns ${describeShape(p.shapes[0])} here`));
    if (forms.size === 1 && initialForms.size === 1 && [...forms][0] !== [...initialForms][0]) {
      const form = [...forms][0];
      report({
        node: other.ret.expression,
        message:
          form === 'dict'
            ? `${name} returns a dict but ${initialName} returns a \`json.dumps\` string: the first batch's \`start\` arrives as a str and later offsets as dicts, so code that reads one breaks on the other`
            : `${name} returns a \`json.dumps\` string but ${initialName} returns a dict: the first batch's \`start\` arrives as a dict and later offsets as strs, so code that reads one breaks on the other`,
        related,
      });
      continue;
    }
    if (forms.size !== 1 || initialForms.size !== 1) continue;
    if (shapes.some((s) => s.open) || initialShapes.some((s) => s.open)) continue;
    if (shapes.some((s) => s.form === 'json' && !s.keys.length) || initialShapes.some((s) => s.form === 'json' && !s.keys.length)) continue;
    const matching = shapes.map((s) => initialShapes.filter((i) => sameKeys(i.keys, s.keys)));
    if (matching.every((m) => !m.length)) {
      const keys = shapes[0].keys;
      const initialKeys = initialShapes[0].keys;
      const differing = [...keys.filter((k) => !initialKeys.includes(k)), ...initialKeys.filter((k) => !keys.includes(k))];
      const read = offsets.keyReads.find((r) => r.node.type === 'subscript' && differing.includes(r.key));
      const consequence = read
        ? `\`${read.method.name}\` reads \`${JSON.stringify(read.key)}\`, which one of them lacks: KeyError`
        : 'code that reads one breaks on the other';
      report({
        node: other.ret.expression,
        message: `${name} returns keys ${keyList(keys)} but ${initialName} returns ${keyList(initialKeys)}: the first batch's \`start\` comes from ${initialName}, later offsets from ${name}, and ${consequence}`,
        related: read ? [...related, { start: read.node.start, end: read.node.end, message: `\`${read.method.name}\` reads \`${JSON.stringify(read.key)}\` here` }] : related,
      });
      continue;
    }
    // Same keys: the order still changes the JSON text Spark compares offsets by.
    // The order in the JSON text: `json.dumps(..., sort_keys=True)` sorts them.
    const order = (s: OffsetShape) => (s.sortedKeys ? [...s.keys].sort() : s.keys).join('\0');
    const reordered = shapes.find((s, i) => matching[i].length && matching[i].every((m) => order(m) !== order(s)));
    if (reordered) {
      const initialKeys = matching[shapes.indexOf(reordered)][0].keys;
      report({
        node: other.ret.expression,
        severity: 'warning',
        message: `${name} returns the keys of ${initialName} in another order (${keyList(reordered.keys)} vs ${keyList(initialKeys)}): Spark compares offsets as JSON text, so the same position reads as a new offset (a spurious batch)`,
        related,
      });
    }
  }
}

/** Key reads no producer writes; `json.loads` of a dict; a string indexed as a dict. */
function checkConsumers(offsets: StreamOffsets, produced: ProducedShapes[], report: (r: Report & { node: Node }) => void): void {
  const shapes = produced.flatMap((p) => p.shapes);
  if (shapes.some((s) => s.form === 'unknown' || s.form === 'other')) return;
  const forms = new Set(shapes.map((s) => s.form));
  if (forms.size !== 1) return; // compareProducers reports the mix
  const form = [...forms][0];
  const typeTested = (method: unknown, param: string) => offsets.tests.some((t) => t.kind === 'type' && t.method === method && t.param === param);
  const producersRelated = (what: (p: ProducedShapes) => string) => dedupeRelated(produced.map((p) => relatedReturn(p, what(p))));
  const first = produced[0];

  for (const use of offsets.paramUses) {
    if (use.method.node.hasError || typeTested(use.method, use.param)) continue;
    if (use.kind === 'json.loads' && form === 'dict') {
      report({
        node: use.node,
        message: `\`${use.param}\` arrives as a dict (${producerName(first.producer)} returns a dict, and Spark passes the \`json.loads\` of its JSON), so \`json.loads(${use.param})\` raises TypeError`,
        related: producersRelated((p) => `${producerName(p.producer)} returns a dict here`),
      });
    } else if (use.kind === 'index' && form === 'json') {
      const read = offsets.keyReads.find((r) => r.node === use.node);
      if (!read) continue; // `start[0]` of a str is a character, not an error
      const subscript = use.node.type === 'subscript';
      report({
        node: use.node,
        message: `\`${use.param}\` arrives as a str (${producerName(first.producer)} returns a \`json.dumps\` string), so ${subscript ? `\`${use.param}[${JSON.stringify(read.key)}]\` raises TypeError` : `\`${use.param}.get(...)\` raises AttributeError`}: parse it with \`json.loads(${use.param})\` first`,
        related: producersRelated((p) => `${producerName(p.producer)} returns a \`json.dumps\` string here`),
      });
    }
  }

  if (shapes.some((s) => s.open || (s.form === 'json' && !s.keys.length))) return;
  const written = new Set(shapes.flatMap((s) => s.keys));
  for (const read of offsets.keyReads) {
    if (!missingKey(read, form, written, offsets)) continue;
    const names = [...new Set(produced.map((p) => producerName(p.producer)))].join(' and ');
    report({
      node: read.node,
      message: `\`${read.method.name}\` reads \`${JSON.stringify(read.key)}\` from \`${read.param}\`, but no offset has that key (${names} write ${keyList([...written])}): KeyError`,
      related: producersRelated((p) => `${producerName(p.producer)} returns ${describeShape(p.shapes[0])} here`),
    });
  }
}

function missingKey(read: OffsetKeyRead, form: OffsetShape['form'], written: Set<string>, offsets: StreamOffsets): boolean {
  // `.get("k")` tolerates a missing key; so does code that tests `"k" in start` first.
  if (read.node.type !== 'subscript' || read.method.node.hasError) return false;
  if (written.has(read.key)) return false;
  if (read.viaJson !== (form === 'json')) return false; // the form mismatch is the finding there
  return !offsets.tests.some((t) => t.kind === 'key' && t.key === read.key && t.method === read.method);
}

function dedupeRelated(related: RelatedLocation[]): RelatedLocation[] {
  const seen = new Set<string>();
  return related.filter((r) => {
    const key = `${r.start}:${r.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
