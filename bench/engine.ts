/** Section 1: the whole engine against tree-sitter parsing alone, per file size. */
import { analyze } from '../server/src/engine/analyze';
import type { PythonParser } from '../server/src/engine/parser';
import { convertTree } from '../server/src/engine/syntax';
import { FileModel } from '../server/src/engine/model';
import { generateSource } from './generate';
import { type Summary, summarize, time } from './stats';

export interface EngineRow {
  lines: number;
  bytes: number;
  parse: Summary;
  analyze: Summary;
  ratio: number;
  /** Median milliseconds of each phase inside analyze. */
  phases: { parse: number; convert: number; model: number; rules: number };
  findings: number;
}

export function engineVsParse(parser: PythonParser, sizes: number[], reps: number): EngineRow[] {
  const rows: EngineRow[] = [];
  for (const lines of sizes) {
    const text = generateSource(lines, lines);
    const r = Math.max(3, Math.round(reps * Math.min(1, 3000 / lines)));
    // Interleave parse-only and analyze runs so both see the same machine state.
    const parseSamples: number[] = [];
    const analyzeSamples: number[] = [];
    const phases = { parse: [] as number[], convert: [] as number[], model: [] as number[], rules: [] as number[] };
    let findings = 0;
    time(() => parser.parse(text), 1, 2);
    time(() => analyze(text, parser), 1, 2);
    for (let i = 0; i < r; i++) {
      parseSamples.push(...time(() => parser.parse(text), 1, 0));
      analyzeSamples.push(
        ...time(() => {
          const result = analyze(text, parser);
          findings = result.findings.length;
          for (const k of Object.keys(phases) as (keyof typeof phases)[]) phases[k].push(result.timings[k]);
        }, 1, 0),
      );
    }
    const parse = summarize(parseSamples);
    const an = summarize(analyzeSamples);
    rows.push({
      lines: text.split('\n').length,
      bytes: Buffer.byteLength(text),
      parse,
      analyze: an,
      ratio: an.median / parse.median,
      phases: {
        parse: summarize(phases.parse).median,
        convert: summarize(phases.convert).median,
        model: summarize(phases.model).median,
        rules: summarize(phases.rules).median,
      },
      findings,
    });
  }
  return rows;
}

/** Convert + model only (no rules), to see what the model costs by itself. */
export function modelOnly(parser: PythonParser, text: string): number {
  const tree = parser.parse(text);
  const t0 = performance.now();
  const root = convertTree(tree, text);
  new FileModel(text, root);
  return performance.now() - t0;
}
