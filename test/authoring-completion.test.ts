/**
 * Completion in the engine: contract-method skeletons at the start of a member line, offset keys
 * after `start["`. A class completed only from these items lints clean under every rule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import { completionContext, type CompletionSource, memberCompletions, offsetKeyCompletions, sharesImports } from '../server/src/engine/authoring/completion';
import { applyEdits } from '../server/src/engine/fixes';
import type { FileModel } from '../server/src/engine/model';
import { LineIndex } from '../server/src/engine/source';
import { countSyntaxErrors, getParser } from './helpers/engine';

const CURSOR = '‸';

/** The completion source at the cursor mark; `intactText` stands for the last analysis where the classes were intact. */
async function sourceAt(marked: string, intactText?: string): Promise<CompletionSource & { current: FileModel; importModel: FileModel }> {
  const parser = await getParser();
  const offset = marked.indexOf(CURSOR);
  assert.ok(offset >= 0, 'no cursor mark');
  const text = marked.replace(CURSOR, '');
  const current = analyze(text, parser).model;
  const intactModel = intactText === undefined ? undefined : analyze(intactText, parser).model;
  return {
    text,
    offset,
    lines: new LineIndex(text),
    current,
    importModel: current,
    intact: intactModel
      ? (name) => {
          const cls = intactModel.classes.find((c) => c.name === name && !c.hasSyntaxError);
          return cls ? { model: intactModel, cls } : undefined;
        }
      : undefined,
  };
}

async function memberNames(marked: string): Promise<string[]> {
  return memberCompletions(await sourceAt(marked)).map((c) => c.template.name + (c.template.variant ? ` (${c.template.variant})` : ''));
}

/** Completes `className` with every offered member, one at a time at the end of its body, until nothing is left. */
async function completeClass(text: string, className: string, pick: (names: string[]) => string | undefined = (n) => n[0]): Promise<{ text: string; added: string[] }> {
  const parser = await getParser();
  const added: string[] = [];
  for (let round = 0; round < 20; round++) {
    const model = analyze(text, parser).model;
    const cls = model.classes.find((c) => c.name === className);
    const lines = new LineIndex(text);
    // A new member line at the end of the class (or its first line when the body is empty).
    let insertAt: number;
    let indent = '';
    if (cls && !cls.hasSyntaxError) {
      const lastLine = lines.lineOf(cls.node.end - 1);
      insertAt = lines.lineEndWithoutBreak(lastLine);
      indent = /^[ \t]*/.exec(lines.lineText(lines.lineOf(cls.body.start)))![0];
      text = `${text.slice(0, insertAt)}\n\n${indent}${text.slice(insertAt)}`;
      insertAt += 2 + indent.length;
    } else {
      insertAt = text.indexOf(CURSOR);
      assert.ok(insertAt >= 0, 'the empty class needs a cursor mark');
      text = text.replace(CURSOR, '');
    }
    const current = analyze(text, parser).model;
    const completions = memberCompletions({ text, offset: insertAt, lines: new LineIndex(text), current, importModel: current });
    const chosen = pick(completions.map((c) => c.template.name + (c.template.variant ? ` (${c.template.variant})` : '')));
    const item = completions.find((c) => c.template.name + (c.template.variant ? ` (${c.template.variant})` : '') === chosen);
    if (!item) {
      // Nothing left: take the blank line back out.
      if (cls && !cls.hasSyntaxError) text = text.slice(0, insertAt - 2 - indent.length) + text.slice(insertAt);
      return { text, added };
    }
    added.push(chosen!);
    text = applyEdits(text, [{ start: item.start, end: item.end, newText: item.insert.plain.absolute }, ...item.additionalEdits]);
  }
  throw new Error('completion did not converge');
}

async function assertClean(text: string): Promise<void> {
  const parser = await getParser();
  assert.equal(countSyntaxErrors(parser, text), 0, `syntax errors in:\n${text}`);
  const result = analyze(text, parser);
  assert.deepEqual(result.ruleFailures, []);
  assert.deepEqual(
    result.findings.map((f) => `${f.code} line ${result.model.lines.lineOf(f.start) + 1}: ${f.message}`),
    [],
    `findings in:\n${text}`,
  );
}

const ALL_ROLES = `import pyspark.sql.datasource as ds
from pyspark.sql.datasource import DataSourceStreamReader, SimpleDataSourceStreamReader, DataSourceStreamWriter


class TickPartition(ds.InputPartition):
    ${CURSOR}


class TickStreamReader(DataSourceStreamReader):
    def __init__(self, options, schema):
        self.url = options.get("url")


class TickSimpleReader(SimpleDataSourceStreamReader):
    """Completed too, but not wired: a DataSource uses one stream reader."""


class TickWriter(DataSourceStreamWriter):
    def __init__(self, options, schema, overwrite):
        self.url = options.get("url")


class TickBatchReader(ds.DataSourceReader):
    pass


class TickBatchWriter(ds.DataSourceWriter):
    pass


class TickSource(ds.DataSource):
    pass
`;

describe('member completion', () => {
  it('offers the stream reader contract with streaming signatures, and both latestOffset forms', async () => {
    const names = await memberNames(`from pyspark.sql.datasource import DataSourceStreamReader


class R(DataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    ${CURSOR}
`);
    assert.deepEqual(names, ['latestOffset', 'latestOffset (Spark 4.2)', 'partitions', 'read', 'commit', 'stop']);
    const source = await sourceAt(`from pyspark.sql.datasource import DataSourceStreamReader


class R(DataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    ${CURSOR}
`);
    const partitions = memberCompletions(source).find((c) => c.template.name === 'partitions')!;
    assert.equal(partitions.template.signature, 'partitions(self, start: dict, end: dict) -> Sequence[InputPartition]');
    assert.match(partitions.insert.plain.absolute, /^def partitions\(self, start: dict, end: dict\):\n {8}#.*\n {8}first, last = start\["offset"\] \+ 1, end\["offset"\]\n {8}return \[InputPartition\(\(first, last\)\)\] if first <= last else \[\]$/);
    assert.deepEqual(partitions.additionalEdits.map((e) => e.newText), [', InputPartition']);
    const latest42 = memberCompletions(source).find((c) => c.template.variant === 'Spark 4.2')!;
    assert.match(latest42.insert.snippet.absolute, /^def latestOffset\(self, start: dict, limit\):/);
    assert.match(latest42.insert.snippet.absolute, /latest = \$\{1:start\["offset"\]\}/);
  });

  it('builds offsets from the keys the producers already write', async () => {
    const source = await sourceAt(`import json
from datetime import datetime, timezone
from pyspark.sql.datasource import DataSourceStreamReader


class R(DataSourceStreamReader):
    def initialOffset(self):
        return {"ts": datetime.now(timezone.utc).isoformat(), "seq": 0}

    ${CURSOR}
`);
    const latest = memberCompletions(source).find((c) => c.template.name === 'latestOffset' && !c.template.variant)!;
    assert.match(latest.insert.snippet.absolute, /return \{"ts": \$\{1:"1970-01-01T00:00:00\+00:00"\}, "seq": \$\{2:0\}\\\}$/);
    assert.match(latest.insert.plain.absolute, /return \{"ts": "1970-01-01T00:00:00\+00:00", "seq": 0\}$/);
  });

  it('replaces a typed `def` and word, and keeps to the class body level', async () => {
    const source = await sourceAt(`from pyspark.sql.datasource import DataSourceStreamReader


class R(DataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    def la${CURSOR}
`);
    const items = memberCompletions(source);
    const latest = items.find((c) => c.template.name === 'latestOffset')!;
    assert.equal(latest.filterText, 'def latestOffset');
    assert.equal(source.text.slice(latest.start, latest.end), 'def la');
    for (const [where, marked] of Object.entries({
      'in a method body': `from pyspark.sql.datasource import DataSourceStreamReader


class R(DataSourceStreamReader):
    def initialOffset(self):
        ${CURSOR}
`,
      'in a class without a Spark role': `class Plain:
    def initialOffset(self):
        return {}

    ${CURSOR}
`,
      'below a decorator': `from pyspark.sql.datasource import DataSource


class D(DataSource):
    @classmethod
    ${CURSOR}
`,
      'with text after the cursor': `from pyspark.sql.datasource import DataSourceStreamReader


class R(DataSourceStreamReader):
    ${CURSOR}x = 1
`,
      'at module level': `from pyspark.sql.datasource import DataSourceStreamReader
${CURSOR}
`,
    })) {
      assert.deepEqual(await memberNames(marked), [], where);
    }
  });

  it('follows the file: tabs, CRLF, relative indentation for clients that adjust it', async () => {
    const source = await sourceAt(
      ['from pyspark.sql.datasource import DataSourceStreamWriter', '', '', 'class W(DataSourceStreamWriter):', `\t${CURSOR}`, ''].join('\r\n'),
    );
    const write = memberCompletions(source).find((c) => c.template.name === 'write')!;
    assert.equal(write.insert.plain.absolute, ['def write(self, iterator):', '\t\t# On executors, again on retries: make writes idempotent, let errors raise.', '\t\tfor row in iterator:', '\t\t\tpass', '\t\treturn WriterCommitMessage()'].join('\r\n'));
    assert.equal(write.insert.plain.relative, ['def write(self, iterator):', '\t# On executors, again on retries: make writes idempotent, let errors raise.', '\tfor row in iterator:', '\t\tpass', '\treturn WriterCommitMessage()'].join('\r\n'));
    assert.deepEqual(write.additionalEdits.map((e) => e.newText), [', WriterCommitMessage']);
  });

  it('knows a class typed since the last analysis from the bases on its line', async () => {
    const names = await memberNames(`import pyspark.sql.datasource as ds


class Fresh(ds.SimpleDataSourceStreamReader):
    ${CURSOR}
`);
    assert.deepEqual(names, ['initialOffset', 'read', 'readBetweenOffsets', 'commit']);
  });

  it('counts methods inherited from user base classes as present', async () => {
    const names = await memberNames(`from pyspark.sql.datasource import DataSourceStreamReader


class Base(DataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    def commit(self, end):
        pass


class R(Base):
    ${CURSOR}
`);
    assert.deepEqual(names, ['latestOffset', 'latestOffset (Spark 4.2)', 'partitions', 'read', 'stop']);
  });

  it('offers one stream reader factory on a DataSource, returning the file\'s reader class', async () => {
    const marked = `from pyspark.sql.datasource import DataSource, DataSourceStreamReader


class TicksReader(DataSourceStreamReader):
    def __init__(self, options, schema):
        self.options = options


class TicksDataSource(DataSource):
    def streamReader(self, schema):
        return TicksReader(self.options, schema)

    ${CURSOR}
`;
    const names = await memberNames(marked);
    assert.deepEqual(names, ['name', 'schema', 'streamWriter', 'reader', 'writer']);
    const source = await sourceAt(marked.replace('    def streamReader(self, schema):\n        return TicksReader(self.options, schema)\n\n', ''));
    const items = memberCompletions(source);
    assert.equal(items.find((c) => c.template.name === 'streamReader')!.insert.plain.absolute, 'def streamReader(self, schema):\n        return TicksReader(self.options, schema)');
    assert.equal(items.find((c) => c.template.name === 'name')!.insert.plain.absolute, '@classmethod\n    def name(cls):\n        return "ticks"');
  });

  it('completes a class of every role into code that lints clean under every rule', async () => {
    let text = ALL_ROLES;
    const order: Record<string, string[]> = {};
    for (const cls of ['TickPartition', 'TickStreamReader', 'TickSimpleReader', 'TickWriter', 'TickBatchReader', 'TickBatchWriter', 'TickSource']) {
      const done = await completeClass(text, cls);
      text = done.text;
      order[cls] = done.added;
    }
    assert.deepEqual(order, {
      TickPartition: ['__init__'],
      TickStreamReader: ['initialOffset', 'latestOffset', 'partitions', 'read', 'commit', 'stop'],
      TickSimpleReader: ['initialOffset', 'read', 'readBetweenOffsets', 'commit'],
      TickWriter: ['write', 'commit', 'abort'],
      TickBatchReader: ['partitions', 'read'],
      TickBatchWriter: ['write', 'commit', 'abort'],
      TickSource: ['name', 'schema', 'streamReader', 'streamWriter', 'reader', 'writer'],
    });
    // The file has `import pyspark.sql.datasource as ds`: library names go through it, no new import.
    assert.match(text, /^from pyspark\.sql\.datasource import DataSourceStreamReader, SimpleDataSourceStreamReader, DataSourceStreamWriter$/m);
    assert.match(text, /return ds\.WriterCommitMessage\(\)/);
    assert.match(text, /def streamWriter\(self, schema, overwrite\):\n {8}return TickWriter\(self\.options, schema, overwrite\)/);
    if (process.env.PDS_DUMP) process.stdout.write(text);
    await assertClean(text);
  });

  it('completes a stream reader with the Spark 4.2 latestOffset into clean code too', async () => {
    const text = `from pyspark.sql.datasource import DataSource, DataSourceStreamReader


class R(DataSourceStreamReader):
    ${CURSOR}


class D(DataSource):
    def streamReader(self, schema):
        return R()
`;
    const done = await completeClass(text, 'R', (names) => names.find((n) => n !== 'latestOffset') ?? names[0]);
    assert.deepEqual(done.added, ['initialOffset', 'latestOffset (Spark 4.2)', 'partitions', 'read', 'commit', 'stop']);
    await assertClean(done.text);
  });
});

describe('the completion context, from the text alone', () => {
  it('is there only at a member line of a class or at an offset key access (no model needed elsewhere)', () => {
    const context = (marked: string) => {
      const text = marked.replace(CURSOR, '');
      return completionContext(text, new LineIndex(text), marked.indexOf(CURSOR));
    };
    const reader = (body: string) => `class R(DataSourceStreamReader):\n    def partitions(self, start, end):\n        ${body}\n`;
    assert.equal(context(`class R(DataSourceStreamReader):\n    la${CURSOR}\n`), 'member');
    assert.equal(context(reader(`lo = start["${CURSOR}`)), 'offsetKey');
    assert.equal(context(reader(`lo = json.loads(end)['${CURSOR}`)), 'offsetKey');
    assert.equal(context(reader(`total${CURSOR}`)), undefined, 'a word in a method body');
    assert.equal(context(reader(`url = options["${CURSOR}`)), undefined, 'not an offset parameter');
    assert.equal(context(`x = start["${CURSOR}`), undefined, 'module level');
    assert.equal(context(`def f(start, end):\n    return start["${CURSOR}`), undefined, 'a function, not a method');
  });
});

describe('kept models for import edits', () => {
  it('serve while the text up to the imports is unchanged', async () => {
    const parser = await getParser();
    const text = '"""Doc."""\nimport json\nfrom pyspark.sql.datasource import DataSource\n\n\nclass D(DataSource):\n    pass\n';
    const kept = analyze(text, parser).model;
    assert.ok(sharesImports(kept, text));
    assert.ok(sharesImports(kept, text.replace('    pass', '    @classmethod\n    def n')), 'edits below the imports');
    assert.ok(!sharesImports(kept, text.replace('import json', 'import json, os')), 'an import changed');
    assert.ok(!sharesImports(kept, `# header\n${text}`), 'text above the imports');
  });
});

const KEYS_READER = `import json
from datetime import datetime, timezone
from pyspark.sql.datasource import DataSourceStreamReader, SimpleDataSourceStreamReader, InputPartition


class Events(DataSourceStreamReader):
    def initialOffset(self):
        return {"ts": datetime.now(timezone.utc).replace(microsecond=0).isoformat(), "seq": 0}

    def latestOffset(self):
        return {"ts": datetime.now(timezone.utc).replace(microsecond=0).isoformat(), "seq": 10}

    def partitions(self, start, end):
        return [InputPartition((start["seq"], end["seq"]))]

    def read(self, partition):
        yield (partition.value,)

    def commit(self, end):
        pass


class Seeded(DataSourceStreamReader):
    def initialOffset(self):
        return json.dumps({"ts": "2024-01-01T00:00:00+00:00"})

    def latestOffset(self):
        return json.dumps({"ts": datetime.now(timezone.utc).replace(microsecond=0).isoformat()})

    def partitions(self, start, end):
        return []

    def read(self, partition):
        yield from ()


class Simple(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"page": 0}

    def read(self, start):
        return (iter([]), {"page": start["page"] + 1})


class Limited(DataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    def latestOffset(self, start, limit):
        return {"offset": start["offset"]}
`;

/** KEYS_READER with `typed` inserted at the start of the body of `method` in `className`, broken as the user types. */
function typing(className: string, method: string, typed: string): string {
  const classAt = KEYS_READER.indexOf(`class ${className}(`);
  const defAt = KEYS_READER.indexOf(`def ${method}(`, classAt);
  const bodyAt = KEYS_READER.indexOf('\n', defAt) + 1;
  return `${KEYS_READER.slice(0, bodyAt)}        ${typed}\n${KEYS_READER.slice(bodyAt)}`;
}

async function keysAt(marked: string): Promise<{ label: string; detail: string; insert: string }[]> {
  return offsetKeyCompletions(await sourceAt(marked, KEYS_READER)).map((c) => ({ label: c.key.key, detail: `${c.key.key} — ${c.key.kinds.join(' | ')}`, insert: c.insert }));
}

describe('offset key completion', () => {
  it('completes the keys the producers write after start["', async () => {
    assert.deepEqual(await keysAt(typing('Events', 'partitions', `lo = start["${CURSOR}`)), [
      { label: 'ts', detail: 'ts — str (isoformat)', insert: 'ts"]' },
      { label: 'seq', detail: 'seq — int', insert: 'seq"]' },
    ]);
  });

  it('inserts only the key when the editor closed the quote, and closes .get( calls', async () => {
    assert.deepEqual((await keysAt(typing('Events', 'partitions', `lo = start["${CURSOR}"]`))).map((k) => k.insert), ['ts', 'seq']);
    assert.deepEqual((await keysAt(typing('Events', 'commit', `lo = end.get('${CURSOR}`))).map((k) => k.insert), ["ts')", "seq')"]);
    assert.deepEqual((await keysAt(typing('Events', 'partitions', `lo = end[${CURSOR}]`))).map((k) => k.insert), ['"ts"', '"seq"']);
    assert.deepEqual((await keysAt(typing('Events', 'partitions', `lo = start["s${CURSOR}`))).map((k) => k.insert), ['ts"]', 'seq"]'], 'the client filters on the typed prefix');
  });

  it('follows json.loads for string offsets, and a local assigned from an offset', async () => {
    assert.deepEqual((await keysAt(typing('Seeded', 'partitions', `lo = json.loads(start)["${CURSOR}`))).map((k) => k.label), ['ts']);
    const aliased = typing('Seeded', 'partitions', `data = json.loads(end)\n        lo = data["${CURSOR}`);
    assert.deepEqual((await keysAt(aliased)).map((k) => k.label), ['ts']);
  });

  it("works in a simple reader's read(start) and in the 4.2 latestOffset(start, limit)", async () => {
    assert.deepEqual((await keysAt(typing('Simple', 'read', `n = start["${CURSOR}`))).map((k) => k.label), ['page']);
    assert.deepEqual((await keysAt(typing('Limited', 'latestOffset', `n = start["${CURSOR}`))).map((k) => k.label), ['offset']);
  });

  it('stays quiet where the value is not an offset', async () => {
    assert.deepEqual(await keysAt(typing('Events', 'read', `x = partition["${CURSOR}`)), [], 'read(partition) of a stream reader');
    assert.deepEqual(await keysAt(typing('Events', 'partitions', `x = options["${CURSOR}`)), [], 'not an offset parameter');
    assert.deepEqual(await keysAt(typing('Events', 'initialOffset', `x = start["${CURSOR}`)), [], 'initialOffset takes no offset');
    assert.deepEqual(await keysAt(`x = start["${CURSOR}\n${KEYS_READER}`), [], 'module level');
  });
});
