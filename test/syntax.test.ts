/** The syntax snapshot: faithful to tree-sitter, in UTF-16 offsets, reused across edits. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { convertTree, type Node, SyntaxCache, TYPES_WITH_FIELDS, walk } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

describe('syntax snapshot', () => {
  it('lists exactly the grammar node types that have fields (drift check against node-types.json)', () => {
    const types = JSON.parse(fs.readFileSync(require.resolve('tree-sitter-python/src/node-types.json'), 'utf8')) as { type: string; named: boolean; fields?: Record<string, unknown> }[];
    const withFields = types.filter((t) => t.named && t.fields && Object.keys(t.fields).length).map((t) => t.type).sort();
    assert.deepEqual([...TYPES_WITH_FIELDS].sort(), withFields);
  });

  it('keeps offsets in UTF-16 code units across non-ASCII, emoji and CRLF', async () => {
    const parser = await getParser();
    const text = 'x = "é😀"\r\nclass Café(Base):\r\n    def f(self):\r\n        return {"ü": 1}\r\n';
    const root = convertTree(parser.parse(text), text);
    const names: Node[] = [];
    walk(root, (n) => {
      if (n.type === 'identifier') names.push(n);
    });
    for (const n of names) assert.equal(text.slice(n.start, n.end), n.text);
    assert.ok(names.some((n) => n.text === 'Café'));
  });

  it('keeps operators, fields and f-string interpolations; drops plain string parts', async () => {
    const parser = await getParser();
    const text = 'a = b <= c and d + 1\ns = f"{now}" + "plain"\n';
    const root = convertTree(parser.parse(text), text);
    const types: string[] = [];
    walk(root, (n) => {
      types.push(n.type);
    });
    assert.ok(types.includes('<='));
    assert.ok(types.includes('+'));
    assert.ok(types.includes('interpolation'));
    assert.equal(types.filter((t) => t === 'string_content').length, 0, 'plain string parts are not kept (f-string has no plain content here)');
    const assignment = root.children[0].children[0];
    assert.equal(assignment.type, 'assignment');
    assert.deepEqual(assignment.children.map((c) => c.field), ['left', 'right']);
  });

  it('marks ERROR and MISSING nodes and propagates hasError upwards', async () => {
    const parser = await getParser();
    const text = 'class A:\n    def f(self):\n        return {"a": 1\n\nclass B:\n    pass\n';
    const root = convertTree(parser.parse(text), text);
    assert.equal(root.hasError, true);
    const b = root.children.find((c) => c.type === 'class_definition' && text.slice(c.start, c.end).startsWith('class B'));
    assert.ok(!b || !b.hasError);
  });

  it('reuses unchanged top-level statements after an edit and matches a fresh conversion', async () => {
    const parser = await getParser();
    const body = (n: number) => `class Reader${n}(Base):\n${'    def m(self):\n        return {"k": 1}\n'.repeat(10)}\n`;
    const before = [0, 1, 2, 3].map(body).join('');
    const cache = new SyntaxCache();
    convertTree(parser.parse(before), before, cache);
    const after = `# a new first line\n${before.replace('Reader2(Base)', 'Reader2(Other)')}`;
    const incremental = convertTree(parser.parse(after), after, cache);
    assert.equal(cache.hits, 3, 'three classes unchanged');
    const fresh = convertTree(parser.parse(after), after);
    const shape = (n: Node): unknown => [n.type, n.start, n.end, n.field, n.text, n.hasError, n.children.map(shape)];
    assert.deepEqual(shape(incremental), shape(fresh));
  });
});
