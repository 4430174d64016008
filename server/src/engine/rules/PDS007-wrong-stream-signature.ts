/**
 * PDS007 wrong-stream-signature: a streaming method whose parameters do not accept what Spark
 * passes (the batch `partitions(self)`, `commit(self)` without `end`, a writer `commit` without
 * `batchId`, a 4.2 `latestOffset` with one of its two parameters).
 */
import type { FileModel, FunctionInfo, SparkRole } from '../model';
import { findAll, type Node } from '../syntax';
import type { Fix } from '../types';
import { defineRule } from './rule';

interface Expected {
  /** Accepted numbers of positional arguments (besides self). */
  arities: number[];
  /** Conventional parameter names, for messages and the fix. */
  names: string[];
}

const STREAM_READER: Record<string, Expected> = {
  initialOffset: { arities: [0], names: [] },
  latestOffset: { arities: [0, 2], names: ['start', 'limit'] },
  partitions: { arities: [2], names: ['start', 'end'] },
  read: { arities: [1], names: ['partition'] },
  commit: { arities: [1], names: ['end'] },
  stop: { arities: [0], names: [] },
  getDefaultReadLimit: { arities: [0], names: [] },
  reportLatestOffset: { arities: [0], names: [] },
  prepareForTriggerAvailableNow: { arities: [0], names: [] },
};

const SIMPLE_READER: Record<string, Expected> = {
  initialOffset: { arities: [0], names: [] },
  read: { arities: [1], names: ['start'] },
  readBetweenOffsets: { arities: [2], names: ['start', 'end'] },
  commit: { arities: [1], names: ['end'] },
};

const STREAM_WRITER: Record<string, Expected> = {
  write: { arities: [1], names: ['iterator'] },
  commit: { arities: [2], names: ['messages', 'batchId'] },
  abort: { arities: [2], names: ['messages', 'batchId'] },
};

const DATA_SOURCE: Record<string, Expected> = {
  streamReader: { arities: [1], names: ['schema'] },
  simpleStreamReader: { arities: [1], names: ['schema'] },
  streamWriter: { arities: [2], names: ['schema', 'overwrite'] },
};

const BY_ROLE: Partial<Record<SparkRole, Record<string, Expected>>> = {
  DataSourceStreamReader: STREAM_READER,
  SimpleDataSourceStreamReader: SIMPLE_READER,
  DataSourceStreamWriter: STREAM_WRITER,
  DataSourceArrowStreamWriter: STREAM_WRITER,
  DataSource: DATA_SOURCE,
};

/** How many positional arguments (besides self) the function accepts: [required, max]. */
function positionalRange(fn: FunctionInfo): { required: number; max: number } {
  const params = fn.params.slice(fn.selfName !== undefined || fn.isClassMethod ? 1 : 0);
  let required = 0;
  let max = 0;
  for (const p of params) {
    if (p.kind === 'varargs') return { required, max: Infinity };
    if (p.kind !== 'positional' && p.kind !== 'positional_only') continue;
    max++;
    if (!p.defaultValue) required++;
  }
  return { required, max };
}

/** Parameter *names* of the DataSource factories (Spark passes them by keyword) are PDS023's concern. */
function accepts(fn: FunctionInfo, expected: Expected): boolean {
  const { required, max } = positionalRange(fn);
  return expected.arities.some((n) => required <= n && n <= max);
}

export default defineRule(
  {
    code: 'PDS007',
    name: 'wrong-stream-signature',
    summary: 'A streaming method has the batch or another wrong parameter list',
    defaultSeverity: 'error',
    fixAvailability: 'sometimes',
    since: '0.1.0',
  },
  ({ model, report }) => {
    for (const cls of model.classes) {
      const table = cls.role && BY_ROLE[cls.role];
      if (!table) continue;
      for (const [name, fn] of cls.methods) {
        const expected = table[name];
        if (!expected || fn.isStatic || fn.node.hasError) continue;
        if (accepts(fn, expected)) continue;
        const want = expected.arities
          .map((n) => `\`${name}(${['self', ...expected.names.slice(0, n)].join(', ')})\``)
          .join(' or ');
        const got = model.textOf(fn.parametersNode).replace(/\s+/g, ' ');
        const batchHint = name === 'partitions' && cls.role === 'DataSourceStreamReader' && positionalRange(fn).max === 0 ? ' (the batch reader signature)' : '';
        report({
          node: fn.parametersNode,
          message: `\`${name}${got}\`${batchHint} does not match how Spark calls it on a ${cls.role}: expected ${want}, so the call fails with TypeError`,
          fix: signatureFix(model, fn, expected),
        });
      }
    }
  },
);

/** Adds missing parameters (or removes extra required ones) to reach the nearest accepted arity. */
function signatureFix(model: FileModel, fn: FunctionInfo, expected: Expected): Fix | undefined {
  const self = fn.selfName !== undefined || fn.isClassMethod ? fn.params[0] : undefined;
  const positional = fn.params.filter((p) => p !== self && (p.kind === 'positional' || p.kind === 'positional_only'));
  const others = fn.params.filter((p) => p !== self && !positional.includes(p));
  if (positional.some((p) => p.kind === 'positional_only') || others.length) return undefined;
  const current = positional.length;
  // The accepted arity closest to what the user wrote (prefer adding over removing).
  const target = [...expected.arities].sort((a, b) => Math.abs(a - current) - Math.abs(b - current) || b - a)[0];
  const kept = positional.slice(0, target).map((p) => model.textOf(p.node));
  const removed = positional.slice(target);
  const added: string[] = [];
  const taken = new Set(kept.map((k) => k.split(/[:=\s]/)[0]));
  for (let i = kept.length; i < target; i++) {
    let name = expected.names[i] ?? `arg${i}`;
    while (taken.has(name)) name = `${name}_`;
    taken.add(name);
    added.push(name);
  }
  const usedNames = new Set(findAll(fn.body, 'identifier', false).map((n: Node) => n.text));
  // Unsafe when the body must change: a removed parameter is used, or an added name already means something in the body.
  const unsafe = removed.some((p) => usedNames.has(p.name)) || added.some((a) => usedNames.has(a));
  const list = [...(self ? [model.textOf(self.node)] : []), ...kept, ...added].join(', ');
  return {
    title: `Change the parameters to \`(${list})\``,
    applicability: unsafe ? 'unsafe' : 'safe',
    edits: [{ start: fn.parametersNode.start, end: fn.parametersNode.end, newText: `(${list})` }],
  };
}
