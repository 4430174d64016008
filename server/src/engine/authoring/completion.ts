/**
 * Completion at the cursor, from the text around it and the model of the class it is in.
 *
 * The line being typed is often a syntax error (`start["`, `    def la`), so the context (which
 * class, which method, which parameter) is read from the text: the enclosing `def` and `class`
 * lines found by indentation. What the class is (role, inherited methods, offset keys) comes
 * from a model where the class was intact: the current one when it is, else the last one the
 * caller kept (see {@link CompletionSource}).
 */
import { type ClassInfo, classLineage, type FileModel, roleOfQualifiedName, type SparkRole } from '../model';
import type { LineIndex } from '../source';
import type { TextEdit } from '../types';
import { detectIndentUnit } from '../rules/helpers';
import { type FactoryProduct, type MemberTemplate, memberTemplates } from './memberTemplates';
import { ImportPlanner } from './names';
import { type OffsetKey, offsetKeysOf } from './offsetKeys';
import { render, type SnippetLine } from './snippet';

/** Where completion finds models. */
export interface CompletionSource {
  text: string;
  offset: number;
  lines: LineIndex;
  /** The model of the current text (which may have syntax errors), when the caller has it. */
  current?: FileModel;
  /**
   * For the import edits of member completions: the current model, or a kept one whose text is
   * the same up to the end of the imports ({@link sharesImports}), so its offsets hold.
   */
  importModel?: FileModel;
  /** A model where the class of this name was intact (no syntax error), if one was kept. */
  intact?: (className: string) => { model: FileModel; cls: ClassInfo } | undefined;
}

// ---------------------------------------------------------------------------------------------
// Reading the text.

function indentWidth(indent: string): number {
  let w = 0;
  for (const ch of indent) w = ch === '\t' ? w + 8 - (w % 8) : w + 1;
  return w;
}

function leading(text: string): string {
  return /^[ \t]*/.exec(text)![0];
}

function isBlankOrComment(text: string): boolean {
  return /^[ \t]*(#.*)?$/.test(text);
}

interface Header {
  line: number;
  kind: 'class' | 'def' | 'other';
  name?: string;
  indent: string;
  text: string;
}

/** The block headers above `line`, innermost first (each less indented than the one before). */
function enclosingHeaders(lines: LineIndex, line: number, indent: string): Header[] {
  const out: Header[] = [];
  let threshold = indentWidth(indent);
  for (let l = line - 1; l >= 0 && threshold > 0; l--) {
    const text = lines.lineText(l);
    if (isBlankOrComment(text)) continue;
    const own = leading(text);
    if (indentWidth(own) >= threshold) continue;
    threshold = indentWidth(own);
    const cls = /^[ \t]*class[ \t]+([A-Za-z_]\w*)/.exec(text);
    const def = /^[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/.exec(text);
    out.push({ line: l, kind: cls ? 'class' : def ? 'def' : 'other', name: cls?.[1] ?? def?.[1], indent: own, text });
  }
  return out;
}

/**
 * The indentation of the class body: that of its first statement other than the line being
 * typed, or, when the class has no other statement yet, that of the line being typed.
 */
function bodyIndentOf(lines: LineIndex, header: Header, typing: number, typingIndent: string): string | undefined {
  for (let l = header.line + 1; l < lines.lineCount; l++) {
    const text = lines.lineText(l);
    if (l === typing || isBlankOrComment(text)) continue;
    const own = leading(text);
    if (indentWidth(own) > indentWidth(header.indent)) return own;
    break;
  }
  return indentWidth(typingIndent) > indentWidth(header.indent) ? typingIndent : undefined;
}

/** Names of the `def`s directly in the class body (from the text, so a half-typed class counts). */
function ownMethodNames(lines: LineIndex, header: Header, bodyIndent: string, skip: number): Set<string> {
  const names = new Set<string>();
  for (let l = header.line + 1; l < lines.lineCount; l++) {
    if (l === skip) continue;
    const text = lines.lineText(l);
    if (isBlankOrComment(text)) continue;
    if (indentWidth(leading(text)) <= indentWidth(header.indent)) break;
    if (leading(text) !== bodyIndent) continue;
    const m = /^[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/.exec(text) ?? /^[ \t]*([A-Za-z_]\w*)[ \t]*=/.exec(text);
    if (m) names.add(m[1]);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// What the class is.

interface ClassFacts {
  role: SparkRole;
  /** The class in a model (for inherited methods and offset keys). */
  cls?: ClassInfo;
  model?: FileModel;
}

function classFacts(source: CompletionSource, header: Header): ClassFacts | undefined {
  const name = header.name!;
  const model = source.current;
  const current = model?.classes.find((c) => c.name === name && model.lines.lineOf(c.node.start) === header.line);
  if (model && current?.role && !current.hasSyntaxError) return { role: current.role, cls: current, model };
  const kept = source.intact?.(name);
  if (kept?.cls.role) return { role: kept.cls.role, cls: kept.cls, model: kept.model };
  if (model && current?.role) return { role: current.role, cls: current, model };
  const imports = model ?? source.importModel;
  if (!imports) return undefined;
  // A class typed since the last intact model: its role from the bases written on its line.
  const bases = /\(([^)]*)\)/.exec(header.text)?.[1] ?? '';
  for (const base of bases.split(',').map((b) => b.trim()).filter((b) => /^[A-Za-z_][\w.]*$/.test(b))) {
    const head = base.split('.')[0];
    const binding = imports.imports.get(head);
    if (binding) {
      const role = roleOfQualifiedName(binding.qualified + base.slice(head.length));
      if (role) return { role };
    }
    const user = imports.classesByName.get(base) ?? source.intact?.(base)?.cls;
    if (user?.role) return { role: user.role, cls: undefined };
  }
  return undefined;
}

function inheritedMethods(cls: ClassInfo | undefined): Set<string> {
  const out = new Set<string>();
  if (!cls) return out;
  for (const k of classLineage(cls).slice(1)) {
    for (const m of k.methods.keys()) out.add(m);
    for (const a of k.classAttributes.keys()) out.add(a);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Members at the start of a line in a class body.

export interface MemberCompletion {
  template: MemberTemplate;
  role: SparkRole;
  /** The text to insert, first line without indentation: later lines with the full indentation (`absolute`) or relative to the first (`relative`). */
  insert: { snippet: { absolute: string; relative: string }; plain: { absolute: string; relative: string } };
  /** What is replaced: from the first non-blank character of the line to the cursor. */
  start: number;
  end: number;
  filterText: string;
  additionalEdits: TextEdit[];
}

/** What completion could offer at the cursor, from the line alone (cheap: no model needed). */
export function completionContext(text: string, lines: LineIndex, offset: number): 'member' | 'offsetKey' | undefined {
  if (memberLine(text, lines, offset)) return 'member';
  if (keyAccess(text, lines, offset)) return 'offsetKey';
  return undefined;
}

interface MemberLine {
  lineNo: number;
  lineStart: number;
  indent: string;
  /** `def ` (or `async def `) typed before the name. */
  typedDef: string | undefined;
  header: Header;
}

/** The cursor is at the start of a member line of a class body (the text before it is at most `def name`). */
function memberLine(text: string, lines: LineIndex, offset: number): MemberLine | undefined {
  const lineNo = lines.lineOf(offset);
  const lineStart = lines.lineStarts[lineNo];
  const m = MEMBER_LINE.exec(text.slice(lineStart, offset));
  if (!m || text.slice(offset, lines.lineEndWithoutBreak(lineNo)).trim()) return undefined;
  const indent = m[1];
  const header = enclosingHeaders(lines, lineNo, indent)[0];
  if (header?.kind !== 'class' || !header.name) return undefined;
  if (bodyIndentOf(lines, header, lineNo, indent) !== indent) return undefined;
  // Right below a decorator, a skeleton would be decorated twice.
  for (let l = lineNo - 1; l > header.line; l--) {
    const t = lines.lineText(l);
    if (!t.trim()) continue;
    if (t.trimStart().startsWith('@')) return undefined;
    break;
  }
  return { lineNo, lineStart, indent, typedDef: m[2], header };
}

const MEMBER_LINE = /^([ \t]+)((?:async[ \t]+)?def[ \t]+)?([A-Za-z_]\w*)?$/;

/** Where the imports and module docstring of the file end: the first other top-level statement. */
export function importRegionEnd(model: FileModel): number {
  for (const stmt of model.root.children) {
    if (/^(import_statement|import_from_statement|future_import_statement|comment)$/.test(stmt.type)) continue;
    if (stmt.type === 'expression_statement' && stmt.children[0]?.type === 'string') continue;
    return stmt.start;
  }
  return model.text.length;
}

/** The model's import statements are where they are in `text` (the text is unchanged up to them). */
export function sharesImports(model: FileModel, text: string): boolean {
  const end = importRegionEnd(model);
  return !model.root.children.some((c) => c.start < end && c.hasError) && text.length >= end && text.startsWith(model.text.slice(0, end));
}

export function memberCompletions(source: CompletionSource & { importModel: FileModel }): MemberCompletion[] {
  const { text, offset, lines } = source;
  const line = memberLine(text, lines, offset);
  if (!line) return [];
  const { lineNo, lineStart, indent, header } = line;
  const facts = classFacts(source, header);
  if (!facts) return [];
  const existing = new Set([...ownMethodNames(lines, header, indent, lineNo), ...inheritedMethods(facts.cls)]);
  const keys: OffsetKey[] = facts.cls && facts.model ? offsetKeysOf(facts.model, facts.cls) : [];
  const products: FactoryProduct[] = [];
  if (facts.role === 'DataSource') {
    const model = facts.model ?? source.current ?? source.importModel;
    const wired = model.factoryProducts;
    for (const c of model.classes) {
      if (!c.role || c.nested || c.subclasses.length) continue;
      const init = c.methods.get('__init__');
      products.push({ name: c.name, role: c.role, initParams: init ? init.params.slice(1).filter((p) => p.kind === 'positional' && !p.defaultValue).map((p) => p.name) : [], wired: wired.has(c) });
    }
  }

  const fileUnit = detectIndentUnit(source.importModel);
  // The class body's own style wins over the file's first indented line.
  const unit = indent.includes('\t') ? '\t' : fileUnit.includes('\t') ? '    ' : fileUnit;
  const nl = lines.lineBreak();
  const nextLine = lineNo + 1 < lines.lineCount ? lines.lineText(lineNo + 1) : '';
  // A blank line after the new method when the next line is the next member.
  const trailing = nextLine.trim() && indentWidth(leading(nextLine)) >= indentWidth(indent) ? nl : '';
  const out: MemberCompletion[] = [];
  for (const template of templatesFor(source, facts, header, existing, keys, products)) {
    const { plan } = template;
    const renderAs = (snippet: boolean, absolute: boolean) =>
      render(template.lines, {
        indent: (level) => (absolute ? indent : '') + unit.repeat(level),
        lineBreak: nl,
        snippet,
      }) + trailing;
    out.push({
      template: template.template,
      role: facts.role,
      insert: {
        snippet: { absolute: renderAs(true, true), relative: renderAs(true, false) },
        plain: { absolute: renderAs(false, true), relative: renderAs(false, false) },
      },
      start: lineStart + indent.length,
      end: offset,
      filterText: line.typedDef ? `${line.typedDef}${template.template.name}` : template.template.name,
      additionalEdits: plan.edits(),
    });
  }
  return out;
}

function templatesFor(
  source: CompletionSource & { importModel: FileModel },
  facts: ClassFacts,
  header: Header,
  existing: Set<string>,
  offsetKeys: OffsetKey[],
  products: FactoryProduct[],
): { template: MemberTemplate; lines: SnippetLine[]; plan: ImportPlanner }[] {
  const out: { template: MemberTemplate; lines: SnippetLine[]; plan: ImportPlanner }[] = [];
  for (const template of memberTemplates({ role: facts.role, className: header.name!, existing, offsetKeys, products })) {
    // Each its own imports: accepting one completion adds only what that method needs.
    const plan = new ImportPlanner(source.importModel);
    const lines = template.build((module, name) => plan.ref(module, name));
    if (lines) out.push({ template, lines, plan });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Offset keys after `start["`.

export interface OffsetKeyCompletion {
  key: OffsetKey;
  /** The text to insert over [start, end]. */
  insert: string;
  start: number;
  end: number;
  filterText: string;
}

/** Offset parameters of each consumer method (after `self`), as Spark passes them. */
function offsetParams(method: string, params: string[], role: SparkRole): string[] {
  switch (method) {
    case 'partitions':
    case 'readBetweenOffsets':
      return params.slice(0, 2);
    case 'commit':
      return params.slice(0, 1);
    case 'latestOffset':
      return params.length >= 2 ? params.slice(0, 1) : [];
    case 'read':
      return role === 'SimpleDataSourceStreamReader' ? params.slice(0, 1) : [];
    default:
      return [];
  }
}

/** Parameter names of a `def` line (and the lines after it until the closing parenthesis). */
function defParams(lines: LineIndex, header: Header): string[] {
  let text = '';
  for (let l = header.line; l < Math.min(lines.lineCount, header.line + 8); l++) {
    text += `${lines.lineText(l)}\n`;
    if (/\)\s*(->[^:]*)?:/.test(text)) break;
  }
  const open = text.indexOf('(');
  if (open < 0) return [];
  let depth = 0;
  let current = '';
  const parts: string[] = [];
  for (const ch of text.slice(open + 1)) {
    if (ch === ')' && depth === 0) break;
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => /^\s*([A-Za-z_]\w*)/.exec(p)?.[1]).filter((p): p is string => !!p);
}

const KEY_ACCESS = /(?:((?:json\.)?loads)\(\s*([A-Za-z_]\w*)\s*\)|([A-Za-z_]\w*))\s*(\[|\.get\(\s*)(["']?)([^"'\]\\\s]*)$/;

interface KeyAccess {
  lineNo: number;
  def: Header;
  header: Header;
  /** The offset parameter the receiver is (or was assigned from). */
  param: string;
  viaJson: boolean;
  access: string;
  quote: string;
  partial: string;
}

/** `start["`, `end.get('`, `json.loads(start)["` or a local from one of them, in a consumer method of a class (from the text). */
function keyAccess(text: string, lines: LineIndex, offset: number): KeyAccess | undefined {
  const lineNo = lines.lineOf(offset);
  const lineStart = lines.lineStarts[lineNo];
  const m = KEY_ACCESS.exec(text.slice(lineStart, offset));
  if (!m) return undefined;
  const [, loads, loadsArg, direct, access, quote, partial] = m;
  if (!quote && partial) return undefined;
  const headers = enclosingHeaders(lines, lineNo, leading(lines.lineText(lineNo)) || ' ');
  const defIndex = headers.findIndex((h) => h.kind === 'def');
  const def = headers[defIndex];
  const header = headers[defIndex + 1];
  if (!def || header?.kind !== 'class' || !header.name) return undefined;
  // `read` takes an offset only in a simple reader: the role, checked later, decides.
  const params = offsetParams(def.name!, defParams(lines, def).slice(1), 'SimpleDataSourceStreamReader');
  if (!params.length) return undefined;
  let viaJson = !!loads;
  let receiver = loads ? loadsArg : direct;
  if (!params.includes(receiver)) {
    const body = text.slice(lines.lineStarts[def.line], lineStart);
    const escaped = receiver.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const alias = new RegExp(`^[ \\t]*${escaped}[ \\t]*=[ \\t]*(?:((?:json\\.)?loads)\\(\\s*([A-Za-z_]\\w*)\\s*\\)|([A-Za-z_]\\w*))[ \\t]*(#.*)?$`, 'gm');
    let found: RegExpExecArray | null;
    let last: RegExpExecArray | undefined;
    while ((found = alias.exec(body))) last = found;
    if (!last) return undefined;
    const assigned = last[1] ? last[2] : last[3];
    if (!params.includes(assigned) || (last[1] && viaJson)) return undefined;
    viaJson = viaJson || !!last[1];
    receiver = assigned;
  }
  return { lineNo, def, header, param: receiver, viaJson, access, quote, partial };
}

export function offsetKeyCompletions(source: CompletionSource): OffsetKeyCompletion[] {
  const { text, offset, lines } = source;
  const ctx = keyAccess(text, lines, offset);
  if (!ctx) return [];
  const { lineNo, def, header, viaJson, access, quote, partial } = ctx;
  const facts = classFacts(source, header);
  if (!facts?.cls || !facts.model || (facts.role !== 'DataSourceStreamReader' && facts.role !== 'SimpleDataSourceStreamReader')) return [];
  if (!offsetParams(def.name!, defParams(lines, def).slice(1), facts.role).includes(ctx.param)) return [];

  const all = offsetKeysOf(facts.model, facts.cls);
  const matching = all.filter((k) => k.forms.has(viaJson ? 'json' : 'dict'));
  const keys = matching.length ? matching : all;
  const after = text.slice(offset, lines.lineEndWithoutBreak(lineNo));
  const closer = access === '[' ? ']' : ')';
  return keys.map((key) => {
    let insert: string;
    if (quote) {
      insert = after.startsWith(quote) ? key.key : key.key + quote + (after.trimStart().startsWith(closer) ? '' : closer);
    } else {
      insert = JSON.stringify(key.key) + (after.trimStart().startsWith(closer) ? '' : closer);
    }
    return { key, insert, start: offset - partial.length, end: offset, filterText: quote ? key.key : JSON.stringify(key.key) };
  });
}

