/**
 * PDS003 offset-not-json-roundtrip: an offset that `json.dumps` cannot encode (datetime, date,
 * Decimal, set, bytes, an object, a tuple key: TypeError, the query fails) or that comes back
 * different (a tuple value becomes a list, an int/float/bool/None key a string, `default=str`
 * turns values into text). Spark serializes what `initialOffset`/`latestOffset` (and the simple
 * reader's `read`) return with `json.dumps` and hands the consumers `json.loads` of it (reference
 * §2, P3). Also an offset class whose `json()` and `from_json()` disagree on the keys.
 *
 * Two severities from one rule: error when it raises (and, decision 3, for a tuple value or
 * non-`str` key in the simple reader's next offset: the wrapper asserts the offset equals its
 * round trip), warning when it silently changes.
 */
import {
  args,
  type ClassInfo,
  type FileModel,
  offsetClassRoundTrips,
  type OffsetProducer,
  qualifiedName,
  type StreamOffsets,
  type Value,
} from '../model';
import { childByField, isAncestor, type Node } from '../syntax';
import type { Fix, RelatedLocation, Severity, TextEdit } from '../types';
import { defineRule, type Report } from './rule';

type Problem = 'raises' | 'bad-key' | 'tuple' | 'non-str-key' | 'default';

interface Site {
  /** Where the value sits in the offset: the returned expression, a dict value, a list item, a key. */
  node: Node;
  /** `["ts"]`, `["window"][0]`; empty for the whole offset. */
  path: string;
  /** Inside a `json.dumps(...)` the reader calls itself (the offset is then a string). */
  inJson: boolean;
  /** The `default=` keyword of that `json.dumps`. */
  jsonDefault?: Node;
}

interface Finding {
  problem: Problem;
  site: Site;
  /** The values found at the site (all alternatives). */
  values: Value[];
  /** The value that causes the problem. */
  culprit: Value;
  producer: OffsetProducer;
  offsets: StreamOffsets;
  /** Decision 3: the simple reader's next offset itself, not a string the reader made. */
  strict: boolean;
}

const RAISING: ReadonlySet<string> = new Set(['datetime', 'date', 'time', 'timedelta', 'decimal', 'set', 'bytes']);
const NON_STR_KEYS: ReadonlySet<string> = new Set(['int', 'float', 'bool', 'none']);
/** Library objects `json.dumps` cannot encode. */
const OPAQUE_TYPES = /^uuid\.uuid\d$|^datetime\.timezone$/;

export default defineRule(
  {
    code: 'PDS003',
    name: 'offset-not-json-roundtrip',
    summary: 'An offset that `json.dumps` rejects, or that comes back from JSON with other types or keys',
    defaultSeverity: 'error',
    fixAvailability: 'sometimes',
    since: '0.1.0',
  },
  ({ model, report }) => {
    const found = new Map<string, Finding>();
    const readers = model.classesWithRole('DataSourceStreamReader', 'SimpleDataSourceStreamReader');
    for (const cls of readers) {
      const offsets = model.offsets(cls);
      for (const producer of offsets.producers) {
        for (const r of producer.returns) {
          if (r.statement.hasError) continue;
          inspect(model, r.values, { node: r.expression, path: '', inJson: false }, producer, offsets, found, 0);
        }
      }
    }
    for (const f of found.values()) report(describe(model, f));
    if (readers.length) reportOffsetClasses(model, report);
  },
);

/** Walks what a producer returns, down through `json.dumps`, dicts, lists and tuples. */
function inspect(model: FileModel, values: Value[], site: Site, producer: OffsetProducer, offsets: StreamOffsets, found: Map<string, Finding>, depth: number): void {
  if (depth > 6) return;
  const strict = producer.kind === 'simpleRead' && !site.inJson;
  const add = (problem: Problem, at: Site, culprit: Value, all: Value[]) => {
    const key = `${at.node.start}:${at.node.end}:${problem}`;
    const existing = found.get(key);
    if (existing) {
      existing.strict ||= strict;
      return;
    }
    found.set(key, { problem, site: at, values: all, culprit, producer, offsets, strict });
  };
  for (const v of values) {
    if (v.kind === 'json' && v.inner) {
      const arg = v.node.type === 'call' ? args(v.node).positional[0] : undefined;
      inspect(model, v.inner, { node: arg ?? site.node, path: site.path, inJson: true, jsonDefault: v.jsonDefault }, producer, offsets, found, depth + 1);
      continue;
    }
    if (RAISING.has(v.kind) || isOpaqueObject(v)) {
      add(site.inJson && site.jsonDefault ? 'default' : 'raises', site, v, values);
      continue;
    }
    if (v.kind === 'dict') {
      for (const e of v.entries ?? []) {
        const keySite: Site = { ...site, node: e.keyNode, path: `${site.path}[${model.textOf(e.keyNode)}]` };
        const badKey = e.keyValues.find((k) => RAISING.has(k.kind) || k.kind === 'tuple' || isOpaqueObject(k));
        const nonStr = e.keyValues.find((k) => NON_STR_KEYS.has(k.kind));
        // `default=` is not used for keys: a bad key raises even with it.
        if (badKey) add('bad-key', keySite, badKey, e.keyValues);
        else if (nonStr) add('non-str-key', keySite, nonStr, e.keyValues);
        inspect(model, e.values, { ...site, node: e.valueNode, path: `${site.path}[${e.key !== undefined ? JSON.stringify(e.key) : model.textOf(e.keyNode)}]` }, producer, offsets, found, depth + 1);
      }
      continue;
    }
    if (v.kind === 'tuple') add('tuple', site, v, values);
    if ((v.kind === 'tuple' || v.kind === 'list') && v.items) {
      const literal = /^(tuple|list|expression_list)$/.test(v.node.type) ? v.node.children.filter((c) => c.named && c.type !== 'comment') : [];
      v.items.forEach((item, i) => {
        const node = literal.length === v.items!.length ? literal[i] : site.node;
        inspect(model, item, { ...site, node, path: `${site.path}[${i}]` }, producer, offsets, found, depth + 1);
      });
    } else if ((v.kind === 'tuple' || v.kind === 'list') && v.inner) {
      inspect(model, v.inner, { ...site, path: `${site.path}[...]` }, producer, offsets, found, depth + 1);
    }
  }
}

/** An instance `json.dumps` cannot encode: a plain class of the user's, `uuid4()`, a time zone. */
function isOpaqueObject(v: Value): boolean {
  if (v.kind !== 'object') return false;
  if (v.typeName) return OPAQUE_TYPES.test(v.typeName);
  return !!v.cls && plainClass(v.cls, new Set());
}

/** A class whose bases are all the user's own plain classes (not `dict`, `str`, `NamedTuple`, a library's). */
function plainClass(cls: ClassInfo, seen: Set<ClassInfo>): boolean {
  if (seen.has(cls)) return true;
  seen.add(cls);
  return cls.bases.every((b) => (b.userClass ? plainClass(b.userClass, seen) : b.node.type === 'identifier' && b.node.text === 'object') || !!b.role);
}

function label(v: Value): string {
  switch (v.kind) {
    case 'decimal':
      return 'a `Decimal`';
    case 'set':
      return 'a set';
    case 'bytes':
      return '`bytes`';
    case 'tuple':
      return 'a tuple';
    case 'object':
      if (v.cls) return `a \`${v.cls.name}\` instance`;
      return v.typeName?.startsWith('uuid.') ? 'a `UUID`' : `a \`${v.typeName?.split('.').pop()}\` object`;
    case 'int':
    case 'float':
    case 'bool':
      return `an \`${v.kind}\``;
    case 'none':
      return '`None`';
    default:
      return `a \`${v.kind}\``;
  }
}

function describe(model: FileModel, f: Finding): Report {
  const method = f.producer.kind === 'simpleRead' ? '`read` (its next offset)' : `\`${f.producer.method.name}\``;
  const at = f.site.path ? ` at \`${f.site.path}\`` : '';
  const what = label(f.culprit);
  const related: RelatedLocation[] = [];
  if (!isAncestor(f.site.node, f.culprit.node) && f.culprit.node !== f.site.node && f.culprit.node.start !== f.site.node.start) {
    related.push({ start: f.culprit.node.start, end: f.culprit.node.end, message: `${what.replace(/^an? /, 'the ')} is made here` });
  }
  const wrapper = 'the simple-reader wrapper asserts the offset equals its JSON round trip, so `partitions` fails with AssertionError';
  let message: string;
  let severity: Severity = 'warning';
  switch (f.problem) {
    case 'raises':
      severity = 'error';
      message = f.site.inJson
        ? `${method} passes ${what}${at} to \`json.dumps\`, which raises TypeError: the query fails`
        : `${method} returns ${what}${at ? `${at} in the offset` : ' as the offset'}: Spark's \`json.dumps\` of the offset raises TypeError and the query fails`;
      break;
    case 'bad-key':
      severity = 'error';
      message = f.site.inJson
        ? `${method} passes ${what} as a dict key to \`json.dumps\`, which raises TypeError (keys must be str, int, float, bool or None): the query fails`
        : `${method} returns ${what} as a dict key in the offset: Spark's \`json.dumps\` of the offset raises TypeError (keys must be str, int, float, bool or None) and the query fails`;
      break;
    case 'tuple':
      severity = f.strict ? 'error' : 'warning';
      message = f.strict
        ? `${method} returns a tuple${at} in the offset: JSON turns it into a list and ${wrapper}`
        : `${method} puts a tuple${at} in the offset: it comes back from JSON as a list, so code that compares it with a tuple sees another value`;
      break;
    case 'non-str-key': {
      severity = f.strict ? 'error' : 'warning';
      const key = model.textOf(f.site.node);
      message = f.strict
        ? `${method} returns ${what} key \`${key}\` in the offset: JSON turns it into a string and ${wrapper}`
        : `${method} uses ${what} key \`${key}\` in the offset: it comes back from JSON as a string, so \`offset[${key}]\` raises KeyError`;
      break;
    }
    case 'default':
      message = `\`json.dumps(..., default=...)\` in ${method} turns ${what}${at} into a string: the offset reads back as text, not as ${what}`;
      break;
  }
  return { node: f.site.node, message, severity, related, fix: fixFor(model, f) };
}

function fixFor(model: FileModel, f: Finding): Fix | undefined {
  const site = f.site.node;
  // Only where the value is placed in the producer itself: a helper's literal serves other callers too.
  const inProducer = isAncestor(f.producer.method.body, site);
  if (!inProducer || site.hasError) return undefined;
  const kinds = new Set(f.values.map((v) => v.kind));
  const only = (...allowed: string[]) => [...kinds].every((k) => allowed.includes(k));
  const text = model.textOf(site);
  switch (f.problem) {
    case 'raises': {
      if (only('datetime', 'date')) {
        return {
          title: 'Serialize it with `.isoformat()`',
          applicability: consumersParse(model, f, /(^|\.)(fromisoformat|isoparse|to_datetime|Timestamp)$/) ? 'safe' : 'unsafe',
          edits: [{ start: site.end, end: site.end, newText: '.isoformat()' }].map((e) => (isPrimary(site) ? e : { start: site.start, end: site.end, newText: `(${text}).isoformat()` })),
        };
      }
      if (only('decimal')) {
        return {
          title: 'Serialize it with `str(...)`',
          applicability: consumersParse(model, f, /(^|\.)Decimal$/) ? 'safe' : 'unsafe',
          edits: [{ start: site.start, end: site.end, newText: `str(${text})` }],
        };
      }
      if (only('set')) {
        // Sorted, so the JSON (and offset equality) does not depend on set iteration order.
        return { title: 'Store it as a sorted list', applicability: 'unsafe', edits: [{ start: site.start, end: site.end, newText: `sorted(${text})` }] };
      }
      return undefined;
    }
    case 'tuple': {
      if (!only('tuple')) return undefined;
      const applicability = f.strict ? 'unsafe' : 'safe';
      if (site.type === 'tuple') return { title: 'Make it a list', applicability, edits: [{ start: site.start, end: site.start + 1, newText: '[' }, { start: site.end - 1, end: site.end, newText: ']' }] };
      return { title: 'Make it a list', applicability, edits: [{ start: site.start, end: site.end, newText: `list(${text})` }] };
    }
    case 'non-str-key': {
      if (!only('int', 'float')) return undefined;
      const applicability = f.strict ? 'unsafe' : 'safe';
      const edit: TextEdit = site.type === 'integer' && /^\d[\d_]*$/.test(text)
        ? { start: site.start, end: site.end, newText: JSON.stringify(String(Number(text.replace(/_/g, '')))) }
        : { start: site.start, end: site.end, newText: `str(${text})` };
      return { title: 'Make the key a string', applicability, edits: [edit] };
    }
    default:
      return undefined;
  }
}

function isPrimary(node: Node): boolean {
  return /^(identifier|call|attribute|subscript|parenthesized_expression)$/.test(node.type);
}

/**
 * True when every consumer read of the key (at least one) parses the string back
 * (`datetime.fromisoformat(start["ts"])`): they already expect the serialized form.
 */
function consumersParse(model: FileModel, f: Finding, parser: RegExp): boolean {
  const m = /^\["((?:[^"\\]|\\.)*)"\]$/.exec(f.site.path);
  if (!m) return false;
  const key = JSON.parse(`"${m[1]}"`) as string;
  const reads = f.offsets.keyReads.filter((r) => r.key === key);
  if (!reads.length) return false;
  return reads.every((r) => {
    const call = r.node.parent?.type === 'argument_list' ? r.node.parent.parent : undefined;
    if (call?.type !== 'call' || args(call).positional[0] !== r.node) return false;
    return parser.test(qualifiedName(childByField(call, 'function'), model.imports) ?? '');
  });
}

/** Offset classes whose `json()` and `from_json()` disagree on the keys. */
function reportOffsetClasses(model: FileModel, report: (r: Report) => void): void {
  for (const rt of offsetClassRoundTrips(model)) {
    if (rt.cls.hasSyntaxError) continue;
    const name = rt.cls.name;
    const ser = `\`${name}.${rt.serializer.name}()\``;
    const de = `\`${name}.${rt.deserializer.name}()\``;
    if (!rt.readOpen) {
      for (const w of rt.written) {
        if (rt.read.some((r) => r.key === w.key)) continue;
        report({
          node: w.node,
          severity: 'warning',
          message: `${ser} writes \`${JSON.stringify(w.key)}\` but ${de} never reads it: an offset restored from the checkpoint loses it`,
          related: [{ start: rt.deserializer.nameNode.start, end: rt.deserializer.nameNode.end, message: `${de} is here` }],
        });
      }
    }
    if (!rt.writtenOpen) {
      for (const r of rt.read) {
        if (rt.written.some((w) => w.key === r.key)) continue;
        report({
          node: r.read,
          severity: r.optional ? 'warning' : 'error',
          message: r.optional
            ? `${de} reads \`${JSON.stringify(r.key)}\`, which ${ser} never writes: it is always None in a restored offset`
            : `${de} reads \`${JSON.stringify(r.key)}\`, which ${ser} never writes: restoring an offset raises KeyError`,
          related: [{ start: rt.serializer.nameNode.start, end: rt.serializer.nameNode.end, message: `${ser} is here` }],
        });
      }
    }
  }
}
