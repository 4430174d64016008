/** The keys a stream reader's offset producers write, with the kinds of their values, in order. */
import { type ClassInfo, type FileModel, isStreamReaderRole, shapeOf, type Value } from '../model';
import { childByField } from '../syntax';

export interface OffsetKey {
  key: string;
  /** `int`, `str (isoformat)`, ...: what the producers put there. */
  kinds: string[];
  /** The methods that write it (`initialOffset`, `latestOffset`, `read`). */
  producers: string[];
  /** Written in a dict offset, in a `json.dumps` string offset, or both. */
  forms: Set<'dict' | 'json'>;
}

/** How a value reads in a completion detail: `int`, `str (isoformat)`; undefined when unknown. */
export function describeValue(v: Value): string | undefined {
  switch (v.kind) {
    case 'str': {
      const callee = v.node.type === 'call' ? childByField(v.node, 'function') : undefined;
      const method = callee?.type === 'attribute' ? childByField(callee, 'attribute')?.text : undefined;
      return method === 'isoformat' || method === 'strftime' ? `str (${method})` : 'str';
    }
    case 'none':
      return 'None';
    case 'json':
      return 'JSON string';
    case 'unknown':
    case 'param':
      return undefined;
    default:
      return v.kind;
  }
}

export function offsetKeysOf(model: FileModel, cls: ClassInfo): OffsetKey[] {
  if (!isStreamReaderRole(cls.role)) return [];
  const keys = new Map<string, OffsetKey>();
  for (const producer of model.offsets(cls).producers) {
    for (const ret of producer.returns) {
      for (const value of ret.values) {
        const shape = shapeOf(value);
        if (shape.form !== 'dict' && shape.form !== 'json') continue;
        const dict = value.kind === 'dict' ? value : value.inner?.find((i) => i.kind === 'dict');
        for (const entry of dict?.entries ?? []) {
          if (entry.key === undefined) continue;
          const known = keys.get(entry.key) ?? { key: entry.key, kinds: [], producers: [], forms: new Set() };
          for (const v of entry.values) {
            const kind = describeValue(v);
            if (kind && !known.kinds.includes(kind)) known.kinds.push(kind);
          }
          if (!known.producers.includes(producer.method.name)) known.producers.push(producer.method.name);
          known.forms.add(shape.form);
          keys.set(entry.key, known);
        }
      }
    }
  }
  return [...keys.values()];
}
