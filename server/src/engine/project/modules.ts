/**
 * Python module names → files of the project, the way the import system finds them for code
 * that runs from the project's folders:
 *
 * - a file in a package (its folder has an `__init__.py`, and so on up) imports absolute names
 *   from the folder above its outermost package, as when the project root is on `sys.path`;
 *   a file outside any package imports from its own folder (the script's folder is `sys.path[0]`);
 * - the roots the front end gives (the CLI's arguments, the editor's workspace folders) and
 *   their `src/` folders (the "src layout") come next;
 * - relative names (`.base`, `..common.base`) start from the file's own folder, one folder up per
 *   extra dot (namespace folders without `__init__.py` included: the analysis is lenient where
 *   Python would refuse);
 * - names of the standard library and of PySpark are never the user's files, even when a file of
 *   the same name exists (a local `json.py` does not make `json.dumps` a user function).
 *
 * Everything here works on the set of files the index knows: no disk access.
 */
import * as path from 'node:path';

/** The files of the project (absolute paths, as `path.resolve` gives them). */
export interface ProjectFiles {
  has(file: string): boolean;
}

/** Top-level names that are never modules of the project. */
export const EXTERNAL_TOP_LEVEL: ReadonlySet<string> = new Set([
  'pyspark', 'py4j', 'abc', 'argparse', 'array', 'ast', 'asyncio', 'base64', 'bisect', 'builtins', 'bz2', 'calendar',
  'codecs', 'collections', 'concurrent', 'configparser', 'contextlib', 'copy', 'csv', 'ctypes', 'dataclasses',
  'datetime', 'decimal', 'difflib', 'email', 'enum', 'errno', 'fnmatch', 'fractions', 'functools', 'gc', 'getpass',
  'glob', 'gzip', 'hashlib', 'heapq', 'hmac', 'html', 'http', 'importlib', 'inspect', 'io', 'ipaddress', 'itertools',
  'json', 'logging', 'lzma', 'math', 'mimetypes', 'multiprocessing', 'numbers', 'operator', 'os', 'pathlib',
  'pickle', 'platform', 'pprint', 'queue', 'random', 're', 'secrets', 'select', 'selectors', 'shlex', 'shutil',
  'signal', 'socket', 'sqlite3', 'ssl', 'stat', 'statistics', 'string', 'struct', 'subprocess', 'sys', 'tempfile',
  'textwrap', 'threading', 'time', 'timeit', 'traceback', 'types', 'typing', 'typing_extensions', 'unittest',
  'urllib', 'uuid', 'warnings', 'weakref', 'xml', 'zipfile', 'zlib', 'zoneinfo',
]);

const MODULE_SUFFIXES = ['.py', '.pyi'];

/**
 * The folder whose subfolders are the top-level packages of the file's package: the parent of the
 * outermost folder with an `__init__.py` above the file; the file's own folder outside packages.
 */
export function packageRoot(file: string, files: ProjectFiles): string {
  let dir = path.dirname(file);
  for (let i = 0; i < 64 && hasInit(dir, files); i++) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dir;
}

/** The outermost package folder of the file, if it is in a package. */
export function topPackage(file: string, files: ProjectFiles): string | undefined {
  const root = packageRoot(file, files);
  const dir = path.dirname(file);
  if (root === dir) return undefined;
  const rel = path.relative(root, dir).split(path.sep)[0];
  return path.join(root, rel);
}

function hasInit(dir: string, files: ProjectFiles): boolean {
  return files.has(path.join(dir, '__init__.py')) || files.has(path.join(dir, '__init__.pyi'));
}

/** Where absolute imports of `file` are looked up, in order. */
export function searchRoots(file: string, files: ProjectFiles, roots: readonly string[] = []): string[] {
  const out: string[] = [packageRoot(file, files)];
  for (const r of roots) out.push(path.resolve(r));
  for (const r of roots) out.push(path.resolve(r, 'src'));
  return [...new Set(out)];
}

/** The module file of a dotted path below `dir`: `a/b.py`, then `a/b/__init__.py`; the package itself for no parts. */
function moduleFileIn(dir: string, parts: readonly string[], files: ProjectFiles): string | undefined {
  if (!parts.length) {
    for (const suffix of MODULE_SUFFIXES) {
      const init = path.join(dir, `__init__${suffix}`);
      if (files.has(init)) return init;
    }
    return undefined;
  }
  const base = path.join(dir, ...parts);
  for (const suffix of MODULE_SUFFIXES) if (files.has(base + suffix)) return base + suffix;
  for (const suffix of MODULE_SUFFIXES) {
    const init = path.join(base, `__init__${suffix}`);
    if (files.has(init)) return init;
  }
  return undefined;
}

export interface NameTarget {
  /** The module's file. */
  file: string;
  /** The names after the module (`['BaseReader']`); empty when the name is the module itself. */
  rest: string[];
}

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * Splits a qualified name as the imports give it (`pkg.common.base.BaseReader`, `.base.Reader`,
 * `..common.base`) into the longest module prefix that is a file of the project and the names
 * after it. Undefined when no prefix is a project file.
 */
export function splitQualified(qualified: string, fromFile: string, files: ProjectFiles, roots: readonly string[] = []): NameTarget | undefined {
  const m = /^(\.*)(.*)$/su.exec(qualified);
  if (!m) return undefined;
  const dots = m[1].length;
  const parts = m[2] ? m[2].split('.') : [];
  if (parts.some((p) => !IDENTIFIER.test(p))) return undefined;
  if (dots) {
    let dir = path.dirname(fromFile);
    for (let i = 1; i < dots; i++) dir = path.dirname(dir);
    for (let k = parts.length; k >= 0; k--) {
      const file = moduleFileIn(dir, parts.slice(0, k), files);
      if (file) return { file, rest: parts.slice(k) };
    }
    return undefined;
  }
  if (!parts.length || EXTERNAL_TOP_LEVEL.has(parts[0])) return undefined;
  for (const root of searchRoots(fromFile, files, roots)) {
    for (let k = parts.length; k >= 1; k--) {
      const file = moduleFileIn(root, parts.slice(0, k), files);
      if (file) return { file, rest: parts.slice(k) };
    }
  }
  return undefined;
}

/** The dotted module name of a file below its package root (`pkg.common.base`), for messages and tests. */
export function moduleNameOf(file: string, files: ProjectFiles): string {
  const root = packageRoot(file, files);
  const rel = path.relative(root, file).replace(/\.pyi?$/, '');
  const parts = rel.split(path.sep);
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.join('.');
}
