/**
 * The editor's `files.exclude` patterns: VS Code glob syntax (`**`, `*`, `?`, `{a,b}`, `[abc]`,
 * `[!abc]`), matched against paths relative to the workspace folder, with `/` separators. A
 * pattern set to `true` excludes; other values (`false`, `{ when: ... }` sibling conditions) do not.
 */

/** A regular expression for one glob pattern. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let inGroup = 0;
  const pattern = glob.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` matches any number of folders (none included); a trailing `**` anything below.
        const slash = pattern[i + 2] === '/';
        out += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else {
        out += '[^/]*';
      }
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '{') {
      inGroup++;
      out += '(?:';
    } else if (ch === '}' && inGroup) {
      inGroup--;
      out += ')';
    } else if (ch === ',' && inGroup) {
      out += '|';
    } else if (ch === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else {
      out += ch.replace(/[.+^$()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}

/** A test for relative paths (`a/b/c.py`) from a `files.exclude` object. */
export function excludeMatcher(patterns: unknown): (relativePath: string) => boolean {
  if (!patterns || typeof patterns !== 'object') return () => false;
  const regexps: RegExp[] = [];
  for (const [glob, value] of Object.entries(patterns as Record<string, unknown>)) {
    if (value !== true) continue;
    try {
      regexps.push(globToRegExp(glob));
    } catch {
      // an unusable pattern excludes nothing
    }
  }
  if (!regexps.length) return () => false;
  return (rel) => {
    const p = rel.split('\\').join('/');
    return regexps.some((r) => r.test(p));
  };
}
