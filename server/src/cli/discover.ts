/**
 * Which files to lint: the files given, and `*.py` files under the directories given, skipping
 * `.git`, `node_modules`, virtual environments, `.gitignore`d paths and configured excludes.
 * Symlinked directories are followed once (loops are detected by real path).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignoreFactory from 'ignore';

type Ignore = ReturnType<typeof ignoreFactory>;

const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.tox', '.nox', '.venv', 'venv', '.eggs', 'site-packages', 'dist-packages']);

export interface DiscoveryProblem {
  path: string;
  message: string;
}

export interface DiscoveryResult {
  files: string[];
  problems: DiscoveryProblem[];
}

interface IgnoreLayer {
  dir: string;
  rules: Ignore;
}

function loadGitignore(dir: string): Ignore | undefined {
  const file = path.join(dir, '.gitignore');
  let text: string;
  try {
    if (!fs.statSync(file).isFile()) return undefined; // a FIFO would block the read
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return ignoreFactory().add(text);
}

function isIgnored(layers: IgnoreLayer[], absolute: string, isDir: boolean): boolean {
  for (const layer of layers) {
    const rel = path.relative(layer.dir, absolute).split(path.sep).join('/');
    if (!rel || rel.startsWith('..')) continue;
    if (layer.rules.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/** The .gitignore files from the repository root (a directory with .git) down to `dir`. */
function ancestorLayers(dir: string): IgnoreLayer[] {
  const chain: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    chain.unshift(current);
    if (fs.existsSync(path.join(current, '.git'))) break;
    const parent = path.dirname(current);
    if (parent === current) {
      // Not in a repository: only the directory's own .gitignore applies.
      chain.splice(0, chain.length - 1);
      break;
    }
    current = parent;
  }
  const layers: IgnoreLayer[] = [];
  for (const d of chain) {
    const rules = loadGitignore(d);
    if (rules) layers.push({ dir: d, rules });
  }
  return layers;
}

function isVirtualenv(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'pyvenv.cfg')) || fs.existsSync(path.join(dir, 'conda-meta'));
}

export interface DiscoverOptions {
  /** Extra patterns to exclude (gitignore syntax), relative to `excludeBase`. */
  exclude?: string[];
  excludeBase?: string;
  /** Also honour .gitignore files (default true). */
  respectGitignore?: boolean;
}

export function discoverFiles(inputs: string[], options: DiscoverOptions = {}): DiscoveryResult {
  const files: string[] = [];
  const problems: DiscoveryProblem[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const exclude = options.exclude?.length ? ignoreFactory().add(options.exclude) : undefined;
  const excludeBase = path.resolve(options.excludeBase ?? process.cwd());
  const respectGitignore = options.respectGitignore ?? true;

  const excluded = (absolute: string, isDir: boolean) => {
    if (!exclude) return false;
    const rel = path.relative(excludeBase, absolute).split(path.sep).join('/');
    return !!rel && !rel.startsWith('..') && exclude.ignores(isDir ? `${rel}/` : rel);
  };

  const addFile = (display: string) => {
    let real: string;
    try {
      real = fs.realpathSync(display);
    } catch {
      real = path.resolve(display);
    }
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    files.push(display);
  };

  const walkDir = (display: string, layers: IgnoreLayer[]) => {
    let real: string;
    try {
      real = fs.realpathSync(display);
    } catch (err) {
      problems.push({ path: display, message: describe(err) });
      return;
    }
    if (seenDirs.has(real)) return; // a symlink loop, or a directory reached twice
    seenDirs.add(real);
    const own = respectGitignore ? loadGitignore(display) : undefined;
    const here = own ? [...layers, { dir: path.resolve(display), rules: own }] : layers;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(display, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: display, message: describe(err) });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = path.join(display, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = fs.statSync(child);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // dangling link
        }
      }
      const absolute = path.resolve(child);
      if (isDir) {
        if (SKIPPED_DIRS.has(entry.name) || isVirtualenv(child)) continue;
        if (respectGitignore && isIgnored(here, absolute, true)) continue;
        if (excluded(absolute, true)) continue;
        walkDir(child, here);
      } else if (isFile && (entry.name.endsWith('.py') || entry.name.endsWith('.pyi'))) {
        if (respectGitignore && isIgnored(here, absolute, false)) continue;
        if (excluded(absolute, false)) continue;
        addFile(child);
      }
    }
  };

  for (const input of inputs) {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch (err) {
      problems.push({ path: input, message: describe(err) });
      continue;
    }
    if (st.isDirectory()) {
      walkDir(input, respectGitignore ? ancestorLayers(path.dirname(path.resolve(input))) : []);
    } else {
      // A file named explicitly is linted even if ignored, as ruff does without --force-exclude.
      addFile(input);
    }
  }
  return { files, problems };
}

export function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return e.message ?? String(err);
  }
}

// ------------------------------------------------------------------ asynchronous discovery

async function loadGitignoreAsync(dir: string): Promise<Ignore | undefined> {
  try {
    const file = path.join(dir, '.gitignore');
    if (!(await fs.promises.stat(file)).isFile()) return undefined; // a FIFO would never end the read
    return ignoreFactory().add(await fs.promises.readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.promises.access(p);
    return true;
  } catch {
    return false;
  }
}

async function ancestorLayersAsync(dir: string): Promise<IgnoreLayer[]> {
  const chain: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    chain.unshift(current);
    if (await exists(path.join(current, '.git'))) break;
    const parent = path.dirname(current);
    if (parent === current) {
      chain.splice(0, chain.length - 1);
      break;
    }
    current = parent;
  }
  const layers: IgnoreLayer[] = [];
  for (const d of chain) {
    const rules = await loadGitignoreAsync(d);
    if (rules) layers.push({ dir: d, rules });
  }
  return layers;
}

export interface AsyncDiscoverOptions {
  /** Also honour .gitignore files (default true). */
  respectGitignore?: boolean;
  /** More paths to skip (the editor's `files.exclude`). */
  isExcluded?: (absolute: string, isDir: boolean) => boolean;
  /** Stop early (the server is shutting down, or the folders changed). */
  cancelled?: () => boolean;
}

/**
 * The `*.py`/`*.pyi` files under folders, with the same skipping rules as {@link discoverFiles}
 * (.git, node_modules, virtual environments, .gitignore), without blocking the event loop: for a
 * language server indexing its workspace in the background.
 */
export async function discoverFilesAsync(dirs: string[], options: AsyncDiscoverOptions = {}): Promise<string[]> {
  const files: string[] = [];
  const seenDirs = new Set<string>();
  const respectGitignore = options.respectGitignore ?? true;
  const walkDir = async (dir: string, layers: IgnoreLayer[]) => {
    if (options.cancelled?.()) return;
    let real: string;
    try {
      real = await fs.promises.realpath(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    const own = respectGitignore ? await loadGitignoreAsync(dir) : undefined;
    const here = own ? [...layers, { dir: path.resolve(dir), rules: own }] : layers;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = await fs.promises.stat(child);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      const absolute = path.resolve(child);
      if (isDir) {
        if (SKIPPED_DIRS.has(entry.name)) continue;
        if ((await exists(path.join(child, 'pyvenv.cfg'))) || (await exists(path.join(child, 'conda-meta')))) continue;
        if (respectGitignore && isIgnored(here, absolute, true)) continue;
        if (options.isExcluded?.(absolute, true)) continue;
        await walkDir(child, here);
      } else if (isFile && (entry.name.endsWith('.py') || entry.name.endsWith('.pyi'))) {
        if (respectGitignore && isIgnored(here, absolute, false)) continue;
        if (options.isExcluded?.(absolute, false)) continue;
        files.push(absolute);
      }
    }
  };
  for (const dir of dirs) await walkDir(dir, respectGitignore ? await ancestorLayersAsync(path.dirname(path.resolve(dir))) : []);
  return files;
}

/** Whether a file (absolute) is skipped by the discovery rules (skipped folders, virtualenvs, .gitignore), below `root`. */
export async function isSkippedAsync(file: string, root: string, respectGitignore = true): Promise<boolean> {
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith('..')) return true;
  const parts = rel.split(path.sep);
  let dir = root;
  let layers = respectGitignore ? await ancestorLayersAsync(path.dirname(root)) : [];
  for (let i = 0; i < parts.length; i++) {
    const own = respectGitignore ? await loadGitignoreAsync(dir) : undefined;
    if (own) layers = [...layers, { dir, rules: own }];
    const child = path.join(dir, parts[i]);
    const isDir = i < parts.length - 1;
    if (isDir && (SKIPPED_DIRS.has(parts[i]) || (await exists(path.join(child, 'pyvenv.cfg'))))) return true;
    if (respectGitignore && isIgnored(layers, child, isDir)) return true;
    dir = child;
  }
  return false;
}
