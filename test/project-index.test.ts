/**
 * The project index: module names to files, summaries, classes and functions of other files in
 * their own offset span, roles across files whatever the order, cycles, unreadable files, bounded
 * memory, and where findings that involve other files end up.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../server/src/engine/analyze';
import { findMethod } from '../server/src/engine/model';
import { moduleNameOf, packageRoot, ProjectIndex, type ProjectFiles, searchRoots, splitQualified, topPackage } from '../server/src/engine/project';
import { FILE_SPAN, fileIdOf } from '../server/src/engine/source';
import { getParser } from './helpers/engine';

const W = path.resolve('/w');
const p = (...parts: string[]) => path.join(W, ...parts);

function fileSet(files: string[]): ProjectFiles {
  const set = new Set(files);
  return { has: (f) => set.has(f) };
}

describe('module names to files', () => {
  const files = fileSet([
    p('pkg', '__init__.py'),
    p('pkg', 'common', '__init__.py'),
    p('pkg', 'common', 'base.py'),
    p('pkg', 'readers', '__init__.py'),
    p('pkg', 'readers', 'r.py'),
    p('scripts', 'tool.py'),
    p('scripts', 'helper.py'),
    p('src', 'lib', '__init__.py'),
    p('src', 'lib', 'mod.py'),
    p('ns', 'inner', 'mod.py'),
    p('json.py'),
    p('stubbed', 'api.pyi'),
  ]);
  const r = p('pkg', 'readers', 'r.py');

  it('finds the package root through __init__.py files', () => {
    assert.equal(packageRoot(r, files), W);
    assert.equal(topPackage(r, files), p('pkg'));
    assert.equal(packageRoot(p('scripts', 'tool.py'), files), p('scripts'), 'outside packages: the file\'s own folder');
    assert.equal(topPackage(p('scripts', 'tool.py'), files), undefined);
    assert.equal(moduleNameOf(r, files), 'pkg.readers.r');
    assert.equal(moduleNameOf(p('pkg', 'common', '__init__.py'), files), 'pkg.common');
    assert.deepEqual(searchRoots(r, files, [W]), [W, p('src')]);
  });

  it('resolves relative names from the file\'s folder, one folder up per extra dot', () => {
    assert.deepEqual(splitQualified('.base.BaseReader', p('pkg', 'common', 'other.py'), files), { file: p('pkg', 'common', 'base.py'), rest: ['BaseReader'] });
    assert.deepEqual(splitQualified('..common.base.BaseReader', r, files), { file: p('pkg', 'common', 'base.py'), rest: ['BaseReader'] });
    assert.deepEqual(splitQualified('..common.BaseReader', r, files), { file: p('pkg', 'common', '__init__.py'), rest: ['BaseReader'] });
    assert.deepEqual(splitQualified('..common', r, files), { file: p('pkg', 'common', '__init__.py'), rest: [] });
    assert.deepEqual(splitQualified('.Thing', r, files), { file: p('pkg', 'readers', '__init__.py'), rest: ['Thing'] });
    assert.equal(splitQualified('...beyond.X', r, files), undefined);
  });

  it('resolves absolute names from the package root, the given roots and their src/ folders', () => {
    assert.deepEqual(splitQualified('pkg.common.base.BaseReader', r, files), { file: p('pkg', 'common', 'base.py'), rest: ['BaseReader'] });
    assert.deepEqual(splitQualified('pkg.common.BaseReader', r, files), { file: p('pkg', 'common', '__init__.py'), rest: ['BaseReader'] });
    assert.deepEqual(splitQualified('helper.make', p('scripts', 'tool.py'), files), { file: p('scripts', 'helper.py'), rest: ['make'] });
    assert.equal(splitQualified('lib.mod.Y', r, files), undefined, 'src/ only with a root');
    assert.deepEqual(splitQualified('lib.mod.Y', r, files, [W]), { file: p('src', 'lib', 'mod.py'), rest: ['Y'] });
    assert.deepEqual(splitQualified('ns.inner.mod.Z', r, files, [W]), { file: p('ns', 'inner', 'mod.py'), rest: ['Z'] }, 'namespace folders without __init__.py');
    assert.deepEqual(splitQualified('stubbed.api.C', r, files, [W]), { file: p('stubbed', 'api.pyi'), rest: ['C'] });
    assert.equal(splitQualified('missing.X', r, files, [W]), undefined);
  });

  it('never takes the standard library or PySpark for the user\'s files', () => {
    assert.equal(splitQualified('json.dumps', p('x.py'), files, [W]), undefined);
    assert.equal(splitQualified('pyspark.sql.datasource.DataSourceStreamReader', r, files, [W]), undefined);
  });
});

/** An index over in-memory files. */
async function memoryProject(sources: Record<string, string>, options: { maxModels?: number; failing?: string } = {}) {
  const parser = await getParser();
  const texts = new Map(Object.entries(sources).map(([k, v]) => [p(k), v]));
  const errors: string[] = [];
  const index = new ProjectIndex({
    parser,
    roots: [W],
    maxModels: options.maxModels,
    host: {
      readText: (f) => {
        if (options.failing && f === p(options.failing)) throw new Error('disk on fire');
        return texts.get(f);
      },
    },
    onError: (file) => errors.push(file),
  });
  index.addFiles(texts.keys());
  const lint = (file: string) => analyze(texts.get(p(file))!, parser, { path: p(file), project: index.sessionFor(p(file)) });
  return { index, texts, lint, errors };
}

const BASE = `from pyspark.sql.datasource import DataSourceStreamReader


class Base(DataSourceStreamReader):
    def initialOffset(self):
        return {"n": 0}

    def latestOffset(self):
        return {"n": self._count()}

    def _count(self):
        return 1
`;

const READER = `from .base import Base


class Reader(Base):
    def partitions(self, start, end):
        return []

    def read(self, partition):
        yield (1,)


class Broken(Base):
    pass
`;

describe('project index', () => {
  it('resolves classes through re-exports and star imports, in their own offset span', async () => {
    const { index, lint } = await memoryProject({
      'pkg/__init__.py': 'from .base import Base\n',
      'pkg/star.py': 'from .base import *\n',
      'pkg/base.py': BASE,
      'pkg/r1.py': READER.replace('from .base import Base', 'from pkg import Base'),
      'pkg/r2.py': READER.replace('from .base import Base', 'from .star import Base'),
    });
    assert.deepEqual(index.lookup('pkg.Base', p('pkg', 'r1.py')), { file: p('pkg', 'base.py'), name: 'Base', kind: 'class' });
    for (const file of ['pkg/r1.py', 'pkg/r2.py']) {
      const result = lint(file);
      const reader = result.model.classesByName.get('Reader')!;
      assert.equal(reader.role, 'DataSourceStreamReader');
      const base = reader.bases[0].userClass!;
      assert.equal(base.name, 'Base');
      assert.ok(base.node.start >= FILE_SPAN && fileIdOf(base.node.start) > 0, 'nodes of another file are in its own span');
      assert.equal(result.model.textOf(base.nameNode), 'Base');
      assert.deepEqual(result.findings.map((f) => `${f.code}:${result.model.lines.rowColumn(f.start).row}`), ['PDS006:12'], `${file}: only Broken misses read`);
    }
  });

  it('gives the same roles and findings whatever order the files are read in', async () => {
    const sources = {
      'loop/__init__.py': '',
      'loop/a.py': 'from pyspark.sql.datasource import DataSourceStreamReader\nfrom .b import Middle\n\n\nclass Top(DataSourceStreamReader):\n    def initialOffset(self):\n        return {}\n\n\nclass Leaf(Middle):\n    pass\n',
      'loop/b.py': 'from .a import Top\n\n\nclass Middle(Top):\n    def latestOffset(self):\n        return {}\n',
    };
    const orders = [['loop/a.py', 'loop/b.py'], ['loop/b.py', 'loop/a.py']];
    const outputs = [];
    for (const order of orders) {
      const { lint } = await memoryProject(sources);
      const out: Record<string, unknown> = {};
      for (const f of order) {
        const r = lint(f);
        out[f] = { roles: r.model.classes.map((c) => `${c.name}:${c.role}:${c.subclasses.length}`), findings: r.findings.map((x) => `${x.code}:${x.start}:${x.message}`) };
      }
      outputs.push(JSON.stringify(Object.keys(out).sort().map((k) => [k, out[k]])));
    }
    assert.equal(outputs[0], outputs[1]);
    assert.match(outputs[0], /Leaf:DataSourceStreamReader:0/);
  });

  it('terminates on classes deriving from each other across files', async () => {
    const { lint } = await memoryProject({
      'k/__init__.py': '',
      'k/c.py': 'from .d import D\n\n\nclass C(D):\n    pass\n',
      'k/d.py': 'from .c import C\n\n\nclass D(C):\n    pass\n',
    });
    assert.equal(lint('k/c.py').model.classesByName.get('C')!.role, undefined);
    assert.equal(lint('k/d.py').model.classesByName.get('D')!.role, undefined);
  });

  it('a file that cannot be read does not stop the others; it is reported once', async () => {
    const { lint, errors } = await memoryProject({ 'pkg/__init__.py': '', 'pkg/base.py': BASE, 'pkg/bad.py': 'class X: pass\n', 'pkg/r.py': `from .bad import X\n${READER}` }, { failing: 'pkg/bad.py' });
    const r = lint('pkg/r.py');
    assert.equal(r.model.classesByName.get('Reader')!.role, 'DataSourceStreamReader');
    lint('pkg/r.py');
    assert.deepEqual(errors, [p('pkg', 'bad.py')]);
  });

  it('knows subclasses in other files: an abstract base is not required to be complete', async () => {
    const { lint } = await memoryProject({ 'pkg/__init__.py': '', 'pkg/base.py': BASE, 'pkg/r.py': READER });
    const base = lint('pkg/base.py');
    assert.deepEqual(base.model.classesByName.get('Base')!.subclasses.map((c) => c.name).sort(), ['Broken', 'Reader']);
    assert.deepEqual(base.findings.map((f) => f.code), []);
  });

  it('a finding in another file comes to the call of this file that leads there, without a fix; others stay with their file', async () => {
    const { lint } = await memoryProject({
      'pkg/__init__.py': '',
      'pkg/clock.py': 'from datetime import datetime\n\n\ndef now_offset():\n    return {"ts": datetime.now().isoformat()}\n',
      'pkg/base.py': BASE.replace('return {"n": self._count()}', 'return {"ts": datetime.now().isoformat()}').replace('from pyspark', 'from datetime import datetime\nfrom pyspark'),
      'pkg/r.py': `from .clock import now_offset\n${READER.replace('class Broken(Base):\n    pass\n', 'class Clocked(Base):\n    def latestOffset(self):\n        return now_offset()\n\n    def partitions(self, start, end):\n        return []\n\n    def read(self, partition):\n        yield (1,)\n')}`,
    });
    const r = lint('pkg/r.py');
    const text = r.model.text;
    const moved = r.findings.filter((f) => f.code === 'PDS002');
    assert.equal(moved.length, 1, 'the inherited latestOffset of Base is the base file\'s finding, not this one\'s');
    assert.equal(text.slice(moved[0].start, moved[0].end), 'now_offset()');
    assert.equal(moved[0].fix, undefined);
    const there = moved[0].related.find((x) => x.path === p('pkg', 'clock.py'))!;
    assert.ok(there.range && there.rowColumn);
    assert.equal(there.range.start.line, 4);
    assert.equal(there.rowColumn.start.row, 5);
    // Every offset of every finding is in this file.
    for (const f of r.findings) {
      assert.ok(f.start >= 0 && f.end <= text.length);
      for (const e of f.fix?.edits ?? []) assert.ok(e.start >= 0 && e.end <= text.length);
      for (const x of f.related) if (!x.path) assert.ok(x.end <= text.length);
    }
    // The base's own file reports its latestOffset.
    assert.ok(lint('pkg/base.py').findings.some((f) => f.code === 'PDS002'));
  });

  it('keeps a bounded number of models, and answers the same after evicting them', async () => {
    const sources: Record<string, string> = { 'pkg/__init__.py': '', 'pkg/base.py': BASE };
    for (let i = 0; i < 6; i++) sources[`pkg/mid${i}.py`] = `from .base import Base\n\n\nclass Mid${i}(Base):\n    def partitions(self, start, end):\n        return []\n`;
    for (let i = 0; i < 6; i++) sources[`pkg/leaf${i}.py`] = `from .mid${i} import Mid${i}\n\n\nclass Leaf${i}(Mid${i}):\n    pass\n`;
    const { index, lint } = await memoryProject(sources, { maxModels: 2 });
    const first = [0, 1, 2, 3, 4, 5].map((i) => lint(`pkg/leaf${i}.py`).findings.map((f) => f.message));
    const again = [5, 4, 3, 2, 1, 0].map((i) => lint(`pkg/leaf${i}.py`).findings.map((f) => f.message)).reverse();
    assert.deepEqual(again, first);
    for (const f of first) assert.equal(f.length, 1, 'each leaf misses read');
    assert.ok(index.stats.evictions > 0);
  });

  it('sees a changed file after `changed`: the summary and the models are recomputed', async () => {
    const { index, texts, lint } = await memoryProject({ 'pkg/__init__.py': '', 'pkg/base.py': BASE, 'pkg/r.py': READER });
    const missing = () => lint('pkg/r.py').findings.map((f) => /does not define (.*):/.exec(f.message)?.[1]);
    assert.deepEqual(missing(), ['`partitions`, `read`'], 'Broken misses both');
    texts.set(p('pkg', 'base.py'), BASE.replace('    def _count(self):', '    def read(self, partition):\n        yield (0,)\n\n    def _count(self):'));
    index.changed(p('pkg', 'base.py'));
    assert.deepEqual(missing(), ['`partitions`'], 'read is inherited now');
    // Through a class of a third file: what was found along the old base is forgotten.
    texts.set(p('pkg', 'leaf.py'), 'from .r import Broken\n\n\nclass Leaf(Broken):\n    def partitions(self, start, end):\n        return []\n');
    index.addFiles([p('pkg', 'leaf.py')]);
    const leafMissing = () => lint('pkg/leaf.py').findings.map((f) => /does not define (.*):/.exec(f.message)?.[1]);
    assert.deepEqual(leafMissing(), []);
    const leafRead = () => findMethod(lint('pkg/leaf.py').model.classesByName.get('Leaf')!, 'read');
    assert.ok(leafRead(), 'read, found along Broken (in r.py) in base.py');
    texts.set(p('pkg', 'base.py'), BASE);
    index.changed(p('pkg', 'base.py'));
    assert.deepEqual(leafMissing(), ['`read`']);
    assert.equal(leafRead(), undefined, 'what was found along Broken before the change is forgotten');
    texts.set(p('pkg', 'base.py'), 'class Base:\n    pass\n');
    index.changed(p('pkg', 'base.py'));
    assert.equal(lint('pkg/r.py').model.classesByName.get('Reader')!.role, undefined, 'not a reader any more');
    assert.equal(index.isDataSourceFile(p('pkg', 'r.py')), false);
  });
});
