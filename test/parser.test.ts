/** The parser module: native and wasm bindings give the same trees and the same findings. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import { loadNativePythonParser, loadPythonParser } from '../server/src/engine/parser';
import { convertTree, type Node } from '../server/src/engine/syntax';
import { listFixtures } from './helpers/fixtures';

const shape = (n: Node): unknown => [n.type, n.start, n.end, n.field, n.text, n.hasError, n.children.map(shape)];

describe('parser backends', () => {
  it('the wasm fallback loads and reports its backend', async () => {
    const wasm = await loadPythonParser({ backend: 'wasm' });
    assert.equal(wasm.backend, 'wasm');
    assert.equal(loadNativePythonParser().backend, 'native');
  });

  it('native and wasm give identical syntax snapshots and findings on every fixture', async () => {
    const native = loadNativePythonParser();
    const wasm = await loadPythonParser({ backend: 'wasm' });
    const files = listFixtures().map((f) => f.file);
    assert.ok(files.length > 0);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const a = native.parse(text);
      const b = wasm.parse(text);
      assert.deepEqual(shape(convertTree(b, text)), shape(convertTree(a, text)), file);
      b.delete?.();
      const fa = analyze(text, native).findings.map((f) => [f.code, f.start, f.end, f.message]);
      const fb = analyze(text, wasm).findings.map((f) => [f.code, f.start, f.end, f.message]);
      assert.deepEqual(fb, fa, file);
    }
  });

  it('parses a single line of 1 MB and text longer than the native input buffer', async () => {
    const native = loadNativePythonParser();
    const long = `x = "${'a'.repeat(1024 * 1024)}"\ny = 1\n`;
    const root = convertTree(native.parse(long), long);
    assert.equal(root.hasError, false);
    assert.equal(root.children.length, 2);
    assert.equal(root.children[1].start, long.indexOf('y = 1'));
  });
});
