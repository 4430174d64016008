/** Edits that rules share: imports added where Python will see them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import { applyEdits } from '../server/src/engine/fixes';
import { ensureImportEdit } from '../server/src/engine/rules/helpers';
import { getParser } from './helpers/engine';

async function modelOf(text: string) {
  return analyze(text, await getParser(), { rules: [] }).model;
}

describe('ensureImportEdit', () => {
  it('adds a module-level import when the name is only imported inside another function', async () => {
    const text = 'import json\n\n\ndef f():\n    from pyspark.sql.datasource import WriterCommitMessage\n    return WriterCommitMessage()\n';
    const edit = ensureImportEdit(await modelOf(text), 'pyspark.sql.datasource', 'WriterCommitMessage');
    assert.ok(edit);
    assert.equal(applyEdits(text, [edit]).split('\n')[1], 'from pyspark.sql.datasource import WriterCommitMessage');
  });

  it('extends an existing from-import and leaves a present name alone', async () => {
    const text = 'from pyspark.sql.datasource import DataSource\nx = 1\n';
    const edit = ensureImportEdit(await modelOf(text), 'pyspark.sql.datasource', 'WriterCommitMessage');
    assert.equal(applyEdits(text, [edit!]), 'from pyspark.sql.datasource import DataSource, WriterCommitMessage\nx = 1\n');
    assert.equal(ensureImportEdit(await modelOf(text), 'pyspark.sql.datasource', 'DataSource'), undefined);
  });

  it('puts a first import below a shebang and a module docstring, keeping CRLF', async () => {
    const text = '#!/usr/bin/env python\r\n"""Doc."""\r\nx = 1\r\n';
    const edit = ensureImportEdit(await modelOf(text), 'json', 'dumps');
    assert.equal(applyEdits(text, [edit!]), '#!/usr/bin/env python\r\n"""Doc."""\r\nfrom json import dumps\r\nx = 1\r\n');
  });
});
