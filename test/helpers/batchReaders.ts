/** Batch readers written in different styles, and how a conversion of one is checked. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/engine/analyze';
import { type BatchToStreamConversion, convertBatchToStream } from '../../server/src/engine/authoring/batchToStream';
import { applyEdits } from '../../server/src/engine/fixes';
import type { PythonParser } from '../../server/src/engine/parser';
import { countSyntaxErrors, getParser } from './engine';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BATCH_EXAMPLE = fs.readFileSync(path.join(ROOT, 'examples', 'batch_reader.py'), 'utf8');

export async function convert(text: string, readerName?: string): Promise<{ conversion: BatchToStreamConversion; output: string; parser: PythonParser }> {
  const parser = await getParser();
  const { model } = analyze(text, parser);
  const reader = model.classes.find((c) => (readerName ? c.name === readerName : c.role === 'DataSourceReader'));
  assert.ok(reader, 'no batch reader in the text');
  const conversion = convertBatchToStream(model, reader);
  assert.ok(conversion, `the conversion does not apply to ${reader.name}`);
  return { conversion, output: applyEdits(text, conversion.edits), parser };
}

/** Parses, lints clean under every rule, keeps every original line in order, and is not offered again. */
export async function assertGoodConversion(text: string, output: string, parser: PythonParser, readerName: string): Promise<void> {
  assert.equal(countSyntaxErrors(parser, output), 0, `syntax errors in:\n${output}`);
  const result = analyze(output, parser);
  assert.deepEqual(
    result.findings.map((f) => `${f.code} line ${result.model.lines.lineOf(f.start) + 1}: ${f.message}`),
    [],
    `findings in:\n${output}`,
  );
  assert.deepEqual(result.ruleFailures, []);
  // Only insertions: the original lines are all there, in order (an import line may have grown).
  const outLines = output.split(/\r\n|\n/);
  let at = 0;
  for (const original of text.split(/\r\n|\n/)) {
    while (at < outLines.length && !outLines[at].startsWith(original)) at++;
    assert.ok(at < outLines.length, `original line lost: ${JSON.stringify(original)}`);
    at++;
  }
  const reader = result.model.classes.find((c) => c.name === readerName)!;
  assert.equal(reader.role, 'DataSourceReader', 'the batch reader stays');
  assert.equal(convertBatchToStream(result.model, reader), undefined, 'offered again on the converted file');
}

export const MODULE_IMPORT_TABS_CRLF = [
  '"""Orders from a shop API: a batch source with its own base reader class."""',
  'import json',
  'import pyspark.sql.datasource as ds',
  '',
  '',
  'class ShopReader(ds.DataSourceReader):',
  '\t"""What every reader of the shop API shares."""',
  '',
  '\tdef __init__(self, options, schema):',
  '\t\tself.base_url = options.get("base_url", "https://shop.example.com")',
  '\t\tself.window_start = options.get("since", "2024-01-01T00:00:00+00:00")',
  '\t\tself.window_end = options.get("until", "2024-02-01T00:00:00+00:00")',
  '',
  '',
  'class OrdersReader(ShopReader):',
  '\tdef partitions(self):',
  '\t\t# One partition for the whole window (the API pages by itself).',
  '\t\treturn [ds.InputPartition((self.window_start, self.window_end))]',
  '',
  '\tdef read(self, partition):',
  '\t\timport requests',
  '',
  '\t\tlo, hi = partition.value  # both ends inclusive',
  '\t\tpage = 1',
  '\t\twhile True:',
  '\t\t\tresponse = requests.get(f"{self.base_url}/orders", params={"created_min": lo, "created_max": hi, "page": page}, timeout=30)',
  '\t\t\tresponse.raise_for_status()',
  '\t\t\torders = response.json()["orders"]',
  '\t\t\tif not orders:',
  '\t\t\t\treturn',
  '\t\t\tfor order in orders:',
  '\t\t\t\tyield (order["id"], order["total"], json.dumps(order["items"]))',
  '\t\t\tpage += 1',
  '\t\t# Trailing comment of read().',
  '',
  '',
  'class ShopSource(ds.DataSource):',
  '\t@classmethod',
  '\tdef name(cls):',
  '\t\treturn "shop_orders"',
  '',
  '\tdef schema(self):',
  '\t\treturn "id STRING, total DOUBLE, items STRING"',
  '',
  '\tdef reader(self, schema):',
  '\t\treturn OrdersReader(self.options, schema)',
  '',
].join('\r\n');

export const NO_DATASOURCE_READER_ATTRS = `import datetime

from pyspark.sql.datasource import DataSourceReader as Reader


class AuditLogReader(Reader):
    """Reads the audit log between two times given as options (ISO-8601)."""

    def __init__(self, options, schema):
        self.endpoint = options["endpoint"]
        # The API wants datetimes serialised by itself.
        self.after = datetime.datetime.fromisoformat(options["after"])
        self.until = datetime.datetime.fromisoformat(options["until"])

    def read(self, partition):
        import requests

        # "after" is exclusive, "until" inclusive.
        response = requests.get(self.endpoint, params={"after": self.after.isoformat(), "until": self.until.isoformat()}, timeout=60)
        response.raise_for_status()
        for entry in response.json():
            yield (entry["id"], entry["actor"], entry["at"])
`;

