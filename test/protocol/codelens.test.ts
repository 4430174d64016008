/**
 * The "Dry run" lenses: above a DataSource with a stream reader factory and above concrete stream
 * readers, with the client-side command `pdsLint.dryRun` and its arguments; none on writers, batch
 * readers or base classes. The server does not announce the command (it runs in the client).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { TestClient } from '../helpers/lsp';

const SOURCE = `import pyspark.sql.datasource as ds
from pyspark.sql.datasource import DataSource, DataSourceStreamWriter, SimpleDataSourceStreamReader


class Base(ds.DataSourceStreamReader):
    def initialOffset(self):
        return {"n": 0}


class Reader(Base):
    def latestOffset(self):
        return {"n": 1}

    def partitions(self, start, end):
        return []

    def read(self, partition):
        yield (1,)


class Simple(SimpleDataSourceStreamReader):
    def read(self, start):
        return iter([]), start


class Writer(DataSourceStreamWriter):
    def write(self, rows):
        pass


class Source(DataSource):
    def streamReader(self, schema):
        return Reader()


class SinkOnly(DataSource):
    def streamWriter(self, schema, overwrite):
        return Writer()


class NotSpark:
    def streamReader(self, schema):
        return None
`;

describe('dry-run code lenses', () => {
  let client: TestClient;
  before(async () => {
    client = await TestClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('mark the DataSource and the concrete stream readers', async () => {
    const uri = client.open('lenses.py', SOURCE);
    await client.diagnostics(uri, 1);
    const lenses = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
    const lines = SOURCE.split('\n');
    const shown = lenses.map((l) => [lines[l.range.start.line].trim(), l.command?.title, l.command?.command, l.command?.arguments]);
    assert.deepEqual(shown, [
      ['class Reader(Base):', 'Dry run', 'pdsLint.dryRun', [uri, 'Reader']],
      ['class Simple(SimpleDataSourceStreamReader):', 'Dry run', 'pdsLint.dryRun', [uri, 'Simple']],
      ['class Source(DataSource):', 'Dry run', 'pdsLint.dryRun', [uri, 'Source']],
    ]);
    const caps = client.initializeResult!.capabilities;
    assert.deepEqual(caps.codeLensProvider, { resolveProvider: false });
    assert.ok(!(caps.executeCommandProvider?.commands ?? []).includes('pdsLint.dryRun'), 'the server must not run the dry run');
    client.close(uri);
  });
});
