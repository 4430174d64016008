/**
 * PDS019 naive-datetime-offset: a stream reader's offsets are built from a naive datetime
 * (`datetime.now()`/`utcnow()` without a zone, `datetime(2024, 1, 1)`, `strptime` without `%z`,
 * `fromisoformat` of a user option that may lack an offset, decision 7) while they are compared
 * or combined with aware ones: `TypeError: can't compare offset-naive and offset-aware
 * datetimes` when `partitions` orders the two ends, or an hour's shift across DST. Reported at
 * the expression that makes the naive datetime (decision 6); epoch numbers never (decision 11).
 * A reader that is naive everywhere is consistent and not reported.
 */
import { type FileModel, naiveOffsetDatetimes, type NaiveOffsetDatetime, qualifiedName } from '../model';
import { childByField, type Node } from '../syntax';
import type { Fix, TextEdit } from '../types';
import { ensureImportEdit } from './helpers';
import { defineRule } from './rule';

export default defineRule(
  {
    code: 'PDS019',
    name: 'naive-datetime-offset',
    summary: 'An offset is built from a naive datetime while the offsets are compared with aware ones',
    defaultSeverity: 'warning',
    fixAvailability: 'sometimes',
    since: '0.2.0',
  },
  ({ model, report }) => {
    const reported = new Set<Node>();
    for (const cls of model.classesWithRole('DataSourceStreamReader', 'SimpleDataSourceStreamReader')) {
      if (cls.hasSyntaxError) continue;
      for (const found of naiveOffsetDatetimes(model.offsets(cls), model.evaluator, (n) => model.contains(n))) {
        if (reported.has(found.node) || found.node.hasError) continue;
        reported.add(found.node);
        report({
          node: found.node,
          message: message(model, found),
          related: found.evidence.map((e) => ({
            start: e.node.start,
            end: e.node.end,
            message: e.what === 'aware-offset' ? 'an offset with a time zone is made here' : 'offsets are compared here',
          })),
          fix: zoneFix(model, found),
        });
      }
    }
  },
);

function message(model: FileModel, found: NaiveOffsetDatetime): string {
  const what = callText(model, found.node);
  const consequence = "comparing them raises TypeError (can't compare offset-naive and offset-aware datetimes)";
  if (found.fromOption) {
    return `\`${what}\` of a user option gives a naive datetime when the text has no UTC offset (\`2024-01-01T00:00:00\`), but the reader's other offsets carry a time zone: ${consequence}`;
  }
  const makes = found.text ? 'writes a timestamp without a UTC offset, which parses back as a naive datetime' : 'makes a naive datetime';
  if (found.evidence.every((e) => e.what === 'comparison')) {
    return `\`${what}\` ${makes}, and the reader compares offsets with datetimes of the other kind: ${consequence}`;
  }
  return `\`${what}\` ${makes}, but the reader's other offsets carry a time zone: ${consequence}`;
}

function callText(model: FileModel, node: Node): string {
  if (node.type !== 'call') return model.textOf(node).replace(/\s+/g, ' ').slice(0, 40);
  const callee = childByField(node, 'function');
  const args = childByField(node, 'arguments');
  const inner = args && args.end - args.start > 2 ? '(...)' : '()';
  return `${model.textOf(callee ?? node)}${inner}`;
}

/**
 * Unsafe fixes that make the datetime aware in UTC: `utcnow()` → `now(timezone.utc)`, `now()` →
 * `now(timezone.utc)` (local time becomes UTC), `datetime(...)` gets `tzinfo=timezone.utc`,
 * `strptime(...)` gets `.replace(tzinfo=timezone.utc)`. None for `fromisoformat` of an option:
 * replacing the zone would be wrong for text that has one.
 */
function zoneFix(model: FileModel, found: NaiveOffsetDatetime): Fix | undefined {
  const node = found.node;
  if (node.type !== 'call' || found.fromOption) return undefined;
  const callee = childByField(node, 'function');
  const list = childByField(node, 'arguments');
  if (!callee || list?.type !== 'argument_list' || list.hasError) return undefined;
  const qualified = qualifiedName(callee, model.imports);
  const utc = utcExpression(model, callee);
  if (!utc) return undefined;
  const argCount = list.children.filter((c) => c.named && c.type !== 'comment').length;
  const edits: TextEdit[] = [];
  let title: string;
  switch (qualified) {
    case 'datetime.datetime.utcnow':
    case 'datetime.datetime.now': {
      if (argCount) return undefined;
      const object = childByField(callee, 'object');
      if (!object) return undefined;
      edits.push({ start: callee.start, end: node.end, newText: `${model.textOf(object)}.now(${utc.text})` });
      title = `Use \`${model.textOf(object)}.now(${utc.text})\``;
      break;
    }
    case 'datetime.datetime': {
      if (list.children.some((c) => c.type === 'list_splat' || c.type === 'dictionary_splat' || c.type === 'keyword_argument')) return undefined;
      const at = list.end - 1;
      const between = model.text.slice(list.start + 1, at);
      const trailing = /,\s*$/.test(between);
      edits.push({ start: at, end: at, newText: argCount ? `${trailing ? ' ' : ', '}tzinfo=${utc.text}` : `tzinfo=${utc.text}` });
      title = `Add \`tzinfo=${utc.text}\``;
      break;
    }
    case 'datetime.datetime.strptime':
      edits.push({ start: node.end, end: node.end, newText: `.replace(tzinfo=${utc.text})` });
      title = `Read it as UTC with \`.replace(tzinfo=${utc.text})\``;
      break;
    default:
      return undefined;
  }
  if (utc.importEdit) edits.push(utc.importEdit);
  return { title, applicability: 'unsafe', edits };
}

/** How to write UTC here: an imported `timezone`/`UTC`, `<module>.timezone.utc`, or `timezone.utc` with a new import. */
function utcExpression(model: FileModel, callee: Node): { text: string; importEdit?: TextEdit } | undefined {
  for (const b of model.imports.all()) {
    if (b.nested) continue;
    if (b.qualified === 'datetime.timezone') return { text: `${b.local}.utc` };
    if (b.qualified === 'datetime.UTC') return { text: b.local };
  }
  // `datetime.datetime.now()` with `import datetime`: the module is at hand.
  let object = callee.type === 'attribute' ? childByField(callee, 'object') : undefined;
  if (object?.type === 'attribute' && qualifiedName(object, model.imports) === 'datetime.datetime') object = childByField(object, 'object');
  else if (callee.type === 'attribute' && qualifiedName(callee, model.imports) === 'datetime.datetime') object = childByField(callee, 'object');
  if (object?.type === 'identifier' && qualifiedName(object, model.imports) === 'datetime') return { text: `${model.textOf(object)}.timezone.utc` };
  if (model.imports.get('timezone') || model.moduleBindings.has('timezone') || model.functions.has('timezone') || model.classesByName.has('timezone')) return undefined;
  const importEdit = ensureImportEdit(model, 'datetime', 'timezone');
  return { text: 'timezone.utc', importEdit };
}
