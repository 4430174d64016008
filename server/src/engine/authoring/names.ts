/**
 * How generated code refers to library names in the style the file already uses: the local name
 * of an existing `from m import X [as Y]`, `alias.X` after `import m as alias`, else a new import
 * (one `from m import A, B` per module, added to an existing one when there is one).
 */
import type { FileModel } from '../model';
import { DATASOURCE_MODULES } from '../model';
import { ensureImportEdit, ensureModuleImportEdit } from '../rules/helpers';
import type { TextEdit } from '../types';

export class ImportPlanner {
  private readonly fromImports = new Map<string, string[]>();
  private readonly moduleImports = new Set<string>();
  /** Local names this plan binds (so two requests never bind one name to two things). */
  private readonly planned = new Map<string, string>();

  constructor(private readonly model: FileModel) {}

  /** An expression for `module.name` in this file, or undefined when every way is taken. */
  ref(module: string, name: string): string | undefined {
    const modules = DATASOURCE_MODULES.includes(module) ? DATASOURCE_MODULES : [module];
    const bindings = this.model.imports.all().filter((b) => !b.nested);
    const direct = bindings.find((b) => modules.some((m) => b.qualified === `${m}.${name}`));
    if (direct) return direct.local;
    const alias = bindings.find((b) => modules.includes(b.qualified));
    if (alias) return `${alias.local}.${name}`;
    // `import pyspark.sql.datasource` binds `pyspark`: the full dotted name works.
    const dotted = modules.find((m) => this.model.imports.modules.has(m) && bindings.some((b) => b.local === m.split('.')[0] && b.qualified === b.local));
    if (dotted) return `${dotted}.${name}`;
    if (this.planned.get(name) === `${module}.${name}`) return name;
    if (this.isFree(name)) {
      this.planned.set(name, `${module}.${name}`);
      const names = this.fromImports.get(module) ?? [];
      names.push(name);
      this.fromImports.set(module, names);
      return name;
    }
    const head = module.split('.')[0];
    if (this.planned.get(head) === head || this.isFree(head)) {
      this.planned.set(head, head);
      this.moduleImports.add(module);
      return `${module}.${name}`;
    }
    return undefined;
  }

  /** An expression for the module itself (`copy`), importing it when needed. */
  moduleRef(module: string): string | undefined {
    const binding = this.model.imports.all().find((b) => !b.nested && b.qualified === module);
    if (binding) return binding.local;
    if (this.planned.get(module) === module) return module;
    if (module.includes('.') || !this.isFree(module)) return undefined;
    this.planned.set(module, module);
    this.moduleImports.add(module);
    return module;
  }

  /** True when `name` is not bound at module level (nor planned for something else). */
  isFree(name: string): boolean {
    if (this.planned.has(name)) return false;
    const binding = this.model.imports.get(name);
    if (binding && !binding.nested) return false;
    const m = this.model;
    return !m.classes.some((c) => c.name === name && !c.nested) && !m.functions.has(name) && !m.moduleBindings.has(name) && !BUILTINS.has(name);
  }

  /** The import edits, merged where they insert at the same place. */
  edits(): TextEdit[] {
    const out: TextEdit[] = [];
    for (const module of [...this.moduleImports].sort()) {
      const edit = ensureModuleImportEdit(this.model, module);
      if (edit && edit !== 'taken') out.push(edit);
    }
    for (const [module, names] of this.fromImports) {
      const edit = ensureImportEdit(this.model, module, names.join(', '));
      if (edit) out.push(edit);
    }
    return mergeInsertions(out);
  }
}

/** Insertions at one offset become one edit (in order), so their order is never left to a client. */
export function mergeInsertions(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const same = out.find((o) => o.start === e.start && o.end === e.end && o.start === o.end);
    if (same && e.start === e.end) same.newText += e.newText;
    else out.push({ ...e });
  }
  return out.sort((a, b) => a.start - b.start);
}

const BUILTINS = new Set(['type', 'id', 'min', 'max', 'iter', 'list', 'dict', 'tuple', 'str', 'int', 'float', 'range', 'len', 'object', 'super', 'print', 'open']);
