/**
 * What each imported name refers to, so `R`, `ds.DataSourceStreamReader` and
 * `pyspark.sql.datasource.DataSourceStreamReader` all resolve to one qualified name.
 */
import { fileIdOf } from '../source';
import { childByField, childrenByField, type Node, walk } from '../syntax';

export interface ImportBinding {
  /** The local name. */
  local: string;
  /** Fully qualified name the local refers to (`json`, `datetime.datetime`, `.base.Reader`). */
  qualified: string;
  /** The import statement. */
  node: Node;
  /** True when the import sits inside a function (executor-side lazy imports are common). */
  nested: boolean;
}

export class ImportTable {
  private readonly bindings = new Map<string, ImportBinding>();
  /** Module names imported as a whole (`import requests`), for "does the file use X" checks. */
  readonly modules = new Set<string>();
  /** Modules imported with `from module import *` at module level. */
  readonly starModules: string[] = [];
  /** The file the table belongs to (see `FILE_SPAN`): 0 for the analysed file. */
  fileId = 0;
  /**
   * The import table of another file of the project, so that names in code of that file (an
   * inherited method, an imported helper) resolve through that file's imports.
   */
  foreign?: (fileId: number) => ImportTable | undefined;

  /** The table that resolves names written at `node`: this one, or the table of the node's file. */
  tableFor(node: Node): ImportTable {
    const id = fileIdOf(node.start);
    if (id === this.fileId) return this;
    return this.foreign?.(id) ?? EMPTY_TABLE;
  }

  add(binding: ImportBinding): void {
    const existing = this.bindings.get(binding.local);
    // A module-level import wins over one inside a function.
    if (existing && !existing.nested && binding.nested) return;
    this.bindings.set(binding.local, binding);
  }

  get(local: string): ImportBinding | undefined {
    return this.bindings.get(local);
  }

  all(): ImportBinding[] {
    return [...this.bindings.values()];
  }
}

function dottedName(node: Node): string {
  // dotted_name children are identifiers
  if (node.type === 'identifier') return node.text ?? '';
  return node.children
    .filter((c) => c.type === 'identifier')
    .map((c) => c.text)
    .join('.');
}

function relativeName(node: Node): string {
  // relative_import: import_prefix ('.', '..') + optional dotted_name
  let dots = '';
  let name = '';
  for (const c of node.children) {
    if (c.type === 'import_prefix') dots = '.'.repeat(Math.max(1, (c.end - c.start)));
    else if (c.type === 'dotted_name') name = dottedName(c);
  }
  return dots + name;
}

/**
 * True when `node` is code of the file `imports` belongs to. Module-level names (functions,
 * bindings) of that file only say something about its own code, not about code of another file
 * of the project (an inherited method): there, look them up in that file, or not at all.
 */
export function inFileOf(node: Node, imports: ImportTable): boolean {
  return fileIdOf(node.start) === imports.fileId;
}

/** Resolves nothing: for code of a file whose imports are not known. */
const EMPTY_TABLE = new ImportTable();

export function collectImports(root: Node): ImportTable {
  const table = new ImportTable();
  table.fileId = fileIdOf(root.start);
  walk(root, (n) => {
    if (n.type === 'import_statement' || n.type === 'import_from_statement' || n.type === 'future_import_statement') {
      const nested = isInsideFunction(n);
      if (n.type === 'import_statement') {
        for (const c of childrenByField(n, 'name')) {
          if (c.type === 'aliased_import') {
            const name = childByField(c, 'name');
            const alias = childByField(c, 'alias');
            if (name && alias?.text) {
              const q = dottedName(name);
              table.add({ local: alias.text, qualified: q, node: n, nested });
              table.modules.add(q);
            }
          } else if (c.type === 'dotted_name') {
            const q = dottedName(c);
            const head = q.split('.')[0];
            table.add({ local: head, qualified: head, node: n, nested });
            table.modules.add(q);
          }
        }
      } else if (n.type === 'import_from_statement') {
        const moduleNode = childByField(n, 'module_name');
        if (!moduleNode) return false;
        const moduleName = moduleNode.type === 'relative_import' ? relativeName(moduleNode) : dottedName(moduleNode);
        table.modules.add(moduleName);
        if (!nested && n.children.some((c) => c.type === 'wildcard_import')) table.starModules.push(moduleName);
        for (const c of childrenByField(n, 'name')) {
          if (c.type === 'aliased_import') {
            const name = childByField(c, 'name');
            const alias = childByField(c, 'alias');
            if (name && alias?.text) {
              table.add({ local: alias.text, qualified: join(moduleName, dottedName(name)), node: n, nested });
            }
          } else if (c.type === 'dotted_name' || c.type === 'identifier') {
            const name = dottedName(c);
            table.add({ local: name, qualified: join(moduleName, name), node: n, nested });
          }
        }
      }
      return false;
    }
    return undefined;
  });
  return table;
}

function join(moduleName: string, name: string): string {
  return moduleName.endsWith('.') ? moduleName + name : `${moduleName}.${name}`;
}

function isInsideFunction(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return true;
  return false;
}

/**
 * The qualified name of an identifier or attribute chain through the imports:
 * `ds.DataSourceStreamReader` → `pyspark.sql.datasource.DataSourceStreamReader`. Names not
 * imported come back as written (`int`, `self.x`, `MyClass`).
 */
export function qualifiedName(node: Node | undefined, imports: ImportTable): string | undefined {
  if (!node) return undefined;
  return qualifiedIn(node, imports.tableFor(node));
}

function qualifiedIn(node: Node | undefined, imports: ImportTable): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') {
    const name = node.text ?? '';
    return imports.get(name)?.qualified ?? name;
  }
  if (node.type === 'attribute') {
    const object = childByField(node, 'object');
    const attribute = childByField(node, 'attribute');
    const head = qualifiedIn(object, imports);
    if (head === undefined || !attribute?.text) return undefined;
    return `${head}.${attribute.text}`;
  }
  return undefined;
}

/** The written dotted name of an identifier or attribute chain, without resolving imports. */
export function writtenName(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text ?? undefined;
  if (node.type === 'attribute') {
    const head = writtenName(childByField(node, 'object'));
    const attribute = childByField(node, 'attribute');
    return head !== undefined && attribute?.text ? `${head}.${attribute.text}` : undefined;
  }
  return undefined;
}
