/** Where each rule's documentation lives. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The published rule pages (the repository's docs/rules folder). */
export const DOCS_BASE_URL = 'https://github.com/pds-lint/pds-lint/blob/main/docs/rules';

export function ruleDocsUrl(code: string): string {
  return `${DOCS_BASE_URL}/${code}.md`;
}

/** A page of docs/ shipped with the package (bundle: dist/../docs; build: out/server/src/engine/../../../../docs). */
export function docsPath(relative: string): string | undefined {
  for (const base of [path.join(__dirname, '..', 'docs'), path.join(__dirname, '..', '..', '..', '..', 'docs')]) {
    const candidate = path.join(base, relative);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The rule page shipped with the package, when it is there (works offline). */
export function ruleDocsPath(code: string): string | undefined {
  return docsPath(path.join('rules', `${code}.md`));
}

export const CONTRACT_DOCS_URL = 'https://github.com/pds-lint/pds-lint/blob/main/docs/streaming-contract.md';
