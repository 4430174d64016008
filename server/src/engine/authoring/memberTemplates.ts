/**
 * Skeletons of the contract methods a class of each Spark role can define, for completion at the
 * start of a member line. Each is correct by the rules as inserted: the streaming signatures
 * (never the batch `partitions(self)`), `write()` ending with `return WriterCommitMessage()`,
 * `name` a `@classmethod`, factories with a `schema` parameter, offsets built from the keys the
 * class's producers already write (so `initialOffset` and `latestOffset` agree). Where only the
 * user knows the logic, the first tab stop selects a placeholder: a value, or an explicit
 * `raise NotImplementedError(...)` in `read`.
 */
import type { SparkRole } from '../model';
import { line, type Piece, type SnippetLine, stop } from './snippet';
import type { OffsetKey } from './offsetKeys';

const DATASOURCE = 'pyspark.sql.datasource';

export interface FactoryProduct {
  name: string;
  role: SparkRole;
  /** `__init__` parameters after `self` (empty when the class has none). */
  initParams: string[];
  /** Already returned by some DataSource factory. */
  wired: boolean;
}

export interface TemplateContext {
  role: SparkRole;
  className: string;
  /** Methods the class has, its own and from the user's base classes. */
  existing: ReadonlySet<string>;
  /** What the class's offset producers write (stream readers). */
  offsetKeys: OffsetKey[];
  /** Reader and writer classes of the file, for the DataSource factories. */
  products: FactoryProduct[];
}

/** The expression for a library name, importing it when needed; undefined when impossible. */
export type NameRef = (module: string, name: string) => string | undefined;

export interface MemberTemplate {
  name: string;
  /** Tells two forms of one method apart (`Spark 4.2`). */
  variant?: string;
  signature: string;
  /** The lines, naming library classes through `ref` (undefined when a name cannot be had). */
  build: (ref: NameRef) => SnippetLine[] | undefined;
}

const L0 = line(0);
const L1 = line(1);
const L2 = line(2);

/** A placeholder for a key's value, by the kind the producers write. */
function defaultFor(key: OffsetKey | undefined): string {
  const kind = key?.kinds[0] ?? 'int';
  if (kind === 'int') return '0';
  if (kind === 'float') return '0.0';
  if (kind === 'bool') return 'False';
  if (kind === 'list') return '[]';
  if (kind === 'str (isoformat)') return '"1970-01-01T00:00:00+00:00"';
  if (kind.startsWith('str')) return '""';
  return 'None';
}

/** `{"offset": ${1:0}}` with the class's keys (tab stops from `first`). */
function offsetDict(keys: OffsetKey[], first: number, value: (k: OffsetKey) => string = defaultFor): Piece[] {
  const pieces: Piece[] = ['{'];
  keys.forEach((k, i) => {
    if (i) pieces.push(', ');
    pieces.push(`${JSON.stringify(k.key)}: `, stop(first + i, value(k)));
  });
  pieces.push('}');
  return pieces;
}

function l(level: number, ...pieces: Piece[]): SnippetLine {
  return { level, pieces };
}

function keysOrDefault(keys: OffsetKey[]): OffsetKey[] {
  return keys.length ? keys : [{ key: 'offset', kinds: ['int'], producers: [], forms: new Set(['dict']) }];
}

/** The one integer key, when the offsets are `{"k": int}`. */
function singleIntKey(keys: OffsetKey[]): string | undefined {
  return keys.length === 1 && keys[0].kinds.length === 1 && keys[0].kinds[0] === 'int' ? keys[0].key : undefined;
}

function streamReaderTemplates(ctx: TemplateContext, simple: boolean): MemberTemplate[] {
  const keys = keysOrDefault(ctx.offsetKeys.filter((k) => k.forms.has('dict')));
  const int = singleIntKey(keys);
  const k = int !== undefined ? JSON.stringify(int) : '';
  const out: MemberTemplate[] = [];
  out.push({
    name: 'initialOffset',
    signature: 'initialOffset(self) -> dict',
    build: () => [
      L0`def initialOffset(self):`,
      L1`# Where a query without a checkpoint starts: a dict of JSON values.`,
      l(1, 'return ', ...offsetDict(keys, 1)),
    ],
  });
  if (simple) {
    out.push({
      name: 'read',
      signature: 'read(self, start: dict) -> (Iterator[tuple], dict)',
      build: () => [
        L0`def read(self, start: dict):`,
        L1`# On the driver, every trigger: the rows after \`start\`, and the next offset.`,
        L1`# Return iter(list), not a generator; the offset must advance with the rows.`,
        L1`rows = ${stop(1, '[]')}`,
        int !== undefined
          ? L1`next_offset = {${k}: start[${k}] + len(rows)}`
          : l(1, 'next_offset = ', ...offsetDict(keys, 2, (key) => `start[${JSON.stringify(key.key)}]`)),
        L1`return (iter(rows), next_offset)`,
      ],
    });
    out.push({
      name: 'readBetweenOffsets',
      signature: 'readBetweenOffsets(self, start: dict, end: dict) -> Iterator[tuple]',
      build: () => [
        L0`def readBetweenOffsets(self, start: dict, end: dict):`,
        L1`# Replays a batch on an executor: exactly the rows in (start, end], every time.`,
        L1`# Replaying read(start) is right while the source returns the same rows for it.`,
        L1`rows, offset = ${stop(1, 'self.read(start)')}`,
        L1`if offset != end:`,
        L2`raise RuntimeError(f"cannot replay ({start}, {end}]: read(start) now ends at {offset}")`,
        L1`return iter(list(rows))`,
      ],
    });
  } else {
    out.push({
      name: 'latestOffset',
      signature: 'latestOffset(self) -> dict',
      build: () => [
        L0`def latestOffset(self):`,
        L1`# Every trigger: the newest offset at the source (same value: no new data).`,
        l(1, 'return ', ...offsetDict(keys, 1)),
      ],
    });
    out.push({
      name: 'latestOffset',
      variant: 'Spark 4.2',
      signature: 'latestOffset(self, start: dict, limit: ReadLimit) -> dict',
      build: () =>
        int !== undefined
          ? [
              L0`def latestOffset(self, start: dict, limit):`,
              L1`# Spark 4.2: the newest offset after \`start\`, within \`limit\`.`,
              L1`latest = ${stop(1, `start[${k}]`)}`,
              L1`max_rows = getattr(limit, "max_rows", None)  # set when the limit is ReadMaxRows`,
              L1`if max_rows is not None:`,
              L2`latest = min(latest, start[${k}] + max_rows)`,
              L1`return {${k}: latest}`,
            ]
          : [
              L0`def latestOffset(self, start: dict, limit):`,
              L1`# Spark 4.2: the newest offset after \`start\` (\`start\` itself: no new data).`,
              l(1, 'return ', ...offsetDict(keys, 1, (key) => `start[${JSON.stringify(key.key)}]`)),
            ],
    });
    out.push({
      name: 'partitions',
      signature: 'partitions(self, start: dict, end: dict) -> Sequence[InputPartition]',
      build: (ref) => {
        const partition = ref(DATASOURCE, 'InputPartition');
        if (!partition) return undefined;
        return int !== undefined
          ? [
              L0`def partitions(self, start: dict, end: dict):`,
              L1`# The rows in (start, end]: \`start\` is the previous batch's end, already read.`,
              L1`first, last = start[${k}] + 1, end[${k}]`,
              L1`return [${partition}((first, last))] if first <= last else []`,
            ]
          : [
              L0`def partitions(self, start: dict, end: dict):`,
              L1`# The rows in (start, end]: \`start\` is the previous batch's end, already read.`,
              L1`if start == end:`,
              L2`return []`,
              L1`return [${partition}((start, end))]`,
            ];
      },
    });
    out.push(readTemplate());
  }
  out.push({
    name: 'commit',
    signature: 'commit(self, end: dict) -> None',
    build: () => [
      L0`def commit(self, end: dict):`,
      L1`# After the batch up to \`end\` succeeded: acknowledge here, not in read().`,
      L1`${stop(1, 'pass')}`,
    ],
  });
  if (!simple) {
    out.push({
      name: 'stop',
      signature: 'stop(self) -> None',
      build: () => [L0`def stop(self):`, L1`# When the query stops: release driver-side resources.`, L1`${stop(1, 'pass')}`],
    });
  }
  return out;
}

function readTemplate(): MemberTemplate {
  return {
    name: 'read',
    signature: 'read(self, partition) -> Iterator[tuple]',
    build: () => [
      L0`def read(self, partition):`,
      L1`# On an executor, on a pickled copy of this reader: use only \`partition\`.`,
      L1`${stop(1, 'raise NotImplementedError("yield the partition rows as tuples in schema order")')}`,
    ],
  };
}

function writerTemplates(streaming: boolean): MemberTemplate[] {
  const out: MemberTemplate[] = [];
  out.push({
    name: 'write',
    signature: 'write(self, iterator) -> WriterCommitMessage',
    build: (ref) => {
      const message = ref(DATASOURCE, 'WriterCommitMessage');
      if (!message) return undefined;
      return [
        L0`def write(self, iterator):`,
        L1`# On executors, again on retries: make writes idempotent, let errors raise.`,
        L1`for row in iterator:`,
        L2`${stop(1, 'pass')}`,
        L1`return ${message}()`,
      ];
    },
  });
  const params = streaming ? 'messages, batchId' : 'messages';
  out.push(
    {
      name: 'commit',
      signature: `commit(self, ${streaming ? 'messages: list, batchId: int' : 'messages: list'}) -> None`,
      build: () => [
        L0`def commit(self, ${params}):`,
        L1`# On the driver when all tasks succeeded${streaming ? '; must be idempotent per batchId' : ' (messages may hold None)'}.`,
        L1`${stop(1, 'pass')}`,
      ],
    },
    {
      name: 'abort',
      signature: `abort(self, ${streaming ? 'messages: list, batchId: int' : 'messages: list'}) -> None`,
      build: () => [L0`def abort(self, ${params}):`, L1`# On the driver when the ${streaming ? 'batch' : 'write'} failed: clean up what write() staged.`, L1`${stop(1, 'pass')}`],
    },
  );
  return out;
}

const FACTORIES: { name: string; params: string; roles: SparkRole[]; placeholder: string; signature: string }[] = [
  { name: 'streamReader', params: 'schema', roles: ['DataSourceStreamReader'], placeholder: 'StreamReader', signature: 'streamReader(self, schema: StructType) -> DataSourceStreamReader' },
  { name: 'simpleStreamReader', params: 'schema', roles: ['SimpleDataSourceStreamReader'], placeholder: 'SimpleStreamReader', signature: 'simpleStreamReader(self, schema: StructType) -> SimpleDataSourceStreamReader' },
  { name: 'streamWriter', params: 'schema, overwrite', roles: ['DataSourceStreamWriter', 'DataSourceArrowStreamWriter'], placeholder: 'StreamWriter', signature: 'streamWriter(self, schema: StructType, overwrite: bool) -> DataSourceStreamWriter' },
  { name: 'reader', params: 'schema', roles: ['DataSourceReader'], placeholder: 'Reader', signature: 'reader(self, schema: StructType) -> DataSourceReader' },
  { name: 'writer', params: 'schema, overwrite', roles: ['DataSourceWriter', 'DataSourceArrowWriter'], placeholder: 'Writer', signature: 'writer(self, schema: StructType, overwrite: bool) -> DataSourceWriter' },
];

/** `events` for `EventsDataSource`. */
function formatName(className: string): string {
  const stem = className.replace(/(Data)?Source$/, '') || className;
  return stem.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function dataSourceTemplates(ctx: TemplateContext): MemberTemplate[] {
  const out: MemberTemplate[] = [
    {
      name: 'name',
      signature: '@classmethod name(cls) -> str',
      build: () => [L0`@classmethod`, L0`def name(cls):`, L1`return "${stop(1, formatName(ctx.className))}"`],
    },
    {
      name: 'schema',
      signature: 'schema(self) -> StructType | str',
      build: () => [L0`def schema(self):`, L1`return "${stop(1, 'id STRING, value STRING')}"`],
    },
  ];
  for (const f of FACTORIES) {
    // Both stream reader factories: Spark never calls the simple one (PDS023).
    if (f.name === 'streamReader' && ctx.existing.has('simpleStreamReader')) continue;
    if (f.name === 'simpleStreamReader' && ctx.existing.has('streamReader')) continue;
    const candidates = ctx.products.filter((p) => f.roles.includes(p.role));
    const product = candidates.find((p) => !p.wired) ?? candidates[0];
    const args = product
      ? product.initParams.map((p, i) => (/schema/i.test(p) ? 'schema' : /overwrite/i.test(p) && f.params.includes('overwrite') ? 'overwrite' : i === 0 || /option|opt|conf/i.test(p) ? 'self.options' : 'None'))
      : f.params.includes('overwrite')
        ? ['self.options', 'schema', 'overwrite']
        : ['self.options', 'schema'];
    out.push({
      name: f.name,
      signature: f.signature,
      build: () => [L0`def ${f.name}(self, ${f.params}):`, L1`return ${stop(1, product?.name ?? f.placeholder)}(${args.join(', ')})`],
    });
  }
  return out;
}

function partitionTemplates(): MemberTemplate[] {
  return [
    {
      name: '__init__',
      signature: '__init__(self, start, end)',
      build: () => [
        L0`def __init__(self, ${stop(1, 'start')}, ${stop(2, 'end')}):`,
        L1`# Pickled to the executors: keep plain, picklable values.`,
        L1`self.${stop(1, 'start')} = ${stop(1, 'start')}`,
        L1`self.${stop(2, 'end')} = ${stop(2, 'end')}`,
      ],
    },
  ];
}

/** The templates for the class's role, without the methods it already has. */
export function memberTemplates(ctx: TemplateContext): MemberTemplate[] {
  let all: MemberTemplate[];
  switch (ctx.role) {
    case 'DataSourceStreamReader':
      all = streamReaderTemplates(ctx, false);
      break;
    case 'SimpleDataSourceStreamReader':
      all = streamReaderTemplates(ctx, true);
      break;
    case 'DataSourceStreamWriter':
    case 'DataSourceArrowStreamWriter':
      all = writerTemplates(true);
      break;
    case 'DataSourceWriter':
    case 'DataSourceArrowWriter':
      all = writerTemplates(false);
      break;
    case 'DataSourceReader':
      all = [
        {
          name: 'partitions',
          signature: 'partitions(self) -> Sequence[InputPartition]',
          build: (ref) => {
            const partition = ref(DATASOURCE, 'InputPartition');
            if (!partition) return undefined;
            return [
              L0`def partitions(self):`,
              L1`# Picklable InputPartitions; read() reads each one in its own task.`,
              L1`return [${partition}(${stop(1, '0')})]`,
            ];
          },
        },
        readTemplate(),
      ];
      break;
    case 'DataSource':
      all = dataSourceTemplates(ctx);
      break;
    case 'InputPartition':
      all = partitionTemplates();
      break;
    default:
      all = [];
  }
  return all.filter((t) => !ctx.existing.has(t.name));
}
