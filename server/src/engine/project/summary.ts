/**
 * The outline of a file that the project index keeps for every file: its top-level classes with
 * their bases and (same-file) roles, its module functions and its module-level imports. Small
 * plain data (it crosses worker threads), computed from a parse that skips function bodies, or
 * from a model the front end already has.
 */
import { type BaseRef, type ClassInfo, FileModel, qualifiedName } from '../model';
import { roleOfQualifiedName, type SparkRole } from '../model/roles';
import type { PythonParser } from '../parser';
import { convertTree, type Node } from '../syntax';

export interface BaseSummary {
  /** The base's qualified name through the file's imports, unless it is a class of the same file. */
  qualified?: string;
  /** A Spark class named directly. */
  role?: SparkRole;
  /** A top-level class of the same file: its index in {@link FileSummary.classes}. */
  local?: number;
}

export interface ClassSummary {
  name: string;
  bases: BaseSummary[];
}

export interface FileSummary {
  /** Top-level classes, in source order (a later one of the same name wins, as in Python). */
  classes: ClassSummary[];
  /** Module-level functions. */
  functions: string[];
  /** Module-level imports: local name → qualified name. */
  imports: [string, string][];
  /** Modules of `from module import *`. */
  starImports: string[];
}

/** The summary of a model (any file's: offsets do not matter here). */
export function summarizeModel(model: FileModel): FileSummary {
  const topLevel = model.classes.filter((c) => !c.nested);
  // Classes the outline parse sees (it skips function bodies): the same summary either way.
  const outline = model.classes.filter((c) => !insideFunction(c.node));
  const baseOf = (c: ClassInfo, b: BaseRef): BaseSummary => {
    if (b.role) return { role: b.role };
    let local = b.userClass && model.classes.includes(b.userClass) ? b.userClass : undefined;
    if (local && insideFunction(local.node)) {
      const name = local.name;
      const before = outline.filter((d) => d !== c && d.name === name && d.node.start < c.node.start);
      local = before[before.length - 1];
      if (!local) {
        const qualified = qualifiedName(b.node, model.imports);
        const role = roleOfQualifiedName(qualified);
        return role ? { role } : qualified ? { qualified } : {};
      }
    }
    if (local) return topLevel.includes(local) ? { local: topLevel.indexOf(local) } : {};
    const role = roleOfQualifiedName(b.qualified);
    return role ? { role } : b.qualified ? { qualified: b.qualified } : {};
  };
  return {
    classes: topLevel.map((c) => ({ name: c.name, bases: c.bases.map((b) => baseOf(c, b)) })),
    functions: [...model.functions.keys()],
    imports: model.imports
      .all()
      .filter((b) => !b.nested)
      .map((b): [string, string] => [b.local, b.qualified]),
    starImports: [...model.imports.starModules],
  };
}

function insideFunction(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return true;
  return false;
}

/** Files longer than this (characters) get no summary, as the analysis skips them. */
export const MAX_INDEXED_LENGTH = 5_000_000;

/** The summary of a file's text as every thread computes it: null when there is none to make. */
export function summarizeSource(text: string | undefined, parser: PythonParser, maxLength = MAX_INDEXED_LENGTH): FileSummary | null {
  if (text === undefined || text.length > maxLength) return null;
  try {
    return summarizeText(text, parser);
  } catch {
    return null;
  }
}

/** Parses `text` (function bodies skipped) and summarizes it; the native tree is freed. */
export function summarizeText(text: string, parser: PythonParser): FileSummary {
  const tree = parser.parse(text);
  try {
    const root = convertTree(tree, text, undefined, { skipFunctionBodies: true });
    return summarizeModel(new FileModel(text, root));
  } finally {
    tree.delete?.();
  }
}
