/**
 * What Spark does with each contract method, for hovers and completions. Facts from the streaming API reference
 * (Spark 4.0–4.2): where the method runs, what it must return, what Spark does with the value.
 */
import type { SparkRole } from '../../engine/model';

export interface ContractEntry {
  signature: string;
  runs: 'driver' | 'executor' | 'driver (planning)';
  text: string;
}

const STREAM_READER: Record<string, ContractEntry> = {
  initialOffset: {
    signature: 'initialOffset(self) -> dict',
    runs: 'driver',
    text: 'Called once when the query starts without a checkpoint. Return the offset to start from, as a dict of JSON types: Spark stores `json.dumps(offset)` in the checkpoint and passes `json.loads` of it back as `start`.',
  },
  latestOffset: {
    signature: 'latestOffset(self) -> dict   # 4.2: latestOffset(self, start, limit)',
    runs: 'driver',
    text: 'Called on every trigger, possibly more than once per batch. Return the offset of the newest data; the same JSON means "no new data". A value that changes between calls (unrounded `datetime.now()`) makes batches skip or repeat rows.',
  },
  partitions: {
    signature: 'partitions(self, start: dict, end: dict) -> Sequence[InputPartition]',
    runs: 'driver',
    text: 'Split the range (start, end] into `InputPartition`s (picklable, a list: Spark calls `len()`). `start` is the previous batch\'s `end`: exclude it, or the row on the boundary is read twice. Called with `start == end` on restart: return `[]`.',
  },
  read: {
    signature: 'read(self, partition) -> Iterator[tuple]',
    runs: 'executor',
    text: 'Runs on an executor, on a copy of the reader pickled when the query was planned: attributes set later in `latestOffset`/`partitions`/`commit` are not there. Yield tuples (or `Row`s) in schema order; return an iterator, not a list.',
  },
  commit: {
    signature: 'commit(self, end: dict) -> None',
    runs: 'driver',
    text: 'Called after the batch ending at `end` completed. Acknowledge or delete consumed messages here, not in `read()`. A no-op is fine for sources Spark can re-read (REST APIs): the checkpoint tracks offsets.',
  },
  stop: {
    signature: 'stop(self) -> None',
    runs: 'driver',
    text: 'Called when the query stops. Release driver-side resources.',
  },
  getDefaultReadLimit: {
    signature: 'getDefaultReadLimit(self) -> ReadLimit',
    runs: 'driver',
    text: 'Spark 4.2: the read limit passed to `latestOffset(start, limit)`; one of `ReadAllAvailable()`, `ReadMaxRows(max_rows)`, `ReadMinRows(min_rows)`, `ReadMaxFiles(max_files)`, `ReadMaxBytes(max_bytes)`.',
  },
};

const SIMPLE_READER: Record<string, ContractEntry> = {
  initialOffset: STREAM_READER.initialOffset,
  read: {
    signature: 'read(self, start: dict) -> (Iterator[tuple], dict)',
    runs: 'driver',
    text: 'Runs on the driver on every trigger. Return the rows after `start` and the next offset. The iterator is copied (`copy.copy`), so return `iter(list)`, not a generator. When rows are returned the offset must advance (4.2: SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE).',
  },
  readBetweenOffsets: {
    signature: 'readBetweenOffsets(self, start: dict, end: dict) -> Iterator[tuple]',
    runs: 'executor',
    text: 'Replays a batch after a restart or failure, on an executor. Must return exactly the rows in (start, end], deterministically. Missing, the replayed batch fails with NOT_IMPLEMENTED.',
  },
  commit: STREAM_READER.commit,
};

const STREAM_WRITER: Record<string, ContractEntry> = {
  write: {
    signature: 'write(self, iterator) -> WriterCommitMessage',
    runs: 'executor',
    text: 'Runs once per task on an executor, and again when Spark retries the task or replays the batch: make the writes idempotent. Must return a `WriterCommitMessage` instance; `None` fails with DATA_SOURCE_TYPE_MISMATCH. Raise on errors, do not swallow them.',
  },
  commit: {
    signature: 'commit(self, messages: list, batchId: int) -> None',
    runs: 'driver',
    text: 'Called on the driver when every task of the batch succeeded, with their messages (entries can be `None`). Runs on a different writer object than `write()`. Must be idempotent per `batchId`: a batch can be replayed after a crash.',
  },
  abort: {
    signature: 'abort(self, messages: list, batchId: int) -> None',
    runs: 'driver',
    text: 'Called on the driver when the batch failed; messages of failed tasks are `None`. Clean up what `write()` staged.',
  },
};

const DATA_SOURCE: Record<string, ContractEntry> = {
  name: {
    signature: '@classmethod name(cls) -> str',
    runs: 'driver (planning)',
    text: 'The format name used in `spark.readStream.format(...)`. Must be a `@classmethod` (Spark checks `inspect.ismethod(cls.name)`).',
  },
  schema: {
    signature: 'schema(self) -> StructType | str',
    runs: 'driver (planning)',
    text: 'The schema when the user gives none: a `StructType` or a DDL string such as `"id INT, ts TIMESTAMP"`. Rows from `read()` must match it in arity and order.',
  },
  streamReader: {
    signature: 'streamReader(self, schema: StructType) -> DataSourceStreamReader',
    runs: 'driver (planning)',
    text: 'Called with the keyword `schema=`, once on the driver and again in a planning worker whose reader is pickled to executors. Spark falls back to `simpleStreamReader` only on `PySparkNotImplementedError`.',
  },
  simpleStreamReader: {
    signature: 'simpleStreamReader(self, schema: StructType) -> SimpleDataSourceStreamReader',
    runs: 'driver (planning)',
    text: 'Used only when `streamReader` raises `PySparkNotImplementedError`. Called with the keyword `schema=`.',
  },
  streamWriter: {
    signature: 'streamWriter(self, schema: StructType, overwrite: bool) -> DataSourceStreamWriter',
    runs: 'driver (planning)',
    text: 'Called with keywords `schema=` and `overwrite=`; the writer is pickled to executors for `write()`, and built again on the driver for `commit`/`abort`.',
  },
  reader: {
    signature: 'reader(self, schema: StructType) -> DataSourceReader',
    runs: 'driver (planning)',
    text: 'The batch reader, for `spark.read.format(...)`. It is pickled to the executors that run its `read()`.',
  },
  writer: {
    signature: 'writer(self, schema: StructType, overwrite: bool) -> DataSourceWriter',
    runs: 'driver (planning)',
    text: 'The batch writer, for `df.write.format(...)`. It is pickled to the executors that run its `write()`.',
  },
};

const BATCH_READER: Record<string, ContractEntry> = {
  partitions: {
    signature: 'partitions(self) -> Sequence[InputPartition]',
    runs: 'driver (planning)',
    text: 'Split the read into `InputPartition`s (picklable); each is read by `read()` in its own task. Without it, Spark reads one partition.',
  },
  read: {
    signature: 'read(self, partition) -> Iterator[tuple]',
    runs: 'executor',
    text: 'Runs on an executor, on a pickled copy of the reader. Yield tuples (or `Row`s) in schema order for the partition; return an iterator, not a list.',
  },
};

const BATCH_WRITER: Record<string, ContractEntry> = {
  write: {
    signature: 'write(self, iterator) -> WriterCommitMessage',
    runs: 'executor',
    text: 'Runs once per task on an executor (again when the task is retried). Must return a `WriterCommitMessage` instance; Spark passes them to `commit`.',
  },
  commit: {
    signature: 'commit(self, messages: list) -> None',
    runs: 'driver',
    text: 'Called on the driver when every task succeeded, with their messages.',
  },
  abort: {
    signature: 'abort(self, messages: list) -> None',
    runs: 'driver',
    text: 'Called on the driver when the write failed; messages of failed tasks are `None`. Clean up what `write()` staged.',
  },
};

const INPUT_PARTITION: Record<string, ContractEntry> = {
  __init__: {
    signature: '__init__(self, value)',
    runs: 'driver',
    text: 'Built by `partitions()` on the driver and pickled to the executor that reads it: keep plain, picklable values. `read()` gets only what the partition carries.',
  },
};

export function contractEntry(role: SparkRole | undefined, method: string): ContractEntry | undefined {
  const table = tableOf(role);
  // Own keys only: a method called `toString` or `constructor` is not in the contract.
  return table && Object.prototype.hasOwnProperty.call(table, method) ? table[method] : undefined;
}

function tableOf(role: SparkRole | undefined): Record<string, ContractEntry> | undefined {
  switch (role) {
    case 'DataSourceStreamReader':
      return STREAM_READER;
    case 'SimpleDataSourceStreamReader':
      return SIMPLE_READER;
    case 'DataSourceStreamWriter':
    case 'DataSourceArrowStreamWriter':
      return STREAM_WRITER;
    case 'DataSource':
      return DATA_SOURCE;
    case 'DataSourceReader':
      return BATCH_READER;
    case 'DataSourceWriter':
    case 'DataSourceArrowWriter':
      return BATCH_WRITER;
    case 'InputPartition':
      return INPUT_PARTITION;
    default:
      return undefined;
  }
}
