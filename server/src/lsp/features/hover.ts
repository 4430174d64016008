/** Hovers on the contract methods of recognised classes: Spark's side of the contract. */
import type { Hover } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findMethod, type FileModel, type Value, shapeOf } from '../../engine/model';
import { contractEntry } from './contract';
import { pathToFileURL } from 'node:url';
import { CONTRACT_DOCS_URL, docsPath } from '../../engine/docs';
import { rangeOf } from './diagnostics';

const ROLE_DOC: Record<string, string> = {
  DataSourceStreamReader: 'stream reader',
  SimpleDataSourceStreamReader: 'simple stream reader',
  DataSourceStreamWriter: 'stream writer',
  DataSourceArrowStreamWriter: 'stream writer',
  DataSource: 'data source',
  DataSourceReader: 'batch reader',
  DataSourceWriter: 'batch writer',
  DataSourceArrowWriter: 'batch writer',
  InputPartition: 'input partition',
};

function kindName(v: Value): string {
  switch (v.kind) {
    case 'json':
      return 'JSON string';
    case 'unknown':
    case 'param':
      return 'unknown';
    default:
      return v.clock && !v.rounded ? `${v.kind} (wall clock, not rounded)` : v.kind;
  }
}

/** "dict {ts: str, seq: int}" for the values a producer can return. */
function describeOffset(values: Value[]): string[] {
  const lines = new Set<string>();
  for (const v of values) {
    const shape = shapeOf(v);
    if (shape.form === 'unknown') continue;
    const dict = v.kind === 'dict' ? v : v.inner?.find((i) => i.kind === 'dict');
    const entries = dict?.entries ?? [];
    const keys = entries.map((e) => `\`${e.key ?? '?'}\`: ${[...new Set(e.values.map(kindName))].join(' | ')}`);
    const form = shape.form === 'json' ? '`json.dumps` string of a dict' : shape.form === 'dict' ? 'dict' : kindName(v);
    lines.add(keys.length ? `${form} {${keys.join(', ')}${shape.open ? ', …' : ''}}` : form);
  }
  return [...lines];
}

export function hoverAt(document: TextDocument, model: FileModel, offset: number): Hover | undefined {
  for (const cls of model.classes) {
    if (!cls.role || offset < cls.node.start || offset > cls.node.end) continue;
    for (const method of cls.methods.values()) {
      if (offset < method.nameNode.start || offset > method.nameNode.end) continue;
      const entry = contractEntry(cls.role, method.name);
      if (!entry) return undefined;
      const parts = [
        `**${method.name}** — ${ROLE_DOC[cls.role] ?? cls.role} contract, runs on the **${entry.runs}**`,
        '```python\n' + entry.signature + '\n```',
        entry.text,
      ];
      const isProducer =
        (method.name === 'initialOffset' || method.name === 'latestOffset') && (cls.role === 'DataSourceStreamReader' || cls.role === 'SimpleDataSourceStreamReader')
          ? true
          : method.name === 'read' && cls.role === 'SimpleDataSourceStreamReader';
      if (isProducer) {
        const producer = model.offsets(cls).producers.find((p) => p.method === findMethod(cls, method.name) && p.method === method);
        const shapes = describeOffset(producer?.returns.flatMap((r) => r.values) ?? []);
        if (shapes.length) parts.push(`Offset returned here: ${shapes.join('; or ')}`);
      }
      const contract = docsPath('streaming-contract.md');
      parts.push(`[The streaming data source contract](${contract ? pathToFileURL(contract).href : CONTRACT_DOCS_URL})`);
      return { contents: { kind: 'markdown', value: parts.join('\n\n') }, range: rangeOf(document, method.nameNode.start, method.nameNode.end) };
    }
  }
  return undefined;
}
