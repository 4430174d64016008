/**
 * Rule fixtures, semgrep style: `# ruleid: PDS001` alone on a line above each expected finding,
 * `# ok: PDS001` above each near miss, `# todoruleid:` / `# todook:` for known misses and false
 * alarms (each with a reason on the same line). `x.fixed.py` holds `x.py` after all fixes of the
 * folder's rule.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineIndex } from '../../server/src/engine/source';

export const FIXTURES_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures');

export type AnnotationKind = 'ruleid' | 'ok' | 'todoruleid' | 'todook';

export interface Annotation {
  kind: AnnotationKind;
  codes: string[];
  /** 1-based line of the annotation comment. */
  line: number;
  /** 1-based line the annotation is about (the next line that is not an annotation). */
  target: number;
}

const ANNOTATION = /^\s*#\s*(ruleid|ok|todoruleid|todook)\s*:\s*([A-Za-z0-9_, ]+?)\s*(?:#.*|\(.*\))?$/;

export function parseAnnotations(text: string): { annotations: Annotation[]; warnings: string[] } {
  const lines = new LineIndex(text);
  const annotations: Annotation[] = [];
  const warnings: string[] = [];
  const pending: Omit<Annotation, 'target'>[] = [];
  for (let i = 0; i < lines.lineCount; i++) {
    const lineText = lines.lineText(i);
    const m = ANNOTATION.exec(lineText);
    if (m) {
      const codes = m[2].split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
      const bad = codes.filter((c) => !/^PDS\d{3}$/.test(c));
      if (bad.length) {
        warnings.push(`line ${i + 1}: skipping annotation with malformed rule id ${bad.join(', ')}`);
        continue;
      }
      pending.push({ kind: m[1] as AnnotationKind, codes, line: i + 1 });
      continue;
    }
    if (pending.length) {
      for (const p of pending) annotations.push({ ...p, target: i + 1 });
      pending.length = 0;
    }
  }
  for (const p of pending) warnings.push(`line ${p.line}: annotation at the end of the file has no line to apply to`);
  return { annotations, warnings };
}

export interface FixtureFile {
  /** Rule code of the folder. */
  code: string;
  file: string;
  fixedFile?: string;
}

export function listFixtures(dir = FIXTURES_DIR): FixtureFile[] {
  const out: FixtureFile[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const code of fs.readdirSync(dir).sort()) {
    const folder = path.join(dir, code);
    if (!/^PDS\d{3}$/.test(code) || !fs.statSync(folder).isDirectory()) continue;
    const walk = (d: string) => {
      for (const name of fs.readdirSync(d).sort()) {
        const full = path.join(d, name);
        if (fs.statSync(full).isDirectory()) {
          walk(full);
          continue;
        }
        if (!name.endsWith('.py') || name.endsWith('.fixed.py')) continue;
        const fixed = full.replace(/\.py$/, '.fixed.py');
        out.push({ code, file: full, fixedFile: fs.existsSync(fixed) ? fixed : undefined });
      }
    };
    walk(folder);
  }
  return out;
}
