/**
 * Project fixtures (test/fixtures-project/<name>/): small projects whose files only make sense
 * together, annotated like the rule fixtures (`# ruleid:` / `# ok:` above the line concerned).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAnnotations } from './fixtures';

export const PROJECTS_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures-project');

/** The Python files of a project, relative to it (`/` separators), sorted. */
export function projectFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (fs.statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.py')) out.push(path.relative(dir, full).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

/** A fresh copy of a project in a temp folder (tests change files on disk). */
export function copyProject(name: string): string {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), `pds-project-${name}-`));
  fs.cpSync(path.join(PROJECTS_DIR, name), dest, { recursive: true });
  return dest;
}

export interface Expectations {
  /** `file:line:CODE` of every expected finding (1-based lines). */
  findings: Set<string>;
  /** `file:line:CODE` of every near miss. */
  clean: Set<string>;
}

export function expectations(dir: string): Expectations {
  const findings = new Set<string>();
  const clean = new Set<string>();
  for (const file of projectFiles(dir)) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, file), 'utf8');
    } catch {
      continue;
    }
    for (const a of parseAnnotations(text).annotations) {
      for (const code of a.codes) {
        if (a.kind === 'ruleid') findings.add(`${file}:${a.target}:${code}`);
        else if (a.kind === 'ok') clean.add(`${file}:${a.target}:${code}`);
      }
    }
  }
  return { findings, clean };
}

/** Checks found findings (`file:line:CODE`) against a project's annotations. */
export function compare(found: string[], expected: Expectations): string[] {
  const problems: string[] = [];
  const set = new Set(found);
  for (const f of expected.findings) if (!set.has(f)) problems.push(`missing ${f}`);
  for (const f of set) {
    if (expected.clean.has(f)) problems.push(`false alarm on a near miss ${f}`);
    else if (!expected.findings.has(f)) problems.push(`unexpected ${f}`);
  }
  return problems;
}
