/**
 * Offset classes of the user's own (the seed's `CompositeOffset`): a class that turns itself into
 * JSON (`json()`, `to_json()`, `toJson()`, or `to_dict()`) and back (`from_json()`, `fromJson()`,
 * `from_dict()`). Which keys the serializer writes and which keys the deserializer reads: a key
 * written and never read is lost when the offset comes back from the checkpoint; a key read and
 * never written fails (or is `None`) when it does.
 */
import { childByField, type Node, stringValue, walk } from '../syntax';
import { type ClassInfo, findMethod } from './classes';
import type { FunctionInfo } from './functions';
import { qualifiedName } from './imports';
import type { FileModel } from './index';
import { args, type Value } from './values';

export interface SerializedKey {
  key: string;
  /** The key literal. */
  node: Node;
}

export interface DeserializedKey extends SerializedKey {
  /** `data.get("k")` (missing gives None) rather than `data["k"]` (missing raises KeyError). */
  optional: boolean;
  /** The whole read: the subscript or the `.get(...)` call. */
  read: Node;
}

export interface OffsetClassRoundTrip {
  cls: ClassInfo;
  /** `json()` / `to_json()` / `toJson()` / `to_dict()`. */
  serializer: FunctionInfo;
  /** `from_json()` / `fromJson()` / `from_dict()`. */
  deserializer: FunctionInfo;
  written: SerializedKey[];
  /** Some written keys are not known (`**spread`, `self.__dict__`, a dict built elsewhere). */
  writtenOpen: boolean;
  read: DeserializedKey[];
  /** The parsed data is also used as a whole (`cls(**data)`, passed on, iterated): reads are not all known. */
  readOpen: boolean;
}

const PAIRS: [serializer: string, deserializer: string][] = [
  ['json', 'from_json'],
  ['to_json', 'from_json'],
  ['toJson', 'fromJson'],
  ['json', 'fromJson'],
  ['to_dict', 'from_dict'],
];

/** The offset classes of the file (classes with a serializer/deserializer pair) and their keys. */
export function offsetClassRoundTrips(model: FileModel): OffsetClassRoundTrip[] {
  const out: OffsetClassRoundTrip[] = [];
  for (const cls of model.classes) {
    for (const [s, d] of PAIRS) {
      const serializer = findMethod(cls, s);
      const deserializer = findMethod(cls, d);
      if (!serializer || !deserializer) continue;
      out.push({ cls, serializer, deserializer, ...writtenKeys(model, serializer), ...readKeys(model, deserializer) });
      break;
    }
  }
  return out;
}

function writtenKeys(model: FileModel, fn: FunctionInfo): { written: SerializedKey[]; writtenOpen: boolean } {
  const written: SerializedKey[] = [];
  let open = fn.returns.length === 0;
  const dictOf = (v: Value): Value | undefined => (v.kind === 'dict' ? v : v.kind === 'json' ? v.inner?.find((i) => i.kind === 'dict') : undefined);
  for (const v of model.evaluator.returnsOf(fn)) {
    const dict = dictOf(v);
    if (!dict?.entries) {
      open = true;
      continue;
    }
    if (dict.open) open = true;
    for (const e of dict.entries) {
      if (e.key === undefined) open = true;
      else if (!written.some((w) => w.key === e.key)) written.push({ key: e.key, node: e.keyNode });
    }
  }
  return { written, writtenOpen: open };
}

/**
 * Keys read from the deserializer's input: the parameter itself or locals parsed from it with
 * `json.loads`, indexed with a literal (`data["k"]`, `data.get("k")`).
 */
function readKeys(model: FileModel, fn: FunctionInfo): { read: DeserializedKey[]; readOpen: boolean } {
  const param = fn.params[fn.isStatic ? 0 : 1];
  if (!param) return { read: [], readOpen: true };
  const derived = new Set<string>([param.name]);
  // Locals assigned from the parameter or `json.loads(<derived>)`, in source order.
  for (const [name, bindings] of fn.localBindings) {
    if (bindings.some((b) => (b.kind === 'assign' || b.kind === 'walrus') && b.value && isParsed(model, b.value, derived))) derived.add(name);
  }
  const read: DeserializedKey[] = [];
  let open = false;
  // Each use of the input: an identifier that holds it, or `json.loads(...)` of one.
  const classify = (n: Node) => {
    const parent = n.parent;
    if (!parent) return;
    if (parent.type === 'subscript' && childByField(parent, 'value') === n) {
      const index = childByField(parent, 'subscript');
      const key = stringValue(index);
      if (key !== undefined && index) read.push({ key, node: index, optional: false, read: parent });
      else open = true;
      return;
    }
    if (parent.type === 'attribute' && childByField(parent, 'object') === n && parent.parent?.type === 'call') {
      const method = childByField(parent, 'attribute')?.text;
      const first = args(parent.parent).positional[0];
      const key = stringValue(first);
      if ((method === 'get' || method === 'pop') && key !== undefined && first) {
        read.push({ key, node: first, optional: true, read: parent.parent });
        return;
      }
    }
    // Kept in a local that is itself followed.
    if (parent.type === 'assignment' && childByField(parent, 'right') === n) {
      const left = childByField(parent, 'left');
      if (left?.type === 'identifier' && left.text && derived.has(left.text)) return;
    }
    open = true;
  };
  walk(fn.body, (n) => {
    if (n.type === 'call' && isJsonLoads(model, n) && isParsed(model, n, derived)) {
      classify(n);
      return undefined;
    }
    if (n.type !== 'identifier' || !n.text || !derived.has(n.text)) return undefined;
    const parent = n.parent;
    if (!parent) return undefined;
    // The name being bound, a keyword's name, or the argument of a `json.loads` classified above.
    if ((parent.type === 'assignment' && childByField(parent, 'left') === n) || n.field === 'name') return undefined;
    if (parent.type === 'argument_list' && parent.parent?.type === 'call' && isJsonLoads(model, parent.parent)) return undefined;
    classify(n);
    return undefined;
  });
  return { read, readOpen: open };
}

function isJsonLoads(model: FileModel, call: Node): boolean {
  const q = qualifiedName(childByField(call, 'function'), model.imports);
  return q === 'json.loads';
}

function isParsed(model: FileModel, value: Node, derived: Set<string>): boolean {
  if (value.type === 'identifier') return !!value.text && derived.has(value.text);
  if (value.type === 'call' && isJsonLoads(model, value)) {
    const arg = args(value).positional[0];
    return arg?.type === 'identifier' && !!arg.text && derived.has(arg.text);
  }
  return false;
}
