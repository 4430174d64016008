/** Shared engine set-up for tests: the real parser (native, or wasm with PDS_LINT_PARSER=wasm). */
import { analyze, type AnalyzeOptions } from '../../server/src/engine/analyze';
import { loadNativePythonParser, loadPythonParser, type PythonParser } from '../../server/src/engine/parser';
import { convertTree, type Node, walk } from '../../server/src/engine/syntax';
import type { Finding } from '../../server/src/engine/types';

let parser: PythonParser | undefined;

export async function getParser(): Promise<PythonParser> {
  parser ??= process.env.PDS_LINT_PARSER ? await loadPythonParser() : loadNativePythonParser();
  return parser;
}

export function findingsOf(p: PythonParser, text: string, options: AnalyzeOptions = {}): Finding[] {
  return analyze(text, p, options).findings;
}

/** ERROR and MISSING nodes of a text's parse tree. */
export function countSyntaxErrors(p: PythonParser, text: string): number {
  const root: Node = convertTree(p.parse(text), text);
  let count = 0;
  walk(root, (n) => {
    if (n.type === 'ERROR') count++;
    else if (n.hasError && n.children.every((c) => !c.hasError)) count++; // a MISSING token below
  });
  return count;
}
