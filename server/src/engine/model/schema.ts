/**
 * Schemas written as literals: a DDL string, a `StructType([...])` built in place (or with
 * `.add(...)`), or a module-level constant holding one (decision 8). Anything else (a schema
 * read from options, passed in by the user) is not literal, and row shapes are then not checked.
 */
import { childByField, type Node, stringValue } from '../syntax';
import { type ClassInfo, findMethod } from './classes';
import type { FunctionInfo } from './functions';
import type { FileModel } from './index';
import { args, reachingBindings } from './values';

export interface LiteralSchema {
  /** Field names in order. */
  fields: string[];
  /** Where the schema is written. */
  node: Node;
  /** For messages: "`EventSource.schema()`". */
  origin: string;
}

const MAX_DEPTH = 4;

/** Top-level fields of a DDL string (`"id INT, tags ARRAY<STRING>"`), or undefined if it does not parse as one. */
export function parseDdlFields(ddl: string): string[] | undefined {
  let text = ddl.trim();
  const struct = /^struct\s*<([\s\S]*)>$/i.exec(text);
  if (struct) text = struct[1];
  const parts: string[] = [];
  let depth = 0;
  // The quote character we are inside (back-quoted names, quoted COMMENT text), if any.
  let quote: string | undefined;
  let current = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '`' || ch === "'" || ch === '"') {
      quote = ch;
    } else {
      if (ch === '<' || ch === '(') depth++;
      else if (ch === '>' || ch === ')') depth--;
      else if (ch === ',' && depth === 0) {
        parts.push(current);
        current = '';
        continue;
      }
    }
    current += ch;
  }
  parts.push(current);
  if (quote || depth !== 0) return undefined;
  const names: string[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    const m = /^(`[^`]+`|[\p{L}_][\p{L}\p{N}_$]*)\s*(:\s*|\s+)\S/u.exec(part);
    if (!m) return undefined;
    names.push(m[1].replace(/^`|`$/g, ''));
  }
  return names.length ? names : undefined;
}

function isStructType(qualified: string | undefined): boolean {
  return qualified === 'pyspark.sql.types.StructType' || qualified === 'StructType' || !!qualified?.endsWith('.types.StructType');
}

function isStructField(qualified: string | undefined): boolean {
  return qualified === 'pyspark.sql.types.StructField' || qualified === 'StructField' || !!qualified?.endsWith('.types.StructField');
}

/** The fields of a schema expression when it is literal (see the module comment). */
export function literalSchemaFields(model: FileModel, expr: Node | undefined, scope?: FunctionInfo, depth = 0): { fields: string[]; node: Node } | undefined {
  if (!expr || depth > MAX_DEPTH) return undefined;
  switch (expr.type) {
    case 'string':
    case 'concatenated_string': {
      const ddl = stringValue(expr);
      const fields = ddl === undefined ? undefined : parseDdlFields(ddl);
      return fields ? { fields, node: expr } : undefined;
    }
    case 'parenthesized_expression':
      return literalSchemaFields(model, expr.children.find((c) => c.named && c.type !== 'comment'), scope, depth + 1);
    case 'identifier': {
      const name = expr.text ?? '';
      if (scope) {
        const local = reachingBindings(scope, name, expr);
        if (local.length) {
          if (local.length !== 1 || local[0].kind !== 'assign' || !local[0].value) return undefined;
          return literalSchemaFields(model, local[0].value, scope, depth + 1);
        }
      }
      const constant = model.moduleBindings.get(name);
      if (constant?.length !== 1 || !constant[0].value) return undefined;
      return literalSchemaFields(model, constant[0].value, undefined, depth + 1);
    }
    case 'call':
      return structTypeFields(model, expr, scope, depth);
    default:
      return undefined;
  }
}

function structTypeFields(model: FileModel, call: Node, scope: FunctionInfo | undefined, depth: number): { fields: string[]; node: Node } | undefined {
  const callee = childByField(call, 'function');
  const qualified = model.evaluator.qualified(callee);
  const { positional, keywords, all } = args(call);
  if (qualified && /(^|\.)StructType\.fromDDL$/.test(qualified)) return literalSchemaFields(model, positional[0], scope, depth + 1);
  if (isStructType(qualified)) {
    if (!all.length) return { fields: [], node: call };
    const list = positional[0] ?? keywords.get('fields');
    if (all.length !== 1 || list?.type !== 'list') return undefined;
    const fields: string[] = [];
    for (const item of list.children) {
      if (!item.named || item.type === 'comment') continue;
      const name = structFieldName(model, item);
      if (name === undefined) return undefined;
      fields.push(name);
    }
    return { fields, node: call };
  }
  // StructType().add("id", IntegerType()).add(StructField("ts", TimestampType()))
  if (callee?.type === 'attribute' && childByField(callee, 'attribute')?.text === 'add') {
    const base = structTypeFields(model, childByField(callee, 'object')!, scope, depth + 1);
    if (!base || childByField(callee, 'object')?.type !== 'call') return undefined;
    const first = positional[0] ?? keywords.get('field');
    const name = first?.type === 'string' ? stringValue(first) : first ? structFieldName(model, first) : undefined;
    if (name === undefined) return undefined;
    return { fields: [...base.fields, name], node: call };
  }
  return undefined;
}

function structFieldName(model: FileModel, item: Node): string | undefined {
  if (item.type !== 'call' || !isStructField(model.evaluator.qualified(childByField(item, 'function')))) return undefined;
  const { positional, keywords } = args(item);
  return stringValue(positional[0] ?? keywords.get('name'));
}

/** The literal schema of a function returning one on every `return` (a `schema()` method). */
function schemaReturned(model: FileModel, fn: FunctionInfo): { fields: string[]; node: Node } | undefined {
  if (!fn.returns.length || fn.isGenerator) return undefined;
  let found: { fields: string[]; node: Node } | undefined;
  for (const r of fn.returns) {
    const value = r.children.find((c) => c.named && c.type !== 'comment');
    const s = literalSchemaFields(model, value, fn);
    if (!s || (found && found.fields.join('\0') !== s.fields.join('\0'))) return undefined;
    found ??= s;
  }
  return found;
}

/**
 * The literal schema rows of a reader must match: the `schema()` of the DataSource(s) whose
 * factory returns the reader (all must agree), or else the reader's own `schema()` / `schema`.
 */
export function readerLiteralSchema(model: FileModel, reader: ClassInfo): LiteralSchema | undefined {
  const sources = model.factoryProducts.get(reader) ?? [];
  if (sources.length) {
    let out: LiteralSchema | undefined;
    for (const { dataSource } of sources) {
      const fn = findMethod(dataSource, 'schema');
      if (!fn) return undefined;
      const s = schemaReturned(model, fn);
      if (!s || (out && out.fields.join('\0') !== s.fields.join('\0'))) return undefined;
      out ??= { ...s, origin: `\`${dataSource.name}.schema()\`` };
    }
    return out;
  }
  const own = findMethod(reader, 'schema');
  if (own) {
    const s = schemaReturned(model, own);
    return s && { ...s, origin: `\`${reader.name}.schema()\`` };
  }
  const attribute = reader.classAttributes.get('schema');
  const s = attribute ? literalSchemaFields(model, attribute) : undefined;
  return s && { ...s, origin: `\`${reader.name}.schema\`` };
}
