/** Small things several rules need: indentation, import insertion, method insertion. */
import type { ClassInfo, FileModel, FunctionInfo } from '../model';
import { childByField, type Node } from '../syntax';
import type { TextEdit } from '../types';

/** Leading whitespace of the line the node starts on. */
export function indentOf(model: FileModel, node: Node): string {
  const line = model.lines.lineOf(node.start);
  const text = model.lines.lineText(line);
  return /^[ \t]*/.exec(text)![0];
}

/** The indentation one level deeper than `indent`, in the file's style (tabs or N spaces). */
export function deeperIndent(model: FileModel, indent: string): string {
  if (indent.includes('\t')) return `${indent}\t`;
  const unit = detectIndentUnit(model);
  return indent + unit;
}

const indentUnits = new WeakMap<FileModel, string>();

/** The file's indentation unit, from its first indented line (computed once per model: each fix asks). */
export function detectIndentUnit(model: FileModel): string {
  let unit = indentUnits.get(model);
  if (unit === undefined) {
    unit = '    ';
    const lines = model.lines;
    for (let line = 0; line < lines.lineCount; line++) {
      const m = /^([ \t]+)\S/.exec(lines.lineText(line));
      if (m) {
        unit = m[1].startsWith('\t') ? '\t' : m[1].length >= 8 ? '    ' : m[1];
        break;
      }
    }
    indentUnits.set(model, unit);
  }
  return unit;
}

/** Indentation of the statements of a class body. */
export function classBodyIndent(model: FileModel, cls: ClassInfo): string {
  const first = cls.body.children.find((c) => c.named && c.type !== 'comment') ?? cls.body;
  const line = model.lines.lineOf(first.start);
  if (line === model.lines.lineOf(cls.node.start)) return deeperIndent(model, indentOf(model, cls.node));
  return indentOf(model, first);
}

/** Indentation of the statements of a function body. */
export function functionBodyIndent(model: FileModel, fn: FunctionInfo): string {
  const first = fn.body.children.find((c) => c.named && c.type !== 'comment') ?? fn.body;
  const line = model.lines.lineOf(first.start);
  if (line === model.lines.lineOf(fn.node.start)) return deeperIndent(model, indentOf(model, fn.node));
  return indentOf(model, first);
}

/** The end offset of a node's last line's content, i.e. where text can be appended after it. */
export function endOfLastLine(model: FileModel, node: Node): number {
  return model.lines.lineEndWithoutBreak(model.lines.lineOf(Math.max(node.start, node.end - 1)));
}

/**
 * An edit adding `lines` (already indented, without line breaks) as new lines after the class
 * body, separated by a blank line.
 */
export function appendToClassEdit(model: FileModel, cls: ClassInfo, lines: string[]): TextEdit {
  const nl = model.lines.lineBreak();
  const at = endOfLastLine(model, cls.body);
  return { start: at, end: at, newText: nl + nl + lines.join(nl) };
}

/**
 * An edit that makes `name` importable from `module`: nothing when it is already imported, an
 * addition to an existing `from module import ...`, else a new import line after the last
 * top-level import (or at the top, after a module docstring and `__future__` imports).
 */
export function ensureImportEdit(model: FileModel, module: string, name: string): TextEdit | undefined {
  const binding = model.imports.get(name);
  // An import inside some function does not make the name visible elsewhere: add a module-level one.
  if (binding && binding.qualified === `${module}.${name}` && !binding.nested) return undefined;
  const nl = model.lines.lineBreak();
  let lastImport: Node | undefined;
  for (const stmt of model.root.children) {
    if (stmt.type === 'import_from_statement' || stmt.type === 'import_statement' || stmt.type === 'future_import_statement') {
      lastImport = stmt;
      if (stmt.type === 'import_from_statement' && childByField(stmt, 'module_name')?.type === 'dotted_name' && model.textOf(childByField(stmt, 'module_name')!) === module && !stmt.children.some((c) => c.type === 'wildcard_import') && !stmt.hasError) {
        const names = stmt.children.filter((c) => c.field === 'name');
        const last = names[names.length - 1];
        if (last && (!binding || binding.nested)) return { start: last.end, end: last.end, newText: `, ${name}` };
      }
    } else if (stmt.type !== 'comment' && !(stmt.type === 'expression_statement' && stmt.children[0]?.type === 'string')) {
      if (lastImport) break;
    }
  }
  const statement = `from ${module} import ${name}`;
  if (lastImport) {
    const at = endOfLastLine(model, lastImport);
    return { start: at, end: at, newText: nl + statement };
  }
  // No import yet: after a leading docstring, else at the very top.
  const first = model.root.children.find((c) => c.type !== 'comment');
  if (first?.type === 'expression_statement' && first.children[0]?.type === 'string') {
    const at = endOfLastLine(model, first);
    return { start: at, end: at, newText: nl + statement };
  }
  // Keep a shebang, encoding line or header comment above the new import.
  const at = first ? model.lines.lineStarts[model.lines.lineOf(first.start)] : model.text.length;
  return { start: at, end: at, newText: statement + nl };
}

/**
 * An edit that makes the module `module` importable as its own name (`import hashlib`): nothing
 * when a top-level `import module` (or one inside `scope`) exists, else a new `import` line among
 * the top-level plain imports in alphabetical order (before the `from` imports when there are
 * none, after a module docstring and `__future__` imports). Undefined when the name is taken by
 * something else, so the caller offers no fix.
 */
export function ensureModuleImportEdit(model: FileModel, module: string, scope?: Node): TextEdit | undefined | 'taken' {
  const binding = model.imports.get(module);
  if (binding) {
    if (binding.qualified !== module) return 'taken';
    if (!binding.nested) return undefined;
    if (scope && binding.node.start >= scope.start && binding.node.end <= scope.end) return undefined;
  } else if (model.functions.has(module) || model.classesByName.has(module) || model.moduleBindings.has(module)) {
    return 'taken';
  }
  const nl = model.lines.lineBreak();
  const statement = `import ${module}`;
  const topLevel = model.root.children;
  const plain = topLevel.filter((s) => s.type === 'import_statement' && !s.hasError);
  const after = plain.find((s) => model.textOf(s).replace(/^import\s+/, '').split(/[\s,.]/)[0] > module);
  if (after) {
    const at = model.lines.lineStarts[model.lines.lineOf(after.start)];
    return { start: at, end: at, newText: statement + nl };
  }
  if (plain.length) {
    const at = endOfLastLine(model, plain[plain.length - 1]);
    return { start: at, end: at, newText: nl + statement };
  }
  const futures = topLevel.filter((s) => s.type === 'future_import_statement');
  if (futures.length) {
    const at = endOfLastLine(model, futures[futures.length - 1]);
    return { start: at, end: at, newText: nl + statement };
  }
  const firstFrom = topLevel.find((s) => s.type === 'import_from_statement');
  if (firstFrom) {
    const at = model.lines.lineStarts[model.lines.lineOf(firstFrom.start)];
    return { start: at, end: at, newText: statement + nl };
  }
  const first = topLevel.find((c) => c.type !== 'comment');
  if (first?.type === 'expression_statement' && first.children[0]?.type === 'string') {
    const at = endOfLastLine(model, first);
    return { start: at, end: at, newText: nl + statement };
  }
  const at = first ? model.lines.lineStarts[model.lines.lineOf(first.start)] : model.text.length;
  return { start: at, end: at, newText: statement + nl };
}

/**
 * An edit adding `entry` as the last element of a bracketed container (a dict literal, an
 * argument list) whose elements are `items`: on the same line after `, ` when the container
 * closes on the last element's line, else on a new line in the last element's indentation,
 * keeping a trailing comma style.
 */
export function appendElementEdit(model: FileModel, container: Node, items: Node[], entry: string): TextEdit[] {
  const closeAt = container.end - 1;
  const last = items[items.length - 1];
  if (!last) return [{ start: container.start + 1, end: container.start + 1, newText: entry }];
  const between = model.text.slice(last.end, closeAt);
  const trailingComma = /^\s*,/.exec(between);
  if (model.lines.lineOf(last.end) === model.lines.lineOf(closeAt)) {
    if (trailingComma) return [{ start: last.end + trailingComma[0].length, end: last.end + trailingComma[0].length, newText: ` ${entry}` }];
    return [{ start: last.end, end: last.end, newText: `, ${entry}` }];
  }
  const nl = model.lines.lineBreak();
  const indent = indentOf(model, last);
  // After the rest of the last element's line, so a comment there stays with it.
  const eol = endOfLastLine(model, last);
  if (trailingComma) return [{ start: eol, end: eol, newText: `${nl}${indent}${entry},` }];
  if (eol === last.end) return [{ start: last.end, end: last.end, newText: `,${nl}${indent}${entry}` }];
  return [
    { start: last.end, end: last.end, newText: ',' },
    { start: eol, end: eol, newText: `${nl}${indent}${entry}` },
  ];
}
