/** Where each rule's documentation lives. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The published rule pages (the repository's docs/rules folder). */
export const DOCS_BASE_URL = 'https://github.com/pds-lint/pds-lint/blob/main/docs/rules';

export function ruleDocsUrl(code: string): string {
  return `${DOCS_BASE_URL}/${code}.md`;
}

/** The rule page shipped with the package, when it is there (works offline). */
export function ruleDocsPath(code: string): string | undefined {
  for (const base of [path.join(__dirname, '..', 'docs', 'rules'), path.join(__dirname, '..', '..', '..', '..', 'docs', 'rules'), path.join(__dirname, '..', '..', '..', 'docs', 'rules')]) {
    const candidate = path.join(base, `${code}.md`);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
