/**
 * PDS006 missing-stream-method: a stream reader or writer without a method Spark calls, or a
 * DataSource factory returning a class of the wrong role.
 */
import { allMethods, type ClassInfo, classLineage, type FileModel, type SparkRole } from '../model';
import type { Fix } from '../types';
import { appendToClassEdit, classBodyIndent, deeperIndent } from './helpers';
import { defineRule } from './rule';

interface RequiredMethod {
  name: string;
  params: string;
  /** What the stub's message tells the user to do. */
  todo: string;
}

const REQUIRED: Partial<Record<SparkRole, RequiredMethod[]>> = {
  DataSourceStreamReader: [
    { name: 'initialOffset', params: 'self', todo: 'return the offset to start from, as a dict of JSON types' },
    { name: 'latestOffset', params: 'self', todo: 'return the offset of the newest available data, as a dict of JSON types' },
    { name: 'partitions', params: 'self, start, end', todo: 'split the range (start, end] into InputPartitions' },
    { name: 'read', params: 'self, partition', todo: 'yield the rows of one partition as tuples' },
  ],
  SimpleDataSourceStreamReader: [
    { name: 'initialOffset', params: 'self', todo: 'return the offset to start from, as a dict of JSON types' },
    { name: 'read', params: 'self, start', todo: 'return (iterator of rows after start, next offset)' },
  ],
  DataSourceStreamWriter: [{ name: 'write', params: 'self, iterator', todo: 'write the rows and return a WriterCommitMessage' }],
};

/** The role a DataSource factory must return. */
const FACTORY_ROLES: Record<string, SparkRole[]> = {
  streamReader: ['DataSourceStreamReader'],
  simpleStreamReader: ['SimpleDataSourceStreamReader'],
  streamWriter: ['DataSourceStreamWriter', 'DataSourceArrowStreamWriter'],
  reader: ['DataSourceReader'],
  writer: ['DataSourceWriter', 'DataSourceArrowWriter'],
};

export default defineRule(
  {
    code: 'PDS006',
    name: 'missing-stream-method',
    summary: 'A stream reader or writer lacks a method Spark calls, or a DataSource factory returns the wrong kind of class',
    defaultSeverity: 'error',
    fixAvailability: 'sometimes',
    since: '0.1.0',
  },
  ({ model, report }) => {
    const products = model.factoryProducts;
    for (const cls of model.classes) {
      const required = cls.role && REQUIRED[cls.role];
      // A base being typed (in this file or, with a project, another) may define what looks absent.
      if (!required || classLineage(cls).some((k) => k.hasSyntaxError)) continue;
      // An intermediate base of the user's own need not be complete (its subclasses are checked).
      if (cls.subclasses.length && !products.has(cls)) continue;
      const methods = allMethods(cls);
      const missing = required.filter((m) => !methods.has(m.name));
      if (!missing.length) continue;
      const names = missing.map((m) => `\`${m.name}\``).join(', ');
      const what = cls.role === 'DataSourceStreamWriter' ? 'stream writer' : cls.role === 'SimpleDataSourceStreamReader' ? 'simple stream reader' : 'stream reader';
      report({
        node: cls.nameNode,
        message: `${what} \`${cls.name}\` does not define ${names}: Spark calls ${missing.length > 1 ? 'them' : 'it'} and the base class raises NOT_IMPLEMENTED`,
        fix: stubFix(model, cls, missing),
      });
    }

    for (const ds of model.classesWithRole('DataSource')) {
      for (const [factory, roles] of Object.entries(FACTORY_ROLES)) {
        const fn = ds.methods.get(factory);
        if (!fn) continue;
        for (const r of model.returnedInstances(fn)) {
          if (!r.cls?.role || roles.includes(r.cls.role)) continue;
          report({
            node: r.expression,
            message: `\`${factory}\` must return a ${roles[0]}, but \`${r.cls.name}\` is a ${r.cls.role}`,
            related: [{ start: r.cls.nameNode.start, end: r.cls.nameNode.end, message: `\`${r.cls.name}\` is defined here` }],
          });
        }
      }
    }
  },
);

function stubFix(model: FileModel, cls: ClassInfo, missing: RequiredMethod[]): Fix {
  const indent = classBodyIndent(model, cls);
  const inner = deeperIndent(model, indent);
  const lines: string[] = [];
  missing.forEach((m, i) => {
    if (i > 0) lines.push('');
    lines.push(`${indent}def ${m.name}(${m.params}):`);
    lines.push(`${inner}raise NotImplementedError(${JSON.stringify(`${cls.name}.${m.name}: ${m.todo}`)})`);
  });
  return {
    title: `Add ${missing.map((m) => `\`${m.name}\``).join(', ')} stub${missing.length > 1 ? 's' : ''}`,
    applicability: 'safe',
    edits: [appendToClassEdit(model, cls, lines)],
  };
}
