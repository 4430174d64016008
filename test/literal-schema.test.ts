/**
 * Literal schemas (decision 8): DDL strings, StructType built in place or with `.add`, module
 * constants; and the unpicklable-construction catalogue behind PDS009.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileModel, literalSchemaFields, parseDdlFields, unpicklableConstruction, unpicklableKindOf } from '../server/src/engine/model';
import { childByField, convertTree } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

async function modelOf(source: string): Promise<FileModel> {
  const parser = await getParser();
  return new FileModel(source, convertTree(parser.parse(source), source));
}

describe('parseDdlFields', () => {
  it('reads top-level field names, nested types counted once', () => {
    assert.deepEqual(parseDdlFields('id INT, tags ARRAY<STRING>, m MAP<STRING, INT>, price DECIMAL(10, 2)'), ['id', 'tags', 'm', 'price']);
  });
  it('accepts the colon form and struct<...>', () => {
    assert.deepEqual(parseDdlFields('struct<a:int,b:string>'), ['a', 'b']);
    assert.deepEqual(parseDdlFields('a: int, b: string'), ['a', 'b']);
  });
  it('keeps back-quoted names with commas and non-ASCII names', () => {
    assert.deepEqual(parseDdlFields('`ville, pays` STRING, température DOUBLE'), ['ville, pays', 'température']);
  });
  it('keeps NOT NULL and COMMENT out of the names', () => {
    assert.deepEqual(parseDdlFields("id INT NOT NULL COMMENT 'key, unique', ts TIMESTAMP"), ['id', 'ts']);
  });
  it('rejects text that is not DDL', () => {
    assert.equal(parseDdlFields('id'), undefined);
    assert.equal(parseDdlFields('id INT,'), undefined);
    assert.equal(parseDdlFields('a ARRAY<INT'), undefined);
  });
});

describe('literalSchemaFields', () => {
  async function fieldsOfConstant(source: string): Promise<string[] | undefined> {
    const model = await modelOf(source);
    const binding = model.moduleBindings.get('S')?.[0];
    return literalSchemaFields(model, binding?.target)?.fields;
  }
  it('a StructType built in place', async () => {
    assert.deepEqual(
      await fieldsOfConstant('from pyspark.sql.types import StructType, StructField, IntegerType as I\nS = StructType([StructField("a", I()), StructField(name="b", dataType=I())])\n'),
      ['a', 'b'],
    );
  });
  it('a StructType built with add()', async () => {
    assert.deepEqual(await fieldsOfConstant('import pyspark.sql.types as T\nS = T.StructType().add("a", T.LongType()).add(T.StructField("b", T.LongType()))\n'), ['a', 'b']);
  });
  it('a constant naming another constant', async () => {
    assert.deepEqual(await fieldsOfConstant('DDL = "x INT, y INT, z INT"\nS = DDL\n'), ['x', 'y', 'z']);
  });
  it('not a schema read from elsewhere', async () => {
    assert.equal(await fieldsOfConstant('import os\nS = os.environ["SCHEMA"]\n'), undefined);
    assert.equal(await fieldsOfConstant('from pyspark.sql.types import StructType\nS = StructType(fields)\n'), undefined);
    assert.equal(await fieldsOfConstant('from pyspark.sql.types import StructType\nS = StructType([*base, f])\n'), undefined);
  });
});

describe('unpicklable constructions', () => {
  it('the catalogue, through imports and submodules', () => {
    assert.equal(unpicklableKindOf('boto3.client'), 'client');
    assert.equal(unpicklableKindOf('kafka.consumer.KafkaConsumer'), 'consumer');
    assert.equal(unpicklableKindOf('threading.RLock'), 'lock');
    assert.equal(unpicklableKindOf('open'), 'file');
    assert.equal(unpicklableKindOf('requests.Session'), undefined);
    assert.equal(unpicklableKindOf('myproject.connect'), undefined);
  });
  it('follows locals, helpers and generator functions', async () => {
    const model = await modelOf(
      [
        'import sqlite3',
        'from pyspark.sql.datasource import DataSourceStreamReader',
        'class R(DataSourceStreamReader):',
        '    def __init__(self, options):',
        '        conn = sqlite3.connect(options["db"])',
        '        self.a = conn',
        '        self.b = self._make()',
        '        self.c = self._rows()',
        '        self.d = options.get("x") or open("/tmp/f")',
        '        self.e = dict(options)',
        '    def _make(self):',
        '        return sqlite3.connect(":memory:")',
        '    def _rows(self):',
        '        yield 1',
        '',
      ].join('\n'),
    );
    const init = model.classesByName.get('R')!.methods.get('__init__')!;
    const kind = (attr: string) => {
      const b = init.selfWrites.get(attr)![0];
      return unpicklableConstruction(model, childByField(b.statement, 'right'), init)?.kind;
    };
    assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map(kind), ['connection', 'connection', 'generator', 'file', undefined]);
  });
});
