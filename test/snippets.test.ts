/**
 * The snippets in `snippets/*.json`: valid JSON contributed in package.json, unique `pds-`
 * prefixes, well-formed snippet syntax with tab stops 1..n and one `$0`, and, expanded with their
 * default values, Python that parses without errors, plays the Spark roles it is meant to, and on
 * which every rule of the engine stays silent. A snippet that is a fragment (a method) is checked
 * inside a minimal class of the right role.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import type { SparkRole } from '../server/src/engine/model';
import { countSyntaxErrors, getParser } from './helpers/engine';
import { countTabStop, expandSnippet, parseSnippet, SnippetSyntaxError, tabStopIndexes, variableNames } from './helpers/snippet-syntax';

const ROOT = path.resolve(__dirname, '..', '..');
const SNIPPETS_DIR = path.join(ROOT, 'snippets');

interface SnippetEntry {
  prefix: string | string[];
  body: string | string[];
  description?: string;
}

interface LoadedSnippet {
  file: string;
  name: string;
  prefix: string;
  body: string;
  description: string;
}

/** The variables VS Code defines (the ones a snippet may use), with the values a test file would give. */
const VARIABLES: Record<string, string> = {
  TM_SELECTED_TEXT: '',
  TM_CURRENT_LINE: '',
  TM_CURRENT_WORD: '',
  TM_LINE_INDEX: '0',
  TM_LINE_NUMBER: '1',
  TM_FILENAME: 'events_source.py',
  TM_FILENAME_BASE: 'events_source',
  TM_DIRECTORY: '/work/project/src',
  TM_FILEPATH: '/work/project/src/events_source.py',
  RELATIVE_FILEPATH: 'src/events_source.py',
  CLIPBOARD: '',
  WORKSPACE_NAME: 'project',
  WORKSPACE_FOLDER: '/work/project',
  CURSOR_INDEX: '0',
  CURSOR_NUMBER: '1',
  CURRENT_YEAR: '2025',
  CURRENT_YEAR_SHORT: '25',
  CURRENT_MONTH: '06',
  CURRENT_MONTH_NAME: 'June',
  CURRENT_MONTH_NAME_SHORT: 'Jun',
  CURRENT_DATE: '01',
  CURRENT_DAY_NAME: 'Sunday',
  CURRENT_DAY_NAME_SHORT: 'Sun',
  CURRENT_HOUR: '12',
  CURRENT_MINUTE: '00',
  CURRENT_SECOND: '00',
  CURRENT_SECONDS_UNIX: '1748779200',
  CURRENT_TIMEZONE_OFFSET: '+00:00',
  RANDOM: '123456',
  RANDOM_HEX: 'a1b2c3',
  UUID: '00000000-0000-4000-8000-000000000000',
  LINE_COMMENT: '#',
  BLOCK_COMMENT_START: '"""',
  BLOCK_COMMENT_END: '"""',
};

/** What each snippet must define (class name → role, `null` for a plain class), by prefix. */
const EXPECTED: Record<string, { roles: Record<string, SparkRole | null>; wrap?: (expanded: string) => string }> = {
  'pds-stream-reader': { roles: { EventTimeRangePartition: 'InputPartition', EventStreamReader: 'DataSourceStreamReader' } },
  'pds-partition': { roles: { RangePartition: 'InputPartition' } },
  'pds-simple-reader': { roles: { EventSimpleStreamReader: 'SimpleDataSourceStreamReader' } },
  'pds-offset': { roles: { CompositeOffset: null } },
  'pds-writer': { roles: { EventStreamWriter: 'DataSourceStreamWriter' } },
  'pds-monitored-read': { roles: { MonitoredStreamReader: 'DataSourceStreamReader' }, wrap: inReaderClass },
  'pds-datasource': { roles: { EventDataSource: 'DataSource' } },
};

/** A method fragment inside a complete, correct stream reader (one tab deeper, as VS Code indents it). */
function inReaderClass(fragment: string): string {
  const indented = fragment
    .split('\n')
    .map((line) => (line ? `\t${line}` : line))
    .join('\n');
  return `from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class MonitoredStreamReader(DataSourceStreamReader):
\tdef initialOffset(self):
\t\treturn {"offset": 0}

\tdef latestOffset(self):
\t\treturn {"offset": 0}

\tdef partitions(self, start, end):
\t\treturn [InputPartition(start["offset"])]

\tdef fetch_partition(self, partition):
\t\tyield (partition.value,)

${indented}`;
}

function loadSnippets(): LoadedSnippet[] {
  const out: LoadedSnippet[] = [];
  for (const file of fs.readdirSync(SNIPPETS_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const data = JSON.parse(fs.readFileSync(path.join(SNIPPETS_DIR, file), 'utf8')) as Record<string, SnippetEntry>;
    for (const [name, entry] of Object.entries(data)) {
      const prefixes = Array.isArray(entry.prefix) ? entry.prefix : [entry.prefix];
      for (const prefix of prefixes) {
        out.push({
          file,
          name,
          prefix,
          body: Array.isArray(entry.body) ? entry.body.join('\n') : entry.body,
          description: entry.description ?? '',
        });
      }
    }
  }
  return out;
}

describe('snippet syntax expander', () => {
  it('expands tab stops, placeholders, nested placeholders and mirrors', () => {
    assert.equal(expandSnippet('a $1 b ${2} c $0'), 'a  b  c ');
    assert.equal(expandSnippet('class ${1:Name}(Base):\n\tname = "$1"'), 'class Name(Base):\n\tname = "Name"');
    assert.equal(expandSnippet('$1 then ${1:later}'), 'later then later', 'the first tab stop with a value defines the mirrors before it too');
    assert.equal(expandSnippet('${1:outer ${2:inner} end} / $2'), 'outer inner end / inner');
    assert.equal(expandSnippet('${1:Event}Reader, ${2:${1}Writer}'), 'EventReader, EventWriter');
  });

  it('takes the first option of a choice, for its mirrors too', () => {
    assert.equal(expandSnippet('x: ${1|int,str|} = $1'), 'x: int = int');
    assert.equal(expandSnippet('${1|a\\,b,c\\|d|}'), 'a,b', 'escaped comma and pipe inside a choice');
  });

  it('keeps escapes and text that is not snippet syntax', () => {
    assert.equal(expandSnippet('cost: \\$5, brace: \\}, backslash: \\\\'), 'cost: $5, brace: }, backslash: \\');
    assert.equal(expandSnippet('print("a\\nb")'), 'print("a\\nb")', 'other backslashes are text');
    assert.equal(expandSnippet('f"{x}" and {"k": 1}'), 'f"{x}" and {"k": 1}', 'braces outside placeholders are text');
    assert.equal(expandSnippet('${1:a \\} b}'), 'a } b', 'an escaped brace inside a placeholder');
    assert.equal(expandSnippet('price $ and ${ x'), 'price $ and ${ x', 'a $ that starts nothing is text');
  });

  it('resolves variables: value, default when empty, name when unknown', () => {
    const vars = { TM_FILENAME_BASE: 'events_source', TM_SELECTED_TEXT: '' };
    assert.equal(expandSnippet('$TM_FILENAME_BASE ${TM_FILENAME_BASE}', vars), 'events_source events_source');
    assert.equal(expandSnippet('${TM_SELECTED_TEXT:pass}', vars), 'pass');
    assert.equal(expandSnippet('[$TM_SELECTED_TEXT]', vars), '[]');
    assert.equal(expandSnippet('${NOT_A_VARIABLE}', vars), 'NOT_A_VARIABLE');
    assert.equal(expandSnippet('${NOT_A_VARIABLE:fallback ${1:x}}', vars), 'fallback x');
    assert.equal(expandSnippet('${CURRENT_YEAR}-${CURRENT_MONTH}', { CURRENT_YEAR: '2025', CURRENT_MONTH: '06' }), '2025-06');
  });

  it('joins a body given as lines', () => {
    assert.equal(expandSnippet(['def ${1:f}():', '\treturn $1']), 'def f():\n\treturn f');
  });

  it('lists tab stops and variables, and rejects what it cannot expand', () => {
    const nodes = parseSnippet('${1:a} $2 ${3|x,y|} $1 ${4:${5:n}} $TM_FILENAME $0');
    assert.deepEqual(tabStopIndexes(nodes), [0, 1, 2, 3, 4, 5]);
    assert.equal(countTabStop(nodes, 1), 2);
    assert.equal(countTabStop(nodes, 0), 1);
    assert.deepEqual(variableNames(nodes), ['TM_FILENAME']);
    assert.throws(() => parseSnippet('${1:never closed'), SnippetSyntaxError);
    assert.throws(() => parseSnippet('${1|a,b'), SnippetSyntaxError);
    assert.throws(() => parseSnippet('${1/(.*)/${1:/upcase}/}'), /transforms are not supported/);
    assert.throws(() => expandSnippet('${1:a $1}'), /contains itself/);
  });
});

describe('snippets', () => {
  const snippets = loadSnippets();
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { snippets?: { language: string; path: string }[] };
  };

  it('are contributed for python in package.json, one entry per file', () => {
    const contributed = (pkg.contributes.snippets ?? []).map((s) => ({ language: s.language, file: path.normalize(s.path) }));
    const files = fs.readdirSync(SNIPPETS_DIR).filter((f) => f.endsWith('.json')).sort();
    assert.ok(files.length > 0, 'no snippet files');
    assert.deepEqual(
      contributed.map((c) => c.file).sort(),
      files.map((f) => path.join('snippets', f)),
    );
    for (const c of contributed) assert.equal(c.language, 'python');
  });

  it('have unique prefixes of the pds- family, a name and a description', () => {
    assert.ok(snippets.length > 0);
    const seen = new Map<string, string>();
    for (const s of snippets) {
      assert.match(s.prefix, /^pds-[a-z]+(-[a-z]+)*$/, `${s.name}: prefix ${s.prefix}`);
      assert.ok(!seen.has(s.prefix), `prefix ${s.prefix} is used by "${seen.get(s.prefix)}" and "${s.name}"`);
      seen.set(s.prefix, s.name);
      assert.ok(s.description.length >= 20, `${s.prefix}: a description that says what it inserts`);
    }
    assert.deepEqual([...seen.keys()].sort(), Object.keys(EXPECTED).sort(), 'every snippet has its expectations in this test');
  });

  for (const s of snippets) {
    describe(s.prefix, () => {
      const expected = EXPECTED[s.prefix];

      it('has tab stops 1..n and one final $0, and only variables VS Code defines', () => {
        const nodes = parseSnippet(s.body);
        const indexes = tabStopIndexes(nodes);
        assert.equal(countTabStop(nodes, 0), 1, 'exactly one $0');
        const numbered = indexes.filter((i) => i > 0);
        assert.ok(numbered.length > 0, 'at least one tab stop for a name');
        assert.deepEqual(numbered, numbered.map((_, i) => i + 1), `tab stops without gaps: ${numbered.join(', ')}`);
        for (const v of variableNames(nodes)) assert.ok(v in VARIABLES, `unknown variable $${v}`);
      });

      it('expands with its defaults to Python that parses and plays its roles', async () => {
        const parser = await getParser();
        const expanded = expandSnippet(s.body, VARIABLES);
        const text = expected?.wrap ? expected.wrap(expanded) : expanded;
        assert.equal(countSyntaxErrors(parser, text), 0, `syntax errors in:\n${text}`);
        const { model } = analyze(text, parser, { select: [] });
        for (const [name, role] of Object.entries(expected?.roles ?? {})) {
          const cls = model.classesByName.get(name);
          assert.ok(cls, `${s.prefix}: no class ${name}`);
          assert.equal(cls.role ?? null, role, `${s.prefix}: role of ${name}`);
        }
      });

      it('expands with its defaults to code on which every rule stays silent', async () => {
        const parser = await getParser();
        const expanded = expandSnippet(s.body, VARIABLES);
        const text = expected?.wrap ? expected.wrap(expanded) : expanded;
        const result = analyze(text, parser, { path: `${s.prefix}.py` });
        assert.deepEqual(result.ruleFailures, [], 'a rule threw');
        assert.deepEqual(
          result.findings.map((f) => `${f.code} ${result.model.lines.lineOf(f.start) + 1}: ${f.message}`),
          [],
          `findings in:\n${text}`,
        );
      });
    });
  }

  it('fit together: the reader, the writer and the data source in one file are wired and clean', async () => {
    const parser = await getParser();
    const bodyOf = (prefix: string) => {
      const s = snippets.find((x) => x.prefix === prefix);
      assert.ok(s, `no snippet ${prefix}`);
      return expandSnippet(s.body, VARIABLES);
    };
    const text = ['pds-stream-reader', 'pds-writer', 'pds-datasource'].map(bodyOf).join('\n\n');
    assert.equal(countSyntaxErrors(parser, text), 0);
    const result = analyze(text, parser, { path: 'events_source.py' });
    assert.deepEqual(result.ruleFailures, []);
    assert.deepEqual(result.findings.map((f) => `${f.code}: ${f.message}`), []);
    const products = new Map([...result.model.factoryProducts].map(([cls, uses]) => [cls.name, uses.map((u) => u.method.name)]));
    assert.deepEqual(products.get('EventStreamReader'), ['streamReader']);
    assert.deepEqual(products.get('EventStreamWriter'), ['streamWriter']);
  });

  it('send what the writer writes with idempotency evidence (PDS004 is silent for the right reason)', async () => {
    const parser = await getParser();
    const s = snippets.find((x) => x.prefix === 'pds-writer');
    assert.ok(s);
    const { model } = analyze(expandSnippet(s.body, VARIABLES), parser, { select: [] });
    const writer = model.classesByName.get('EventStreamWriter');
    assert.ok(writer);
    const sends = model.writerSends(writer);
    assert.equal(sends.length, 1, 'the post is seen as a send');
    assert.ok(sends[0].fromData, 'it sends rows');
    assert.ok(sends[0].evidence.length > 0, 'with an idempotency key');
  });

  it('produce offsets the model reads as dicts with the keys their consumers read', async () => {
    const parser = await getParser();
    for (const [prefix, reader, key] of [
      ['pds-stream-reader', 'EventStreamReader', 'ts'],
      ['pds-simple-reader', 'EventSimpleStreamReader', 'seq'],
    ] as const) {
      const s = snippets.find((x) => x.prefix === prefix);
      assert.ok(s);
      const { model } = analyze(expandSnippet(s.body, VARIABLES), parser, { select: [] });
      const cls = model.classesByName.get(reader);
      assert.ok(cls);
      const offsets = model.offsets(cls);
      assert.ok(offsets.producers.length >= 1, `${prefix}: offset producers`);
      assert.ok(offsets.keyReads.length > 0 && offsets.keyReads.every((r) => r.key === key), `${prefix}: reads of ${key}`);
    }
  });
});
