/**
 * The "Convert to streaming reader" refactor on differently written batch readers: the result
 * parses, lints clean under every rule, keeps the user's code and comments, follows the file's
 * imports, indentation and line breaks, and is not offered again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import { batchReadersAt, convertBatchToStream } from '../server/src/engine/authoring/batchToStream';
import { applyEdits } from '../server/src/engine/fixes';
import { assertGoodConversion, BATCH_EXAMPLE, convert, MODULE_IMPORT_TABS_CRLF, NO_DATASOURCE_READER_ATTRS } from './helpers/batchReaders';
import { countSyntaxErrors, getParser } from './helpers/engine';

describe('batch to streaming reader conversion', () => {
  it('converts the example: partition attributes, aware datetimes, an exclusive end, wired into the DataSource', async () => {
    const { conversion, output, parser } = await convert(BATCH_EXAMPLE);
    assert.deepEqual(conversion.access, { form: 'partition-attrs', startAttr: 'start', endAttr: 'end', bound: 'datetime', semantics: 'end-exclusive' });
    assert.equal(conversion.streamClass, 'EventsStreamReader');
    assert.equal(conversion.partitionClass, 'EventsTimeRangePartition');
    assert.deepEqual(conversion.dataSources.map((d) => d.name), ['EventsDataSource']);
    assert.match(output, /^from pyspark\.sql\.datasource import DataSource, DataSourceReader, InputPartition, DataSourceStreamReader$/m);
    assert.match(output, /^class EventsStreamReader\(DataSourceStreamReader\):$/m);
    assert.match(output, /^ {4}def streamReader\(self, schema\):\n.*\n {8}return EventsStreamReader\(self\.options, self\.reader\(schema\)\)$/m);
    assert.match(output, /latest = \(datetime\.now\(timezone\.utc\) - self\.lag\)\.replace\(microsecond=0\)/);
    assert.match(output, /yield from self\.batch_reader\.read\(partition\)/);
    // Half-open: the ranges meet, and no microsecond is skipped.
    assert.match(output, /while current < end_ts:/);
    assert.doesNotMatch(output.slice(output.indexOf('def partitions(self, start, end)')), /microseconds=1/);
    await assertGoodConversion(BATCH_EXAMPLE, output, parser, 'EventsReader');
  });

  it('converts a reader of a module-imported base class, tab-indented, CRLF, reading partition.value as strings', async () => {
    const { conversion, output, parser } = await convert(MODULE_IMPORT_TABS_CRLF, 'OrdersReader');
    assert.deepEqual(conversion.access, { form: 'partition-value', startAttr: 'start', endAttr: 'end', bound: 'str', semantics: 'inclusive' });
    assert.equal(conversion.streamClass, 'OrdersStreamReader');
    assert.doesNotMatch(output.replace(/\r\n/g, ''), /\n/, 'a lone \\n in a CRLF file');
    const added = output.split('\r\n').filter((l) => !MODULE_IMPORT_TABS_CRLF.split('\r\n').includes(l));
    assert.ok(added.every((l) => !/^ +/.test(l)), `space-indented lines in a tab file: ${added.filter((l) => /^ +/.test(l)).join(' | ')}`);
    assert.match(output, /^class OrdersStreamReader\(ds\.DataSourceStreamReader\):\r$/m);
    assert.match(output, /^class OrdersTimeRangePartition\(ds\.InputPartition\):\r$/m);
    assert.match(output, /^from datetime import datetime, timedelta, timezone\r$/m);
    // Inclusive: the first range starts 1 µs after the previous offset, the ranges do not meet.
    assert.match(output, /start_ts = datetime\.fromisoformat\(start\["ts"\]\) \+ timedelta\(microseconds=1\)/);
    assert.match(output, /current = next_time \+ timedelta\(microseconds=1\)/);
    assert.match(output, /OrdersTimeRangePartition\(current\.isoformat\(\), next_time\.isoformat\(\)\)/);
    // Inserted after the trailing comment that belongs to read().
    assert.ok(output.indexOf('# Trailing comment of read().') < output.indexOf('class OrdersTimeRangePartition'));
    await assertGoodConversion(MODULE_IMPORT_TABS_CRLF, output, parser, 'OrdersReader');
  });

  it('converts a reader without a DataSource that takes its range from its own attributes', async () => {
    const { conversion, output, parser } = await convert(NO_DATASOURCE_READER_ATTRS);
    assert.deepEqual(conversion.access, { form: 'reader-attrs', startAttr: 'after', endAttr: 'until', bound: 'datetime', semantics: 'start-exclusive' });
    assert.deepEqual(conversion.dataSources, []);
    assert.equal(conversion.streamClass, 'AuditLogStreamReader');
    // `import datetime` is the module here: the generated code says datetime.datetime.
    assert.match(output, /latest = \(datetime\.datetime\.now\(datetime\.timezone\.utc\) - self\.lag\)/);
    assert.match(output, /^import copy$/m);
    assert.match(output, /batch_reader = copy\.copy\(self\.batch_reader\)\n +batch_reader\.after = partition\.start\n +batch_reader\.until = partition\.end/);
    assert.match(output, /def streamReader\(self, schema\): return AuditLogStreamReader\(self\.options, self\.reader\(schema\)\)/, 'the wiring is explained');
    await assertGoodConversion(NO_DATASOURCE_READER_ATTRS, output, parser, 'AuditLogReader');
  });

  it('is offered on the batch reader and on its DataSource, and picks names that are free', async () => {
    const parser = await getParser();
    const text = BATCH_EXAMPLE + '\n\nclass EventsStreamReader:\n    """Not a data source class: the name is taken."""\n';
    const { model } = analyze(text, parser);
    const at = (needle: string) => text.indexOf(needle);
    assert.deepEqual(batchReadersAt(model, at('class EventsReader')).map((c) => c.name), ['EventsReader']);
    assert.deepEqual(batchReadersAt(model, at('return "events"')).map((c) => c.name), ['EventsReader']);
    assert.deepEqual(batchReadersAt(model, at('def parse_time')).map((c) => c.name), []);
    assert.deepEqual(batchReadersAt(model, at('class DayPartition')).map((c) => c.name), []);
    const conversion = convertBatchToStream(model, model.classesByName.get('EventsReader')!)!;
    assert.equal(conversion.streamClass, 'EventsStreamReader2');
    const output = applyEdits(text, conversion.edits);
    assert.equal(countSyntaxErrors(parser, output), 0);
    assert.deepEqual(analyze(output, parser).findings.map((f) => f.code), []);
  });

  it('is not offered when the batch read does not take a time range it can be given', async () => {
    const parser = await getParser();
    const cases = {
      'integer pages': `from pyspark.sql.datasource import DataSourceReader, InputPartition


class PagesReader(DataSourceReader):
    def partitions(self):
        return [InputPartition(page) for page in range(10)]

    def read(self, partition):
        yield (partition.value,)
`,
      'int ranges': `from pyspark.sql.datasource import DataSourceReader, InputPartition


class Part(InputPartition):
    def __init__(self, start, end):
        self.start = start
        self.end = end


class IdsReader(DataSourceReader):
    def partitions(self):
        return [Part(0, 100), Part(101, 200)]

    def read(self, partition):
        for i in range(partition.start, partition.end + 1):
            yield (i,)
`,
      'partition passed on': `from pyspark.sql.datasource import DataSourceReader


class OpaqueReader(DataSourceReader):
    def read(self, partition):
        yield from fetch_all(partition)
`,
      'a syntax error in the class': `from pyspark.sql.datasource import DataSourceReader


class BrokenReader(DataSourceReader):
    def read(self, partition):
        yield (partition.start, partition.end
`,
    };
    for (const [what, text] of Object.entries(cases)) {
      const { model } = analyze(text, parser);
      const reader = model.classes.find((c) => c.role === 'DataSourceReader')!;
      assert.equal(convertBatchToStream(model, reader), undefined, what);
    }
  });

  it('is not offered when the DataSource already has a stream reader', async () => {
    const parser = await getParser();
    const text = BATCH_EXAMPLE.replace(
      '    def reader(self, schema):',
      '    def simpleStreamReader(self, schema):\n        raise NotImplementedError\n\n    def reader(self, schema):',
    );
    const { model } = analyze(text, parser);
    assert.equal(convertBatchToStream(model, model.classesByName.get('EventsReader')!), undefined);
  });
});
