/**
 * The "Convert to streaming reader (time-range offsets)" refactor: from a batch `DataSourceReader`
 * whose `read(partition)` reads a time range, add a `DataSourceStreamReader` that keeps that read
 * logic, plus an `InputPartition` for one time range, plus `streamReader()` on the `DataSource`.
 *
 * How the batch read is kept: the stream reader holds the batch reader (built by the
 * DataSource's own `reader(schema)`, so it is configured exactly as for batch reads) and its
 * `read(partition)` delegates to the batch reader's `read`, with a partition that has the
 * attributes that `read` takes its range from (`partition.start`/`.end`, `partition.value`), or,
 * when the batch reader takes the range from its own attributes (`self.since`), through a copy
 * of the batch reader with those attributes set to the partition's range.
 *
 * Offsets are `{"ts": ISO-8601 UTC}`; `latestOffset` is the wall clock minus a lag, rounded to
 * the second; ranges never overlap: inclusive with the start moved 1 µs past the previous offset
 * (the seed's convention), or half-open when the batch read shows that it excludes an end.
 *
 * Pure: model in, text edits out. Nothing is deleted; the file's indentation and line breaks are
 * kept.
 */
import {
  classLineage,
  type ClassInfo,
  type FileModel,
  findMethod,
  type FunctionInfo,
  type Value,
} from '../model';
import { childByField, type Node, stringValue, walk } from '../syntax';
import type { TextEdit } from '../types';
import { classBodyIndent, deeperIndent, detectIndentUnit, endOfLastLine, indentOf } from '../rules/helpers';
import { ImportPlanner, mergeInsertions } from './names';

export const BATCH_TO_STREAM_TITLE = 'Convert to streaming reader (time-range offsets)';

const DATASOURCE = 'pyspark.sql.datasource';

export type RangeForm = 'partition-attrs' | 'partition-value' | 'reader-attrs';
/** What the batch read gets as bounds: datetimes, or ISO-8601 strings. */
export type BoundKind = 'datetime' | 'str';
/** Which ends of a range the batch read includes. */
export type RangeSemantics = 'inclusive' | 'end-exclusive' | 'start-exclusive';

/** How the batch reader's `read` finds the time range it reads. */
export interface RangeAccess {
  form: RangeForm;
  /** The attribute names of the bounds (of the partition, or of the reader). */
  startAttr: string;
  endAttr: string;
  bound: BoundKind;
  semantics: RangeSemantics;
}

export interface BatchToStreamConversion {
  title: string;
  reader: ClassInfo;
  streamClass: string;
  partitionClass: string;
  /** The DataSources that get a `streamReader()`. */
  dataSources: ClassInfo[];
  access: RangeAccess;
  edits: TextEdit[];
}

/**
 * Batch readers the refactor can apply to at [start, end]: the `DataSourceReader` class around
 * it, or the ones the `DataSource` around it returns from `reader()`.
 */
export function batchReadersAt(model: FileModel, start: number, end = start): ClassInfo[] {
  const out: ClassInfo[] = [];
  const inside = (c: ClassInfo) => c.node.start <= end && start <= c.node.end;
  for (const cls of model.classes) {
    if (!inside(cls)) continue;
    if (cls.role === 'DataSourceReader') out.push(cls);
    if (cls.role === 'DataSource') {
      for (const [reader, uses] of model.factoryProducts) {
        if (reader.role === 'DataSourceReader' && uses.some((u) => u.dataSource === cls && u.method.name === 'reader')) out.push(reader);
      }
    }
  }
  return [...new Set(out)].filter((c) => !c.nested && !c.hasSyntaxError);
}

/** The conversion of one batch reader, or undefined when it does not apply (or was already done). */
export function convertBatchToStream(model: FileModel, reader: ClassInfo): BatchToStreamConversion | undefined {
  if (reader.role !== 'DataSourceReader' || reader.nested || reader.hasSyntaxError) return undefined;
  const dataSources = (model.factoryProducts.get(reader) ?? []).filter((u) => u.method.name === 'reader').map((u) => u.dataSource);
  if (dataSources.some((ds) => ds.hasSyntaxError)) return undefined;
  const streamName = derivedName(reader.name, 'StreamReader');
  // Done already: every DataSource has a stream reader; without one, a class of the derived name exists.
  const open = dataSources.filter((ds) => !ds.methods.has('streamReader') && !ds.methods.has('simpleStreamReader'));
  if (dataSources.length ? !open.length : model.classes.some((c) => c.name === streamName)) return undefined;

  const access = rangeAccess(model, reader);
  if (!access) return undefined;

  const imports = new ImportPlanner(model);
  const names = {
    streamReader: imports.ref(DATASOURCE, 'DataSourceStreamReader'),
    partition: imports.ref(DATASOURCE, 'InputPartition'),
    datetime: imports.ref('datetime', 'datetime'),
    timedelta: imports.ref('datetime', 'timedelta'),
    timezone: imports.ref('datetime', 'timezone'),
    copy: access.form === 'reader-attrs' ? imports.moduleRef('copy') : 'copy',
  };
  if (Object.values(names).some((n) => n === undefined)) return undefined;
  const streamClass = uniqueName(model, imports, streamName);
  const partitionClass = uniqueName(model, imports, derivedName(reader.name, 'TimeRangePartition'), [streamClass]);

  const unit = detectIndentUnit(model);
  const base = indentOf(model, reader.node);
  const nl = model.lines.lineBreak();
  const render = (lines: Line[]) => lines.map(([level, text]) => (text ? base + unit.repeat(level) + text : '')).join(nl);

  const code = generatedClasses({
    reader: reader.name,
    streamClass,
    partitionClass,
    access,
    names: names as Required<{ [K in keyof typeof names]: string }>,
    wired: dataSources.length > 0,
  });
  const at = endOfTrailingComments(model, reader.node, endOfLastLine(model, reader.node));
  const edits: TextEdit[] = [{ start: at, end: at, newText: nl + nl + nl + render(code) }];

  for (const ds of open) {
    const factory = ds.methods.get('reader')!;
    const indent = classBodyIndent(model, ds);
    const inner = deeperIndent(model, indent);
    const after = endOfTrailingComments(model, methodNode(factory), endOfLastLine(model, methodNode(factory)));
    edits.push({
      start: after,
      end: after,
      newText: [
        '',
        '',
        `${indent}def streamReader(self, schema):`,
        `${inner}# Streams through the batch reader that reader() builds (see ${streamClass}).`,
        `${inner}return ${streamClass}(self.options, self.reader(schema))`,
      ].join(nl),
    });
  }
  return {
    title: BATCH_TO_STREAM_TITLE,
    reader,
    streamClass,
    partitionClass,
    dataSources: open,
    access,
    edits: mergeInsertions([...imports.edits(), ...edits]),
  };
}

// ---------------------------------------------------------------------------------------------
// How the batch read takes its range.

const START_WORDS = new Set(['start', 'begin', 'from', 'since', 'after', 'lo', 'low', 'lower', 'min', 'first', 'earliest', 'oldest']);
const END_WORDS = new Set(['end', 'to', 'until', 'before', 'hi', 'high', 'upper', 'max', 'last', 'stop', 'latest', 'newest', 'upto']);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/_+/)
    .filter(Boolean);
}

function boundRole(name: string): 'start' | 'end' | undefined {
  const w = words(name);
  const s = w.some((x) => START_WORDS.has(x));
  const e = w.some((x) => END_WORDS.has(x));
  if (s && !e) return 'start';
  if (e && !s) return 'end';
  return undefined;
}

/** Calls that look at a partition without needing anything from it. */
const HARMLESS_CALLS = new Set(['print', 'repr', 'str', 'isinstance', 'type', 'id', 'debug', 'info', 'warning', 'error', 'exception', 'log']);

interface PartitionUses {
  /** `partition.<attr>` reads by attribute name. */
  attrs: Map<string, { node: Node; fn: FunctionInfo }[]>;
  /** `start, end = partition.value` (the names), or `partition.value[0]` / `[1]` (the subscripts). */
  valuePairs: { start: Node[]; end: Node[]; fn: FunctionInfo }[];
  /** A use that needs more than named attributes (returned, stored, passed to unknown code). */
  opaque: boolean;
  /** The functions looked at: `read` and the helpers it passes the partition to. */
  scopes: FunctionInfo[];
}

function partitionUses(reader: ClassInfo, fn: FunctionInfo, param: string, out: PartitionUses, depth = 0): void {
  out.scopes.push(fn);
  if ((fn.localBindings.get(param) ?? []).some((b) => b.kind !== 'param')) {
    out.opaque = true;
    return;
  }
  walk(fn.body, (n) => {
    if (n.type !== 'identifier' || n.text !== param) return undefined;
    const parent = n.parent;
    if (!parent || (n.field === 'attribute' && parent.type === 'attribute') || (n.field === 'name' && parent.type === 'keyword_argument')) return undefined;
    if (parent.type === 'attribute' && n.field === 'object') {
      const attr = childByField(parent, 'attribute')?.text;
      if (!attr) return undefined;
      if (attr === 'value') {
        const pair = valuePair(parent, fn);
        if (pair) out.valuePairs.push(pair);
        else out.opaque = true;
        return undefined;
      }
      const list = out.attrs.get(attr) ?? [];
      list.push({ node: parent, fn });
      out.attrs.set(attr, list);
      return undefined;
    }
    if (parent.type === 'argument_list' && parent.parent?.type === 'call') {
      const call = parent.parent;
      const callee = childByField(call, 'function');
      const name = callee?.type === 'attribute' ? childByField(callee, 'attribute')?.text : callee?.text;
      const object = callee?.type === 'attribute' ? childByField(callee, 'object') : undefined;
      if (object?.type === 'identifier' && object.text === fn.selfName && name && depth < 2) {
        const helper = findMethod(reader, name);
        const index = parent.children.filter((c) => c.named && c.type !== 'comment').indexOf(n);
        const target = helper?.params.slice(helper.isStatic ? 0 : 1)[index];
        if (helper && target && !out.scopes.includes(helper)) {
          partitionUses(reader, helper, target.name, out, depth + 1);
          return undefined;
        }
      }
      if (name && HARMLESS_CALLS.has(name)) return undefined;
    }
    out.opaque = true;
    return undefined;
  });
}

/** `lo, hi = partition.value` → the names; `partition.value[0]` → the subscript. */
function valuePair(valueAttr: Node, fn: FunctionInfo): PartitionUses['valuePairs'][number] | undefined {
  const parent = valueAttr.parent;
  if (parent?.type === 'subscript' && valueAttr.field === 'value') {
    const index = childByField(parent, 'subscript');
    if (index?.type === 'integer' && (index.text === '0' || index.text === '1')) {
      return index.text === '0' ? { start: [parent], end: [], fn } : { start: [], end: [parent], fn };
    }
    return undefined;
  }
  if (parent?.type === 'assignment' && valueAttr.field === 'right') {
    const left = childByField(parent, 'left');
    const targets = left ? left.children.filter((c) => c.named) : [];
    if ((left?.type === 'pattern_list' || left?.type === 'tuple_pattern') && targets.length === 2 && targets.every((t) => t.type === 'identifier')) {
      const uses = (name: string) => {
        const found: Node[] = [];
        walk(fn.body, (m) => {
          if (m.type === 'identifier' && m.text === name && m !== targets[0] && m !== targets[1] && m.field !== 'attribute') found.push(m);
        });
        return found;
      };
      return { start: uses(targets[0].text!), end: uses(targets[1].text!), fn };
    }
  }
  return undefined;
}

export function rangeAccess(model: FileModel, reader: ClassInfo): RangeAccess | undefined {
  const read = findMethod(reader, 'read');
  if (!read || read.isStatic || read.params.length < 2) return undefined;
  const param = read.params[1].name;
  const uses: PartitionUses = { attrs: new Map(), valuePairs: [], opaque: false, scopes: [] };
  partitionUses(reader, read, param, uses);
  if (uses.opaque) return undefined;

  let form: RangeForm;
  let startAttr = 'start';
  let endAttr = 'end';
  let startRefs: Node[] = [];
  let endRefs: Node[] = [];
  let scopes = uses.scopes;
  if (uses.valuePairs.length && !uses.attrs.size) {
    form = 'partition-value';
    startRefs = uses.valuePairs.flatMap((p) => p.start);
    endRefs = uses.valuePairs.flatMap((p) => p.end);
  } else if (uses.attrs.size && !uses.valuePairs.length) {
    const starts = [...uses.attrs.keys()].filter((a) => boundRole(a) === 'start');
    const ends = [...uses.attrs.keys()].filter((a) => boundRole(a) === 'end');
    if (starts.length !== 1 || ends.length !== 1 || uses.attrs.size !== 2) return undefined;
    form = 'partition-attrs';
    [startAttr, endAttr] = [starts[0], ends[0]];
    startRefs = uses.attrs.get(startAttr)!.map((u) => u.node);
    endRefs = uses.attrs.get(endAttr)!.map((u) => u.node);
  } else if (!uses.attrs.size && !uses.valuePairs.length) {
    // The partition is not used: the batch reader reads a range from its own attributes.
    scopes = [read, ...[...read.selfCalls.keys()].map((m) => findMethod(reader, m)).filter((f): f is FunctionInfo => !!f && f !== read)];
    const reads = new Map<string, Node[]>();
    for (const fn of scopes) for (const [attr, nodes] of fn.selfReads) reads.set(attr, [...(reads.get(attr) ?? []), ...nodes]);
    const methods = new Set(classLineage(reader).flatMap((c) => [...c.methods.keys()]));
    const starts = [...reads.keys()].filter((a) => !methods.has(a) && boundRole(a) === 'start');
    const ends = [...reads.keys()].filter((a) => !methods.has(a) && boundRole(a) === 'end');
    if (starts.length !== 1 || ends.length !== 1) return undefined;
    form = 'reader-attrs';
    [startAttr, endAttr] = [starts[0], ends[0]];
    startRefs = reads.get(startAttr)!;
    endRefs = reads.get(endAttr)!;
  } else {
    return undefined;
  }

  const bound = boundKind(model, reader, form, startAttr, endAttr, [...startRefs, ...endRefs]);
  if (!bound) return undefined;
  return { form, startAttr, endAttr, bound, semantics: semantics(scopes, startRefs, endRefs) };
}

/** Datetimes or strings: from what the batch `partitions()` (or `__init__`) puts there, then from how `read` uses them. */
function boundKind(model: FileModel, reader: ClassInfo, form: RangeForm, startAttr: string, endAttr: string, refs: Node[]): BoundKind | undefined {
  const values: Value[] = [];
  const ev = model.evaluator;
  if (form === 'reader-attrs') {
    values.push(...ev.selfAttribute(reader, startAttr), ...ev.selfAttribute(reader, endAttr));
  } else {
    const partitions = findMethod(reader, 'partitions');
    for (const call of partitions?.calls ?? []) {
      for (const v of ev.evaluate(call, partitions)) {
        if (v.kind !== 'object' || !v.cls || v.cls.role !== 'InputPartition') continue;
        const init = findMethod(v.cls, '__init__');
        if (form === 'partition-attrs' && init) {
          const env = ev.bindArguments(init, call, partitions, undefined, 0, true);
          for (const attr of [startAttr, endAttr]) {
            for (const b of init.selfWrites.get(attr) ?? []) if (b.value) values.push(...ev.evaluate(b.value, init, env));
          }
        }
      }
      // `InputPartition((lo, hi))` (Spark's class, or a subclass that passes the value on).
      const first = childByField(call, 'arguments')?.children.find((c) => c.named && c.type !== 'comment');
      if (form === 'partition-value' && first && /(^|\.)InputPartition$/.test(ev.qualified(childByField(call, 'function')) ?? '')) {
        for (const v of ev.evaluate(first, partitions)) for (const item of v.items ?? []) values.push(...item);
      }
    }
  }
  const kinds = new Set(values.map((v) => v.kind));
  if (kinds.has('date') && !kinds.has('datetime')) return undefined;
  if (kinds.has('datetime')) return 'datetime';
  for (const ref of refs) {
    const parent = ref.parent;
    if (parent?.type === 'attribute' && ref.field === 'object' && /^(isoformat|strftime|timestamp|astimezone|replace|tzinfo)$/.test(childByField(parent, 'attribute')?.text ?? '')) return 'datetime';
  }
  if (kinds.has('str')) return 'str';
  if (kinds.has('int') || kinds.has('float')) return undefined; // not a time range
  return 'str';
}

const END_EXCLUSIVE_NAME = /(^|_)(lt|before|exclusive)$|(^|_)end_?exclusive|(^|_)to_exclusive/i;
const START_EXCLUSIVE_NAME = /(^|_)(gt|after)$/i;

/** Decision 1 of the rule catalogue: what shows that the batch read excludes one end of a range. */
function semantics(scopes: FunctionInfo[], startRefs: Node[], endRefs: Node[]): RangeSemantics {
  let endExclusive = false;
  let startExclusive = false;
  const classify = (ref: Node, isEnd: boolean) => {
    let child = ref;
    for (let p = ref.parent; p && p.type !== 'block'; child = p, p = p.parent) {
      if (p.type === 'comparison_operator' && child.field !== 'operators') {
        const items = p.children;
        const i = items.indexOf(child);
        const before = items[i - 1]?.type;
        const after = items[i + 1]?.type;
        // `x < end` / `end > x` excludes the end; `x > start` / `start < x` excludes the start.
        if (isEnd && (before === '<' || after === '>')) endExclusive = true;
        if (!isEnd && (before === '>' || after === '<')) startExclusive = true;
        return;
      }
      const key = p.type === 'pair' ? stringValue(childByField(p, 'key')) : p.type === 'keyword_argument' ? childByField(p, 'name')?.text ?? undefined : undefined;
      if (key !== undefined) {
        if (END_EXCLUSIVE_NAME.test(key)) endExclusive = true;
        else if (START_EXCLUSIVE_NAME.test(key)) startExclusive = true;
        return;
      }
    }
  };
  for (const r of endRefs) classify(r, true);
  for (const r of startRefs) classify(r, false);
  for (const fn of scopes) {
    walk(fn.node, (n) => {
      if (n.type === 'comment' || n.type === 'string') {
        const text = n.type === 'comment' ? n.text ?? '' : stringValue(n) ?? '';
        if (n.type === 'string' && /[^<>!=]<(?!=)\s*(\?|%s|%\(\w+\)s|:\w|\$\d|\{)/.test(` ${text}`)) endExclusive = true;
        if (n.type === 'string' && /[^<>!=]>(?!=)\s*(\?|%s|%\(\w+\)s|:\w|\$\d|\{)/.test(` ${text}`)) startExclusive = true;
        if (/\bexclusive\b/i.test(text)) {
          if (/\b(start|from|after|lower|begin)\w*\W+(\w+\W+){0,3}exclusive|exclusive\W+(\w+\W+){0,2}(start|from|lower|begin)/i.test(text)) startExclusive = true;
          else endExclusive = true;
        }
      }
      return undefined;
    });
  }
  return endExclusive ? 'end-exclusive' : startExclusive ? 'start-exclusive' : 'inclusive';
}

// ---------------------------------------------------------------------------------------------
// The generated code.

type Line = [level: number, text: string];

interface Generation {
  reader: string;
  streamClass: string;
  partitionClass: string;
  access: RangeAccess;
  names: { streamReader: string; partition: string; datetime: string; timedelta: string; timezone: string; copy: string };
  /** A DataSource in the file gets `streamReader()`. */
  wired: boolean;
}

function generatedClasses(g: Generation): Line[] {
  const { access, names: n } = g;
  const { startAttr: s, endAttr: e } = access;
  const usec = `${n.timedelta}(microseconds=1)`;
  const halfOpen = access.semantics !== 'inclusive';
  const asBound = (x: string) => (access.bound === 'str' ? `${x}.isoformat()` : x);
  const boundWord = access.bound === 'str' ? 'ISO-8601 strings' : 'aware datetimes';

  const partition: Line[] = [[0, `class ${g.partitionClass}(${n.partition}):`]];
  if (access.form === 'partition-value') {
    partition.push(
      [1, `"""A time range of one micro-batch: \`value\` is (start, end), as \`${g.reader}.read\` takes it."""`],
      [0, ''],
      [1, 'def __init__(self, start, end):'],
      [2, 'super().__init__((start, end))'],
    );
  } else {
    const [ps, pe] = access.form === 'partition-attrs' ? [s, e] : ['start', 'end'];
    partition.push(
      [1, access.form === 'partition-attrs' ? `"""A time range of one micro-batch, in the attributes \`${g.reader}.read\` reads."""` : '"""A time range of one micro-batch."""'],
      [0, ''],
      [1, `def __init__(self, ${ps}, ${pe}):`],
      [2, `self.${ps} = ${ps}`],
      [2, `self.${pe} = ${pe}`],
    );
  }

  const ranges =
    access.semantics === 'end-exclusive'
      ? 'Ranges are half-open [start, end) and meet: the batch read excludes the end.'
      : access.semantics === 'start-exclusive'
        ? 'Ranges are (start, end] and meet: the batch read excludes the start.'
        : 'Ranges include both ends and do not overlap: each starts 1 µs after the previous end.';
  const doc: string[] = [
    `"""Streaming version of \`${g.reader}\` (kept for batch reads), added by pds-lint.`,
    '',
    'Offsets are {"ts": ISO-8601 UTC time}. A micro-batch reads the time from the previous',
    'offset to the latest one, in ranges of at most `partition_seconds` (default 3600), each',
    `read on an executor by \`${g.reader}.read\`.`,
    ranges,
    'The latest offset is now minus `lag_seconds` (default 60: events that arrive late are',
    'still read), rounded to the second. Option `start`: ISO-8601 time to start at (default:',
    'now). The batch reader is built as for batch reads, so it needs its own options too.',
  ];
  if (!g.wired) {
    doc.push(
      '',
      'Return it from your DataSource with the batch reader it reads through:',
      `\`def streamReader(self, schema): return ${g.streamClass}(self.options, self.reader(schema))\``,
    );
  }
  doc.push('"""');

  // The offset is the last instant read (inclusive, start-exclusive), or the first one not read yet (end-exclusive).
  const initial = access.semantics === 'end-exclusive' ? 'self.stream_start' : `(self.stream_start - ${usec})`;
  const firstRead = access.semantics === 'inclusive' ? `${n.datetime}.fromisoformat(start["ts"]) + ${usec}` : `${n.datetime}.fromisoformat(start["ts"])`;
  const clampTo = access.semantics === 'start-exclusive' ? `self.stream_start - ${usec}` : 'self.stream_start';

  const reader: Line[] = [
    [0, `class ${g.streamClass}(${n.streamReader}):`],
    ...doc.map((t): Line => [1, t]),
    [0, ''],
    [1, 'def __init__(self, options, batch_reader):'],
    [2, 'self.batch_reader = batch_reader'],
    [2, `self.lag = ${n.timedelta}(seconds=float(options.get("lag_seconds", 60)))`],
    [2, 'seconds = max(1.0, float(options.get("partition_seconds", 3600)))'],
    [2, `self.partition_span = ${n.timedelta}(seconds=seconds)`],
    [2, 'start = options.get("start")'],
    [2, 'self.stream_start = self._utc(start) if start else None'],
    [0, ''],
    [1, '@staticmethod'],
    [1, 'def _utc(text):'],
    [2, '# An ISO-8601 time as an aware UTC datetime; a time without an offset is taken as UTC.'],
    [2, `parsed = ${n.datetime}.fromisoformat(text.replace("Z", "+00:00"))`],
    [2, 'if parsed.tzinfo is None:'],
    [3, `return parsed.replace(tzinfo=${n.timezone}.utc)`],
    [2, `return parsed.astimezone(${n.timezone}.utc)`],
    [0, ''],
    [1, 'def initialOffset(self):'],
    [2, 'if self.stream_start is None:'],
    [3, 'return self.latestOffset()'],
    [2, `return {"ts": ${initial}.isoformat()}`],
    [0, ''],
    [1, 'def latestOffset(self):'],
    [2, `latest = (${n.datetime}.now(${n.timezone}.utc) - self.lag).replace(microsecond=0)`],
    [2, 'return {"ts": latest.isoformat()}'],
    [0, ''],
    [1, 'def partitions(self, start, end):'],
  ];
  if (halfOpen) {
    reader.push([2, `# ${access.semantics === 'end-exclusive' ? 'Half-open [start, end): the end of a range is exclusive' : '(start, end]: the start of a range is exclusive'} in \`${g.reader}.read\`.`]);
  }
  reader.push(
    [2, `start_ts = ${firstRead}`],
    [2, `end_ts = ${n.datetime}.fromisoformat(end["ts"])`],
    [2, 'if self.stream_start is not None:'],
    [3, `start_ts = max(start_ts, ${clampTo})`],
    [2, 'ranges = []'],
    [2, 'current = start_ts'],
    [2, `while current ${halfOpen ? '<' : '<='} end_ts:`],
    [3, 'next_time = min(current + self.partition_span, end_ts)'],
    [3, `ranges.append(${g.partitionClass}(${asBound('current')}, ${asBound('next_time')}))`],
    [3, halfOpen ? 'current = next_time' : `current = next_time + ${usec}`],
    [2, 'return ranges'],
    [0, ''],
    [1, 'def read(self, partition):'],
  );
  if (access.form === 'reader-attrs') {
    reader.push(
      [2, `# \`${g.reader}.read\` takes its range from \`self.${s}\` and \`self.${e}\`: read this`],
      [2, `# partition's range (${boundWord}) through a copy of the batch reader.`],
      [2, `batch_reader = ${n.copy}.copy(self.batch_reader)`],
      [2, `batch_reader.${s} = partition.start`],
      [2, `batch_reader.${e} = partition.end`],
      [2, 'yield from batch_reader.read(partition)'],
    );
  } else {
    reader.push(
      [2, `# On an executor: the batch reader's own read, for one time range (${boundWord}).`],
      [2, 'yield from self.batch_reader.read(partition)'],
    );
  }
  reader.push(
    [0, ''],
    [1, 'def commit(self, end):'],
    [2, '# Nothing to acknowledge: ranges can be read again; the checkpoint keeps offsets.'],
    [2, 'pass'],
  );
  return [...partition, [0, ''], [0, ''], ...reader];
}

// ---------------------------------------------------------------------------------------------
// Names and places.

/** `EventsReader` → `EventsStreamReader`; `EventsBatchReader` → `EventsStreamReader`; `Events` → `EventsStreamReader`. */
export function derivedName(reader: string, suffix: string): string {
  const stem = reader.replace(/Batch/, '').replace(/Reader$/, '');
  return (stem || reader) + suffix;
}

function uniqueName(model: FileModel, imports: ImportPlanner, wanted: string, taken: string[] = []): string {
  const free = (n: string) => !taken.includes(n) && imports.isFree(n) && !model.classes.some((c) => c.name === n);
  if (free(wanted)) return wanted;
  for (let i = 2; ; i++) if (free(`${wanted}${i}`)) return `${wanted}${i}`;
}

function methodNode(fn: FunctionInfo): Node {
  return fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : fn.node;
}

/** After `node`'s last line and the comment lines right below it that are indented deeper than it (they read as its own). */
function endOfTrailingComments(model: FileModel, node: Node, from: number): number {
  const lines = model.lines;
  const own = indentOf(model, node).length;
  let end = from;
  for (let line = lines.lineOf(from) + 1; line < lines.lineCount; line++) {
    const text = lines.lineText(line);
    if (!text.trim()) continue;
    const m = /^([ \t]*)#/.exec(text);
    if (!m || m[1].length <= own) break;
    end = lines.lineEndWithoutBreak(line);
  }
  return end;
}
